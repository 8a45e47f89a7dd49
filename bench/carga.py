"""200 citizens at once against the production stack, through six faults one after the other.

Run: `.venv/bin/python -m bench.carga [--clientes 200] [--segundos 120] [--web-workers 3]` (it is also
the second part of `make bench`). PostgreSQL's programs must be installed (Debian's `postgresql`);
the disk-full fault needs root (mount), and is skipped with a notice otherwise. Everything this script
starts itself, on 127.0.0.1 only, and stops at the end (also on Ctrl-C):
  - its own PostgreSQL cluster (bench.fallos.Postgres: initdb in /tmp/bench-carga-pg, port 5441), so
    it can be stopped mid-run without touching the shared server;
  - its own redis-server on port 6390 (never the shared one on 6379), without persistence, as the
    broker and the cache;
  - gunicorn (`--web-workers` sync workers, the production command line) with DJANGO_ENV=production,
    on the database `reinsercion_bench_carga` of that cluster and STORAGE_DIR /tmp/bench-carga
    (demo offices and staff loaded with DJANGO_ENV=development: cargar_demo refuses production);
    requests carry X-Forwarded-Proto: https as the TLS proxy in front would add;
  - ONE Celery worker (`celery -A reinsercion worker`, prefork, concurrency 2 as in docker-compose);
  - Celery beat with the project's schedule, except that the re-queue of cases left INGRESADO runs
    every 10 s and REENCOLAR_MINUTOS is 1 (production: 120 s and 5 minutes).
Then, from this process, `--clientes` threads each act as a citizen for `--segundos`: load the form
(cookie + CSRF token), post it with two real attachments of about 900 KB (a JPEG photo and a scanned
PDF letter from bench.solicitudes), start again. Meanwhile:
  - at `--caida-en` s Redis is shut down without saving (the queue's content is lost: the worst case)
    and started again `--caida-dura` s later;
  - at `--matar-en` s the worker (main process and pool) gets SIGKILL and a new one is started;
  - at `--pg-en` s PostgreSQL is stopped (fast shutdown: connections cut) for `--pg-dura` s;
  - at `--disco-en` s the private-files volume is full for `--disco-dura` s (bench.fallos.DiscoLleno);
  - from `--web-en` s, `--web-veces` gunicorn workers get SIGKILL, each while it has an upload file open.
Submissions while the database or the disk is out must get the Spanish 503 page ("Servicio no
disponible, intente en un momento"), never another 5xx; connections cut by a killed web worker are
counted apart; every other submission must be accepted.
Afterwards it waits for every case to be routed (bounded: `--espera` s), then checks in the database
that every 302 answer's reference is exactly one case with its two files (rows and files on disk), that
each case was routed exactly once (one INGRESADO→ASIGNADO history row, one notice to the office), and
that no answer was a 5xx. It prints submissions per second, p50 and p95 latency of the accepted
submissions, peak memory per web worker (VmHWM and the largest sampled PSS of each worker process) and
the time from Redis's return until the last case was routed. Files without their case: those written
on the full volume (must be none), those in the private folder that no row names, whose modification
time falls in the database or disk outage (must be none), and, after the periodic clean-up
(services.archivos_huerfanos_purgar, run here as beat would run it), any left at all (must be none),
temporary upload files included. Exit status 0 only if every check held.
Every loop is bounded in count and time.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench import fallos
from bench.solicitudes import _archivos, _multipart

RAIZ = Path(__file__).resolve().parent.parent
PUERTO = 8766
PUERTO_REDIS = 6390
BD = "reinsercion_bench_carga"
BASE_PG = f"postgres://postgres@127.0.0.1:{fallos.PUERTO_PG}"
GRACIA_S = 5  # after the database or the disk is back, answers may still be 503 this long
ALMACEN = Path("/tmp/bench-carga")
# Cédulas with a valid check digit (the form verifies it); the province code of the form varies per client.
CEDULAS = ["1710034065", "0102030400", "0926687856", "1712345675", "1804567897"]
PROVINCIAS = [f"{n:02d}" for n in range(1, 25)]


def __getattr__(nombre):
    """`celery -A bench.carga beat`: the project's app and beat schedule, with a short re-queue period."""
    if nombre != "app":
        raise AttributeError(nombre)
    from django.conf import settings

    from reinsercion.celery import app

    calendario = {k: dict(v) for k, v in settings.CELERY_BEAT_SCHEDULE.items()}
    calendario["reencolar-ingresados"]["schedule"] = float(os.environ.get("BENCH_REENCOLAR_SEGUNDOS", "10"))
    app.conf.beat_schedule = calendario
    return app


