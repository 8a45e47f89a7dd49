"""Complaints (quejas): the writes. A complaint is received → taken (en proceso) → answered; the
answer is kept and e-mailed to the citizen, and every step goes to the audit trail."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import auditoria, referencias
from ..models import Queja, Tramite
from ..notificaciones import notificar

PREFIJO = "Q-"


class QuejaNoPermitida(Exception):
    """The complaint is not in a state that allows this step (shown to staff as a plain message)."""


def queja_crear(
    *,
    nombres: str,
    correo: str,
    provincia: str,
    texto: str,
    identificacion: str = "",
    telefono: str = "",
    tramite: Tramite | None = None,
    request=None,
) -> Queja:
    """Record a complaint with its own reference (`Q-2026-XXXX-XXXX-X`) and e-mail the receipt."""
    ahora = timezone.now()
    with transaction.atomic():
        queja = Queja(
            nombres=nombres,
            identificacion=identificacion,
            correo=correo,
            telefono=telefono,
            provincia=provincia,
            tramite=tramite,
            texto=texto,
            creada_en=ahora,
        )
        for _intento in range(6):
            queja.referencia = referencias.generar(timezone.localtime(ahora).year, prefijo=PREFIJO)
            try:
                with transaction.atomic():
                    queja.save()
                break
            except IntegrityError:
                queja.pk = None
        else:  # pragma: no cover - 31^8 codes a year
            raise RuntimeError("No se pudo generar una referencia única.")
        notificar(
            destinatario=queja.correo,
            asunto=_("Queja recibida: %(ref)s") % {"ref": queja.referencia},
            plantilla="queja_recibida",
            contexto={"queja": queja, "base_url": settings.PUBLIC_BASE_URL},
            queja=queja,
        )
        auditoria.registrar(
            "queja_recibida",
            request=request,
            tramite=tramite,
            objeto=queja.referencia,
            detalle={"provincia": provincia, "con_tramite": tramite is not None},
        )
    return queja


def _bloquear(queja: Queja) -> Queja:
    return Queja.objects.select_for_update().get(pk=queja.pk)


def queja_tomar(*, queja: Queja, usuario, request=None) -> Queja:
    """recibida → en_proceso."""
    with transaction.atomic():
        actual = _bloquear(queja)
        if actual.estado != Queja.EstadoQueja.RECIBIDA:
            raise QuejaNoPermitida(
                _("La queja está «%(estado)s»; ya no se puede tomar.")
                % {"estado": actual.get_estado_display()}
            )
        actual.estado = Queja.EstadoQueja.EN_PROCESO
        actual.save(update_fields=["estado"])
        auditoria.registrar(
            "queja_en_proceso",
            usuario=usuario,
            request=request,
            tramite=actual.tramite,
            objeto=actual.referencia,
            detalle={"de": Queja.EstadoQueja.RECIBIDA, "a": Queja.EstadoQueja.EN_PROCESO},
        )
    queja.refresh_from_db()
    return queja


def queja_responder(*, queja: Queja, usuario, respuesta: str, request=None) -> Queja:
    """en_proceso → respondida: the answer is kept on the complaint and e-mailed to the citizen."""
    respuesta = (respuesta or "").strip()
    if not respuesta:
        raise QuejaNoPermitida(_("Escriba la respuesta para el ciudadano."))
    with transaction.atomic():
        actual = _bloquear(queja)
        if actual.estado != Queja.EstadoQueja.EN_PROCESO:
            raise QuejaNoPermitida(
                _("La queja está «%(estado)s»; solo se responde una queja en proceso.")
                % {"estado": actual.get_estado_display()}
            )
        actual.estado = Queja.EstadoQueja.RESPONDIDA
        actual.respuesta = respuesta
        actual.respondida_en = timezone.now()
        actual.save(update_fields=["estado", "respuesta", "respondida_en"])
        notificar(
            destinatario=actual.correo,
            asunto=_("Respuesta a su queja %(ref)s") % {"ref": actual.referencia},
            plantilla="queja_respondida",
            contexto={"queja": actual, "base_url": settings.PUBLIC_BASE_URL},
            queja=actual,
        )
        auditoria.registrar(
            "queja_respondida",
            usuario=usuario,
            request=request,
            tramite=actual.tramite,
            objeto=actual.referencia,
            detalle={"de": Queja.EstadoQueja.EN_PROCESO, "a": Queja.EstadoQueja.RESPONDIDA},
        )
    queja.refresh_from_db()
    return queja
