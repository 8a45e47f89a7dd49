"""Upload limits while the body streams (tramites.uploads): per-file cut-off, request-size refusal,
lying Content-Length and malformed multipart bodies answered with 400, never 500, nothing stored."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.template import TemplateDoesNotExist

from tests import files

pytestmark = [pytest.mark.urls("tests.urls_uploads"), pytest.mark.django_db]

RUTA = "/prueba-subida/"
RUTA_PERSONAL = "/personal/prueba-subida/"
LIMITE = "----LimiteDePrueba7MA4YWxkTrZu0gW"
MENSAJE_413 = "demasiado grande"


@pytest.fixture(autouse=True)
def _temporales(settings, tmp_path):
    """Temporary upload files go to a folder of their own, so a test can see that none is left."""
    carpeta = tmp_path / "temporales"
    carpeta.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(carpeta)
    return carpeta


def guardados(settings) -> list:
    raiz = settings.PRIVATE_MEDIA_ROOT
    return [p for p in raiz.rglob("*") if p.is_file()] if raiz.exists() else []


def temporales(settings) -> list:
    return [p for p in Path(settings.FILE_UPLOAD_TEMP_DIR).rglob("*") if p.is_file()]


def multipart(campos: dict, archivos: dict, limite: str = LIMITE) -> bytes:
    """A multipart/form-data body as a browser sends it."""
    partes = []
    for nombre, valor in campos.items():
        partes.append(
            f'--{limite}\r\nContent-Disposition: form-data; name="{nombre}"\r\n\r\n{valor}\r\n'.encode()
        )
    for nombre, (archivo, contenido) in archivos.items():
        cabecera = (
            f'--{limite}\r\nContent-Disposition: form-data; name="{nombre}"; filename="{archivo}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        partes.append(cabecera.encode() + contenido + b"\r\n")
    return b"".join(partes) + f"--{limite}--\r\n".encode()


def wsgi(ruta: str, cuerpo: bytes, *, declarado: int | None, enviado=None, **cabeceras):
    """Call the real WSGI application with a raw environ, as a server would: `declarado` is the
    Content-Length header (None: absent) and `enviado` what actually arrives on the socket (bytes or
    a stream; default `cuerpo`)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": ruta,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": f"multipart/form-data; boundary={LIMITE}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": enviado
        if hasattr(enviado, "read")
        else io.BytesIO(cuerpo if enviado is None else enviado),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **cabeceras,
    }
    if declarado is not None:
        environ["CONTENT_LENGTH"] = str(declarado)
    estado = []
    respuesta = WSGIHandler()(environ, lambda status, headers, exc_info=None: estado.append(status))
    contenido = b"".join(respuesta)
    respuesta.close()
    return int(estado[0].split()[0]), contenido.decode()


# --- per-file limit, enforced while streaming -----------------------------------------------------


@pytest.mark.parametrize("en_memoria", [True, False], ids=["handler-memoria", "handler-temporal"])
def test_archivo_de_exactamente_1_mib_llega_entero(client, settings, en_memoria):
    if not en_memoria:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    datos = files.jpeg_exacto(1_048_576)
    respuesta = client.post(RUTA, {"documento": SimpleUploadedFile("cedula.jpg", datos)})
    assert respuesta.status_code == 200
    assert respuesta.json()["archivos"]["documento"]["tamano"] == 1_048_576
    assert respuesta.json()["excedidos"] == []
    (guardado,) = guardados(settings)
    assert guardado.read_bytes() == datos


@pytest.mark.parametrize("en_memoria", [True, False], ids=["handler-memoria", "handler-temporal"])
def test_archivo_de_un_byte_de_mas_se_descarta_y_se_informa(client, settings, en_memoria):
    if not en_memoria:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    respuesta = client.post(
        RUTA,
        {
            "documento": SimpleUploadedFile("cedula.jpg", files.jpeg_exacto(1_048_577)),
            "solicitud": SimpleUploadedFile("carta.pdf", files.pdf_solicitud()),
            "nombres": "María",
        },
    )
    assert respuesta.status_code == 200
    cuerpo = respuesta.json()
    assert cuerpo["excedidos"] == ["documento"]
    assert set(cuerpo["archivos"]) == {"solicitud"}  # the other file and the fields still arrive
    assert cuerpo["campos"] == {"nombres": "María"}
    assert [p.name for p in guardados(settings)] == ["carta.pdf"]
    assert temporales(settings) == []


