"""Business days of the Ecuadorian calendar (weekends and national holidays excluded)."""
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from .estados import ABIERTOS, PAUSAN_EL_RELOJ, pausa_el_reloj
from .models import Tramite


@lru_cache(maxsize=32)
def _feriados(anio: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("EC", years=anio).keys())


def es_habil(dia: date) -> bool:
    return dia.weekday() < 5 and dia not in _feriados(dia.year)


def sumar_dias_habiles(desde: date, dias: int) -> date:
    """The date `dias` business days after `desde` (the day itself does not count)."""
    dia = desde
    restantes = dias
    while restantes > 0:
        dia += timedelta(days=1)
        if es_habil(dia):
            restantes -= 1
    return dia


@lru_cache(maxsize=4096)
def dias_habiles_entre(desde: date, hasta: date) -> int:
    """Business days after `desde` up to and including `hasta`; negative when `hasta` is earlier.

    Cached: an inbox page asks it for every row, and the rows share a few dozen due dates."""
    if hasta == desde:
        return 0
    signo = 1
    if hasta < desde:
        desde, hasta, signo = hasta, desde, -1
    n = 0
    dia = desde
    while dia < hasta:
        dia += timedelta(days=1)
        if es_habil(dia):
            n += 1
    return signo * n



# --- intake --------------------------------------------------------------------------------------


def fecha_local(momento) -> "timezone.datetime.date":
    return timezone.localtime(momento).date()


def reloj_pausado_desde(tramite: Tramite):
    """The local date on which the case's clock last stopped, waiting on the citizen (None if never)."""
    paso = tramite.historial.filter(estado_nuevo__in=PAUSAN_EL_RELOJ).order_by("-creado_en", "-id").first()
    return fecha_local(paso.creado_en) if paso else None


def dias_restantes(tramite: Tramite, *, hoy=None, observado_el=None) -> int | None:
    """Business days left to answer (negative when overdue); None once the case is closed.

    While the case waits on the citizen (estados.pausa_el_reloj) the clock is paused: the figure stays what it was on the day of the observation
    (tramite_transicionar moves `vence_el` forward by the paused business days when the citizen answers,
    so the count resumes from there). Lists may pass `observado_el` to spare one query per row.
    """
    if tramite.vence_el is None or tramite.estado not in ABIERTOS:
        return None
    hoy = hoy or timezone.localdate()
    if pausa_el_reloj(tramite.estado):
        desde = observado_el
        if desde is None and hasattr(tramite, "observado_en"):  # annotated by selectors.tramites_bandeja
            desde = fecha_local(tramite.observado_en) if tramite.observado_en else None
        elif desde is None:
            desde = reloj_pausado_desde(tramite)
        if desde is not None:
            hoy = min(hoy, desde)
    return dias_habiles_entre(hoy, tramite.vence_el)
