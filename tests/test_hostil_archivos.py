"""Hostile files at every upload point (issue 6, point 2).

The matrix sends each hostile input to each of the six places where a file enters the system: the
online request form, the citizen's correction, the window registration, the clerk's correction at the
window, the medical reports of the assessment and the PDF check of /verificar/. For every pair the
answer is below 500, no file is left on disk (neither in private storage nor as an upload temporary),
no attachment row appears, and the page says in Spanish what was wrong with the file. The valid
oddities (progressive, CMYK, grayscale, EXIF-rotated and multi-picture JPEGs; PDF 1.7 as LibreOffice
and Word save it; a digitally signed PDF) go through everywhere a JPEG or PDF is expected. File names
with paths, NUL bytes, 300 characters or a right-to-left override are cleaned or refused, never kept.
"""

from __future__ import annotations

import functools
import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.utils import timezone

from tests import files
from tests.fabricas_evaluacion import ACTIVIDADES, LIMITACIONES, tramite_en_evaluacion
from tramites import services
from tramites.estados import Estado
from tramites.management import demo
from tramites.models import Adjunto, Tramite
from tramites.roles import Rol
from tramites.solicitud import services as solicitud
from tramites.tramitacion import enrutamiento
from tramites.tramitacion import services as tramitacion

pytestmark = [pytest.mark.django_db]

MIB = 1_048_576
SOLO_PDF = "Aquí solo se aceptan documentos PDF; este archivo no lo es."


@pytest.fixture(autouse=True)
def _rapido_y_aislado(settings, tmp_path):
    """Upload temporaries in a folder of their own, forced to disk for every file, so a temporary
    left behind would be seen."""
    carpeta = tmp_path / "temporales"
    carpeta.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(carpeta)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0


def _archivos(raiz: Path) -> set[Path]:
    return {p for p in raiz.rglob("*") if p.is_file()} if raiz.exists() else set()


def _en_disco(settings) -> set[Path]:
    return _archivos(Path(settings.PRIVATE_MEDIA_ROOT)) | _archivos(Path(settings.FILE_UPLOAD_TEMP_DIR))


def _texto(respuesta) -> str:
    return html.unescape(respuesta.content.decode())


# --------------------------------------------------------------------------- the upload points


@dataclass
class Escena:
    """One upload point ready to receive a file: who posts, where, with which other fields."""

    cliente: Client
    url: str
    campo: str  # the file field the hostile input goes into
    datos: dict  # the other fields, valid
    completar: dict = field(default_factory=dict)  # what a complete, acceptable submission adds
    tramite: Tramite | None = None
    cookies: str = ""


@dataclass(frozen=True)
class Punto:
    nombre: str
    limite: Callable[[], int]  # the largest file this point accepts
    preparar: Callable[..., Escena]
    solo_pdf: bool = False  # /verificar/ checks issued resolutions, which are PDFs

    def __str__(self) -> str:
        return self.nombre