def test_bajo_personal_rige_el_limite_del_personal(client, settings, personal):
    """The staff limit is for signed-in staff only: an anonymous post under /personal/ gets the public one."""
    settings.STAFF_UPLOAD_MAX_BYTES = 3 * 1_048_576
    datos = files.jpeg_exacto(2 * 1_048_576)
    publico = client.post(RUTA, {"documento": SimpleUploadedFile("a.jpg", datos)}).json()
    anonimo = client.post(RUTA_PERSONAL, {"documento": SimpleUploadedFile("a.jpg", datos)}).json()
    client.force_login(personal["analista.pichincha"])
    del_personal = client.post(RUTA_PERSONAL, {"documento": SimpleUploadedFile("a.jpg", datos)}).json()
    assert publico["excedidos"] == ["documento"] and publico["archivos"] == {}
    assert anonimo["excedidos"] == ["documento"] and anonimo["archivos"] == {}
    assert del_personal["excedidos"] == [] and del_personal["archivos"]["documento"]["tamano"] == 2 * 1_048_576


def test_el_formulario_puede_mostrar_el_error_de_tamano_del_archivo_descartado(settings):
    """What the lead's forms do with archivos_excedidos: the message a citizen reads."""
    from tramites.validators import error_tamano

    assert error_tamano().messages == [
        "El archivo supera el tamaño máximo de 1 MB (1.048.576 bytes). Reduzca la resolución de la foto o "
        "del escaneo, o divida el documento, e inténtelo de nuevo."
    ]
    assert "10 MB (10.485.760 bytes)" in error_tamano(settings.STAFF_UPLOAD_MAX_BYTES).messages[0]


# --- whole request: declared size ----------------------------------------------------------------


def test_peticion_que_declara_mas_del_maximo_recibe_413_sin_leer_el_cuerpo(settings):
    settings.REQUEST_MAX_BYTES = 50_000
    cuerpo = multipart({}, {"documento": ("a.jpg", b"\xff" * 60_000)})
    socket = io.BytesIO(cuerpo)
    estado, html = wsgi(RUTA, cuerpo, declarado=len(cuerpo), enviado=socket)
    assert estado == 413
    assert MENSAJE_413 in html
    assert socket.tell() == 0  # refused before reading a byte of the body
    assert guardados(settings) == []


def test_413_usa_la_pagina_del_sitio(client, settings):
    settings.REQUEST_MAX_BYTES = 10_000
    respuesta = client.post(RUTA, {"documento": SimpleUploadedFile("a.jpg", b"x" * 20_000)})
    assert respuesta.status_code == 413
    html = respuesta.content.decode()
    assert "El envío es demasiado grande" in html
    assert "<html" in html.lower()


def test_413_sin_plantilla_usa_una_pagina_minima_y_no_un_500(client, settings, monkeypatch):
    def sin_plantilla(*args, **kwargs):
        raise TemplateDoesNotExist("errors/413.html")

    monkeypatch.setattr("tramites.uploads.loader.render_to_string", sin_plantilla)
    settings.REQUEST_MAX_BYTES = 10_000
    respuesta = client.post(RUTA, {"documento": SimpleUploadedFile("a.jpg", b"x" * 20_000)})
    assert respuesta.status_code == 413
    html = respuesta.content.decode()
    assert "El envío es demasiado grande" in html
    assert "Los archivos enviados juntos superan el máximo de" in html


def test_bajo_personal_rige_el_maximo_de_peticion_del_personal(client, settings, personal):
    settings.REQUEST_MAX_BYTES = 10_000
    settings.STAFF_REQUEST_MAX_BYTES = 100_000
    archivo = {"documento": SimpleUploadedFile("a.pdf", files.pdf_solicitud() + b" " * 15_000)}
    assert client.post(RUTA, archivo).status_code == 413
    archivo["documento"].seek(0)
    assert client.post(RUTA_PERSONAL, archivo).status_code == 413  # anonymous: the public maximum
    archivo["documento"].seek(0)
    client.force_login(personal["analista.pichincha"])
    assert client.post(RUTA_PERSONAL, archivo).status_code == 200


