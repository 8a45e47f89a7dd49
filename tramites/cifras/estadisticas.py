"""The supervisors' statistics by office and province for a date range (ADR 0005)."""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..estados import Estado
from ..models import Oficina, ProvinciaOficina, Tramite
from ..plazos import es_habil
from ..provincias import nombre_provincia
from .transparencia import zona

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
