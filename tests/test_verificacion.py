"""/verificar/: an employer checks a resolution by its code or by uploading the PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests import files
from tests.fabricas_evaluacion import ACTIVIDADES, LIMITACIONES, NOTA_MEDICA, RESTRICCIONES, tramite_resuelto
from tramites import firma
from tramites.models import Verificacion
from tramites.resoluciones import services as res
from tramites.resoluciones import verificacion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]


@pytest.fixture(autouse=True)
def _contrasenas_rapidas(settings):
    # The demo staff are created in every test; Argon2 is slow on purpose, and not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def resuelto(personal):
    return tramite_resuelto(personal)


def _subir(cliente: Client, contenido: bytes, nombre: str = "resolucion.pdf"):
    archivo = SimpleUploadedFile(nombre, contenido, content_type="application/pdf")
    return cliente.post(reverse("publico:verificar"), {"metodo": "pdf", "p-documento": archivo})


def _sin_datos_medicos(html: str) -> None:
    for texto in (NOTA_MEDICA, LIMITACIONES, ACTIVIDADES, RESTRICCIONES, "62,50", "62.50", "Control médico"):
        assert texto not in html


def _un_byte_cambiado(pdf: bytes) -> bytes:
    """The same PDF with one byte of its Producer entry changed (still a readable PDF)."""
    pos = pdf.index(b"WeasyPrint") + 1
    return pdf[:pos] + bytes([pdf[pos] ^ 0x01]) + pdf[pos + 1 :]


# --- by code ---------------------------------------------------------------------------------------


def test_por_codigo_muestra_lo_necesario_con_nombre_e_identificacion_enmascarados(resuelto):
    _tramite, resolucion = resuelto
    r = Client().get(reverse("publico:verificar_codigo", args=[resolucion.codigo_verificacion]))
    assert r.status_code == 200
    html = r.content.decode()
    assert resolucion.numero in html
    assert "VIGENTE" in html
    assert "Favorable" in html
    assert "Coordinación Provincial de Prestaciones de Riesgos del Trabajo de Pichincha" in html
    assert "17******65" in html and "1710034065" not in html
    assert "J*** A*** Ñ*** P***" in html and "Ñúñez" not in html
    assert "DEMOSTRACIÓN" in html
    _sin_datos_medicos(html)
    assert (
        Verificacion.objects.filter(resolucion=resolucion, metodo="codigo", resultado="vigente").count() == 1
    )


def test_el_formulario_lleva_al_codigo_escrito_de_cualquier_forma(resuelto):
    _tramite, resolucion = resuelto
    escrito = resolucion.codigo_verificacion.replace("-", " ").lower()
    r = Client().post(reverse("publico:verificar"), {"metodo": "codigo", "c-codigo": escrito})
    assert r.status_code == 302
    assert r["Location"] == reverse("publico:verificar_codigo", args=[resolucion.codigo_verificacion])


def test_codigo_desconocido_o_mal_escrito(resuelto):
    r = Client().get(reverse("publico:verificar_codigo", args=["2222-3333-4444-5555"]))
    assert r.status_code == 404 and "No encontramos una resolución" in r.content.decode()
    r = Client().post(reverse("publico:verificar"), {"metodo": "codigo", "c-codigo": "ABC"})
    assert r.status_code == 400 and "16 letras y números" in r.content.decode()
    assert Verificacion.objects.filter(resultado="no_encontrado").count() == 1


def test_una_resolucion_revocada_se_muestra_revocada(personal, resuelto):
    _tramite, anterior = resuelto
    nueva = res.resolucion_corregir(
        resolucion=anterior,
        usuario=personal["director.pichincha"],
        datos=res.DatosResolucion(decision="desfavorable"),
        motivo="Diagnóstico reservado: no debe verse en público",
    )
    html = (
        Client()
        .get(reverse("publico:verificar_codigo", args=[anterior.codigo_verificacion]))
        .content.decode()
    )
    assert "REVOCADA" in html and "VIGENTE" not in html
    assert nueva.numero in html  # the employer learns there is a newer document
    assert "Diagnóstico reservado" not in html
    # The revoked file itself is still authentic, and the page says it was revoked.
    html = _subir(Client(), res.documento_leer(anterior)).content.decode()
    assert "Auténtico y sin alteraciones" in html and "REVOCADA" in html


# --- by upload -------------------------------------------------------------------------------------


def test_el_pdf_original_es_autentico_y_sin_alteraciones(resuelto):
    _tramite, resolucion = resuelto
    r = _subir(Client(), res.documento_leer(resolucion))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Auténtico y sin alteraciones" in html
    assert resolucion.numero in html and "VIGENTE" in html
    assert "Firma válida" in html and "DEMOSTRACIÓN" in html
    _sin_datos_medicos(html)
    assert (
        Verificacion.objects.filter(resolucion=resolucion, metodo="pdf", resultado="autentico").count() == 1
    )


def test_un_pdf_con_un_byte_cambiado_es_alterado(resuelto):
    _tramite, resolucion = resuelto
    alterado = _un_byte_cambiado(res.documento_leer(resolucion))
    resultado = verificacion.verificar_pdf(datos=alterado)
    assert resultado.veredicto == verificacion.Veredicto.ALTERADO
    assert resultado.firma.signed and resultado.firma.altered
    html = _subir(Client(), alterado).content.decode()
    assert "ALTERADO" in html and "Auténtico" not in html
    # It still names the record it pretends to be, so the employer can compare.
    assert resolucion.numero in html
    assert Verificacion.objects.filter(metodo="pdf", resultado="alterado").count() == 2


def test_un_pdf_que_no_emitimos_es_desconocido(resuelto):
    html = _subir(Client(), files.pdf_solicitud(), "otro.pdf").content.decode()
    assert "Desconocido" in html and "Auténtico" not in html
    assert Verificacion.objects.filter(metodo="pdf", resultado="desconocido").count() == 1


def test_un_pdf_firmado_por_otro_no_es_de_confianza(resuelto):
    html = _subir(Client(), files.pdf_firmado(), "firmado.pdf").content.decode()
    assert "Desconocido" in html
    assert "no es de confianza" in html


def test_la_subida_pasa_por_la_cadena_de_validacion(resuelto, settings):
    r = _subir(Client(), files.jpeg_documento(), "foto.pdf")
    assert r.status_code == 400
    assert "Auténtico" not in r.content.decode()
    settings.VERIFICAR_MAX_BYTES = 10_000
    _tramite, resolucion = resuelto
    r = _subir(Client(), res.documento_leer(resolucion))
    assert r.status_code == 400 and "tamaño máximo" in r.content.decode()
    assert not Verificacion.objects.filter(metodo="pdf").exists()


def test_la_firma_se_valida_una_vez_por_documento(resuelto, monkeypatch):
    _tramite, resolucion = resuelto
    pdf = res.documento_leer(resolucion)
    llamadas = []
    original = firma.validate_pdf_signature
    monkeypatch.setattr(
        firma, "validate_pdf_signature", lambda *a, **k: llamadas.append(1) or original(*a, **k)
    )
    for _ in range(3):
        assert verificacion.verificar_pdf(datos=pdf).veredicto == verificacion.Veredicto.AUTENTICO
    assert llamadas == []  # validated (and cached) when issued


def test_las_verificaciones_tienen_limite_por_ip(resuelto, settings):
    settings.RATELIMIT_VERIFICAR = "3/m"
    _tramite, resolucion = resuelto
    cliente = Client()
    url = reverse("publico:verificar_codigo", args=[resolucion.codigo_verificacion])
    assert [cliente.get(url).status_code for _ in range(3)] == [200, 200, 200]
    r = cliente.get(url)
    assert r.status_code == 429 and "Demasiados intentos" in r.content.decode()
    pdf = res.documento_leer(resolucion)
    assert [_subir(cliente, pdf).status_code for _ in range(3)] == [200, 200, 200]
    assert _subir(cliente, pdf).status_code == 429
    assert Verificacion.objects.count() == 6  # refused requests are not verifications
    assert Client(REMOTE_ADDR="10.0.0.9").get(url).status_code == 200  # another IP is not affected


def test_la_pagina_de_verificacion_explica_las_dos_formas():
    html = Client().get(reverse("publico:verificar")).content.decode()
    assert "Con el código de verificación" in html and "Con el archivo PDF" in html
    assert 'enctype="multipart/form-data"' in html
