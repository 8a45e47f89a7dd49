"""Nothing is lost, proven against a real Redis and real Celery workers (CI's second run):
routing by a worker (each message delivered twice, one assignment), a submission while the broker is
down picked up by the periodic re-queue, a worker killed mid-task whose message another worker runs,
and an e-mail whose SMTP server was down sent once when it comes back.

The workers are `celery -A tests.celery_prueba worker` subprocesses (the project's app with short
broker timers) on the pytest database and on their own Redis database, so they never take messages
meant for another test run."""
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tests.casos import broker_en, grupos_de_roles, tramite_nuevo
from tramites.estados import Estado
from tramites.models import HistorialEstado, Notificacion, Tramite
from tramites.solicitud import services as solicitud
from tramites.tasks import (
    enrutar_tramite,
    enviar_notificacion,
    reencolar_ingresados,
    reintentar_notificaciones,
)
from tramites.tramitacion import enrutamiento

RAIZ = Path(__file__).resolve().parent.parent
BD_REDIS_PRUEBAS = os.environ.get("CELERY_TEST_REDIS_DB", "3")

pytestmark = [pytest.mark.services]


def _broker_pruebas() -> str | None:
    base = settings.CELERY_BROKER_URL or settings.REDIS_URL
    if not base.startswith("redis://"):
        return None
    partes = urlsplit(base)
    return urlunsplit((partes.scheme, partes.netloc, f"/{BD_REDIS_PRUEBAS}", "", ""))


def _url_bd() -> str:
    s = connection.settings_dict
    usuario = quote(s.get("USER") or "")
    clave = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    auth = f"{usuario}{clave}@" if usuario else ""
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def esperar(condicion, *, timeout: float, mensaje: str, intervalo: float = 0.1) -> None:
    limite = time.monotonic() + timeout
    while time.monotonic() < limite:
        if condicion():
            return
        time.sleep(intervalo)
    raise AssertionError(mensaje)


@pytest.fixture
def broker(transactional_db):
    """Point this process's Celery app at the test Redis database, emptied."""
    if connection.vendor != "postgresql" or not _broker_pruebas():
        pytest.skip("needs DATABASE_URL=postgres://… and a Redis CELERY_BROKER_URL (CI's second run)")
    import redis

    url = _broker_pruebas()
    redis.Redis.from_url(url).flushdb()
    with broker_en(url):
        yield url
    redis.Redis.from_url(url).flushdb()


