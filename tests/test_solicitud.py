"""The citizen's online request: validation of the data, held files, the saved case, receipt and e-mail."""
import hashlib
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from tests import files
from tests.conftest import archivos_en_disco
from tramites.estados import Estado
from tramites.models import Adjunto, HistorialEstado, Tramite

URL = "/solicitud/"
REVISAR = "/solicitud/revisar/"


def datos_validos(**cambios) -> dict:
    datos = {
        "tipo_identificacion": "cedula",
        "identificacion": "1710034065",
        "nombres": "María  José",
        "apellidos": "Pérez Andrade",
        "correo": "maria.perez@example.com",
        "telefono": "0991234567",
        "telefono_alterno": "02 234 5678",
        "provincia": "17",
        "mensaje": "Solicito la autorización para volver a trabajar.",
        "acepta_tratamiento_datos": "on",
    }
    datos.update(cambios)
    return datos


def adjuntos(cedula: bytes | None = None, carta: bytes | None = None) -> dict:
    return {
        "documento_identidad": SimpleUploadedFile("cédula.jpg", cedula or files.jpeg_documento(), "image/jpeg"),
        "solicitud_firmada": SimpleUploadedFile("solicitud.pdf", carta or files.pdf_solicitud(), "application/pdf"),
    }


def enviar_y_confirmar(client, payload: dict):
    """The citizen's two steps: the form, then "Enviar la solicitud" on the check-your-answers page.
    Returns the form's answer when it had errors, else the check page's answer."""
    respuesta = client.post(URL, payload)
    if respuesta.status_code == 302 and respuesta["Location"] == REVISAR:
        respuesta = client.post(REVISAR)
    return respuesta


@pytest.fixture
def enviar(client, oficinas, django_capture_on_commit_callbacks):
    def _enviar(datos=None, archivos=None):
        payload = {**(datos if datos is not None else datos_validos()), **(archivos if archivos is not None else adjuntos())}
        # Tasks queued after commit (routing, e-mail) run in-process, as in the embedded default.
        with django_capture_on_commit_callbacks(execute=True):
            return enviar_y_confirmar(client, payload)

    return _enviar


def test_formulario_vacio_muestra_los_campos_del_contrato(client, db):
    html = client.get(URL).content.decode()
    for nombre in [
        "tipo_identificacion",
        "identificacion",
        "nombres",
        "apellidos",
        "correo",
        "telefono",
        "telefono_alterno",
        "provincia",
        "mensaje",
        "documento_identidad",
        "solicitud_firmada",
        "acepta_tratamiento_datos",
    ]:
        assert f'name="{nombre}"' in html
    assert 'href="/privacidad/"' in html
    select = html.split('name="provincia"')[1].split("</select>")[0]
    assert select.count('<option value="') == 26  # "Elija", the 24 provinces and abroad (30)
    assert '<option value="30">' in select


def test_envio_completo_crea_el_tramite_con_sus_archivos_historial_y_correo(enviar, settings):
    cedula, carta = files.jpeg_documento(), files.pdf_solicitud()
    respuesta = enviar(archivos=adjuntos(cedula, carta))
    tramite = Tramite.objects.get()
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("publico:confirmacion", args=[tramite.referencia])

    # Routing ran after commit (tasks in-process): the case is already with Pichincha's office.
    assert tramite.estado == Estado.ASIGNADO
    assert tramite.oficina.provincias.filter(provincia="17").exists()
    assert tramite.nombres == "María José"
    assert tramite.telefono == "+593991234567"
    assert tramite.telefono_alterno == "+59322345678"
    assert tramite.canal == Tramite.Canal.VIRTUAL
    primer = HistorialEstado.objects.filter(tramite=tramite).order_by("id").first()
    assert (primer.estado_anterior, primer.estado_nuevo) == ("", Estado.INGRESADO)

    guardados = {a.tipo: a for a in tramite.adjuntos.all()}
    assert guardados["documento_identidad"].sha256 == hashlib.sha256(cedula).hexdigest()
    assert guardados["solicitud_firmada"].sha256 == hashlib.sha256(carta).hexdigest()
    assert guardados["documento_identidad"].nombre_original == "cédula.jpg"
    assert guardados["solicitud_firmada"].tipo_contenido == "application/pdf"
    assert guardados["solicitud_firmada"].firma_digital is False
    for a in guardados.values():
        # Random name in private storage, never the citizen's file name.
        assert "cédula" not in a.archivo.name and "solicitud" not in a.archivo.name
        assert a.archivo.storage.exists(a.archivo.name)

    confirmacion = [m for m in mail.outbox if m.to == ["maria.perez@example.com"]]
    assert len(confirmacion) == 1
    assert tramite.referencia in confirmacion[0].subject
    assert tramite.referencia in confirmacion[0].body
    assert guardados["solicitud_firmada"].sha256 in confirmacion[0].body
    assert tramite.correo_confirmacion == confirmacion[0].body


