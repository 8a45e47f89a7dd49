"""The case states and the ONE table of allowed changes; services.tramite_transicionar (and its batch
form for routing, tramites_transicionar_en_lote) are its only users."""
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
ABIERTOS = frozenset(set(Estado) - FINALES)


@dataclass(frozen=True)
class Transicion:
    accion: str
    desde: frozenset
    hacia: str
    actores: frozenset
    etiqueta: str
    requiere_nota: bool = False
    # The change hands the case to the citizen: the legal clock stops until the citizen answers.
    pausa_el_reloj: bool = False


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
        pausa_el_reloj=True,
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

# Where the case waits on the citizen, read off the table: the legal clock is paused there.
PAUSAN_EL_RELOJ = frozenset(t.hacia for t in TRANSICIONES if t.pausa_el_reloj)
# The legal clock does not run in these states: closed, or waiting on the citizen.
RELOJ_DETENIDO = FINALES | PAUSAN_EL_RELOJ


def pausa_el_reloj(estado: str) -> bool:
    """True while the case waits on the citizen (observed): its legal clock is paused (plazos)."""
    return estado in PAUSAN_EL_RELOJ


def transicion(accion: str) -> Transicion:
    return POR_ACCION[accion]


def acciones_permitidas(estado: str, actores: set[str]) -> list[Transicion]:
    """The transitions that a holder of any of `actores` may apply to a case in `estado`."""
    return [t for t in TRANSICIONES if estado in t.desde and t.actores & set(actores)]
