"""The case states and the ONE table of allowed changes; services.tramite_transition (and its batch
form for routing, tramites_transition_en_lote) are its only users."""
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import CIUDADANO, SISTEMA, Rol


class Estado(models.TextChoices):
    INGRESADO = "INGRESADO", _("Ingresado")
    ASIGNADO = "ASIGNADO", _("Asignado")
    EN_REVISION = "EN_REVISION", _("En revisión")
    OBSERVADO = "OBSERVADO", _("Observado")
    EN_EVALUACION = "EN_EVALUACION", _("En evaluación")
    EVALUADO = "EVALUADO", _("Evaluado")
    RESUELTO = "RESUELTO", _("Resuelto")
    DESISTIDO = "DESISTIDO", _("Desistido")
    ARCHIVADO = "ARCHIVADO", _("Archivado")


FINALES = frozenset({Estado.RESUELTO, Estado.DESISTIDO, Estado.ARCHIVADO})
# The legal clock does not run in these states.
RELOJ_DETENIDO = FINALES | {Estado.OBSERVADO}
ABIERTOS = frozenset(set(Estado) - FINALES)


@dataclass(frozen=True)
class Transicion:
    accion: str
    desde: frozenset
    hacia: str
    actores: frozenset
    etiqueta: str
    requiere_nota: bool = False


_ANTES_DE_RESOLVER = frozenset(
    {Estado.INGRESADO, Estado.ASIGNADO, Estado.EN_REVISION, Estado.OBSERVADO, Estado.EN_EVALUACION, Estado.EVALUADO}
)

TRANSICIONES: tuple[Transicion, ...] = (
    Transicion("asignar", frozenset({Estado.INGRESADO}), Estado.ASIGNADO, frozenset({SISTEMA}), _("Asignar")),
    Transicion(
        "tomar", frozenset({Estado.ASIGNADO}), Estado.EN_REVISION, frozenset({Rol.ANALISTA}), _("Tomar el caso")
    ),
    Transicion(
        "observar",
        frozenset({Estado.EN_REVISION}),
        Estado.OBSERVADO,
        frozenset({Rol.ANALISTA}),
        _("Observar (pedir subsanación)"),
        requiere_nota=True,
    ),
    Transicion(
        "subsanar",
        frozenset({Estado.OBSERVADO}),
        Estado.EN_REVISION,
        frozenset({CIUDADANO, Rol.VENTANILLA}),
        _("Subsanar"),
    ),
    Transicion(
        "desistir", frozenset({Estado.OBSERVADO}), Estado.DESISTIDO, frozenset({SISTEMA}), _("Declarar desistido")
    ),
    Transicion(
        "enviar_evaluacion",
        frozenset({Estado.EN_REVISION}),
        Estado.EN_EVALUACION,
        frozenset({Rol.ANALISTA}),
        _("Enviar a evaluación"),
    ),
    Transicion(
        "evaluar",
        frozenset({Estado.EN_EVALUACION}),
        Estado.EVALUADO,
        frozenset({Rol.EVALUADOR}),
        _("Registrar la evaluación"),
    ),
    Transicion(
        "resolver", frozenset({Estado.EVALUADO}), Estado.RESUELTO, frozenset({Rol.DIRECTOR}), _("Emitir la resolución")
    ),
    Transicion(
        "archivar",
        _ANTES_DE_RESOLVER,
        Estado.ARCHIVADO,
        frozenset({Rol.ANALISTA, Rol.DIRECTOR}),
        _("Archivar (duplicado o retirado)"),
        requiere_nota=True,
    ),
)

POR_ACCION: dict[str, Transicion] = {t.accion: t for t in TRANSICIONES}


def transicion(accion: str) -> Transicion:
    return POR_ACCION[accion]


def acciones_permitidas(estado: str, actores: set[str]) -> list[Transicion]:
    """The transitions that a holder of any of `actores` may apply to a case in `estado`."""
    return [t for t in TRANSICIONES if estado in t.desde and t.actores & set(actores)]
