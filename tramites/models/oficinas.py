"""Offices (provincial coordinations and the national direction), the province map, staff profiles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..provincias import PROVINCIA_CHOICES
from ..roles import Rol


class Oficina(models.Model):
    class Tipo(models.TextChoices):
        PROVINCIAL = "provincial", _("Coordinación provincial")
        NACIONAL = "nacional", _("Dirección nacional")

    codigo = models.SlugField(_("código"), max_length=20, unique=True)
    nombre = models.CharField(_("nombre"), max_length=150)
    tipo = models.CharField(_("tipo"), max_length=12, choices=Tipo.choices, default=Tipo.PROVINCIAL)
    siglas = models.CharField(
        _("siglas"), max_length=20, help_text=_("Se usan en la numeración de resoluciones.")
    )
    correo = models.EmailField(_("correo electrónico"))
    activa = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("oficina")
        verbose_name_plural = _("oficinas")
        ordering = ["tipo", "nombre"]

    def __str__(self) -> str:
        return self.nombre


class ProvinciaOficina(models.Model):
    """The province → office map, editable in the admin. An unmapped province goes to the national direction."""

    provincia = models.CharField(_("provincia"), max_length=2, choices=PROVINCIA_CHOICES, unique=True)
    oficina = models.ForeignKey(
        Oficina, on_delete=models.PROTECT, related_name="provincias", verbose_name=_("oficina")
    )

    class Meta:
        verbose_name = _("provincia atendida")
        verbose_name_plural = _("mapa de provincias a oficinas")
        ordering = ["provincia"]

    def __str__(self) -> str:
        return f"{self.get_provincia_display()} → {self.oficina}"


class PerfilPersonal(models.Model):
    """Which office a member of staff belongs to. Roles are Django groups named after `Rol`."""

    usuario = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="perfil")
    oficina = models.ForeignKey(
        Oficina, on_delete=models.PROTECT, related_name="personal", verbose_name=_("oficina")
    )

    class Meta:
        verbose_name = _("perfil del personal")
        verbose_name_plural = _("perfiles del personal")

    def __str__(self) -> str:
        return f"{self.usuario} ({self.oficina})"

    @property
    def roles(self) -> set[str]:
        return set(self.usuario.groups.filter(name__in=[r.value for r in Rol]).values_list("name", flat=True))
