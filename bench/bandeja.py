"""Latency of the staff inbox with 1,000 and with 1,000,000 cases on PostgreSQL.

Run: `.venv/bin/python -m bench.bandeja [--casos 1000000] [--base 1000] [--runs 60] [--recargar]`

Two databases on the PostgreSQL of BENCH_PG (default postgres://postgres@127.0.0.1:5432), created and
migrated by the script, both filled by `manage.py generar_casos` (COPY) at the same intake rate:
`reinsercion_bench` with --casos cases filed over two years (old ones closed, recent ones open in every
state, 24 provinces and abroad, analysts assigned) and `reinsercion_bench_1k` with the system's first
--base cases (the same rate, so they are recent and open: the inbox pages are full in both). A database
that already holds the right number of cases is reused (`--recargar` generates it again).

Each size is measured in its own process, through Django's test client logged in as
analista.pichincha (the whole request: middleware, the scoped query, counts, template):
  - bandeja:  GET /personal/                      the inbox's first page (open cases, most urgent first)
  - filtros:  GET /personal/?estado=…&provincia=…&canal=…&plazo=…   filters combined
  - nombre:   GET /personal/?q=<two surnames>      search by name among the open cases
Targets: p95 < 150 ms with --casos, and p95 within 1.5 x of the --base figure.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
BASE_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
OBJETIVO_MS = 150.0
FACTOR = 1.5
CONSULTAS = {
    "bandeja": "/personal/",
    "filtros": "/personal/?estado=EN_REVISION&provincia=17&canal=virtual",
    "nombre": "/personal/?q=Quishpe",
}


def _entorno(bd: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{BASE_PG}/{bd}",
        "DJANGO_SETTINGS_MODULE": "reinsercion.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "solo-para-el-benchmark-" + "x" * 40),
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
        "STORAGE_DIR": f"/tmp/{bd}",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "REQUIRE_TOTP": "false",
    }


def crear_bd(bd: str) -> None:
    import psycopg

    with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bd]).fetchone():
            con.execute(f'CREATE DATABASE "{bd}"')


def preparar(casos: int, anios: float, recargar: bool) -> None:
    """In the child: migrate, demo staff, and exactly `casos` cases."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tramites.management import demo
    from tramites.models import Tramite

    call_command("migrate", verbosity=0)
    demo.cargar_usuarios()
    if recargar or Tramite.objects.count() != casos:
        with connection.cursor() as cur:
            cur.execute(
                "TRUNCATE tramites_tramite, tramites_historialestado, tramites_notificacion, "
                "tramites_observacion, tramites_adjunto RESTART IDENTITY CASCADE"
            )
        print(f"  generando {casos:,} trámites…", file=sys.stderr, flush=True)
        call_command("generar_casos", casos, anios=anios, semilla=15, stdout=sys.stderr)
        import psycopg

        # A fresh visibility map and statistics, as on a database in service (autovacuum).
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as con:
            con.execute("VACUUM ANALYZE tramites_tramite")


def medir(runs: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    cliente = Client()
    cliente.force_login(get_user_model().objects.get(username="analista.pichincha"))
    resultados = {}
    for nombre, url in CONSULTAS.items():
        for _ in range(5):  # warm-up: connections, templates, caches of the database
            r = cliente.get(url)
            assert r.status_code == 200, (url, r.status_code)
        tiempos, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            r = cliente.get(url)
            tiempos.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert r.status_code == 200
        tiempos.sort()
        resultados[nombre] = {
            "p50": statistics.median(tiempos),
            "p95": tiempos[max(0, int(round(0.95 * len(tiempos))) - 1)],
            # CPU time of this process (Django, not PostgreSQL): steadier than wall time on a busy host.
            "cpu50": statistics.median(cpu),
            "filas": r.content.count(b"<tr") - 1,
        }
    return resultados


def hijo(casos: int, anios: float, runs: int, recargar: bool) -> None:
    preparar(casos, anios, recargar)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE oficina_id = "
            "(SELECT oficina_id FROM tramites_provinciaoficina WHERE provincia = '17')) FROM tramites_tramite"
        )
        total, pichincha = cur.fetchone()
    print(json.dumps({"casos": total, "pichincha": pichincha, "medidas": medir(runs)}))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--casos", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--recargar", action="store_true")
    parser.add_argument("--hijo", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--anios", type=float, default=2.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hijo is not None:
        hijo(args.hijo, args.anios, args.runs, args.recargar)
        return 0

    figuras = {}
    anios_base = 2.0 * args.base / args.casos  # the same intake rate as the big database
    for casos, anios, bd in (
        (args.base, anios_base, "reinsercion_bench_1k"),
        (args.casos, 2.0, "reinsercion_bench"),
    ):
        crear_bd(bd)
        print(f"== {casos:,} trámites (base de datos {bd})", flush=True)
        t0 = time.perf_counter()
        salida = subprocess.run(
            [sys.executable, "-m", "bench.bandeja", "--hijo", str(casos), "--runs", str(args.runs)]
            + ["--anios", repr(anios)]
            + (["--recargar"] if args.recargar else []),
            cwd=RAIZ,
            env=_entorno(bd),
            capture_output=True,
            text=True,
        )
        sys.stderr.write(salida.stderr)
        if salida.returncode != 0:
            print(salida.stdout)
            return salida.returncode
        figuras[casos] = json.loads(salida.stdout.strip().splitlines()[-1])
        print(f"   listo en {time.perf_counter() - t0:.0f} s", flush=True)

    base, grande = figuras[args.base], figuras[args.casos]
    print()
    print(f"Bandeja de analista.pichincha: {base['pichincha']:,} de {base['casos']:,} casos visibles "
          f"frente a {grande['pichincha']:,} de {grande['casos']:,}")  # fmt: skip
    cabecera = ["p50 base", "p95 base", "p50 1M", "p95 1M", "razón p95"]
    print(f"{'consulta':<9} " + " ".join(f"{c:>9}" for c in cabecera) + "  resultado")
    ok = True
    for nombre in CONSULTAS:
        b, g = base["medidas"][nombre], grande["medidas"][nombre]
        razon = g["p95"] / b["p95"]
        bien = g["p95"] < OBJETIVO_MS and razon <= FACTOR
        ok &= bien
        print(
            f"{nombre:<9} {b['p50']:>7.1f}ms {b['p95']:>7.1f}ms {g['p50']:>7.1f}ms {g['p95']:>7.1f}ms "
            f"{razon:>8.2f}x  {'OK' if bien else 'NO'}"
            f"   (CPU Django p50 {b['cpu50']:.1f} / {g['cpu50']:.1f} ms; filas {b['filas']} / {g['filas']})"
        )
    print(f"\nObjetivo: p95 < {OBJETIVO_MS:.0f} ms con {args.casos:,} casos, <= {FACTOR}x con {args.base:,}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
