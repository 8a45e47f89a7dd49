"""Routing throughput with one real Celery worker on PostgreSQL and Redis.

Run: `.venv/bin/python -m bench.enrutamiento [--casos 5000] [--fondo 20000] [--concurrencia 4]
[--orden creacion|inverso]`

It uses its own database (BENCH_BD, default `reinsercion_bench_enrutamiento`, on BENCH_PG, default
postgres://postgres@127.0.0.1:5432) and its own Redis database (BENCH_REDIS, default
redis://127.0.0.1:6379/4, emptied first); two runs at once need different ones.
It migrates, loads the demo offices and staff, generates
--fondo routed cases (so that the least-loaded-analyst query has load to count) and --casos cases in
INGRESADO, starts ONE worker (`celery -A reinsercion worker`, prefork, --concurrencia processes;
e-mail to memory), queues the routing task of every INGRESADO case (in the order they were filed, as
the web queues them; `--orden inverso`: newest first) and measures the time until none is left.
Each task routes its case and, in the same transaction, up to 199 other waiting ones
(tramites.tasks.LOTE_ENRUTAMIENTO); the tasks of the cases a batch took find them routed and do
nothing. The worker also sends, in the same queue, the notices to the offices that each batch writes
(one e-mail per case, one task per batch). It then waits for those e-mails to be sent, reports that
time too, and checks that every case has exactly one INGRESADO → ASIGNADO history row, one sent
notice to its office and one audit event of the change.
Target: at least 200 cases per second.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
BASE_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BD = os.environ.get("BENCH_BD", "reinsercion_bench_enrutamiento")
BROKER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/4")
OBJETIVO = 200.0

os.environ.update(
    {
        "DATABASE_URL": f"{BASE_PG}/{BD}",
        "DJANGO_SETTINGS_MODULE": "reinsercion.settings",
        "CELERY_BROKER_URL": BROKER,
        "REDIS_URL": "",
        "EMAIL_URL": "memorymail://",
        "DJANGO_DEBUG": "false",  # as in production: no query log in the worker
        "SECRET_KEY": os.environ.get("SECRET_KEY", "solo-para-el-benchmark-" + "x" * 40),
        "LOG_LEVEL": "WARNING",
        "STORAGE_DIR": f"/tmp/{BD}",
    }
)


def crear_bd() -> None:
    import psycopg

    with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BD]).fetchone():
            con.execute(f'CREATE DATABASE "{BD}"')


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--casos", type=int, default=5000)
    parser.add_argument("--fondo", type=int, default=20000)
    parser.add_argument("--concurrencia", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--orden",
        choices=["creacion", "inverso"],
        default="creacion",
        help="order of the tasks in the queue: as the cases were filed (default) or newest first",
    )
    args = parser.parse_args()

    crear_bd()
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, F, Q

    from tramites.management import demo
    from tramites.models import EventoAuditoria, Notificacion, Tramite
    from tramites.tasks import enrutar_tramite

    call_command("migrate", verbosity=0)
    demo.cargar_usuarios()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE tramites_tramite, tramites_historialestado, tramites_notificacion, "
            "tramites_observacion, tramites_adjunto, tramites_eventoauditoria RESTART IDENTITY CASCADE"
        )
    if args.fondo:
        call_command("generar_casos", args.fondo, semilla=3)
    call_command("generar_casos", args.casos, semilla=4, estado="INGRESADO")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    # As tramite_crear queues them: in the order the cases were filed (--orden inverso: newest first).
    orden = ("-creado_en", "-pk") if args.orden == "inverso" else ("creado_en", "pk")
    ids = list(Tramite.objects.filter(estado="INGRESADO").order_by(*orden).values_list("pk", flat=True))
    redis.Redis.from_url(BROKER).flushdb()

    log = tempfile.NamedTemporaryFile(prefix="worker-enrutamiento-", suffix=".log", delete=False)
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "reinsercion", "worker", "-l", "warning", "-P", "prefork",
            "-c", str(args.concurrencia), "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", "bench-enrutamiento@%h",
        ],
        cwd=RAIZ, env={**os.environ, "PYTHONUNBUFFERED": "1"}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        from reinsercion.celery import app

        limite = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > limite or worker.poll() is not None:
                print(Path(log.name).read_text()[-3000:])
                return 2
        print(f"worker listo (-c {args.concurrencia}); encolando {len(ids):,} enrutamientos…", flush=True)
        t0 = time.perf_counter()
        with app.producer_or_acquire() as productor:
            for pk in ids:
                enrutar_tramite.apply_async(args=[pk], producer=productor)
        t_cola = time.perf_counter() - t0
        restantes = len(ids)
        while restantes:
            if time.perf_counter() - t0 > args.timeout:
                print(f"tiempo agotado con {restantes:,} sin enrutar")
                return 1
            time.sleep(0.2)
            restantes = Tramite.objects.filter(estado="INGRESADO").count()
        total = time.perf_counter() - t0
        # The same worker still has the e-mails to send (and the no-op tasks of cases a batch took).
        avisos_pendientes = Notificacion.objects.filter(tramite_id__in=ids).exclude(
            estado=Notificacion.EstadoEnvio.ENVIADO
        )
        while avisos_pendientes.exists() and time.perf_counter() - t0 < args.timeout:
            time.sleep(0.2)
        t_avisos = time.perf_counter() - t0
        time.sleep(0.5)  # audit events are written just after each batch's commit
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    asignados = Tramite.objects.filter(pk__in=ids, estado="ASIGNADO").count()
    por_caso = Tramite.objects.filter(pk__in=ids).annotate(
        # distinct: the two joins multiply each other's rows
        n_asignaciones=Count(
            "historial",
            filter=Q(historial__estado_anterior="INGRESADO", historial__estado_nuevo="ASIGNADO"),
            distinct=True,
        ),
        n_avisos=Count(
            "notificaciones",
            filter=Q(
                notificaciones__destinatario=F("oficina__correo"),
                notificaciones__estado=Notificacion.EstadoEnvio.ENVIADO,
            ),
            distinct=True,
        ),
    )
    sin_una_asignacion = por_caso.exclude(n_asignaciones=1).count()
    sin_un_aviso = por_caso.exclude(n_avisos=1).count()
    eventos = Counter(
        EventoAuditoria.objects.filter(tramite_id__in=ids, accion="cambio_estado").values_list(
            "tramite_id", flat=True
        )
    )
    sin_un_evento = sum(eventos.get(pk, 0) != 1 for pk in ids)
    tasa = len(ids) / total
    print(f"{len(ids):,} trámites enrutados en {total:.1f} s (encolar {t_cola:.1f} s): {tasa:.0f} trámites/s")
    print(f"avisos a las oficinas enviados a los {t_avisos:.1f} s")
    print(f"asignados: {asignados:,}; casos sin exactamente una asignación en el historial: "
          f"{sin_una_asignacion}, sin exactamente un aviso enviado a su oficina: {sin_un_aviso}, "
          f"sin exactamente un evento de auditoría: {sin_un_evento}")  # fmt: skip
    print(f"objetivo >= {OBJETIVO:.0f}/s: {'OK' if tasa >= OBJETIVO else 'NO'}")
    correcto = asignados == len(ids) and not (sin_una_asignacion or sin_un_aviso or sin_un_evento)
    return 0 if tasa >= OBJETIVO and correcto else 1


if __name__ == "__main__":
    sys.exit(main())