def test_cuerpo_por_trozos_sin_content_length_recibe_411(settings):
    cuerpo = multipart({"nombres": "María"}, {})
    estado, html = wsgi(RUTA, cuerpo, declarado=None, HTTP_TRANSFER_ENCODING="chunked")
    assert estado == 411
    assert "sin indicar su tamaño" in html


def test_content_length_no_numerico_recibe_400(settings):
    cuerpo = multipart({"nombres": "María"}, {})
    environ_extra = {"CONTENT_LENGTH": "mil"}
    estado, _ = wsgi(RUTA, cuerpo, declarado=None, **environ_extra)
    assert estado == 400


# --- lying clients and malformed bodies: 400, never 500, nothing stored ---------------------------


def test_control_un_cuerpo_bien_formado_pasa(settings):
    cuerpo = multipart({"nombres": "María"}, {"documento": ("carta.pdf", files.pdf_solicitud())})
    estado, contenido = wsgi(RUTA, cuerpo, declarado=len(cuerpo))
    assert estado == 200
    assert '"nombres": "Mar\\u00eda"' in contenido
    assert len(guardados(settings)) == 1


@pytest.mark.parametrize("en_memoria", [True, False], ids=["handler-memoria", "handler-temporal"])
def test_content_length_mentiroso_no_pasa(settings, en_memoria):
    """The client declares 200 KB (under every limit) and sends 900 KB: the server reads only what
    was declared, so the multipart ends mid-file; the answer is 400 and no file is kept."""
    if not en_memoria:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    cuerpo = multipart({"nombres": "María"}, {"documento": ("foto.jpg", files.jpeg_900kb())})
    estado, html = wsgi(RUTA, cuerpo, declarado=200_000, enviado=cuerpo)
    assert estado == 400
    assert "No pudimos leer su envío" in html
    assert guardados(settings) == []
    assert temporales(settings) == []


def test_content_length_mentiroso_que_corta_un_campo_de_texto_no_pasa(settings):
    """Django alone would accept the cut text field; the closing-boundary check refuses it."""
    cuerpo = multipart({"nombres": "María Fernanda Quishpe"}, {})
    estado, _ = wsgi(RUTA, cuerpo, declarado=len(cuerpo) - 30, enviado=cuerpo)
    assert estado == 400


def test_cuerpo_mas_corto_que_lo_declarado_no_pasa(settings):
    cuerpo = multipart({}, {"documento": ("carta.pdf", files.pdf_solicitud())})
    estado, _ = wsgi(RUTA, cuerpo, declarado=len(cuerpo), enviado=cuerpo[: len(cuerpo) // 2])
    assert estado == 400
    assert guardados(settings) == []


@pytest.mark.parametrize(
    "tipo",
    [
        "multipart/form-data",  # no boundary at all
        "multipart/form-data; boundary=",  # empty boundary
        "multipart/form-data; boundary=" + "x" * 250,  # longer than Django accepts
    ],
)
def test_limite_multipart_invalido_recibe_400(settings, tipo):
    cuerpo = multipart({"nombres": "María"}, {})
    estado, _ = wsgi(RUTA, cuerpo, declarado=len(cuerpo), CONTENT_TYPE=tipo)
    assert estado == 400


def test_cuerpo_que_no_usa_su_limite_recibe_400(settings):
    cuerpo = multipart({"nombres": "María"}, {"documento": ("a.pdf", b"%PDF-1.4")}, limite="OtroLimite")
    estado, _ = wsgi(RUTA, cuerpo, declarado=len(cuerpo))
    assert estado == 400
    assert guardados(settings) == []


def test_basura_en_lugar_de_multipart_recibe_400(settings):
    cuerpo = b"\x00\x01 esto no es multipart " * 100
    estado, _ = wsgi(RUTA, cuerpo, declarado=len(cuerpo))
    assert estado == 400
