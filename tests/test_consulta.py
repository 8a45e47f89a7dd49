"""The status lookup, the public reference format, and the lookup's rate limit."""
import pytest
from django.test import Client
from django.urls import reverse

from tests import files
from tramites import referencias, services
from tramites.models import Adjunto
from tramites.solicitud import services as solicitud
from tramites.validators import validar_adjunto

NO_ENCONTRADO = "No encontramos un trámite con esa referencia y ese número de identificación"


def crear_tramite(**cambios):
    from django.core.files.uploadedfile import SimpleUploadedFile

    adjuntos = []
    for campo, contenido, nombre in [
        (Adjunto.Tipo.DOCUMENTO_IDENTIDAD, files.jpeg_documento(), "cedula.jpg"),
        (Adjunto.Tipo.SOLICITUD_FIRMADA, files.pdf_solicitud(), "carta.pdf"),
    ]:
        archivo = SimpleUploadedFile(nombre, contenido)
        adjuntos.append(
            services.adjunto_guardar(archivo=archivo, validado=validar_adjunto(archivo), tipo=campo, sesion="x")
        )
    datos = {
        "tipo_identificacion": "cedula",
        "identificacion": "1714307103",
        "nombres": "Luis",
        "apellidos": "Quishpe",
        "correo": "luis@example.com",
        "telefono": "+593987654321",
        "provincia": "09",
        "acepta_tratamiento_datos": True,
        **cambios,
    }
    return solicitud.tramite_crear(datos=datos, adjuntos=adjuntos)


def test_referencia_tiene_anio_ocho_caracteres_y_control():
    ref = referencias.generar(2026)
    anio, a, b, control = ref.split("-")
    assert anio == "2026" and len(a + b) == 8 and len(control) == 1
    assert set(a + b + control) <= set(referencias.ALFABETO)
    assert not set("01ILO") & set(a + b + control)
    assert referencias.normalizar(ref.lower().replace("-", " ")) == ref


def test_el_caracter_de_control_detecta_un_error_de_tipeo():
    ref = referencias.generar(2026)
    cuerpo = ref.replace("-", "")
    for i in range(4, len(cuerpo)):
        for c in referencias.ALFABETO:
            if c != cuerpo[i]:
                alterada = cuerpo[:i] + c + cuerpo[i + 1 :]
                assert referencias.normalizar(alterada) is None
    # Two neighbouring characters swapped.
    for i in range(4, len(cuerpo) - 1):
        if cuerpo[i] != cuerpo[i + 1]:
            cambiada = cuerpo[:i] + cuerpo[i + 1] + cuerpo[i] + cuerpo[i + 2 :]
            assert referencias.normalizar(cambiada) is None


def test_consulta_correcta_muestra_la_linea_de_tiempo(client, oficinas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tramite = crear_tramite()
    respuesta = client.post("/consulta/", {"referencia": tramite.referencia.lower(), "identificacion": "1714307103"})
    assert respuesta.status_code == 302
    pagina = client.get(respuesta["Location"]).content.decode()
    assert tramite.referencia in pagina
    assert "Ingresado" in pagina and "Asignado" in pagina
    # Citizen-safe: neither the analyst's name nor internal notes.
    assert "Analista" not in pagina
    assert reverse("publico:comprobante", args=[tramite.referencia]) in pagina


@pytest.mark.parametrize("caso", ["identificacion_ajena", "referencia_inexistente"])
def test_par_equivocado_da_el_mismo_mensaje(client, oficinas, caso):
    tramite = crear_tramite()
    if caso == "identificacion_ajena":
        datos = {"referencia": tramite.referencia, "identificacion": "1710034065"}
    else:
        otra = referencias.generar(2026)
        while otra == tramite.referencia:
            otra = referencias.generar(2026)
        datos = {"referencia": otra, "identificacion": "1714307103"}
    respuesta = client.post("/consulta/", datos)
    assert respuesta.status_code == 200
    assert NO_ENCONTRADO in respuesta.content.decode()
    assert client.get(reverse("publico:consulta_detalle", args=[tramite.referencia])).status_code == 404


def test_referencia_mal_escrita_se_explica(client, db):
    respuesta = client.post("/consulta/", {"referencia": "2026-ABCD-EFGH-Z", "identificacion": "1714307103"})
    html = respuesta.content.decode()
    assert "La referencia no es válida" in html or NO_ENCONTRADO in html


def test_detalle_sin_haber_consultado_es_404(oficinas):
    tramite = crear_tramite()
    assert Client().get(reverse("publico:consulta_detalle", args=[tramite.referencia])).status_code == 404


def test_consultas_repetidas_se_limitan_con_429(client, db, settings):
    settings.RATELIMIT_CONSULTA = "3/10m"
    for _ in range(3):
        assert client.post("/consulta/", {"referencia": "x", "identificacion": "y"}).status_code == 200
    respuesta = client.post("/consulta/", {"referencia": "x", "identificacion": "y"})
    assert respuesta.status_code == 429
    assert "Demasiados intentos" in respuesta.content.decode()
