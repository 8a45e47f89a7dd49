"""Transparency figures: the public monthly table (imported historic months + months computed from
the system's own data, in Ecuador's time zone), its CSV import and the chart."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CifraMensualHistorica, Queja, Tramite

COLUMNAS = ["Año", "Mes", "Volumen de Quejas", "Volumen de Atenciones"]
CSV_SEMILLA = Path(settings.BASE_DIR) / "data" / "transparencia_2024_2025.csv"
# The public table is cached per current month for this long; an import clears it at once. A new
# complaint or a final answer shows up on the public page within this time.
CACHE_SEGUNDOS = 600
CACHE_MES_CERRADO_SEGUNDOS = 24 * 3600
MESES_GRAFICO = 24


def zona() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def inicio_mes(anio: int, mes: int) -> datetime:
    """The first instant of a calendar month in Ecuador, as an aware datetime."""
    return datetime(anio, mes, 1, tzinfo=zona())


def mes_siguiente(anio: int, mes: int) -> tuple[int, int]:
    return (anio + 1, 1) if mes == 12 else (anio, mes + 1)


def meses_entre(desde: tuple[int, int], hasta: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (year, month) from `desde` to `hasta`, both included, oldest first."""
    meses = []
    actual = desde
    while actual <= hasta:
        meses.append(actual)
        actual = mes_siguiente(*actual)
    return meses


