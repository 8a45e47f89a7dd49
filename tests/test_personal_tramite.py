"""The case page: data, attachments through a checked view with safe headers, timeline, e-mails,
and the audit trail (written for each view and download, kept on rollback, shown to supervisors)."""

import pytest
from django.db import transaction
from django.urls import reverse

from tests import files
from tests.personal_ayudas import cliente, crear_tramite
from tramites import auditoria
from tramites.models import Adjunto, EventoAuditoria


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


pytestmark = pytest.mark.django_db(transaction=True)


def _pagina(usuario, tramite):
    r = cliente(usuario).get(reverse("personal:tramite", args=[tramite.referencia]))
    assert r.status_code == 200
    return r.content.decode()


def test_la_pagina_muestra_datos_documentos_historial_correos_y_dias(personal):
    tramite = crear_tramite(provincia="17")
    html = _pagina(personal["analista.pichincha"], tramite)
    assert tramite.nombres in html and tramite.identificacion in html and tramite.correo in html
    assert "Documento de identidad" in html and "Solicitud de autorización firmada" in html
    imagen = tramite.adjuntos.get(tipo=Adjunto.Tipo.DOCUMENTO_IDENTIDAD)
    pdf = tramite.adjuntos.get(tipo=Adjunto.Tipo.SOLICITUD_FIRMADA)
    ruta = f"/personal/tramites/{tramite.referencia}/adjuntos"
    # The viewer shows the first document inline; the list switches to the others (the PDF inline too).
    assert f'<img class="visor-imagen" src="{ruta}/{imagen.pk}/"' in html
    assert f'data-visor-url="{ruta}/{pdf.pk}/" data-visor-tipo="pdf"' in html
    con_pdf = cliente(personal["analista.pichincha"]).get(
        reverse("personal:tramite", args=[tramite.referencia]), {"documento": pdf.pk}
    ).content.decode()
    assert f'<iframe class="visor-marco" src="{ruta}/{pdf.pk}/"' in con_pdf
    # Timeline: intake and routing.
    assert "Ingresado" in html and "Asignado" in html
    # E-mails: the citizen's confirmation and the office notice, with their status.
    assert tramite.correo in html.split("Correos enviados", 1)[1]
    assert "Enviado" in html.split("Correos enviados", 1)[1]
    assert "30 días" in html or "29 días" in html  # business days left, fresh case


