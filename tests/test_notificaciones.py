"""E-mails are records first: an SMTP failure leaves the row FALLIDO with the error, a later retry sends
it exactly once, and no retry or duplicate delivery ever sends it twice."""
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from tramites.models import Notificacion
from tramites.notificaciones import notificar
from tramites.tasks import enviar_notificacion, reintentar_notificaciones


class ServidorCaido(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def notificacion(db, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "tests.test_notificaciones.ServidorCaido"
    with django_capture_on_commit_callbacks(execute=True):
        n = notificar(
            destinatario="ciudadano@example.com",
            asunto="Su solicitud 2026-ABCD-EFGH-X tiene una observación",
            plantilla="nuevo_caso_oficina",
            contexto={"tramite": None, "oficina": None, "analista": None, "base_url": "http://x"},
        )
    n.refresh_from_db()
    return n


def test_fallo_smtp_deja_la_fila_fallida_con_el_error(notificacion):
    assert notificacion.estado == Notificacion.EstadoEnvio.FALLIDO
    assert notificacion.intentos == 1
    assert "SMTPServerDisconnected" in notificacion.ultimo_error
    assert "Connection unexpectedly closed" in notificacion.ultimo_error
    assert notificacion.enviada_en is None
    assert mail.outbox == []


def test_un_reintento_posterior_la_envia_una_sola_vez(notificacion, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notificacion.objects.filter(pk=notificacion.pk).update(creada_en=timezone.now() - timedelta(minutes=5))

    assert reintentar_notificaciones.delay().get() == 1
    notificacion.refresh_from_db()
    assert notificacion.estado == Notificacion.EstadoEnvio.ENVIADO
    assert notificacion.intentos == 2 and notificacion.enviada_en is not None
    [correo] = mail.outbox
    assert correo.to == ["ciudadano@example.com"] and "2026-ABCD-EFGH-X" in correo.subject
    assert correo.body == notificacion.texto

    # A late Celery retry, a second delivery of the message, or the periodic task: nothing more is sent.
    assert enviar_notificacion.delay(notificacion.pk).get() == "omitida"
    assert reintentar_notificaciones.delay().get() == 0
    assert len(mail.outbox) == 1


def test_el_reintento_periodico_no_toca_las_recientes_ni_las_agotadas(notificacion):
    # A fresh failure is left to Celery's own retry; one that failed 10 times waits for a person.
    assert reintentar_notificaciones.delay().get() == 0
    Notificacion.objects.filter(pk=notificacion.pk).update(
        creada_en=timezone.now() - timedelta(hours=1), intentos=10
    )
    assert reintentar_notificaciones.delay().get() == 0
