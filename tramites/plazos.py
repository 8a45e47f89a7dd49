"""Business days of the Ecuadorian calendar (weekends and national holidays excluded)."""
from datetime import date, timedelta
from functools import lru_cache

import holidays


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