class Worker:
    def __init__(self, *, broker: str, log: Path, concurrencia: int, entorno: dict):
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": _url_bd(),
            "CELERY_BROKER_URL": broker,
            "DB_CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
            "STORAGE_DIR": str(log.parent),
            **entorno,
        }
        self.salida = open(log, "wb")  # noqa: SIM115 - closed in parar()
        self.proceso = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "tests.celery_prueba", "worker",
                "-l", "info", "-P", "prefork", "-c", str(concurrencia),
                "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", f"pruebas-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=RAIZ,
            env=env,
            stdout=self.salida,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches the pool children too
        )
        esperar(
            lambda: b"ready." in log.read_bytes() or self.proceso.poll() is not None,
            timeout=60,
            mensaje="the worker did not start",
        )
        assert self.proceso.poll() is None, log.read_text(errors="replace")[-3000:]

    def matar(self) -> None:
        """SIGKILL to the whole worker (main process and pool): nothing gets to ack or requeue."""
        os.killpg(self.proceso.pid, signal.SIGKILL)
        self.proceso.wait(10)

    def parar(self) -> None:
        if self.proceso.poll() is None:
            os.killpg(self.proceso.pid, signal.SIGTERM)
            try:
                self.proceso.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proceso.pid, signal.SIGKILL)
                self.proceso.wait(10)
        self.salida.close()

    def texto(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def worker(broker, tmp_path):
    """Start workers on demand; all are stopped before the test database is flushed."""
    iniciados: list[Worker] = []

    def iniciar(*, concurrencia: int = 1, **entorno) -> Worker:
        w = Worker(
            broker=broker,
            log=tmp_path / f"worker{len(iniciados)}.log",
            concurrencia=concurrencia,
            entorno={k: str(v) for k, v in entorno.items()},
        )
        iniciados.append(w)
        return w

    yield iniciar
    for w in iniciados:
        w.parar()


@pytest.fixture
def demo_usuarios(transactional_db):
    from tramites.management import demo

    grupos_de_roles()
    demo.cargar_usuarios()


def asignaciones(tramite) -> int:
    return HistorialEstado.objects.filter(tramite=tramite, estado_nuevo=Estado.ASIGNADO).count()


def test_un_worker_real_enruta_cada_caso_una_vez_aunque_reciba_el_mensaje_dos_veces(worker, demo_usuarios):
    casos = [tramite_nuevo(provincia=p) for p in ["17", "09", "01", "30", "17", "09"] * 3]
    worker(concurrencia=4)
    for t in casos:
        enrutar_tramite.apply_async(args=[t.pk])
        enrutar_tramite.apply_async(args=[t.pk])  # a duplicate delivery, processed concurrently

    esperar(
        lambda: not Tramite.objects.filter(estado=Estado.INGRESADO).exists(),
        timeout=60,
        mensaje="the worker did not route every case",
    )
    for t in casos:
        t.refresh_from_db()
        assert asignaciones(t) == 1
        assert t.oficina == enrutamiento.oficina_para_provincia(t.provincia)
        assert Notificacion.objects.filter(tramite=t, destinatario=t.oficina.correo).count() == 1
    pichincha = [t for t in casos if t.provincia == "17"]
    assert {t.analista.username for t in pichincha} == {"analista.pichincha"}


def test_solicitud_con_el_broker_caido_se_enruta_al_volver(worker, demo_usuarios, broker, settings):
    with broker_en("redis://127.0.0.1:6390/0"):  # nothing listens there
        inicio = time.monotonic()
        tramite = solicitud.tramite_crear(
            datos={
                "tipo_identificacion": "cedula",
                "identificacion": "1710034065",
                "nombres": "Rosa",
                "apellidos": "Quishpe",
                "correo": "rosa@example.com",
                "telefono": "+593998887766",
                "provincia": "17",
                "acepta_tratamiento_datos": True,
            },
            adjuntos=[],
        )
    duracion = time.monotonic() - inicio
    assert duracion < 1.5, f"the submission waited {duracion:.2f} s for a dead broker"
    tramite.refresh_from_db()
    assert tramite.estado == Estado.INGRESADO

    # The broker is back; a few minutes later the periodic task queues what was lost.
    worker()
    assert reencolar_ingresados() == 0  # too recent: its own task may still be on its way
    Tramite.objects.filter(pk=tramite.pk).update(
        creado_en=timezone.now() - timedelta(minutes=settings.REENCOLAR_MINUTOS + 1)
    )
    Notificacion.objects.filter(tramite=tramite).update(creada_en=timezone.now() - timedelta(minutes=3))
    assert reencolar_ingresados() == 1
    assert reintentar_notificaciones() == 1  # the citizen's confirmation e-mail

    esperar(
        lambda: Tramite.objects.get(pk=tramite.pk).estado == Estado.ASIGNADO,
        timeout=30,
        mensaje="the re-queued case was not routed",
    )
    esperar(
        lambda: Notificacion.objects.filter(
            tramite=tramite, destinatario="rosa@example.com", estado=Notificacion.EstadoEnvio.ENVIADO
        ).exists(),
        timeout=30,
        mensaje="the confirmation e-mail was not sent",
    )
    assert asignaciones(tramite) == 1


def _esperando_bloqueo() -> bool:
    with connection.cursor() as cur:
        # Inside a transaction the statistics views are a snapshot unless it is cleared.
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cur.fetchone()[0] > 0


def test_worker_muerto_a_mitad_de_tarea_otro_worker_la_termina(worker, demo_usuarios):
    tramite = tramite_nuevo(provincia="09")
    with transaction.atomic():
        # Hold the case's row: the worker's routing blocks inside its transaction, mid-task.
        Tramite.objects.select_for_update().get(pk=tramite.pk)
        primero = worker(PRUEBA_VISIBILITY_TIMEOUT=3)
        enrutar_tramite.apply_async(args=[tramite.pk])
        esperar(_esperando_bloqueo, timeout=20, mensaje="the worker never started the task")
        primero.matar()
    time.sleep(1)
    assert Tramite.objects.get(pk=tramite.pk).estado == Estado.INGRESADO

    # The message was taken but never acknowledged: Redis hands it to the next worker.
    worker(PRUEBA_VISIBILITY_TIMEOUT=3)
    esperar(
        lambda: Tramite.objects.get(pk=tramite.pk).estado == Estado.ASIGNADO,
        timeout=45,
        mensaje="the task of the killed worker was not delivered again",
    )
    assert asignaciones(tramite) == 1


class _SMTP(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 prueba ESMTP\r\n")
        while linea := self.rfile.readline():
            orden = linea.strip().upper()
            if orden.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 prueba\r\n")
            elif orden == b"DATA":
                self.wfile.write(b"354 adelante\r\n")
                cuerpo = []
                while (dato := self.rfile.readline()) not in (b".\r\n", b""):
                    cuerpo.append(dato)
                self.server.recibidos.append(b"".join(cuerpo))
                self.wfile.write(b"250 recibido\r\n")
            elif orden == b"QUIT":
                self.wfile.write(b"221 adios\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_correo_con_smtp_caido_queda_fallido_y_luego_sale_una_sola_vez(worker, transactional_db):
    puerto = _puerto_libre()
    n = Notificacion.objects.create(
        destinatario="ciudadano@example.com", asunto="Prueba de reintento", texto="Hola"
    )
    worker(EMAIL_URL=f"smtp://127.0.0.1:{puerto}", PRUEBA_REINTENTO_SEGUNDOS=3)
    enviar_notificacion.apply_async(args=[n.pk])
    esperar(
        lambda: Notificacion.objects.get(pk=n.pk).estado == Notificacion.EstadoEnvio.FALLIDO,
        timeout=30,
        mensaje="the failure was not recorded",
    )
    fallida = Notificacion.objects.get(pk=n.pk)
    assert "Connection refused" in fallida.ultimo_error or "ConnectionRefused" in fallida.ultimo_error
    assert fallida.enviada_en is None

    servidor = socketserver.ThreadingTCPServer(("127.0.0.1", puerto), _SMTP)
    servidor.recibidos = []
    threading.Thread(target=servidor.serve_forever, daemon=True).start()
    try:
        # Celery's own retry (3 s later here) sends it.
        esperar(
            lambda: Notificacion.objects.get(pk=n.pk).estado == Notificacion.EstadoEnvio.ENVIADO,
            timeout=40,
            mensaje="the retry did not send the e-mail",
        )
        # The periodic re-queue and a duplicate delivery arrive late: nothing is sent again.
        enviar_notificacion.apply_async(args=[n.pk])
        enviar_notificacion.apply_async(args=[n.pk])
        time.sleep(4)
    finally:
        servidor.shutdown()
        servidor.server_close()
    assert len(servidor.recibidos) == 1
    assert b"Prueba de reintento" in servidor.recibidos[0]
    enviada = Notificacion.objects.get(pk=n.pk)
    assert enviada.intentos >= 2 and enviada.enviada_en is not None