def test_confirmacion_y_comprobante_pdf(enviar, client):
    enviar()
    tramite = Tramite.objects.get()
    pagina = client.get(reverse("publico:confirmacion", args=[tramite.referencia])).content.decode()
    assert tramite.referencia in pagina
    assert "no tiene costo" in pagina
    assert reverse("publico:consulta") in pagina

    pdf = client.get(reverse("publico:comprobante", args=[tramite.referencia]))
    assert pdf["Content-Type"] == "application/pdf"
    texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert tramite.referencia in texto
    assert "1710034065" in texto
    for a in tramite.adjuntos.all():
        assert a.sha256[:32] in texto.replace("\n", "")
    assert "hora de Ecuador" in texto


def test_otra_sesion_no_ve_la_confirmacion_ni_el_comprobante(enviar):
    from django.test import Client

    enviar()
    tramite = Tramite.objects.get()
    extrano = Client()
    assert extrano.get(reverse("publico:confirmacion", args=[tramite.referencia])).status_code == 404
    assert extrano.get(reverse("publico:comprobante", args=[tramite.referencia])).status_code == 404


@pytest.mark.parametrize(
    ("cedula", "valida"),
    [
        ("1710034065", True),
        ("1714307103", True),
        ("0926687856", True),
        ("1710034064", False),  # wrong check digit
        ("9910034065", False),  # no such province
        ("171003406", False),  # nine digits
        ("17100340AB", False),
    ],
)
def test_cedula(enviar, cedula, valida):
    respuesta = enviar(datos=datos_validos(identificacion=cedula))
    assert Tramite.objects.exists() is valida
    if not valida:
        assert respuesta.status_code == 200
        assert "cédula" in respuesta.content.decode().lower()


def _con_control(nueve: str) -> str:
    suma = 0
    for i, d in enumerate(nueve):
        p = int(d) * (2 if i % 2 == 0 else 1)
        suma += p - 9 if p > 9 else p
    return nueve + str((10 - suma % 10) % 10)


@pytest.mark.parametrize(
    ("nueve", "valida", "mensaje"),
    [
        ("300000001", True, None),  # registered abroad
        ("240000001", True, None),  # Santa Elena, the last province
        ("500000001", False, "provincia"),  # stdnum accepts 50; a pensioner's cédula does not
        ("175000001", True, None),  # third digit 5: natural person
        ("176000001", True, None),  # third digit 6: a foreign resident's cédula (ADR 0001)
        ("177000001", False, "el tercer dígito de una cédula es de 0 a 6"),
        ("250000001", False, "provincia"),
    ],
)
def test_bordes_de_la_regla_de_persona_natural(enviar, nueve, valida, mensaje):
    respuesta = enviar(datos=datos_validos(identificacion=_con_control(nueve)))
    assert Tramite.objects.exists() is valida
    if mensaje:
        assert mensaje in respuesta.content.decode()


def test_extranjero_con_codigo_del_iess(enviar):
    enviar(datos=datos_validos(tipo_identificacion="extranjero", identificacion="ab-12345x"))
    assert Tramite.objects.get().identificacion == "AB12345X"


@pytest.mark.parametrize("codigo", ["A1", "X" * 21, "ÁB123", "AB 12<3"])
def test_codigo_de_extranjero_invalido(enviar, codigo):
    respuesta = enviar(datos=datos_validos(tipo_identificacion="extranjero", identificacion=codigo))
    assert not Tramite.objects.exists()
    assert "código de identificación para extranjeros" in respuesta.content.decode()


@pytest.mark.parametrize(
    ("campo", "valor", "texto"),
    [
        ("telefono", "12345", "teléfono válido"),
        ("correo", "no-es-correo", "correo"),
        ("provincia", "99", "Elija la provincia donde se atenderá su trámite"),
        ("mensaje", "x" * 2001, "2000"),
        ("acepta_tratamiento_datos", "", "Debe aceptar el tratamiento"),
    ],
)
def test_datos_invalidos_no_guardan_nada_y_el_resumen_enlaza_al_campo(enviar, campo, valor, texto, tmp_path):
    datos = datos_validos(**{campo: valor})
    if valor == "":
        datos.pop(campo)
    respuesta = enviar(datos=datos)
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert not Tramite.objects.exists()
    assert texto in html
    assert "data-error-summary" in html
    assert f'href="#id_{campo}"' in html
    assert 'aria-invalid="true"' in html


