"""Transparency figures: the public monthly table (imported historic months + months computed from the
system's own data, in Ecuador's time zone), its CSV import, and the supervisors' statistics by office.

Definitions (also written on the public page):
- quejas of a month: complaints whose `creada_en` falls in that calendar month in America/Guayaquil;
- atenciones of a month: requests that reached a final answer (RESUELTO or DESISTIDO) in that month,
  i.e. whose `finalizado_en` falls in it. ARCHIVADO (duplicate or withdrawn) is not an answer.
A month present in CifraMensualHistorica is shown with its imported figures instead of computed ones.
"""

from __future__ import annotations

import csv
import io
import statistics as pystats
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CifraMensualHistorica, Oficina, ProvinciaOficina, Queja, Tramite
from .plazos import es_habil
from .provincias import nombre_provincia
from .states import Estado

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
        # finalizado_en is stamped only when a case reaches RESUELTO or DESISTIDO (tramite_transition),
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


# --- supervisors' statistics by office and province ---------------------------------------------

INDICADORES = [
    ("recibidos", gettext_lazy("Recibidos")),
    ("enrutados", gettext_lazy("Enrutados")),
    ("observados", gettext_lazy("Observados")),
    ("favorables", gettext_lazy("Favorables")),
    ("desfavorables", gettext_lazy("Desfavorables")),
    ("desistidos", gettext_lazy("Desistidos")),
    ("archivados", gettext_lazy("Archivados")),
    ("quejas", gettext_lazy("Quejas")),
    ("atenciones", gettext_lazy("Atenciones")),
    ("mediana_dias_habiles", gettext_lazy("Mediana de días hábiles hasta la respuesta")),
    ("vencidos", gettext_lazy("Vencidos")),
]


@dataclass
class FilaEstadistica:
    oficina_id: int | None
    oficina: str
    provincia: str
    provincia_nombre: str
    valores: dict = field(default_factory=dict)

    def lista(self) -> list:
        return [self.valores.get(k, 0) for k, _t in INDICADORES]


def periodo_por_defecto(hoy: date | None = None) -> tuple[date, date]:
    """The previous calendar month."""
    hoy = hoy or timezone.localdate()
    fin = hoy.replace(day=1) - timedelta(days=1)
    return fin.replace(day=1), fin


def _limites(desde: date, hasta: date) -> tuple[datetime, datetime]:
    tz = zona()
    return datetime.combine(desde, time.min, tzinfo=tz), datetime.combine(
        hasta + timedelta(days=1), time.min, tzinfo=tz
    )


def _indice_habiles(desde: date, hasta: date) -> dict[date, int]:
    """For each day, how many business days there are from `desde` up to it: the number of business
    days between two dates is the difference of their indexes (same result as plazos.dias_habiles_entre)."""
    indice = {}
    n = 0
    dia = desde
    while dia <= hasta:
        if es_habil(dia):
            n += 1
        indice[dia] = n
        dia += timedelta(days=1)
    return indice


