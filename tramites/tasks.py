"""Background work: routing, e-mail, clean-up and deadlines. Each task is idempotent and thin; the
work itself is in services. Tasks are queued only after the transaction commits, and a broker that is
down never fails the request that queued them: periodic tasks pick up what was not queued."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from . import auditoria

logger = logging.getLogger(__name__)

# A retry must come back before the broker's visibility timeout, or Redis would hand the waiting
# message to a second worker as well (harmless, the tasks are idempotent, but wasteful).
_MAX_ESPERA_REINTENTO = 240
# First wait before an e-mail is tried again; doubled on each retry.
REINTENTO_CORREO_SEGUNDOS = 30
# Most cases one routing task takes at once (its own and the oldest others waiting): one transaction,
# a few statements and one e-mail task for the whole batch.
LOTE_ENRUTAMIENTO = 200


def encolar(task, *args) -> bool:
    """Send a task to the queue now; False (logged) when the broker cannot be reached.

    Publishing fails fast (settings: CELERY_TASK_PUBLISH_RETRY=False, transport max_retries=0, a
    2-second connect timeout), so a citizen's request never waits on a broken broker.
    """
    try:
        task.apply_async(args=args)
        return True
    except Exception:  # kombu/redis connection errors: the periodic tasks will retry
        logger.warning(
            "broker no disponible: %s%s queda para el reintento periódico", task.name, args, exc_info=True
        )
        return False


def encolar_tras_commit(task, *args) -> None:
    transaction.on_commit(lambda: encolar(task, *args))


def _espera(reintentos: int, base: int) -> int:
    return min(base * 2**reintentos, _MAX_ESPERA_REINTENTO)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=_MAX_ESPERA_REINTENTO,
    max_retries=5,
)
def enrutar_tramite(self, tramite_id: int) -> bool:
    """Route one case and, in the same transaction, up to LOTE_ENRUTAMIENTO - 1 other cases waiting
    INGRESADO that no other worker holds (services.tramite_enrutar). True only if this run routed
    `tramite_id`. A database hiccup retries; a lost message is found again by reencolar_ingresados; a
    second delivery, or the task of a case a batch already took, finds it ASIGNADO and does nothing."""
    from .tramitacion.enrutamiento import tramite_enrutar

    try:
        return tramite_enrutar(tramite_id=tramite_id, lote=LOTE_ENRUTAMIENTO)
    finally:
        auditoria.flush()


@shared_task
def reencolar_ingresados() -> int:
    """Queue again every case still INGRESADO after REENCOLAR_MINUTOS (lost while the broker was down)."""
    from .estados import Estado
    from .models import Tramite

    limite = timezone.now() - timedelta(minutes=settings.REENCOLAR_MINUTOS)
    ids = list(
        Tramite.objects.filter(estado=Estado.INGRESADO, creado_en__lt=limite)
        .order_by("creado_en", "pk")
        .values_list("pk", flat=True)[:5000]
    )
    enviados = 0
    for pk in ids:
        if not encolar(enrutar_tramite, pk):
            break  # the broker is still down: the next run tries again, oldest first
        enviados += 1
    if ids:
        logger.info("reencolar_ingresados: %s de %s trámites en cola de nuevo", enviados, len(ids))
    return enviados


def _cerrar(conexion) -> None:
    try:
        conexion.close()
    except Exception:  # nosec B110 - a dead connection may fail to close; the outcome is on the rows
        pass


def _enviar_registradas(ids: list[int]) -> tuple[int, list[int], Exception | None]:
    """Send the recorded e-mails among `ids` not yet ENVIADO, each as its own message over one
    connection, and write each outcome on its row. Returns how many were tried, the ids that failed and
    the last error. The rows are locked in pk order: concurrent deliveries wait for each other (never
    deadlock), and a row already ENVIADO is never sent again."""
    from django.core.mail import EmailMessage, get_connection

    from .models import Notificacion

    fallidas: list[int] = []
    ultimo_error = None
    with transaction.atomic():
        filas = list(
            Notificacion.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(estado=Notificacion.EstadoEnvio.ENVIADO)
            .order_by("pk")
        )
        if not filas:
            return 0, [], None
        conexion = get_connection(fail_silently=False)
        try:
            conexion.open()
        except Exception as exc:  # the server cannot be reached: every row fails with this error
            error_conexion = exc
        else:
            error_conexion = None
        for n in filas:
            n.intentos += 1
            error = error_conexion
            if error is None:
                try:
                    EmailMessage(
                        n.asunto, n.texto, settings.DEFAULT_FROM_EMAIL, [n.destinatario], connection=conexion
                    ).send()
                except Exception as exc:  # SMTP refused, timeout...: record it, retry after the block
                    error = exc
                    _cerrar(conexion)  # it may be broken: the next message opens a new one
            if error is None:
                n.estado = Notificacion.EstadoEnvio.ENVIADO
                n.enviada_en = timezone.now()
            else:
                ultimo_error = error
                fallidas.append(n.pk)
                n.ultimo_error = f"{type(error).__name__}: {error}"[:1000]
                n.estado = Notificacion.EstadoEnvio.FALLIDO
        _cerrar(conexion)
        Notificacion.objects.bulk_update(filas, ["intentos", "ultimo_error", "estado", "enviada_en"])
    return len(filas), fallidas, ultimo_error


def _en_proceso(tarea) -> bool:
    """Run in-process (the embedded default): no retry loop inside the request; reintentar_notificaciones
    or the next run sends what failed."""
    return tarea.request.called_directly or tarea.request.is_eager


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=6)
def enviar_notificacion(self, notificacion_id: int) -> str:
    """Send one recorded e-mail ("enviada", "omitida" when already sent or gone, "fallida")."""
    intentadas, fallidas, error = _enviar_registradas([notificacion_id])
    if not intentadas:
        return "omitida"
    if not fallidas:
        return "enviada"
    logger.warning("notificación %s no enviada: %s", notificacion_id, error)
    if _en_proceso(self):
        return "fallida"
    raise self.retry(exc=error, countdown=_espera(self.request.retries, REINTENTO_CORREO_SEGUNDOS))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=6)
def enviar_notificaciones(self, ids: list[int]) -> int:
    """Send several recorded e-mails (those notificar_varias wrote in one batch) over one connection;
    returns how many were sent. The ones that failed are tried again by a retry of this task with just
    them, as enviar_notificacion does for one."""
    intentadas, fallidas, error = _enviar_registradas(ids)
    if not fallidas:
        return intentadas
    logger.warning("%s de %s notificaciones no enviadas: %s", len(fallidas), intentadas, error)
    if _en_proceso(self):
        return intentadas - len(fallidas)
    raise self.retry(
        args=[fallidas], exc=error, countdown=_espera(self.request.retries, REINTENTO_CORREO_SEGUNDOS)
    )


@shared_task
def reintentar_notificaciones() -> int:
    """Queue again the e-mails not sent yet (failed, or never queued because the broker was down)."""
    from .models import Notificacion

    limite = timezone.now() - timedelta(minutes=2)
    ids = list(
        Notificacion.objects.exclude(estado=Notificacion.EstadoEnvio.ENVIADO)
        .filter(creada_en__lt=limite, intentos__lt=10)
        .order_by("creada_en", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    enviados = 0
    for pk in ids:
        if not encolar(enviar_notificacion, pk):
            break
        enviados += 1
    return enviados


@shared_task
def purgar_adjuntos_retenidos() -> int:
    from .services import adjuntos_retenidos_purgar

    return adjuntos_retenidos_purgar()


@shared_task
def purgar_archivos_huerfanos() -> int:
    """Files left without their case by a process killed mid-request (services.archivos_huerfanos_purgar)."""
    from .services import archivos_huerfanos_purgar

    return archivos_huerfanos_purgar()


@shared_task
def vencer_observaciones() -> int:
    """End as DESISTIDO every observation whose correction term has passed; the citizen is told."""
    from .tramitacion.services import observaciones_vencidas_cerrar

    try:
        return observaciones_vencidas_cerrar()
    finally:
        auditoria.flush()


@shared_task
def alertar_plazos() -> int:
    """E-mail each office the list of its cases at risk or overdue (once a day per office)."""
    from .tramitacion.services import plazos_alertar

    return plazos_alertar()


# The name it had when the purge lived in tramites/retencion.py: beat schedules and queued messages use it.
@shared_task(name="tramites.retencion.purgar_datos_vencidos")
def purgar_datos_vencidos() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE): the retention purge (ADR 0002)."""
    from .datos_personales.retencion import purgar_datos

    resultado = purgar_datos()
    if resultado.total:
        logger.info("retención: %s", resultado.resumen())
    return resultado.resumen()


@shared_task
def escalar_terminos() -> int:
    """Cases near or past the 30-day term: e-mail the office's director and the national supervisor
    (once per case and threshold; CELERY_BEAT_SCHEDULE runs it every hour)."""
    from .resoluciones.termino import terminos_escalar

    try:
        return terminos_escalar()
    finally:
        auditoria.flush()


@shared_task
def alertar_derechos_titular() -> int:
    """Data-subject requests near or past their 15-day term: one alert a day to the supervisors."""
    from .datos_personales.derechos import solicitudes_alertar

    try:
        return solicitudes_alertar()
    finally:
        auditoria.flush()