def test_archivos_aceptados_se_retienen_cuando_falla_otro_campo(enviar, client, tmp_path):
    respuesta = enviar(datos=datos_validos(telefono="123"))
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "Archivo cargado:" in html
    assert "cédula.jpg" in html and "solicitud.pdf" in html
    assert Adjunto.objects.filter(tramite__isnull=True).count() == 2

    # Corrected phone, no file chosen again: the held files are used.
    respuesta = enviar_y_confirmar(client, datos_validos())
    assert respuesta.status_code == 302
    tramite = Tramite.objects.get()
    assert tramite.adjuntos.count() == 2
    assert not Adjunto.objects.filter(tramite__isnull=True).exists()


def test_reemplazar_un_archivo_retenido(enviar, client, tmp_path):
    enviar(datos=datos_validos(telefono="123"))
    nueva = files.jpeg_progresivo()
    enviar_y_confirmar(
        client,
        {**datos_validos(), "documento_identidad": SimpleUploadedFile("nueva.jpg", nueva, "image/jpeg")},
    )
    tramite = Tramite.objects.get()
    cedula = tramite.adjuntos.get(tipo="documento_identidad")
    assert cedula.nombre_original == "nueva.jpg"
    assert cedula.sha256 == hashlib.sha256(nueva).hexdigest()
    # The replaced file is gone from disk: only the two files of the case remain.
    assert len(archivos_en_disco(tmp_path / "privado")) == 2


def test_archivo_rechazado_no_se_retiene_ni_se_guarda(enviar, tmp_path):
    respuesta = enviar(archivos=adjuntos(cedula=files.jpeg_borroso()))
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "borrosa" in html
    assert not Tramite.objects.exists()
    # The valid letter is held; the blurred photo is stored nowhere.
    assert list(Adjunto.objects.values_list("tipo", flat=True)) == ["solicitud_firmada"]
    assert len(archivos_en_disco(tmp_path / "privado")) == 1


def test_sin_archivos_pide_ambos(enviar):
    respuesta = enviar(archivos={})
    html = respuesta.content.decode()
    assert "Adjunte su documento de identidad" in html
    assert "Adjunte su solicitud de autorización firmada" in html
    assert not Tramite.objects.exists()


def test_retenidos_viejos_se_purgan(enviar, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from tramites.tasks import purgar_adjuntos_retenidos

    enviar(datos=datos_validos(telefono="123"))
    assert Adjunto.objects.filter(tramite__isnull=True).count() == 2
    assert purgar_adjuntos_retenidos() == 0
    Adjunto.objects.update(creado_en=timezone.now() - timedelta(hours=25))
    assert purgar_adjuntos_retenidos() == 2
    assert not Adjunto.objects.exists()
    assert archivos_en_disco(tmp_path / "privado") == []


def test_fallo_al_guardar_no_deja_tramite_ni_archivos_huerfanos(enviar, client, monkeypatch, tmp_path):
    from tramites import services

    def falla(**kwargs):
        raise RuntimeError("la base de datos se cayó")

    with monkeypatch.context() as m:
        m.setattr(services.HistorialEstado.objects, "create", falla)
        with pytest.raises(RuntimeError):
            enviar()
    assert not Tramite.objects.exists()
    # The files stay held for this session (and are purged with the other held files if never
    # claimed): sending again from the check page works, with nothing chosen twice.
    assert Adjunto.objects.filter(tramite__isnull=True).count() == 2
    assert len(archivos_en_disco(tmp_path / "privado")) == 2
    respuesta = client.post(REVISAR)
    assert respuesta.status_code == 302
    assert Tramite.objects.get().adjuntos.count() == 2
    assert len(archivos_en_disco(tmp_path / "privado")) == 2


def test_un_primer_envio_valido_no_retiene_nada_y_guarda_los_archivos_con_el_caso(enviar, tmp_path):
    respuesta = enviar()
    assert respuesta.status_code == 302
    tramite = Tramite.objects.get()
    assert sorted(tramite.adjuntos.values_list("tipo", "sesion")) == [
        ("documento_identidad", ""),
        ("solicitud_firmada", ""),
    ]
    assert Adjunto.objects.count() == 2
    assert len(archivos_en_disco(tmp_path / "privado")) == 2