def _conteo_por_mes(queryset, campo: str, meses: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """One query: a conditional count per month over `campo`, with month edges in Ecuador's time zone
    (computed here, so no per-row time-zone conversion and the index on `campo` is used)."""
    if not meses:
        return {}
    bordes = [inicio_mes(*m) for m in meses] + [inicio_mes(*mes_siguiente(*meses[-1]))]
    agregados = {
        f"m{i}": Count(campo, filter=Q(**{f"{campo}__gte": bordes[i], f"{campo}__lt": bordes[i + 1]}))
        for i in range(len(meses))
    }
    fila = queryset.filter(**{f"{campo}__gte": bordes[0], f"{campo}__lt": bordes[-1]}).aggregate(**agregados)
    return {m: fila[f"m{i}"] or 0 for i, m in enumerate(meses)}


def cifras_calculadas(meses: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """(quejas, atenciones) of each month, from the system's data."""
    quejas = {}
    atenciones = {}
    # Chunks keep the number of aggregate columns per query small.
    for i in range(0, len(meses), 36):
        tramo = meses[i : i + 36]
        quejas.update(_conteo_por_mes(Queja.objects.all(), "creada_en", tramo))
        # finalizado_en is stamped only when a case reaches RESUELTO or DESISTIDO (tramite_transicionar),
        # so the narrow index on it answers the count alone.
        atenciones.update(_conteo_por_mes(Tramite.objects.all(), "finalizado_en", tramo))
    return {m: (quejas.get(m, 0), atenciones.get(m, 0)) for m in meses}


def _clave_mes(mes: tuple[int, int]) -> str:
    return f"transparencia:v1:mes:{mes[0]:04d}-{mes[1]:02d}"


def cifras_calculadas_en_cache(
    meses: list[tuple[int, int]], *, actual: tuple[int, int]
) -> dict[tuple[int, int], tuple[int, int]]:
    """Like cifras_calculadas, but a month that is over is cached for a day (CACHE_MES_CERRADO_SEGUNDOS):
    complaints and final answers are stamped with the moment they happen, so a closed month's figures do
    not change. Only the current month (and any closed month not yet cached) is counted again."""
    cerrados = [m for m in meses if m < actual]
    en_cache = cache.get_many([_clave_mes(m) for m in cerrados])
    resultado = {m: tuple(en_cache[_clave_mes(m)]) for m in cerrados if _clave_mes(m) in en_cache}
    faltan = [m for m in meses if m not in resultado]
    nuevas = cifras_calculadas(faltan)
    cache.set_many({_clave_mes(m): v for m, v in nuevas.items() if m < actual}, CACHE_MES_CERRADO_SEGUNDOS)
    resultado.update(nuevas)
    return resultado


@dataclass(frozen=True)
class FilaTransparencia:
    anio: int
    mes: int
    quejas: int
    atenciones: int
    importada: bool

    @property
    def mes_2d(self) -> str:
        return f"{self.mes:02d}"

    def como_lista(self) -> list[str]:
        return [str(self.anio), self.mes_2d, str(self.quejas), str(self.atenciones)]


def _mes_actual(hoy: date | None = None) -> tuple[int, int]:
    hoy = hoy or timezone.localdate()
    return (hoy.year, hoy.month)


def _primer_mes_con_datos() -> tuple[int, int] | None:
    fechas = [
        Queja.objects.order_by("creada_en").values_list("creada_en", flat=True).first(),
        Tramite.objects.filter(finalizado_en__isnull=False)
        .order_by("finalizado_en")
        .values_list("finalizado_en", flat=True)
        .first(),
    ]
    fechas = [timezone.localtime(f, zona()) for f in fechas if f]
    if not fechas:
        return None
    primera = min(fechas)
    return (primera.year, primera.month)


def tabla_transparencia(*, hoy: date | None = None) -> list[FilaTransparencia]:
    """The public table, newest first.

    Months shown: from the first imported month (or, with nothing imported, the first month with a
    complaint or a final answer) up to the current month. Imported months carry their imported
    figures digit for digit; every other month is computed.
    """
    actual = _mes_actual(hoy)
    importadas = {(c.anio, c.mes): c for c in CifraMensualHistorica.objects.all()}
    inicios = [min(importadas)] if importadas else []
    if not importadas:
        primero = _primer_mes_con_datos()
        if primero:
            inicios.append(primero)
    inicio = min(inicios + [actual])
    fin = max([actual] + list(importadas))
    meses = meses_entre(inicio, fin)
    calculadas = cifras_calculadas_en_cache([m for m in meses if m not in importadas], actual=actual)
    filas = []
    for m in reversed(meses):
        if m in importadas:
            c = importadas[m]
            filas.append(FilaTransparencia(m[0], m[1], c.quejas, c.atenciones, True))
        else:
            q, a = calculadas[m]
            filas.append(FilaTransparencia(m[0], m[1], q, a, False))
    return filas


_CLAVE_VERSION = "transparencia:v1:version"


def clave_cache(hoy: date | None = None) -> str:
    """The cache key of the public table: per current month, and per version (an import bumps it, so
    the table and the page fragment rendered from it are rebuilt at once)."""
    version = cache.get(_CLAVE_VERSION)
    if version is None:
        cache.add(_CLAVE_VERSION, 1, None)
        version = cache.get(_CLAVE_VERSION, 1)
    anio, mes = _mes_actual(hoy)
    return f"transparencia:v1:{version}:{anio:04d}-{mes:02d}"


def tabla_transparencia_en_cache(*, hoy: date | None = None) -> list[FilaTransparencia]:
    """The public table through the cache (key per current month, CACHE_SEGUNDOS)."""
    clave = clave_cache(hoy)
    filas = cache.get(clave)
    if filas is None:
        filas = tabla_transparencia(hoy=hoy)
        cache.set(clave, filas, CACHE_SEGUNDOS)
    return filas


def invalidar_cache() -> None:
    try:
        cache.incr(_CLAVE_VERSION)
    except ValueError:
        cache.set(_CLAVE_VERSION, 2, None)


def csv_transparencia(filas: list[FilaTransparencia]) -> str:
    salida = io.StringIO()
    escritor = csv.writer(salida, lineterminator="\r\n")
    escritor.writerow(COLUMNAS)
    for f in filas:
        escritor.writerow(f.como_lista())
    return salida.getvalue()


# --- import of historic months -----------------------------------------------------------------


class ErrorImportacion(Exception):
    """The file is refused as a whole; the message (Spanish) names the row and the problem."""


def _delimitador(cabecera: str) -> str:
    for delim in ("\t", ";", ","):
        if len(next(csv.reader([cabecera], delimiter=delim))) == len(COLUMNAS):
            return delim
    raise ErrorImportacion(
        _(
            "Fila 1: la cabecera debe tener exactamente las columnas %(columnas)s, separadas por coma, "
            "punto y coma o tabulador."
        )
        % {"columnas": ", ".join(COLUMNAS)}
    )


def _entero(valor: str, *, fila: int, columna: str, minimo: int, maximo: int | None = None) -> int:
    texto = valor.strip()
    if not texto.isdigit() or not texto.isascii():
        raise ErrorImportacion(
            _("Fila %(fila)s, columna «%(columna)s»: «%(valor)s» no es un número entero sin signo.")
            % {"fila": fila, "columna": columna, "valor": valor}
        )
    n = int(texto)
    if n < minimo or (maximo is not None and n > maximo):
        raise ErrorImportacion(
            _(
                "Fila %(fila)s, columna «%(columna)s»: %(valor)s está fuera del rango permitido "
                "(%(min)s a %(max)s)."
            )
            % {"fila": fila, "columna": columna, "valor": n, "min": minimo, "max": maximo if maximo else "∞"}
        )
    return n


def leer_csv(contenido: bytes, *, hoy: date | None = None) -> list[tuple[int, int, int, int]]:
    """Parse and check a whole file: [(año, mes, quejas, atenciones)], or ErrorImportacion."""
    try:
        texto = contenido.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ErrorImportacion(_("El archivo no está codificado en UTF-8.")) from exc
    lineas = texto.splitlines()
    if not lineas or not lineas[0].strip():
        raise ErrorImportacion(_("Fila 1: el archivo está vacío; falta la cabecera."))
    delim = _delimitador(lineas[0])
    lector = csv.reader(lineas, delimiter=delim)
    cabecera = [c.strip() for c in next(lector)]
    if cabecera != COLUMNAS:
        raise ErrorImportacion(
            _("Fila 1: la cabecera es «%(leida)s»; debe ser exactamente «%(esperada)s».")
            % {"leida": ", ".join(cabecera), "esperada": ", ".join(COLUMNAS)}
        )
    actual = _mes_actual(hoy)
    vistos: dict[tuple[int, int], int] = {}
    filas = []
    for numero, celdas in enumerate(lector, start=2):
        if not any(c.strip() for c in celdas):
            continue
        if len(celdas) != len(COLUMNAS):
            raise ErrorImportacion(
                _("Fila %(fila)s: tiene %(n)s columnas y deben ser %(esperadas)s.")
                % {"fila": numero, "n": len(celdas), "esperadas": len(COLUMNAS)}
            )
        anio = _entero(celdas[0], fila=numero, columna=COLUMNAS[0], minimo=2000, maximo=2100)
        mes = _entero(celdas[1], fila=numero, columna=COLUMNAS[1], minimo=1, maximo=12)
        quejas = _entero(celdas[2], fila=numero, columna=COLUMNAS[2], minimo=0)
        atenciones = _entero(celdas[3], fila=numero, columna=COLUMNAS[3], minimo=0)
        if (anio, mes) > actual:
            raise ErrorImportacion(
                _("Fila %(fila)s: el mes %(anio)s-%(mes)02d todavía no ha llegado.")
                % {"fila": numero, "anio": anio, "mes": mes}
            )
        if (anio, mes) in vistos:
            raise ErrorImportacion(
                _("Fila %(fila)s: el mes %(anio)s-%(mes)02d ya aparece en la fila %(otra)s.")
                % {"fila": numero, "anio": anio, "mes": mes, "otra": vistos[(anio, mes)]}
            )
        vistos[(anio, mes)] = numero
        filas.append((anio, mes, quejas, atenciones))
    if not filas:
        raise ErrorImportacion(_("Fila 2: el archivo no tiene filas de datos."))
    return filas


def importar_csv(contenido: bytes, *, hoy: date | None = None) -> tuple[int, int]:
    """Load the months of a file (all or none). Idempotent. Returns (created, updated)."""
    filas = leer_csv(contenido, hoy=hoy)
    creadas = actualizadas = 0
    with transaction.atomic():
        for anio, mes, quejas, atenciones in filas:
            _obj, creada = CifraMensualHistorica.objects.update_or_create(
                anio=anio,
                mes=mes,
                defaults={"quejas": quejas, "atenciones": atenciones, "importada_en": timezone.now()},
            )
            if creada:
                creadas += 1
            else:
                actualizadas += 1
    invalidar_cache()
    return creadas, actualizadas


def importar_csv_semilla() -> int:
    """The seed sheet's 2024-2025 figures, shipped in data/; called by `manage.py cargar_demo`."""
    creadas, actualizadas = importar_csv(CSV_SEMILLA.read_bytes())
    return creadas + actualizadas


# --- the chart ------------------------------------------------------------------------------------


def _escala(valor: int) -> tuple[int, int]:
    """A whole-number step (1, 2 or 5 × 10^n) giving at most 5 gridlines, and the axis top (a multiple
    of the step at or above `valor`): every gridline is labelled with its exact value."""
    valor = max(valor, 1)
    base = 1
    while True:
        for m in (1, 2, 5):
            paso = m * base
            if -(-valor // paso) <= 5:
                return paso, paso * -(-valor // paso)
        base *= 10


def grafico(filas: list[FilaTransparencia], *, meses: int = MESES_GRAFICO) -> dict:
    """Geometry of a grouped bar chart (quejas and atenciones) of the last `meses` months, oldest left.
    Rendered as inline SVG by templates/tramites/transparencia_grafico.svg."""
    ultimos = list(reversed(filas[:meses]))
    ancho, alto = 960, 320
    izq, der, arriba, abajo = 48, 12, 16, 56
    area_w, area_h = ancho - izq - der, alto - arriba - abajo
    paso_y, techo = _escala(max([max(f.quejas, f.atenciones) for f in ultimos] + [1]))
    paso = area_w / max(len(ultimos), 1)
    barra = max(paso * 0.36, 2)
    base_y = arriba + area_h
    grupos = []
    for i, f in enumerate(ultimos):
        x0 = izq + i * paso + paso * 0.12
        hq = area_h * f.quejas / techo
        ha = area_h * f.atenciones / techo
        grupos.append(
            {
                "fila": f,
                "etiqueta": f"{f.mes_2d}/{str(f.anio)[2:]}",
                "x_texto": round(izq + i * paso + paso / 2, 1),
                "quejas": {"x": round(x0, 1), "y": round(base_y - hq, 1), "h": round(hq, 1)},
                "atenciones": {"x": round(x0 + barra, 1), "y": round(base_y - ha, 1), "h": round(ha, 1)},
            }
        )
    marcas = [{"valor": v, "y": round(base_y - area_h * v / techo, 1)} for v in range(0, techo + 1, paso_y)]
    return {
        "ancho": ancho,
        "alto": alto,
        "izq": izq,
        "der": ancho - der,
        "base_y": base_y,
        "barra": round(barra, 1),
        "grupos": grupos,
        "marcas": marcas,
        "texto_y": base_y + 18,
        "leyenda_y": alto - 12,
        "desde": ultimos[0] if ultimos else None,
        "hasta": ultimos[-1] if ultimos else None,
        "total_quejas": sum(f.quejas for f in ultimos),
        "total_atenciones": sum(f.atenciones for f in ultimos),
        "max_atenciones": max(ultimos, key=lambda f: f.atenciones) if ultimos else None,
    }