def _pdf(nombre: str = "solicitud.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, files.pdf_solicitud(), "application/pdf")


def _observado(personal) -> Tramite:
    """A Pichincha case (without files, they are not what is tested here) observed by its analyst."""
    tramite = solicitud.tramite_crear(
        datos={
            "tipo_identificacion": "cedula",
            "identificacion": "1710034065",
            "nombres": "María Fernanda",
            "apellidos": "Quishpe Andrango",
            "correo": "maria.quishpe@example.ec",
            "telefono": "+593991234567",
            "provincia": "17",
            "acepta_tratamiento_datos": True,
        },
        adjuntos=[],
    )
    enrutamiento.tramite_enrutar(tramite_id=tramite.pk)
    tramite.refresh_from_db()
    services.tramite_transicionar(tramite=tramite, accion="tomar", actor=Rol.ANALISTA, usuario=tramite.analista)
    tramitacion.tramite_observar(
        tramite=tramite, usuario=tramite.analista, motivo="La foto de la cédula está cortada."
    )
    tramite.refresh_from_db()
    assert tramite.estado == Estado.OBSERVADO
    return tramite


@pytest.fixture(scope="module")
def base(django_db_setup, django_db_blocker):
    """Demo offices and staff, an observed case and a case in evaluation, made once for the module
    inside a transaction that is rolled back at its end (as Django's TestCase.setUpTestData does);
    each test runs in a savepoint inside it, so what one test changes the next does not see."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        for rol in Rol:
            Group.objects.get_or_create(name=rol.value)
        demo.cargar_usuarios()
        personal = {u.username: u for u in get_user_model().objects.all()}
        yield {
            "personal": personal,
            "observado": _observado(personal),
            "en_evaluacion": tramite_en_evaluacion(personal),
        }
        transaction.set_rollback(True)


def _personal(usuario) -> Client:
    c = Client()
    c.force_login(usuario)
    return c


def _solicitud(base) -> Escena:
    datos = {
        "tipo_identificacion": "cedula",
        "identificacion": "1710034065",
        "nombres": "María José",
        "apellidos": "Pérez Andrade",
        "correo": "maria.perez@example.com",
        "telefono": "0991234567",
        "telefono_alterno": "",
        "provincia": "17",
        "mensaje": "Solicito la autorización para volver a trabajar.",
        "acepta_tratamiento_datos": "on",
    }
    return Escena(Client(), "/solicitud/", "documento_identidad", datos, {"solicitud_firmada": _pdf})


def _subsanacion(base) -> Escena:
    tramite = base["observado"]
    c = Client()
    r = c.post("/consulta/", {"referencia": tramite.referencia, "identificacion": tramite.identificacion})
    assert r.status_code == 302  # this session may now see (and correct) the case
    return Escena(
        c, f"/consulta/{tramite.referencia}/subsanar/", "documento", {"comentario": ""}, tramite=tramite
    )


def _ventanilla(base) -> Escena:
    datos = {
        "quipux": "IESS-DSGRT-2022-0409-M",
        "tipo_identificacion": "cedula",
        "identificacion": "0926687856",
        "nombres": "José Luis",
        "apellidos": "Mendoza Cedeño",
        "correo": "jose.mendoza@example.ec",
        "telefono": "0987654321",
        "telefono_alterno": "",
        "provincia": "17",
        "mensaje": "",
        "originales_vistos": "on",
        "firma_manuscrita_verificada": "on",
        "acepta_tratamiento_datos": "on",
    }
    return Escena(
        _personal(base["personal"]["ventanilla.pichincha"]),
        "/personal/presencial/nuevo/",
        "documento_identidad",
        datos,
        {"solicitud_firmada": _pdf},
    )


def _subsanacion_ventanilla(base) -> Escena:
    tramite = base["observado"]
    return Escena(
        _personal(base["personal"]["ventanilla.pichincha"]),
        f"/personal/tramites/{tramite.referencia}/subsanar/",
        "subsanar-documento",
        {"subsanar-comentario": ""},
        tramite=tramite,
    )


def _evaluacion(base) -> Escena:
    tramite = base["en_evaluacion"]
    datos = {
        "fecha": timezone.localdate().isoformat(),
        "porcentaje_capacidad": "62.5",
        "limitaciones": LIMITACIONES,
        "actividades_compatibles": ACTIVIDADES,
        "restricciones": "",
        "conclusion": "apto",
        "notas": "",
    }
    return Escena(
        _personal(base["personal"]["evaluador.pichincha"]),
        f"/personal/tramites/{tramite.referencia}/evaluacion/",
        "informe_1",
        datos,
        tramite=tramite,
    )


def _verificacion(base) -> Escena:
    return Escena(Client(), "/verificar/", "p-documento", {"metodo": "pdf"})


PUNTOS = [
    Punto("solicitud", lambda: django_settings.UPLOAD_MAX_BYTES, _solicitud),
    Punto("subsanacion", lambda: django_settings.UPLOAD_MAX_BYTES, _subsanacion),
    Punto("ventanilla", lambda: django_settings.STAFF_UPLOAD_MAX_BYTES, _ventanilla),
    Punto("subsanacion-ventanilla", lambda: django_settings.STAFF_UPLOAD_MAX_BYTES, _subsanacion_ventanilla),
    Punto("evaluacion", lambda: django_settings.STAFF_UPLOAD_MAX_BYTES, _evaluacion),
    Punto("verificacion", lambda: django_settings.VERIFICAR_MAX_BYTES, _verificacion, solo_pdf=True),
]


PUNTOS_DEL_PERSONAL = ("ventanilla", "subsanacion-ventanilla", "evaluacion")


@pytest.fixture(params=PUNTOS, ids=str)
def punto(request):
    return request.param


@pytest.fixture
def escena(punto, base, request) -> Escena:
    if punto.solo_pdf:
        request.getfixturevalue("certificado_demo")  # signed PDFs are checked against the demo CA
    return punto.preparar(base)


def _enviar(escena: Escena, nombre: str, datos: bytes, *, completo: bool = False):
    cuerpo = {**escena.datos, escena.campo: SimpleUploadedFile(nombre, datos, "application/octet-stream")}
    if completo:
        cuerpo.update({campo: fabrica() for campo, fabrica in escena.completar.items()})
    return escena.cliente.post(escena.url, cuerpo)


# --------------------------------------------------------------------------- hostile inputs

JPEG_OCULTO = "contiene datos ocultos añadidos que no forman parte de la foto"
PDF_ILEGIBLE = "No se pudo leer el PDF"
NO_ACEPTADO = "y ese formato no se acepta. Solo se aceptan fotos JPG o documentos PDF"
NO_CORRESPONDE = "no corresponde a su contenido"


@functools.lru_cache(maxsize=8)
def _un_byte_de_mas(limite: int) -> bytes:
    return files.jpeg_exacto(limite + 1)


@functools.lru_cache(maxsize=1)
def _pdf_anidado() -> bytes:
    return files.pdf_anidado()


@functools.lru_cache(maxsize=1)
def _pdf_miles() -> bytes:
    return files.pdf_miles_de_paginas()


# name -> (file name, bytes (or a function of the point's limit), the Spanish words the page must show)
HOSTILES: dict[str, tuple[str, Callable[[int], bytes], str]] = {
    # polyglots
    "jpeg+zip": ("cedula.jpg", lambda _: files.jpeg_con_zip(), JPEG_OCULTO),
    "zip-en-comentario-jpeg": ("cedula.jpg", lambda _: files.jpeg_con_zip_en_comentario(), JPEG_OCULTO),
    "html+pdf": (
        "solicitud.pdf",
        lambda _: files.pdf_html_antes(),
        "tiene contenido extraño antes de su inicio",
    ),
    "pdf+zip": ("solicitud.pdf", lambda _: files.pdf_con_zip(), "El PDF contiene datos ocultos añadidos"),
    # impostors renamed
    "svg-como-jpg": ("cedula.jpg", lambda _: files.svg_imagen(), "un dibujo SVG, " + NO_ACEPTADO),
    "html-como-jpg": ("cedula.jpg", lambda _: files.html_pagina(), "una página web (HTML), " + NO_ACEPTADO),
    "exe-como-jpg": (
        "cedula.jpg",
        lambda _: files.exe_renombrado(),
        "un programa ejecutable, " + NO_ACEPTADO,
    ),
    "zip-como-pdf": ("solicitud.pdf", lambda _: files.zip_archivo(), "un archivo comprimido (ZIP)"),
    "png-como-jpg": ("cedula.jpg", lambda _: files.png_documento(), "una imagen PNG, " + NO_ACEPTADO),
    "heic-como-jpg": (
        "cedula.jpg",
        lambda _: files.heic_imagen(),
        "Solo se aceptan fotos JPG o documentos PDF. En el iPhone",
    ),
    "texto-como-pdf": ("solicitud.pdf", lambda _: files.texto_plano(), "No se reconoce el tipo de archivo"),
    "jpeg-llamado-pdf": ("solicitud.pdf", lambda _: files.jpeg_documento(), NO_CORRESPONDE),
    # bombs and broken files
    "jpeg-bomba-de-descompresion": (
        "cedula.jpg",
        lambda _: files.jpeg_bomba(),
        "La imagen tiene demasiados píxeles",
    ),
    "jpeg-truncado": ("cedula.jpg", lambda _: files.jpeg_truncado(), "La imagen está dañada o incompleta"),
    "pdf-truncado": ("solicitud.pdf", lambda _: files.pdf_truncado(), PDF_ILEGIBLE),
    "vacio": ("cedula.jpg", lambda _: b"", "El archivo está vacío"),
    "un-byte-de-mas": ("cedula.jpg", _un_byte_de_mas, "El archivo supera el tamaño máximo de"),
    # active or hidden PDF content
    "pdf-javascript": (
        "solicitud.pdf",
        lambda _: files.pdf_javascript(),
        "El PDF contiene código JavaScript",
    ),
    "pdf-javascript-al-abrir": (
        "solicitud.pdf",
        lambda _: files.pdf_javascript_apertura(),
        "El PDF contiene código JavaScript",
    ),
    "pdf-javascript-escondido": (
        "solicitud.pdf",
        lambda _: files.pdf_javascript_oculto(),
        "El PDF contiene código JavaScript",
    ),
    "pdf-launch": ("solicitud.pdf", lambda _: files.pdf_launch(), "acciones que abren otros programas"),
    "pdf-adjunto": ("solicitud.pdf", lambda _: files.pdf_adjunto(), "lleva otros archivos adjuntos dentro"),
    "pdf-anotacion-adjunto": (
        "solicitud.pdf",
        lambda _: files.pdf_anotacion_adjunto(),
        "lleva otros archivos adjuntos dentro",
    ),
    "pdf-cifrado": ("solicitud.pdf", lambda _: files.pdf_cifrado(), "pide una contraseña para abrirlo"),
    "pdf-anidado": ("solicitud.pdf", lambda _: _pdf_anidado(), PDF_ILEGIBLE),
    "pdf-bomba-de-descompresion": ("solicitud.pdf", lambda _: files.pdf_bomba_flate(), PDF_ILEGIBLE),
    "pdf-miles-de-paginas": ("solicitud.pdf", lambda _: _pdf_miles(), "El PDF tiene más de 10 páginas"),
    "pdf-cuenta-de-paginas-falsa": (
        "solicitud.pdf",
        lambda _: files.pdf_cuenta_falsa(),
        "El PDF tiene más de 10 páginas",
    ),
    "pdf-sin-paginas": ("solicitud.pdf", lambda _: files.pdf_sin_paginas(), "El PDF no tiene ninguna página"),
    # hostile names on files that would otherwise pass
    "rlo-gpj.exe": ("\u202egpj.exe", lambda _: files.jpeg_documento(), NO_CORRESPONDE),
    "doble-extension": ("cedula.jpg.exe", lambda _: files.jpeg_documento(), NO_CORRESPONDE),
    "nombre-con-html": (
        '"><img src=x onerror=alert(1)>.exe',
        lambda _: files.jpeg_documento(),
        NO_CORRESPONDE,
    ),
}


@pytest.mark.parametrize("hostil", list(HOSTILES))
def test_entrada_hostil(punto, escena, settings, hostil):
    nombre, generar, mensaje = HOSTILES[hostil]
    datos = generar(punto.limite())
    if punto.solo_pdf and datos.startswith(b"\xff\xd8\xff") and "tamaño máximo" not in mensaje:
        mensaje = SOLO_PDF  # /verificar/ refuses a photo by its first bytes, before looking into it
    antes_disco, antes_filas = _en_disco(settings), Adjunto.objects.count()

    respuesta = _enviar(escena, nombre, datos)

    assert respuesta.status_code < 500
    assert respuesta.status_code != 302  # not taken as a success
    texto = _texto(respuesta)
    assert mensaje in texto, f"{punto}/{hostil}: falta «{mensaje}»"
    assert "<img src=x" not in respuesta.content.decode()  # a name shown back is escaped
    assert _en_disco(settings) == antes_disco
    assert Adjunto.objects.count() == antes_filas
    if escena.tramite is not None:
        escena.tramite.refresh_from_db()
        assert escena.tramite.estado in (Estado.OBSERVADO, Estado.EN_EVALUACION)  # unchanged


def test_el_catalogo_cumple_el_minimo_del_issue():
    assert len(HOSTILES) + 1 >= 30  # + the lying Content-Length below
    assert all(django_settings.STAFF_UPLOAD_MAX_BYTES > MIB for _ in PUNTOS_DEL_PERSONAL)
    assert len(PUNTOS) == 6


# --------------------------------------------------------------------------- a lying Content-Length

LIMITE = "----LimiteHostil7MA4YWxkTrZu0gW"
CSRF = "a" * 32  # an unmasked CSRF secret: valid as cookie and as form token


def _multipart(campos: dict, archivos: dict) -> bytes:
    partes = [
        f'--{LIMITE}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n'.encode()
        for n, v in campos.items()
    ]
    for n, (archivo, contenido) in archivos.items():
        cabecera = (
            f'--{LIMITE}\r\nContent-Disposition: form-data; name="{n}"; filename="{archivo}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        partes.append(cabecera.encode() + contenido + b"\r\n")
    return b"".join(partes) + f"--{LIMITE}--\r\n".encode()


def _wsgi(escena: Escena, cuerpo: bytes, declarado: int) -> tuple[int, str]:
    """The real WSGI application called as a server would, with the declared Content-Length."""
    cookies = "; ".join(f"{k}={v.value}" for k, v in escena.cliente.cookies.items())
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": escena.url,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": f"{cookies}; csrftoken={CSRF}".lstrip("; "),
        "CONTENT_TYPE": f"multipart/form-data; boundary={LIMITE}",
        "CONTENT_LENGTH": str(declarado),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(cuerpo),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    estado = []
    # As the test client does: a real handler closes the database connection when the request ends,
    # which would end the test's transaction on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        respuesta = WSGIHandler()(environ, lambda status, headers, exc_info=None: estado.append(status))
        contenido = b"".join(respuesta)
        respuesta.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(estado[0].split()[0]), html.unescape(contenido.decode())


def _cuerpo_completo(escena: Escena) -> bytes:
    archivos = {escena.campo: ("foto.jpg", files.jpeg_900kb())}
    archivos.update({c: ("solicitud.pdf", files.pdf_solicitud()) for c in escena.completar})
    return _multipart({**escena.datos, "csrfmiddlewaretoken": CSRF}, archivos)


def test_content_length_mentiroso(punto, escena, settings):
    """The client declares 200 KB and sends a 900 KB photo: the body read ends mid-file; 400, nothing kept."""
    cuerpo = _cuerpo_completo(escena)
    antes_disco, antes_filas = _en_disco(settings), Adjunto.objects.count()
    estado, texto = _wsgi(escena, cuerpo, declarado=200_000)
    assert estado == 400
    assert "No pudimos leer su envío" in texto
    assert _en_disco(settings) == antes_disco
    assert Adjunto.objects.count() == antes_filas


def test_content_length_honesto_pasa(punto, escena):
    """Control: the same raw request with its true length gets through session, CSRF and the form."""
    if punto.solo_pdf:
        cuerpo = _multipart(
            {"metodo": "pdf", "csrfmiddlewaretoken": CSRF},
            {escena.campo: ("resolucion.pdf", files.pdf_solicitud())},
        )
        estado, texto = _wsgi(escena, cuerpo, declarado=len(cuerpo))
        assert estado == 200 and "Desconocido" in texto
        return
    cuerpo = _cuerpo_completo(escena)
    estado, _ = _wsgi(escena, cuerpo, declarado=len(cuerpo))
    assert estado == 302


# --------------------------------------------------------------------------- valid oddities

ODDITIES: dict[str, tuple[str, Callable[[], bytes]]] = {
    "jpeg-progresivo": ("cedula.jpg", files.jpeg_progresivo),
    "jpeg-cmyk": ("cedula.jpg", files.jpeg_cmyk),
    "jpeg-gris": ("escaneo.jpeg", files.jpeg_gris),
    "jpeg-rotado-exif": ("IMG_20260302_101500.jpg", files.jpeg_rotado_exif),
    "jpeg-multiimagen": ("PXL_20260302.jpg", files.jpeg_mpo),
    "jpeg-relleno-final": ("cedula.JPG", files.jpeg_relleno_final),
    "pdf-1.7-libreoffice": ("solicitud.pdf", files.pdf_libreoffice),
    "pdf-1.7-word": ("solicitud.pdf", files.pdf_word),
    "pdf-firmado-firmaec": ("solicitud firmada.pdf", files.pdf_firmado),
}


def _aceptado(punto: Punto, escena: Escena, respuesta, settings, antes_filas: int) -> None:
    assert respuesta.status_code < 400, _texto(respuesta)[:3000]
    if punto.solo_pdf:
        assert "Desconocido" in _texto(respuesta)  # checked (not one of ours), and nothing kept
        return
    assert respuesta.status_code == 302
    assert Adjunto.objects.count() > antes_filas
    if escena.tramite is not None:
        escena.tramite.refresh_from_db()
        assert escena.tramite.estado in (Estado.EN_REVISION, Estado.EVALUADO)


@pytest.mark.parametrize("rareza", list(ODDITIES))
def test_rareza_valida_se_acepta(punto, escena, settings, rareza):
    nombre, generar = ODDITIES[rareza]
    antes_filas = Adjunto.objects.count()
    respuesta = _enviar(escena, nombre, generar(), completo=True)
    if punto.solo_pdf and not nombre.endswith(".pdf"):
        # /verificar/ expects an issued resolution: a valid photo is refused in words, not with an error.
        assert respuesta.status_code == 400
        assert SOLO_PDF in _texto(respuesta)
        return
    _aceptado(punto, escena, respuesta, settings, antes_filas)


@pytest.mark.parametrize("punto", [p for p in PUNTOS if p.nombre in PUNTOS_DEL_PERSONAL], ids=str)
def test_un_mib_y_un_byte_es_valido_para_el_personal(punto, escena, settings):
    """1 MiB is the citizen limit (hostile above); staff scans may weigh up to STAFF_UPLOAD_MAX_BYTES."""
    antes_filas = Adjunto.objects.count()
    respuesta = _enviar(escena, "escaneo.jpg", files.jpeg_exacto(MIB + 1), completo=True)
    _aceptado(punto, escena, respuesta, settings, antes_filas)


# --------------------------------------------------------------------------- hostile names on valid files

NOMBRES = {
    "ruta-relativa": ("../../etc/passwd.jpg", "passwd.jpg"),
    "ruta-windows": ("..\\..\\Windows\\System32\\cedula.jpg", "cedula.jpg"),
    "byte-nul": ("a\x00b.jpg", None),
    "300-caracteres": ("n" * 296 + ".jpg", None),
    "rlo-dentro": ("foto\u202egpj.jpg", "fotogpj.jpg"),
    "html": ("<script>alert(1)<.jpg", None),
}


@pytest.mark.parametrize("caso", list(NOMBRES))
def test_nombre_hostil_se_limpia_y_nunca_se_usa(punto, escena, settings, tmp_path, caso):
    dado, esperado = NOMBRES[caso]
    datos = files.jpeg_documento()
    if punto.solo_pdf:
        dado, datos = dado.replace(".jpg", ".pdf"), files.pdf_solicitud()
        esperado = esperado and esperado.replace(".jpg", ".pdf")
    antes_disco, antes_ids = _en_disco(settings), set(Adjunto.objects.values_list("pk", flat=True))

    respuesta = _enviar(escena, dado, datos, completo=True)

    assert respuesta.status_code < 500
    nuevos = Adjunto.objects.exclude(pk__in=antes_ids)
    if punto.solo_pdf:
        assert "Desconocido" in _texto(respuesta)
        assert not nuevos.exists() and _en_disco(settings) == antes_disco
        return
    assert respuesta.status_code == 302, _texto(respuesta)[:3000]
    (guardado,) = [a for a in nuevos if a.tipo_contenido == "image/jpeg"]
    limpio = guardado.nombre_original
    assert len(limpio) <= 120 and limpio.endswith(".jpg")
    assert not set(limpio) & set("/\\\x00\u202e<>")
    if esperado:
        assert limpio == esperado
    # On disk only random names inside private storage; nothing outside it, nothing under the given name.
    raiz = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    for ruta in _en_disco(settings) - antes_disco:
        assert ruta.resolve().is_relative_to(raiz)
        assert ruta.name != limpio and ruta.name != dado
    assert not (tmp_path.parent / "etc").exists() and not list(tmp_path.rglob("passwd*"))
