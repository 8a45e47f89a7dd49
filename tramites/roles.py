"""Staff roles (one Django group each, created by a migration) and the non-human actors of the workflow."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rol(models.TextChoices):
    VENTANILLA = "ventanilla", _("Ventanilla de Gestión Documental")
    ANALISTA = "analista", _("Analista provincial")
    EVALUADOR = "evaluador", _("Médico evaluador")
    DIRECTOR = "director", _("Director (autorizador)")
    SUPERVISOR = "supervisor", _("Supervisor nacional")


# Actors that are not staff roles but appear in the transition table.
SISTEMA = "sistema"
CIUDADANO = "ciudadano"

GRUPOS: dict[str, str] = {rol.value: str(rol.label) for rol in Rol}