def _mediana_ponderada(pares: list[tuple[int, int]]) -> float | None:
    """Median of values given as (value, count) pairs; the mean of the two middle values when even."""
    total = sum(n for _v, n in pares)
    if not total:
        return None
    pares = sorted(pares)
    objetivos = [(total - 1) // 2, total // 2]
    resultado = []
    acumulado = 0
    for valor, n in pares:
        while objetivos and objetivos[0] < acumulado + n:
            resultado.append(valor)
            objetivos.pop(0)
        acumulado += n
    return pystats.mean(resultado)


def _respuestas(tramites, inicio: datetime, fin: datetime) -> dict[tuple, dict]:
    if connection.vendor == "postgresql":
        return _respuestas_postgres(tramites, inicio, fin)
    return _respuestas_python(tramites, inicio, fin)


_SQL_RESPUESTAS = """
SELECT t.oficina_id, t.provincia, t.estado, t.resultado,
       (%s::int[])[width_bucket(t.finalizado_en, %s::timestamptz[])]
         - (%s::int[])[width_bucket(t.creado_en, %s::timestamptz[])] AS dias,
       COUNT(*)
FROM ({interior}) AS t
GROUP BY 1, 2, 3, 4, 5
"""


def _respuestas_postgres(tramites, inicio: datetime, fin: datetime) -> dict[tuple, dict]:
    """The same figures, with the business days counted in PostgreSQL: the start instant of every
    local day (from the first case ever filed to the end of the period) and each day's business-day
    index go in as two arrays; width_bucket finds a timestamp's day by binary search (no per-row
    time-zone conversion), so the database returns a histogram (office, province, state, result,
    business days, count) of a few thousand rows and the exact median is read from it here.
    (PERCENTILE_CONT would sort every answered case.)"""
    primero = Tramite.objects.order_by("creado_en").values_list("creado_en", flat=True).first()
    if primero is None:
        return {}
    desde = timezone.localtime(primero, zona()).date()
    indice = _indice_habiles(desde, (fin - timedelta(seconds=1)).astimezone(zona()).date())
    if not indice:  # every case was filed after the period: nothing was answered in it
        return {}
    calendario = list(indice.values())
    bordes = [datetime.combine(d, time.min, tzinfo=zona()) for d in indice]
    bordes.append(datetime.combine(max(indice) + timedelta(days=1), time.min, tzinfo=zona()))
    interior, params_interior = (
        tramites.filter(
            finalizado_en__gte=inicio, finalizado_en__lt=fin, estado__in=[Estado.RESUELTO, Estado.DESISTIDO]
        )
        .values("oficina_id", "provincia", "estado", "resultado", "creado_en", "finalizado_en")
        .order_by()
        .query.sql_with_params()
    )
    params = [calendario, bordes, calendario, bordes, *params_interior]
    with connection.cursor() as cur:
        cur.execute(_SQL_RESPUESTAS.format(interior=interior), params)
        filas = cur.fetchall()
    return _sumar_respuestas(
        (
            {"oficina_id": o, "provincia": p, "estado": e, "resultado": r, "dias": d, "n": n}
            for o, p, e, r, d, n in filas
        )
    )


def _sumar_respuestas(filas) -> dict[tuple, dict]:
    resultado: dict[tuple, dict] = defaultdict(lambda: {"favorables": 0, "desfavorables": 0, "desistidos": 0})
    dias: dict[tuple, list] = defaultdict(list)
    for f in filas:
        clave = (f["oficina_id"], f["provincia"])
        if f["estado"] == Estado.DESISTIDO:
            resultado[clave]["desistidos"] += f["n"]
        elif f["resultado"] == Tramite.Resultado.FAVORABLE:
            resultado[clave]["favorables"] += f["n"]
        elif f["resultado"] == Tramite.Resultado.DESFAVORABLE:
            resultado[clave]["desfavorables"] += f["n"]
        if f["dias"] is not None:
            dias[clave].append((f["dias"], f["n"]))
    for clave, pares in dias.items():
        mediana = _mediana_ponderada(pares)
        resultado[clave]["mediana_dias_habiles"] = round(mediana, 1) if mediana is not None else None
    return resultado


def _respuestas_python(tramites, inicio: datetime, fin: datetime) -> dict[tuple, dict]:
    """Portable version (SQLite): grouped by (intake date, answer date) in the database, business
    days from a per-day index here; Python sees a few thousand groups, never one row per case."""
    tz = zona()
    grupos = list(
        tramites.filter(
            finalizado_en__gte=inicio, finalizado_en__lt=fin, estado__in=[Estado.RESUELTO, Estado.DESISTIDO]
        )
        .annotate(d1=TruncDate("creado_en", tzinfo=tz), d2=TruncDate("finalizado_en", tzinfo=tz))
        .values("oficina_id", "provincia", "estado", "resultado", "d1", "d2")
        .annotate(n=Count("id"))
        .order_by()
    )
    if not grupos:
        return {}
    indice = _indice_habiles(min(f["d1"] for f in grupos), max(f["d2"] for f in grupos))
    for f in grupos:
        f["dias"] = indice[f["d2"]] - indice[f["d1"]]
    return _sumar_respuestas(grupos)


@contextmanager
def _informe():
    """One transaction for the report's queries; on PostgreSQL with planner settings for a report:
    memory to aggregate in hash tables instead of sorting on disk, and random reads priced as on SSD
    storage (the default assumes spinning disks), so the history's cases are looked up through the
    primary key instead of scanning the whole cases table."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL work_mem = '64MB'")
                cur.execute("SET LOCAL random_page_cost = 1.1")
        yield


def estadisticas(
    *, tramites, quejas, desde: date, hasta: date, hoy: date | None = None
) -> list[FilaEstadistica]:
    """Figures by office and province for the period (see _estadisticas), in one report transaction."""
    with _informe():
        return _estadisticas(tramites=tramites, quejas=quejas, desde=desde, hasta=hasta, hoy=hoy)


def _estadisticas(
    *, tramites, quejas, desde: date, hasta: date, hoy: date | None = None
) -> list[FilaEstadistica]:
    """Figures of the period [desde, hasta] (local dates, both included) per office and province.

    `tramites` and `quejas` are the caller's scoped querysets (selectors.tramites_visibles and
    quejas.quejas_visibles), so a director sees only their office. Each figure comes from a grouped,
    conditionally aggregated query; nothing loops over cases in Python.

    - recibidos: cases created in the period; enrutados: cases routed in it (enrutado_en, stamped
      with their ASIGNADO history row); observados, archivados: cases that entered OBSERVADO or
      ARCHIVADO in the period (history table; a case observed twice counts once);
    - favorables, desfavorables, desistidos: final answers in the period (RESUELTO by result, DESISTIDO);
      atenciones = their sum;
    - quejas: complaints received in the period, under the office and province of their linked case or,
      without one, under their own province and the office that serves it;
    - mediana_dias_habiles: median business days from intake date to answer date of those answers;
    - vencidos: at the end of the period (or today, if earlier), cases without a final answer whose
      legal term had passed (observed and archived cases are left out: their clock is stopped).
    """
    hoy = hoy or timezone.localdate()
    inicio, fin = _limites(desde, hasta)
    corte = min(hasta, hoy)
    tramites = tramites.order_by()
    grupos: dict[tuple, dict] = defaultdict(dict)

    def juntar(filas, claves=("oficina_id", "provincia")):
        for f in filas:
            grupos[(f[claves[0]], f[claves[1]])].update({k: v for k, v in f.items() if k not in claves})

    # Each count reads only its own index (see the indexes of Tramite and HistorialEstado).
    juntar(
        tramites.filter(creado_en__gte=inicio, creado_en__lt=fin)
        .values("oficina_id", "provincia")
        .annotate(recibidos=Count("id"))
    )
    # Routing happens once per case (services.tramite_enrutar stamps enrutado_en with its ASIGNADO row).
    juntar(
        tramites.filter(enrutado_en__gte=inicio, enrutado_en__lt=fin)
        .values("oficina_id", "provincia")
        .annotate(enrutados=Count("id"))
    )
    for clave, valores in _respuestas(tramites, inicio, fin).items():
        grupos[clave].update(valores)
    # Started from the scoped cases and joined to their history, so the scope applies here too.
    en_historial = Q(historial__estado_nuevo__in=[Estado.OBSERVADO, Estado.ARCHIVADO])
    juntar(
        tramites.filter(en_historial, historial__creado_en__gte=inicio, historial__creado_en__lt=fin)
        .values("oficina_id", "provincia")
        .annotate(
            observados=Count("id", distinct=True, filter=Q(historial__estado_nuevo=Estado.OBSERVADO)),
            archivados=Count("id", distinct=True, filter=Q(historial__estado_nuevo=Estado.ARCHIVADO)),
        )
    )
    fin_corte = _limites(corte, corte)[1]
    juntar(
        tramites.filter(creado_en__lt=fin_corte, vence_el__lt=corte)
        .filter(
            Q(
                estado__in=[
                    Estado.INGRESADO,
                    Estado.ASIGNADO,
                    Estado.EN_REVISION,
                    Estado.EN_EVALUACION,
                    Estado.EVALUADO,
                ]
            )
            | Q(finalizado_en__gte=fin_corte)
        )
        .values("oficina_id", "provincia")
        .annotate(vencidos=Count("id"))
    )
    oficina_mapa = ProvinciaOficina.objects.filter(provincia=OuterRef("provincia")).values("oficina_id")[:1]
    juntar(
        quejas.filter(creada_en__gte=inicio, creada_en__lt=fin)
        .order_by()
        .values(
            oficina_id=Coalesce(
                F("tramite__oficina_id"), Subquery(oficina_mapa), output_field=BigIntegerField()
            ),
            provincia_q=Coalesce(F("tramite__provincia"), F("provincia")),
        )
        .annotate(quejas=Count("id")),
        claves=("oficina_id", "provincia_q"),
    )

    nombres = dict(Oficina.objects.filter(pk__in=[k[0] for k in grupos if k[0]]).values_list("pk", "nombre"))
    filas = []
    for (oficina_id, provincia), valores in grupos.items():
        valores.setdefault("mediana_dias_habiles", None)
        for k, _t in INDICADORES:
            if k != "mediana_dias_habiles":
                valores[k] = valores.get(k) or 0
        valores["atenciones"] = valores["favorables"] + valores["desfavorables"] + valores["desistidos"]
        if not any(valores[k] for k, _t in INDICADORES if k != "mediana_dias_habiles"):
            continue
        filas.append(
            FilaEstadistica(
                oficina_id=oficina_id,
                oficina=nombres.get(oficina_id, _("Sin oficina asignada")),
                provincia=provincia or "",
                provincia_nombre=nombre_provincia(provincia or ""),
                valores=valores,
            )
        )
    filas.sort(key=lambda f: (f.oficina, f.provincia))
    return filas


def totales(filas: list[FilaEstadistica]) -> dict:
    total = {
        k: sum(f.valores.get(k) or 0 for f in filas) for k, _t in INDICADORES if k != "mediana_dias_habiles"
    }
    total["mediana_dias_habiles"] = None
    return total


def es_postgres() -> bool:
    return connection.vendor == "postgresql"
