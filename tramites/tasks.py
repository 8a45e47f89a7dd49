"""Background work: routing, e-mail, clean-up and deadlines. Each task is idempotent and thin; the
work itself is in services. Tasks are queued only after the transaction commits, and a broker that is
down never fails the request that queued them: periodic tasks pick up what was not queued."""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from . import audit

logger = logging.getLogger(__name__)


def encolar(task, *args) -> bool:
    """Send a task to the queue now; False (logged) when the broker cannot be reached."""
    try:
        task.apply_async(args=args)
        return True
    except Exception:  # kombu/redis connection errors: the periodic tasks will retry
        logger.warning("broker no disponible: %s%s queda para el reintento periódico", task.name, args, exc_info=True)
        return False


def encolar_tras_commit(task, *args) -> None:
    transaction.on_commit(lambda: encolar(task, *args))


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=10)
def enrutar_tramite(self, tramite_id: int) -> bool:
    from .services import tramite_enrutar

    try:
        return tramite_enrutar(tramite_id=tramite_id)
    finally:
        audit.flush()


@shared_task
def reencolar_ingresados() -> int:
    """Queue again every case still INGRESADO after REENCOLAR_MINUTOS (lost while the broker was down)."""
    from .models import Tramite
    from .states import Estado

    limite = timezone.now() - timedelta(minutes=settings.REENCOLAR_MINUTOS)
    ids = list(
        Tramite.objects.filter(estado=Estado.INGRESADO, creado_en__lt=limite).values_list("pk", flat=True)[:5000]
    )
    for pk in ids:
        encolar(enrutar_tramite, pk)
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=6, default_retry_delay=30)
def enviar_notificacion(self, notificacion_id: int) -> str:
    from .models import Notificacion

    with transaction.atomic():
        n = Notificacion.objects.select_for_update().filter(pk=notificacion_id).first()
        if n is None or n.estado == Notificacion.EstadoEnvio.ENVIADO:
            return "omitida"
        try:
            send_mail(n.asunto, n.texto, settings.DEFAULT_FROM_EMAIL, [n.destinatario], fail_silently=False)
        except Exception as exc:
            n.intentos += 1
            n.ultimo_error = str(exc)[:1000]
            n.estado = Notificacion.EstadoEnvio.FALLIDO
            n.save(update_fields=["intentos", "ultimo_error", "estado"])
            if self.request.called_directly or settings.CELERY_TASK_ALWAYS_EAGER:
                return "fallida"
            raise self.retry(exc=exc) from exc
        n.intentos += 1
        n.estado = Notificacion.EstadoEnvio.ENVIADO
        n.enviada_en = timezone.now()
        n.save(update_fields=["intentos", "estado", "enviada_en"])
    return "enviada"


@shared_task
def reintentar_notificaciones() -> int:
    from .models import Notificacion

    limite = timezone.now() - timedelta(minutes=2)
    ids = list(
        Notificacion.objects.exclude(estado=Notificacion.EstadoEnvio.ENVIADO)
        .filter(creada_en__lt=limite, intentos__lt=10)
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        encolar(enviar_notificacion, pk)
    return len(ids)


@shared_task
def purgar_adjuntos_retenidos() -> int:
    from .services import adjuntos_retenidos_purgar

    return adjuntos_retenidos_purgar()


@shared_task
def vencer_observaciones() -> int:
    """End as DESISTIDO every observation whose correction term has passed (implemented in services)."""
    from . import services

    fn = getattr(services, "observaciones_vencidas_cerrar", None)
    return fn() if fn else 0


@shared_task
def alertar_plazos() -> int:
    """E-mail each office its cases at risk or overdue (implemented in services)."""
    from . import services

    fn = getattr(services, "plazos_alertar", None)
    return fn() if fn else 0