def _entorno() -> dict:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reinsercion.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "bench-carga-" + secrets.token_hex(24),
        "ALLOWED_HOSTS": "127.0.0.1",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"{BASE_PG}/{BD}",
        "REDIS_URL": f"redis://127.0.0.1:{PUERTO_REDIS}/1",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{PUERTO_REDIS}/0",
        "STORAGE_DIR": str(ALMACEN),
        "EMAIL_URL": "memorymail://",
        "PUBLIC_BASE_URL": f"https://127.0.0.1:{PUERTO}",
        "REENCOLAR_MINUTOS": "1",
        "BENCH_REENCOLAR_SEGUNDOS": "10",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _puerto_libre(puerto: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", puerto)) != 0


def _esperar(condicion, *, segundos: float, intervalo: float = 0.2) -> bool:
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicion():
            return True
        time.sleep(intervalo)
    return False


# --- processes started by the bench -----------------------------------------------------------


class Proceso:
    """A child in its own session (Ctrl-C in the terminal does not reach it; parar() does)."""

    def __init__(self, nombre: str, orden: list[str], env: dict):
        self.nombre = nombre
        self.log = ALMACEN / f"{nombre}.log"
        self._salida = open(self.log, "ab")  # noqa: SIM115 - closed in parar()
        self.p = subprocess.Popen(
            orden, cwd=RAIZ, env=env, stdout=self._salida, stderr=subprocess.STDOUT, start_new_session=True
        )

    def vivo(self) -> bool:
        return self.p.poll() is None

    def texto_log(self) -> str:
        return self.log.read_text(errors="replace")

    def matar(self) -> None:
        """SIGKILL to the whole process group (a Celery worker's pool children too)."""
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait(10)

    def parar(self, espera: float = 30) -> None:
        if self.vivo():
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
                self.p.wait(espera)
            except subprocess.TimeoutExpired:
                self.matar()
            except ProcessLookupError:
                pass
        self._salida.close()


def _redis(env: dict) -> Proceso:
    p = Proceso(
        "redis",
        [
            "redis-server",
            "--port",
            str(PUERTO_REDIS),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        env,
    )
    if not _esperar(lambda: _redis_cli("PING") == "PONG", segundos=10):
        raise RuntimeError("redis-server no arrancó:\n" + p.texto_log()[-2000:])
    return p


def _redis_cli(*orden: str) -> str:
    r = subprocess.run(
        ["redis-cli", "-p", str(PUERTO_REDIS), *orden], capture_output=True, text=True, timeout=10
    )
    return r.stdout.strip()


def _parar_redis(p: Proceso) -> None:
    if p.vivo():
        _redis_cli("SHUTDOWN", "NOSAVE")
        try:
            p.p.wait(10)
        except subprocess.TimeoutExpired:
            p.matar()
    p.parar()


def _worker(env: dict, n: int) -> Proceso:
    return Proceso(
        f"worker{n}",
        [
            sys.executable, "-m", "celery", "-A", "reinsercion", "worker", "-l", "info", "-P", "prefork",
            "-c", "2", "--max-tasks-per-child", "500", "-n", f"bench-carga-{n}@%h",
        ],
        env,
    )  # fmt: skip


def _beat(env: dict, n: int) -> Proceso:
    orden = ["beat", "-l", "info", "-s", str(ALMACEN / "celerybeat-schedule")]
    return Proceso(f"beat{n}", [sys.executable, "-m", "celery", "-A", "bench.carga", *orden], env)


def _listo(worker: Proceso) -> bool:
    return "ready." in worker.texto_log() or not worker.vivo()


# --- memory of the web workers --------------------------------------------------------------------


def _hijos(pid: int) -> list[int]:
    hijos = []
    for entrada in Path("/proc").iterdir():
        if entrada.name.isdigit():
            try:
                stat = (entrada / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                hijos.append(int(entrada.name))
    return hijos


def _kb(ruta: Path, campo: str) -> int:
    try:
        for linea in ruta.read_text().splitlines():
            if linea.startswith(campo + ":"):
                return int(linea.split()[1])
    except OSError:
        pass
    return 0


class Memoria:
    """Samples the gunicorn workers (children of the master): peak VmHWM and largest PSS per process."""

    def __init__(self, maestro: int):
        self.maestro = maestro
        self.hwm: dict[int, int] = {}
        self.pss: dict[int, int] = {}

    def muestrear(self) -> None:
        for pid in _hijos(self.maestro):
            hwm = _kb(Path(f"/proc/{pid}/status"), "VmHWM")
            pss = _kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss")
            if hwm:
                self.hwm[pid] = max(self.hwm.get(pid, 0), hwm)
            if pss:
                self.pss[pid] = max(self.pss.get(pid, 0), pss)


# --- the citizens ---------------------------------------------------------------------------------


class Ciudadano:
    """Loads the form (cookie + CSRF token), posts it with the two files; one connection, reopened."""

    def __init__(self, n: int, archivos: dict, timeout: float):
        self.n = n
        self.archivos = archivos
        self.timeout = timeout
        self.galleta = ""
        self.campos = {
            "tipo_identificacion": "cedula",
            "identificacion": CEDULAS[n % len(CEDULAS)],
            "nombres": f"Ciudadana {n}",
            "apellidos": "Carga Prueba",
            "correo": f"ciudadana{n}@example.com",
            "telefono": "0991234567",
            "provincia": PROVINCIAS[n % len(PROVINCIAS)],
            "mensaje": "Solicitud de la prueba de carga.",
            "acepta_tratamiento_datos": "on",
        }
        self._abrir()

    def _abrir(self) -> None:
        self.con = http.client.HTTPConnection("127.0.0.1", PUERTO, timeout=self.timeout)

    def _cabeceras(self) -> dict:
        h = {"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{PUERTO}/solicitud/"}
        if self.galleta:
            h["Cookie"] = f"csrftoken={self.galleta}"
        return h

    def enviar(self, t0: float) -> dict:
        """One submission. Returns {t: start since t0, estado: HTTP status or failure kind, ms, ref}."""
        inicio = time.monotonic()
        r = {"t": inicio - t0, "fin": 0.0, "estado": "", "ms": 0.0, "ref": ""}
        try:
            self.con.request("GET", "/solicitud/", headers=self._cabeceras())
            resp = self.con.getresponse()
            html = resp.read().decode(errors="replace")
            if resp.status != 200:
                r["estado"] = f"GET {resp.status}"
                return r
            m = re.search(r"csrftoken=([^;]+)", resp.getheader("Set-Cookie", "") or "")
            if m:
                self.galleta = m.group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            if not token or not self.galleta:
                r["estado"] = "sin token CSRF"
                return r
            cuerpo, tipo = _multipart({**self.campos, "csrfmiddlewaretoken": token.group(1)}, self.archivos)
            antes = time.monotonic()
            self.con.request(
                "POST", "/solicitud/", body=cuerpo, headers={**self._cabeceras(), "Content-Type": tipo}
            )
            resp = self.con.getresponse()
            respuesta = resp.read()
            r["ms"] = (time.monotonic() - antes) * 1000
            r["estado"] = str(resp.status) if resp.status != 200 else "200 (formulario con errores)"
            if resp.status == 503 and "no disponible" not in respuesta.decode(errors="replace"):
                r["estado"] = "503 sin la página en castellano"
            if resp.status == 302:
                m = re.search(r"/solicitud/([^/]+)/enviada/", resp.getheader("Location", ""))
                r["ref"] = m.group(1) if m else ""
                if not m:
                    r["estado"] = "302 sin referencia"
        except TimeoutError:
            r["estado"] = "tiempo agotado"
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            r["estado"] = f"conexión: {type(exc).__name__}"
        r["fin"] = time.monotonic() - t0
        if r["estado"] != "302":
            self.con.close()
            self._abrir()
        return r


def _carga(args, archivos: dict, t0: float, fin: float, resultados: list, candado: threading.Lock) -> list:
    def trabajo(n: int):
        c = Ciudadano(n, archivos, timeout=args.timeout_cliente)
        for _ in range(10_000):  # bounded; in practice time ends the loop
            if time.monotonic() >= fin:
                break
            res = c.enviar(t0)
            res["fin"] = res["fin"] or time.monotonic() - t0
            with candado:
                resultados.append(res)
            if not res["estado"].isdigit():
                time.sleep(0.5)  # a refused connection must not become a busy loop
        c.con.close()

    hilos = [threading.Thread(target=trabajo, args=(n,), daemon=True) for n in range(args.clientes)]
    for h in hilos:
        h.start()
    return hilos


# --- checks ---------------------------------------------------------------------------------------


def _verificar(refs: list[str]) -> dict:
    from django.conf import settings
    from django.db.models import Count, F, Q

    from tramites.estados import Estado
    from tramites.models import Adjunto, Tramite

    casos = list(
        Tramite.objects.annotate(
            n_adjuntos=Count("adjuntos", distinct=True),
            n_asignaciones=Count(
                "historial",
                filter=Q(
                    historial__estado_anterior=Estado.INGRESADO, historial__estado_nuevo=Estado.ASIGNADO
                ),
                distinct=True,
            ),
            n_avisos_oficina=Count(
                "notificaciones", filter=~Q(notificaciones__destinatario=F("correo")), distinct=True
            ),
        ).values("referencia", "estado", "n_adjuntos", "n_asignaciones", "n_avisos_oficina", "oficina_id", "creado_en")
    )
    en_bd = {c["referencia"] for c in casos}
    archivos_ausentes = 0
    for a in Adjunto.objects.filter(tramite__isnull=False).only("archivo", "tamano"):
        ruta = Path(settings.PRIVATE_MEDIA_ROOT) / a.archivo.name
        if not ruta.is_file() or ruta.stat().st_size != a.tamano:
            archivos_ausentes += 1
    return {
        "casos_en_bd": len(casos),
        "respuestas_302": len(refs),
        "referencias_repetidas": len(refs) - len(set(refs)),
        "referencias_sin_caso": len(set(refs) - en_bd),
        "casos_sin_respuesta_302": len(en_bd - set(refs)),
        # When they were created (epoch s): a commit that landed just before an outage cut the answer.
        "casos_sin_respuesta_302_creados_en": sorted(
            round(c["creado_en"].timestamp(), 1) for c in casos if c["referencia"] not in set(refs)
        ),
        "casos_sin_2_adjuntos": sum(c["n_adjuntos"] != 2 for c in casos),
        "archivos_ausentes_o_truncados": archivos_ausentes,
        "adjuntos_retenidos_sin_caso": Adjunto.objects.filter(tramite__isnull=True).count(),
        "casos_no_asignados": sum(c["estado"] != Estado.ASIGNADO or c["oficina_id"] is None for c in casos),
        "casos_enrutados_mas_de_una_vez": sum(c["n_asignaciones"] > 1 for c in casos),
        "casos_sin_asignacion_en_historial": sum(c["n_asignaciones"] == 0 for c in casos),
        "casos_con_avisos_a_oficina_distinto_de_1": sum(c["n_avisos_oficina"] != 1 for c in casos),
    }


def _retrasos(t0_reloj: float, caida: float, vuelta: float) -> dict:
    """Routing delay (enrutado_en - creado_en) per phase of creation, in seconds."""
    from tramites.models import Tramite

    fases: dict[str, list[float]] = {"antes de la caída": [], "durante la caída": [], "después": []}
    for creado, enrutado in Tramite.objects.exclude(enrutado_en=None).values_list("creado_en", "enrutado_en"):
        t = creado.timestamp() - t0_reloj
        fase = "antes de la caída" if t < caida else "durante la caída" if t < vuelta else "después"
        fases[fase].append((enrutado - creado).total_seconds())
    return {
        f: {"casos": len(v), "p50_s": round(statistics.median(v), 1), "max_s": round(max(v), 1)}
        for f, v in fases.items()
        if v
    }


def _percentil(valores: list[float], q: int) -> float:
    if len(valores) < 2:
        return valores[0] if valores else 0.0
    return statistics.quantiles(valores, n=100, method="inclusive")[q - 1]


def _interrumpir(*_):
    raise KeyboardInterrupt


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clientes", type=int, default=200)
    parser.add_argument("--segundos", type=float, default=120)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--caida-en", type=float, default=12, help="second at which Redis is shut down")
    parser.add_argument("--caida-dura", type=float, default=30)
    parser.add_argument("--matar-en", type=float, default=48, help="second at which the worker gets SIGKILL")
    parser.add_argument("--pg-en", type=float, default=58, help="second at which PostgreSQL is stopped")
    parser.add_argument("--pg-dura", type=float, default=10)
    parser.add_argument("--disco-en", type=float, default=78, help="second at which the storage is full")
    parser.add_argument("--disco-dura", type=float, default=10)
    parser.add_argument("--web-en", type=float, default=98, help="second of the first web worker SIGKILL")
    parser.add_argument("--web-veces", type=int, default=3, help="web workers killed mid-upload, 3 s apart")
    parser.add_argument(
        "--espera", type=float, default=180, help="max seconds to wait for routing after the load"
    )
    parser.add_argument("--timeout-cliente", type=float, default=120)
    parser.add_argument(
        "--limites",
        action="store_true",
        help="rate limits on, as in production (10^6 an hour: they never trip, but use the cache in Redis)",
    )
    parser.add_argument("--json", type=Path, default=ALMACEN / "resultado.json")
    args = parser.parse_args(argv)
    args.segundos = min(args.segundos, 600)
    args.clientes = min(args.clientes, 1000)

    for puerto in (PUERTO, PUERTO_REDIS):
        if not _puerto_libre(puerto):
            print(f"el puerto 127.0.0.1:{puerto} está ocupado: ¿otra ejecución de bench.carga?")
            return 2

    # SIGTERM (e.g. from bench.run) unwinds like Ctrl-C, through the finally below.
    signal.signal(signal.SIGTERM, _interrumpir)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    fallos.desmontar_restos(ALMACEN / "privado")
    shutil.rmtree(ALMACEN, ignore_errors=True)
    ALMACEN.mkdir(parents=True)
    pg = fallos.Postgres()
    disco = fallos.DiscoLleno(ALMACEN / "privado") if fallos.DiscoLleno.posible() else None
    if disco is None:
        print("AVISO: sin root (mount) no se puede llenar el disco: ese fallo no se prueba", flush=True)
    env = _entorno()
    if args.limites:
        env.update(RATELIMIT_ENABLE="true", RATELIMIT_SOLICITUD="1000000/h")
    os.environ.update(env)
    procesos: list[Proceso] = []
    redis = None
    aviso_estaticos = None
    try:
        import psycopg

        pg.crear()
        with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{BD}"')
        redis = _redis(env)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=RAIZ, env=env, check=True,
                       capture_output=True, timeout=600)  # fmt: skip
        # The demo offices and staff: cargar_demo refuses DJANGO_ENV=production (demo passwords).
        demo_env = {**env, "DJANGO_ENV": "development", "DJANGO_DEBUG": "false"}
        subprocess.run([sys.executable, "manage.py", "cargar_demo"], cwd=RAIZ, env=demo_env, check=True,
                       capture_output=True, timeout=600)  # fmt: skip
        estaticos = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=RAIZ, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if estaticos.returncode:
            # Production settings need collectstatic (manifest storage); when it fails, say so loudly and
            # run with DEBUG off but without DJANGO_ENV=production (plain static storage, no HTTPS settings).
            aviso_estaticos = estaticos.stderr.strip().splitlines()[-1:] or ["?"]
            print(f"AVISO: collectstatic falla con DJANGO_ENV=production ({aviso_estaticos[0]}); "
                  "la carga corre con DJANGO_DEBUG=false sin DJANGO_ENV=production", flush=True)  # fmt: skip
            env["DJANGO_ENV"] = "development"
            env["DJANGO_DEBUG"] = "false"
            os.environ.update(env)
        print("preparando adjuntos…", flush=True)
        jpeg, pdf = _archivos()
        archivos = {
            "documento_identidad": ("cedula.jpg", jpeg, "image/jpeg"),
            "solicitud_firmada": ("solicitud.pdf", pdf, "application/pdf"),
        }
        import django

        django.setup()
        from django.db import close_old_connections

        from tramites.estados import Estado
        from tramites.models import Tramite

        web = Proceso(
            "gunicorn",
            [
                str(RAIZ / ".venv/bin/gunicorn"), "reinsercion.wsgi:application",
                "--bind", f"127.0.0.1:{PUERTO}",
                "--workers", str(args.web_workers), "--timeout", "60", "--max-requests", "2000",
                "--max-requests-jitter", "200", "--backlog", "2048", "--log-level", "warning",
            ],
            env,
        )  # fmt: skip
        procesos.append(web)

        def web_lista() -> bool:
            try:
                c = http.client.HTTPConnection("127.0.0.1", PUERTO, timeout=5)
                c.request("GET", "/solicitud/", headers={"X-Forwarded-Proto": "https"})
                return c.getresponse().status == 200
            except OSError:
                return False

        worker = _worker(env, 1)
        procesos.append(worker)
        beat = _beat(env, 1)
        procesos.append(beat)
        if not _esperar(web_lista, segundos=90, intervalo=0.5):
            raise RuntimeError("gunicorn no respondió:\n" + web.texto_log()[-3000:])
        if not _esperar(lambda: _listo(worker), segundos=90, intervalo=0.5) or not worker.vivo():
            raise RuntimeError("el worker no arrancó:\n" + worker.texto_log()[-3000:])
        memoria = Memoria(web.p.pid)
        print(
            f"adjuntos: JPEG {len(jpeg):,} B y PDF {len(pdf):,} B; {args.clientes} ciudadanos durante "
            f"{args.segundos:.0f} s; gunicorn {args.web_workers} workers; Redis cae en {args.caida_en:.0f} s "
            f"durante {args.caida_dura:.0f} s; SIGKILL al worker en {args.matar_en:.0f} s; PostgreSQL se detiene "
            f"en {args.pg_en:.0f} s durante {args.pg_dura:.0f} s; disco lleno en {args.disco_en:.0f} s durante "
            f"{args.disco_dura:.0f} s; {args.web_veces} workers web matados a mitad de una subida desde "
            f"{args.web_en:.0f} s",
            flush=True,
        )

        resultados: list[dict] = []
        candado = threading.Lock()
        t0 = time.monotonic()
        t0_reloj = time.time()
        fin = t0 + args.segundos
        hilos = _carga(args, archivos, t0, fin, resultados, candado)
        eventos: list[tuple[float, str]] = []
        caida = vuelta = matado = None
        pg_caida = pg_vuelta = disco_lleno = disco_vuelta = None
        restos_disco: list[str] = []
        muertes_web: list[tuple[float, str]] = []
        log_matado = None
        arranques = {"worker": 1, "beat": 1}

        def vigilar() -> None:
            """Restart a worker or beat that exited by itself, as docker-compose's restart policy would."""
            nonlocal worker, beat
            for nombre in ("worker", "beat"):
                p = worker if nombre == "worker" else beat
                if p.vivo():
                    continue
                motivo = re.findall(r"(?:CRITICAL|Unrecoverable error)[^\n]*", p.texto_log())[-1:] or ["?"]
                arranques[nombre] += 1
                eventos.append((time.monotonic() - t0, f"{nombre} terminó solo (código {p.p.returncode}: "
                                f"{motivo[0][:160]}); se arranca otro"))  # fmt: skip
                p.parar()
                if nombre == "worker":
                    worker = _worker(env, arranques["worker"])
                    procesos.append(worker)
                else:
                    beat = _beat(env, arranques["beat"])
                    procesos.append(beat)

        while time.monotonic() < fin:
            ahora = time.monotonic() - t0
            if caida is None and ahora >= args.caida_en:
                _redis_cli("SHUTDOWN", "NOSAVE")
                redis.p.wait(10)
                caida = time.monotonic() - t0
                eventos.append((caida, "Redis detenido (SHUTDOWN NOSAVE)"))
            elif caida is not None and vuelta is None and ahora >= args.caida_en + args.caida_dura:
                redis.parar()
                redis = _redis(env)
                vuelta = time.monotonic() - t0
                eventos.append((vuelta, "Redis de nuevo en marcha (vacío)"))
            vigilar()
            if matado is None and ahora >= args.matar_en:
                worker.matar()
                log_matado = worker.log
                matado = time.monotonic() - t0
                eventos.append((matado, f"SIGKILL al worker ({worker.nombre}); se arranca otro"))
                arranques["worker"] += 1
                worker = _worker(env, arranques["worker"])
                procesos.append(worker)
            if pg_caida is None and ahora >= args.pg_en:
                pg_caida = time.monotonic() - t0  # the outage starts with the shutdown, not when it ends
                pg.parar()
                eventos.append((pg_caida, "PostgreSQL detenido (fast shutdown: conexiones cortadas)"))
            elif pg_caida is not None and pg_vuelta is None and ahora >= args.pg_en + args.pg_dura:
                pg.arrancar()
                pg_vuelta = time.monotonic() - t0
                eventos.append((pg_vuelta, "PostgreSQL de nuevo en marcha"))
            if disco is not None and disco_lleno is None and ahora >= args.disco_en:
                disco_lleno = time.monotonic() - t0
                disco.llenar()
                eventos.append((disco_lleno, "disco de archivos privados lleno"))
            elif disco_lleno is not None and disco_vuelta is None and ahora >= args.disco_en + args.disco_dura:
                restos_disco = disco.vaciar()
                disco_vuelta = time.monotonic() - t0
                eventos.append((disco_vuelta, f"disco con espacio otra vez ({len(restos_disco)} archivos "
                                "habían quedado escritos en el disco lleno)"))  # fmt: skip
            if len(muertes_web) < args.web_veces and ahora >= args.web_en + 3 * len(muertes_web):
                muerte = fallos.matar_worker_web(
                    web.p.pid, [ALMACEN / "privado", ALMACEN / "subidas"], segundos=3
                )
                t_muerte = time.monotonic() - t0
                muertes_web.append((t_muerte, muerte[1] if muerte else ""))
                eventos.append((t_muerte, f"SIGKILL al worker web {muerte[0]}, con {muerte[1]} abierto"
                                if muerte else "ningún worker web visto a mitad de una subida en 3 s"))  # fmt: skip
            memoria.muestrear()
            time.sleep(0.5)
        if pg_caida is not None and pg_vuelta is None:  # a run shorter than the outage
            pg.arrancar()
            pg_vuelta = time.monotonic() - t0
            eventos.append((pg_vuelta, "PostgreSQL de nuevo en marcha"))
        if disco_lleno is not None and disco_vuelta is None:
            restos_disco = disco.vaciar()
            disco_vuelta = time.monotonic() - t0
            eventos.append((disco_vuelta, "disco con espacio otra vez"))
        limite_hilos = fin + args.timeout_cliente + 5
        while any(h.is_alive() for h in hilos) and time.monotonic() < limite_hilos:
            vigilar()
            memoria.muestrear()
            time.sleep(0.5)
        duracion = time.monotonic() - t0
        memoria.muestrear()
        with candado:
            resultados = list(resultados)
        if caida is not None and vuelta is None:  # a run shorter than the outage: bring Redis back now
            redis.parar()
            redis = _redis(env)
            vuelta = time.monotonic() - t0
            eventos.append((vuelta, "Redis de nuevo en marcha (vacío)"))
        print(f"carga terminada en {duracion:.0f} s; esperando que todo quede enrutado…", flush=True)

        # Every case routed: bounded wait.
        ultimo_enrutado = None
        limite = time.monotonic() + args.espera
        while time.monotonic() < limite:
            close_old_connections()
            if not Tramite.objects.filter(estado=Estado.INGRESADO).exists():
                ultimo_enrutado = time.monotonic() - t0
                break
            vigilar()
            time.sleep(1)
        from django.db.models import Max

        ultimo = Tramite.objects.aggregate(m=Max("enrutado_en"))["m"]
        huerfanos = fallos.huerfanos(ALMACEN, t0_reloj, [(pg_caida, pg_vuelta), (disco_lleno, disco_vuelta)], restos_disco)
        verif = _verificar([r["ref"] for r in resultados if r["estado"] == "302"])
        verif["casos_sin_respuesta_302_creados_en"] = [
            round(t - t0_reloj, 1) for t in verif["casos_sin_respuesta_302_creados_en"]
        ]  # seconds since the load started, like the events
        retrasos = _retrasos(
            t0_reloj, caida if caida is not None else 1e9, vuelta if vuelta is not None else 1e9
        )
    except KeyboardInterrupt:
        print("interrumpido: parando lo que se arrancó…", flush=True)
        return 130
    finally:
        for p in reversed(procesos):
            p.parar()
        if redis is not None:
            _parar_redis(redis)
        if disco is not None:
            disco.vaciar()
        pg.borrar()

    ok = [r for r in resultados if r["estado"] == "302"]
    lat = [r["ms"] for r in ok]
    tipos = Counter(r["estado"] for r in resultados if r["estado"] != "302")
    ventanas = {
        n: v
        for n, v in (("PostgreSQL detenido", (pg_caida, pg_vuelta)), ("disco lleno", (disco_lleno, disco_vuelta)))
        if v[0] is not None
    }
    por_fallo, inesperados, cortadas = fallos.clasificar(resultados, ventanas, [t for t, d in muertes_web if d])
    cinco = sum(n for e, n in tipos.items() if (e.startswith("5") or e.startswith("GET 5")) and "503" not in e)
    cinco += tipos.get("503 sin la página en castellano", 0)
    en_caida = [r for r in resultados if caida is not None and caida <= r["t"] < (vuelta or 1e9)]
    ok_caida = sum(r["estado"] == "302" for r in en_caida)
    tras_vuelta = (
        round(ultimo.timestamp() - t0_reloj - vuelta, 1)
        if ultimo is not None and vuelta is not None
        else None
    )
    log_web = web.texto_log()
    en_ventana = sum(r["fin"] <= args.segundos for r in ok)
    # Routing tasks the killed worker had received and not finished: lost with it, found again by beat.
    log_matado = log_matado.read_text(errors="replace") if log_matado else ""
    recibidas = set(re.findall(r"enrutar_tramite\[([0-9a-f-]+)\] received", log_matado))
    terminadas = set(re.findall(r"enrutar_tramite\[([0-9a-f-]+)\] (?:succeeded|raised|retry)", log_matado))
    res = {
        "clientes": args.clientes,
        "segundos_de_carga": round(duracion, 1),
        "envios_aceptados": len(ok),
        "envios_por_segundo": round(len(ok) / duracion, 2),
        "aceptados_dentro_de_la_ventana": en_ventana,
        "envios_por_segundo_en_la_ventana": round(en_ventana / args.segundos, 2),
        "p50_ms": round(_percentil(lat, 50)),
        "p95_ms": round(_percentil(lat, 95)),
        "max_ms": round(max(lat)) if lat else 0,
        "fallos_por_tipo": dict(tipos),
        "respuestas_5xx_salvo_503": cinco,
        "por_fallo": por_fallo,
        "envios_no_aceptados_fuera_de_los_fallos": dict(inesperados),
        "ventanas_de_fallo_s": {n: [round(a, 1), round(b, 1)] for n, (a, b) in ventanas.items()},
        "no_aceptados_detalle": [
            {"t": round(r["t"], 1), "fin": round(r["fin"], 1), "estado": r["estado"]}
            for r in resultados
            if r["estado"] != "302"
        ][:400],
        "envios_cortados_por_un_worker_web_matado": cortadas,
        "workers_web_matados_a_mitad_de_una_subida": sum(bool(d) for _, d in muertes_web),
        **huerfanos,
        "envios_iniciados_con_redis_caido": len(en_caida),
        "aceptados_con_redis_caido": ok_caida,
        "eventos": [(round(t, 1), e) for t, e in eventos],
        "worker_o_beat_terminaron_solos": sum("terminó solo" in e for _, e in eventos),
        "enrutados_sin_terminar_por_el_worker_matado": len(recibidas - terminadas) if matado else None,
        "todo_enrutado_a_los_s": round(ultimo_enrutado, 1) if ultimo_enrutado is not None else None,
        "ultimo_enrutado_tras_volver_redis_s": tras_vuelta,
        "retraso_de_enrutado_por_fase": retrasos,
        "memoria_web_pico_vmhwm_mb": {str(p): round(k / 1024) for p, k in sorted(memoria.hwm.items())},
        "memoria_web_pico_pss_mb": {str(p): round(k / 1024) for p, k in sorted(memoria.pss.items())},
        "gunicorn_worker_timeouts": log_web.count("WORKER TIMEOUT"),
        "errores_500_en_log": log_web.count("Internal Server Error"),
        "carga_media_1_5_15": os.getloadavg(),
        "limites_de_peticiones": "activos (10^6/h)" if args.limites else "desactivados",
        "modo": "DJANGO_ENV=production"
        if aviso_estaticos is None
        else "DJANGO_DEBUG=false (collectstatic falla)",
        **verif,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    for t, e in res["eventos"]:
        print(f"  t={t:5.1f} s  {e}")
    print(f"envíos aceptados: {len(ok)} en {duracion:.0f} s = {res['envios_por_segundo']}/s; "
          f"p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, máx {res['max_ms']} ms")  # fmt: skip
    print(f"  ({res['aceptados_dentro_de_la_ventana']} respondidos dentro de los {args.segundos:.0f} s = "
          f"{res['envios_por_segundo_en_la_ventana']}/s; el resto, envíos en curso al final)")  # fmt: skip
    print(f"fallos por tipo: {dict(tipos) or 'ninguno'}; respuestas 5xx salvo 503: {cinco}")
    for nombre, cuenta in por_fallo.items():
        print(f"{nombre}: {cuenta}")
    print(f"no aceptados fuera de los fallos: {dict(inesperados) or 'ninguno'}; envíos cortados por un worker "
          f"web matado: {cortadas} (workers matados a mitad de una subida: "
          f"{res['workers_web_matados_a_mitad_de_una_subida']})")  # fmt: skip
    for k in huerfanos:
        print(f"  {k}: {huerfanos[k]}")
    print(f"con Redis caído: {ok_caida} de {len(en_caida)} envíos iniciados aceptados")
    print(f"memoria pico por worker web (VmHWM, MB): {list(res['memoria_web_pico_vmhwm_mb'].values())}; "
          f"PSS pico (MB): {list(res['memoria_web_pico_pss_mb'].values())}")  # fmt: skip
    print(f"enrutamientos recibidos y sin terminar por el worker matado: "
          f"{res['enrutados_sin_terminar_por_el_worker_matado']}")  # fmt: skip
    print(f"último caso enrutado {tras_vuelta} s después de volver Redis; retrasos por fase: {retrasos}")
    for k in verif:
        print(f"  {k}: {verif[k]}")
    print(f"carga media (1, 5, 15 min): {res['carga_media_1_5_15']}; resultado completo en {args.json}")

    fallos_ = []
    if not ok:
        fallos_.append("ningún envío aceptado")
    if cinco or res["errores_500_en_log"]:
        fallos_.append("respuestas 5xx distintas de la página 503")
    if inesperados:
        fallos_.append("envíos no aceptados fuera de los fallos")
    for nombre, cuenta in por_fallo.items():
        if not cuenta["servicio_no_disponible_503"]:
            fallos_.append(f"{nombre}: ningún 503 (¿el fallo no se produjo?)")
    if args.web_veces and not res["workers_web_matados_a_mitad_de_una_subida"]:
        fallos_.append("ningún worker web matado a mitad de una subida")
    for k in ("archivos_escritos_en_el_disco_lleno", "archivos_sin_caso_de_las_caidas",
              "archivos_sin_caso_tras_la_limpieza", "temporales_de_subida_tras_la_limpieza"):  # fmt: skip
        if huerfanos[k]:
            fallos_.append(k)
    if caida is not None and ok_caida == 0:
        fallos_.append("ningún envío aceptado con Redis caído")
    for k in ("referencias_repetidas", "referencias_sin_caso", "casos_sin_2_adjuntos",
              "archivos_ausentes_o_truncados", "casos_no_asignados", "casos_enrutados_mas_de_una_vez",
              "casos_sin_asignacion_en_historial",
              "casos_con_avisos_a_oficina_distinto_de_1"):  # fmt: skip
        if verif[k]:
            fallos_.append(k)
    if tras_vuelta is None or tras_vuelta > 120:
        fallos_.append("no todo enrutado dentro de 2 minutos tras volver Redis")
    print("RESULTADO: " + ("OK" if not fallos_ else "FALLA: " + ", ".join(fallos_)))
    if not fallos_:
        shutil.rmtree(ALMACEN / "privado", ignore_errors=True)  # the ~1.8 MB per case; logs stay
    return 0 if not fallos_ else 1


if __name__ == "__main__":
    sys.exit(main())