def test_adjuntos_con_cabeceras_seguras(personal):
    tramite = crear_tramite(provincia="17")
    c = cliente(personal["analista.pichincha"])
    imagen = tramite.adjuntos.get(tipo=Adjunto.Tipo.DOCUMENTO_IDENTIDAD)
    r = c.get(reverse("personal:adjunto", args=[tramite.referencia, imagen.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "image/jpeg"
    assert r.content == files.jpeg_documento()
    assert r["Content-Disposition"].startswith("inline;")
    assert (
        'filename="cedula_foto.jpg"' in r["Content-Disposition"]
        or "cedula foto.jpg" in r["Content-Disposition"]
    )
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in r["Content-Security-Policy"] and "sandbox" in r["Content-Security-Policy"]
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]

    pdf = tramite.adjuntos.get(tipo=Adjunto.Tipo.SOLICITUD_FIRMADA)
    r = c.get(reverse("personal:adjunto", args=[tramite.referencia, pdf.pk]))
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    assert "default-src 'none'" in r["Content-Security-Policy"]


def test_nombre_de_archivo_saneado():
    from tramites.validators.base import nombre_seguro

    assert nombre_seguro('../../etc/pa"ss\r\nwd.jpg', "jpg") == "pa_ss_wd.jpg"
    assert nombre_seguro("Cédula de María.JPG", "jpg") == "Cedula de Maria.jpg"
    assert nombre_seguro("", "pdf") == "documento.pdf"
    assert nombre_seguro("informe.exe", "pdf") == "informe.pdf"


def test_adjunto_cifrado_se_sirve_descifrado(personal, settings):
    from cryptography.fernet import Fernet
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tramites import services
    from tramites.validators import validar_adjunto

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    tramite = crear_tramite(provincia="17")
    f = SimpleUploadedFile("correccion.pdf", files.pdf_solicitud())
    adjunto = services.adjunto_guardar(
        archivo=f, validado=validar_adjunto(f), tipo=Adjunto.Tipo.SUBSANACION, tramite=tramite, cifrar=True
    )
    with adjunto.archivo.open("rb") as fh:
        assert not fh.read().startswith(b"%PDF-")  # encrypted at rest
    r = cliente(personal["analista.pichincha"]).get(
        reverse("personal:adjunto", args=[tramite.referencia, adjunto.pk])
    )
    assert r.status_code == 200, r.content.decode()[:3000]
    assert r.content == files.pdf_solicitud()


def test_ver_un_caso_y_un_adjunto_escribe_filas_de_auditoria(personal):
    tramite = crear_tramite(provincia="17")
    analista = personal["analista.pichincha"]
    _pagina(analista, tramite)
    fila = EventoAuditoria.objects.get(accion="ver_tramite", tramite_id=tramite.pk)
    assert fila.usuario == "analista.pichincha" and fila.objeto == tramite.referencia
    adjunto = tramite.adjuntos.first()
    cliente(analista).get(reverse("personal:adjunto", args=[tramite.referencia, adjunto.pk]))
    assert EventoAuditoria.objects.filter(accion="ver_adjunto", tramite_id=tramite.pk).count() == 1


def test_una_fila_de_auditoria_sobrevive_a_la_transaccion_revertida(personal):
    tramite = crear_tramite(provincia="17")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            auditoria.registrar(
                "ver_tramite", usuario=personal["analista.pichincha"], tramite=tramite, objeto="x"
            )
            tramite.nombres = "Cambio que se revierte"
            tramite.save()
            raise RuntimeError("falla después de auditar")
    auditoria.flush()
    tramite.refresh_from_db()
    assert tramite.nombres != "Cambio que se revierte"
    assert (
        EventoAuditoria.objects.filter(accion="ver_tramite", tramite_id=tramite.pk, objeto="x").count() == 1
    )


def test_un_cambio_de_estado_revertido_deja_su_intento_en_la_auditoria(personal):
    """A failure after tramite_transicionar rolls the state back, not the audit row of the attempt."""
    from tramites.estados import Estado
    from tramites.tramitacion import services as tramitacion

    tramite = crear_tramite(provincia="17")
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            tramitacion.tramite_tomar(tramite=tramite, usuario=personal["analista.pichincha"])
            raise RuntimeError
    auditoria.flush()
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ASIGNADO
    assert EventoAuditoria.objects.filter(
        accion="cambio_estado", tramite_id=tramite.pk, detalle__accion="tomar"
    ).exists()


def test_la_auditoria_se_muestra_al_supervisor_y_no_al_analista(personal):
    tramite = crear_tramite(provincia="17")
    _pagina(personal["analista.pichincha"], tramite)
    html = _pagina(personal["supervisor.nacional"], tramite)
    seccion = html.split("Auditoría del trámite", 1)[1]
    # In Spanish, with readable details: no codes, no Python dicts.
    assert "analista.pichincha" in seccion and "Consultó el trámite" in seccion and "Cambio de estado" in seccion
    assert "de «Ingresado» a «Asignado»" in seccion
    assert "ver_tramite" not in seccion and "{" not in seccion.split("</table>", 1)[0]
    assert "Auditoría del trámite" not in _pagina(personal["analista.pichincha"], tramite)
    assert "Auditoría del trámite" in _pagina(personal["director.pichincha"], tramite)


def test_reasignacion_queda_en_la_auditoria(personal):
    from tests.casos import analista_nuevo
    from tramites.tramitacion import services as tramitacion

    director = personal["director.pichincha"]
    tramite = crear_tramite(provincia="17")
    nuevo = analista_nuevo("analista.tres", director.perfil.oficina)
    tramitacion.tramite_reasignar(tramite=tramite, usuario=director, analista=nuevo)
    auditoria.flush()  # outside a request, the caller flushes (the middleware does it for views)
    fila = EventoAuditoria.objects.get(accion="reasignacion", tramite_id=tramite.pk)
    assert fila.detalle == {"de": "analista.pichincha", "a": "analista.tres"}
    assert fila.usuario == "director.pichincha"
