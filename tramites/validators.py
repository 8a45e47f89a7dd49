"""The one attachment validator chain: every upload point (online form, window, corrections, staff,
/verificar/) calls `validar_adjunto` or uses `AdjuntoField`.

The chain is a list of small steps run in order (emptiness, size, type by content, extension, real
parse and quality); the first step that refuses raises a `ValidationError` whose message tells the
citizen, in plain Spanish, what to do. Error codes: vacio, tamano, tipo, extension, jpeg_danado,
jpeg_datos_extra, jpeg_pixeles, jpeg_resolucion, jpeg_oscura, jpeg_clara, jpeg_borrosa,
jpeg_contraste, pdf_encabezado, pdf_datos_extra, pdf_danado, pdf_complejo, pdf_cifrado,
pdf_sin_paginas, pdf_paginas, pdf_javascript, pdf_launch, pdf_adjuntos.

Photo quality (JPEG) is judged on a grayscale copy decoded at reduced scale (libjpeg's DCT scaling
via `Image.draft`, so the shorter side lands between 450 and 900 pixels):

- brightness: mean gray level (0-255);
- contrast: spread of the gray levels, from the 0.5th to the 99.5th percentile (ink against paper).
  The standard deviation was measured too and rejected: a sharp, readable photo of a page with little
  text in indoor light has a deviation of 10, below a washed-out photo's 11.5, while their spreads are
  82 and 39;
- sharpness: how steep the strongest edges are, i.e. the 99.5th percentile of the largest difference
  between neighbouring pixels divided by the gray-level spread (0.5th to 99.5th percentile). Printed
  text photographed in focus changes from ink to paper within a pixel (about 0.8-1.0); out of focus
  the change spreads over several pixels (under 0.4). The ratio ignores how much text the page has
  and how bright it is, unlike the variance of a Laplacian, which on these images swung with noise
  and exposure by more than the gap between sharp and blurred photos.

Thresholds (settings JPEG_*), measured with `medir_jpeg` on the generators of tests/files.py: 675
variants (letter, ID card, page with little text, flatbed scan, each sharp or blurred; 1200-4000 px
wide; sensor noise sigma 1-8; JPEG quality 50 and 85; normal and half exposure), and
`python -m bench.validate_jpeg`:
- sharpness: in focus 0.778 lowest (ID card, noise 8), 0.86 median, jpeg_documento 0.88; blur of
  2 px per 1600 px 0.18-0.57 (the ambiguous zone); blur >= 3 px 0.366 highest, jpeg_borroso 0.135.
  JPEG_MIN_SHARPNESS = 0.5: no sharp variant refused, no blurred (>= 3 px) accepted.
- brightness: jpeg_documento 162, flatbed scans 237-246, darkest sharp variant 58 (ID card at half
  exposure), jpeg_oscuro 32. JPEG_MIN_BRIGHTNESS = 45. JPEG_MAX_BRIGHTNESS = 252: only a nearly
  all-white frame, since clean scans of a sparse page reach 246-250; washed-out photos fail contrast.
- contrast (spread): jpeg_documento 195, lowest sharp variant 82 (sparse page, half exposure);
  jpeg_lavado 39, jpeg_poco_contraste 30. JPEG_MIN_CONTRAST = 55.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

TIPO_JPEG = "image/jpeg"
TIPO_PDF = "application/pdf"
EXTENSIONES = {TIPO_JPEG: ("jpg", "jpeg"), TIPO_PDF: ("pdf",)}
ACEPTA = ".jpg,.jpeg,.pdf,image/jpeg,application/pdf"
NOMBRE_MAX = 120

# Bytes of anything tolerated after the last JPEG EOI (some encoders leave a few); padding of NUL or
# 0xFF bytes is tolerated at any length. A ZIP needs at least 22 bytes and is looked for anyway.
COLA_JPEG_TOLERADA = 16
FIRMAS_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
PDF_MAX_OBJETOS = 20_000
PDF_MAX_PROFUNDIDAD = 100


@dataclass(frozen=True)
class ArchivoValidado:
    tipo_contenido: str  # "image/jpeg" | "application/pdf"
    extension: str  # "jpg" | "pdf"
    tamano: int
    sha256: str
    nombre_original: str  # sanitized, see sanitize_filename
    firma_digital: bool | None  # None for JPEG


@dataclass
class Adjunto:
    """What flows through the chain; steps fill `tipo`, `gris` and `firma_digital` as they learn them."""

    nombre: str
    datos: bytes
    max_bytes: int
    tipo: str | None = None
    gris: Image.Image | None = None  # reduced grayscale decode of a JPEG
    firma_digital: bool | None = None

    @property
    def tamano(self) -> int:
        return len(self.datos)


Paso = Callable[[Adjunto], None]


# --------------------------------------------------------------------------- file names

_PROHIBIDOS = re.compile(r'[<>:"|?*]')


def sanitize_filename(name: str) -> str:
    """Basename only, NFC, no control/format (bidi, zero-width) characters, at most 120 characters
    keeping the extension. Never empty: falls back to "archivo"."""
    nombre = unicodedata.normalize("NFC", str(name or ""))
    nombre = re.split(r"[/\\]", nombre)[-1]
    nombre = "".join(c for c in nombre if unicodedata.category(c)[0] != "C")
    nombre = _PROHIBIDOS.sub("_", nombre)
    nombre = " ".join(nombre.split()).strip(" .")
    if not nombre:
        return "archivo"
    if len(nombre) > NOMBRE_MAX:
        raiz, punto, extension = nombre.rpartition(".")
        if punto and raiz and 0 < len(extension) <= 10:
            nombre = raiz[: NOMBRE_MAX - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            nombre = nombre[:NOMBRE_MAX].rstrip(" .")
    return nombre


def _extension(nombre: str) -> str:
    raiz, punto, extension = nombre.rpartition(".")
    return extension.lower() if punto and raiz else ""


# --------------------------------------------------------------------------- size


def _numero(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def error_tamano(max_bytes: int | None = None) -> ValidationError:
    """The size refusal, also used by forms for files the upload handlers dropped while streaming."""
    limite = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    megas = limite / 1_048_576
    texto_megas = f"{megas:g}".replace(".", ",") if megas >= 0.1 else "0,1"
    return ValidationError(
        _(
            "El archivo supera el tamaño máximo de %(megas)s MB (%(bytes)s bytes). Reduzca la resolución "
            "de la foto o del escaneo, o divida el documento, e inténtelo de nuevo."
        ),
        code="tamano",
        params={"megas": texto_megas, "bytes": _numero(limite)},
    )


def no_vacio(adjunto: Adjunto) -> None:
    if not adjunto.datos:
        raise ValidationError(
            _("El archivo está vacío. Elija de nuevo la foto o el documento e inténtelo otra vez."),
            code="vacio",
        )


def tamano_maximo(adjunto: Adjunto) -> None:
    if adjunto.tamano > adjunto.max_bytes:
        raise error_tamano(adjunto.max_bytes)


# --------------------------------------------------------------------------- type by content

_DESCRIPCIONES = {
    "png": _("una imagen PNG"),
    "gif": _("una imagen GIF"),
    "webp": _("una imagen WebP"),
    "heic": _("una foto HEIC o AVIF (formato de iPhone y de algunos teléfonos)"),
    "tiff": _("una imagen TIFF"),
    "bmp": _("una imagen BMP"),
    "svg": _("un dibujo SVG"),
    "html": _("una página web (HTML)"),
    "zip": _("un archivo comprimido (ZIP) o un documento de Word, Excel u otro programa de oficina"),
    "rar": _("un archivo comprimido"),
    "ejecutable": _("un programa ejecutable"),
    "ole": _("un documento de Word o Excel antiguo"),
}


def _detectar(datos: bytes) -> str | None:
    """Name of the format the first bytes reveal, None when unknown."""
    if datos.startswith(b"\xff\xd8\xff"):
        return TIPO_JPEG
    if datos.startswith(b"%PDF-"):
        return TIPO_PDF
    if b"%PDF-" in datos[:1024]:
        return "pdf_desplazado"
    firmas = (
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"BM", "bmp"),
        (b"PK\x03\x04", "zip"),
        (b"PK\x05\x06", "zip"),
        (b"Rar!", "rar"),
        (b"7z\xbc\xaf", "rar"),
        (b"MZ", "ejecutable"),
        (b"\x7fELF", "ejecutable"),
        (b"\xd0\xcf\x11\xe0", "ole"),
    )
    for firma, nombre in firmas:
        if datos.startswith(firma):
            return nombre
    if datos[:4] == b"RIFF" and datos[8:12] == b"WEBP":
        return "webp"
    if datos[4:8] == b"ftyp" and datos[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"hevc"):
        return "heic"
    inicio = datos[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in inicio:
        return "svg"
    if inicio.startswith((b"<!doctype html", b"<html", b"<script", b"<head", b"<body", b"<?xml")):
        return "html"
    return None


def tipo_por_contenido(adjunto: Adjunto) -> None:
    detectado = _detectar(adjunto.datos)
    if detectado in (TIPO_JPEG, TIPO_PDF):
        adjunto.tipo = detectado
        return
    if detectado == "pdf_desplazado":
        raise ValidationError(
            _(
                "El PDF tiene contenido extraño antes de su inicio y no se puede aceptar. Vuelva a "
                "generarlo desde el programa o el escáner original e inténtelo de nuevo."
            ),
            code="pdf_encabezado",
        )
    if detectado == "heic":
        raise ValidationError(
            _(
                "El archivo es %(tipo)s, y ese formato no se acepta. Solo se aceptan fotos JPG o "
                "documentos PDF. En el iPhone, compártala como JPG o elija «Más compatible» en "
                "Ajustes > Cámara > Formatos y tome la foto de nuevo."
            ),
            code="tipo",
            params={"tipo": _DESCRIPCIONES["heic"]},
        )
    if detectado:
        raise ValidationError(
            _(
                "El archivo es %(tipo)s, y ese formato no se acepta. Solo se aceptan fotos JPG o "
                "documentos PDF: guarde o exporte el documento en uno de esos formatos e inténtelo de nuevo."
            ),
            code="tipo",
            params={"tipo": _DESCRIPCIONES[detectado]},
        )
    raise ValidationError(
        _(
            "No se reconoce el tipo de archivo. Solo se aceptan fotos JPG o documentos PDF: guarde o "
            "exporte el documento en uno de esos formatos e inténtelo de nuevo."
        ),
        code="tipo",
    )


def extension_coincide(adjunto: Adjunto) -> None:
    extension = _extension(adjunto.nombre)
    if extension in EXTENSIONES[adjunto.tipo]:
        return
    raise ValidationError(
        _(
            "El nombre del archivo («%(nombre)s») no corresponde a su contenido, que es %(tipo)s. Una foto "
            "JPG debe terminar en .jpg o .jpeg y un documento PDF en .pdf. Guárdelo con la extensión "
            "correcta e inténtelo de nuevo."
        ),
        code="extension",
        params={
            "nombre": adjunto.nombre,
            "tipo": _("una foto JPG") if adjunto.tipo == TIPO_JPEG else _("un documento PDF"),
        },
    )


# --------------------------------------------------------------------------- JPEG

_JPEG_DANADO = _(
    "La imagen está dañada o incompleta y no se puede abrir. Vuelva a tomar la foto o a copiarla "
    "desde el teléfono e inténtelo de nuevo."
)
_JPEG_EXTRA = _(
    "La imagen contiene datos ocultos añadidos que no forman parte de la foto. Ábrala y guárdela de nuevo "
    "como JPG (o tome una captura de pantalla) e inténtelo otra vez."
)


class _Danado(Exception):
    pass


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


# In entropy-coded data 0xFF is followed by 00 (stuffing), D0-D7 (restart) or FF (fill): anything else
# is the next marker. A regex without repetition runs at C speed over a megabyte (under 1 ms).
_MARCADOR = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _fin_jpeg(datos: bytes, pos: int, medidas: list | None = None) -> int:
    """Walk a JPEG's segments from `pos` (just after SOI) to its EOI; return the offset after EOI.

    The frame size (width, height) of the first SOF header is appended to `medidas` when given.

    Raises _Danado when the structure breaks or ends early, ValidationError for a ZIP hidden in a
    metadata segment.
    """
    n = len(datos)
    while True:
        if pos + 1 >= n or datos[pos] != 0xFF:
            raise _Danado
        while pos + 1 < n and datos[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= n:
            raise _Danado
        marcador = datos[pos + 1]
        if marcador == 0xD9:
            return pos + 2
        if marcador == 0x01 or 0xD0 <= marcador <= 0xD7:
            pos += 2
            continue
        if marcador in (0x00, 0xD8) or pos + 4 > n:
            raise _Danado
        (longitud,) = struct.unpack_from(">H", datos, pos + 2)
        fin = pos + 2 + longitud
        if longitud < 2 or fin > n:
            raise _Danado
        if (0xE0 <= marcador <= 0xEF or marcador == 0xFE) and any(
            firma in datos[pos + 4 : fin] for firma in FIRMAS_ZIP
        ):
            raise ValidationError(_JPEG_EXTRA, code="jpeg_datos_extra")
        if marcador in _SOF and medidas is not None and not medidas and longitud >= 7:
            alto, ancho = struct.unpack_from(">HH", datos, pos + 5)
            medidas.append((ancho, alto))
        if marcador != 0xDA:
            pos = fin
            continue
        siguiente = _MARCADOR.search(datos, fin)
        if siguiente is None:
            raise _Danado
        pos = siguiente.start()


def _revisar_estructura_jpeg(datos: bytes) -> tuple[int, int]:
    """Check the segments up to EOI and what follows; return the frame size declared in the header."""
    medidas: list = []
    try:
        fin = _fin_jpeg(datos, 2, medidas)
        if not medidas:
            raise _Danado
        # Multi-picture JPEGs (MPF: Ultra HDR gain maps, MPO) append whole JPEGs after the first EOI.
        while datos.startswith(b"\xff\xd8\xff", fin):
            fin = _fin_jpeg(datos, fin + 2)
    except _Danado:
        raise ValidationError(_JPEG_DANADO, code="jpeg_danado") from None
    cola = datos[fin:]
    relleno = not cola.strip(b"\x00\xff")
    samsung = cola.endswith(b"SEFT") and b"SEFH" in cola  # Samsung camera trailer
    if any(firma in cola for firma in FIRMAS_ZIP) or not (
        relleno or samsung or len(cola) <= COLA_JPEG_TOLERADA
    ):
        raise ValidationError(_JPEG_EXTRA, code="jpeg_datos_extra")
    return medidas[0]


def _escala_de_trabajo(ancho: int, alto: int) -> int:
    """Largest DCT scale (1, 2, 4, 8) that keeps the shorter side at 450 pixels or more."""
    escala = 1
    while escala < 8 and min(ancho, alto) // (escala * 2) >= 450:
        escala *= 2
    return escala


def imagen_jpeg(adjunto: Adjunto) -> None:
    """Real parse: structure to EOI, pixel guard from the header, full decode at reduced scale."""
    datos = adjunto.datos
    ancho, alto = _revisar_estructura_jpeg(datos)
    if ancho * alto > settings.JPEG_MAX_PIXELS:  # before Pillow allocates anything
        raise ValidationError(
            _(
                "La imagen tiene demasiados píxeles (%(megapixeles)s megapíxeles; el máximo es %(maximo)s). "
                "Redúzcala o tome la foto con menor resolución e inténtelo de nuevo."
            ),
            code="jpeg_pixeles",
            params={
                "megapixeles": _numero(round(ancho * alto / 1e6)),
                "maximo": _numero(round(settings.JPEG_MAX_PIXELS / 1e6)),
            },
        )
    if min(ancho, alto) < settings.JPEG_MIN_SIDE:
        raise ValidationError(
            _(
                "La imagen es demasiado pequeña (%(ancho)s × %(alto)s píxeles) para leer el documento: su "
                "lado menor debe tener al menos %(minimo)s píxeles. Tome la foto más de cerca o con mayor "
                "resolución, sin recortarla ni reducirla."
            ),
            code="jpeg_resolucion",
            params={"ancho": ancho, "alto": alto, "minimo": settings.JPEG_MIN_SIDE},
        )
    try:
        imagen = Image.open(io.BytesIO(datos), formats=("JPEG", "MPO"))
        if imagen.size != (ancho, alto):
            raise _Danado
        escala = _escala_de_trabajo(ancho, alto)
        imagen.draft("L", (ancho // escala, alto // escala))
        # The whole file in one decoder call: fed in 64 KB blocks (Pillow's default), libjpeg suspends
        # and resumes at every block, about 0.2 ms more for a 1 MB photo.
        imagen.decodermaxblock = max(len(datos), 65536)
        imagen.load()  # decodes every scan: a cut file fails here too
        adjunto.gris = imagen if imagen.mode == "L" else imagen.convert("L")
    except (_Danado, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise ValidationError(_JPEG_DANADO, code="jpeg_danado") from None


@dataclass(frozen=True)
class MedidasFoto:
    brillo: float  # mean gray level, 0-255
    contraste: int  # spread of gray levels, 0.5th to 99.5th percentile
    desviacion: float  # standard deviation of the gray level (reported, not judged)
    nitidez: float  # steepness of the strongest edges, see the module docstring


def _percentil(histograma: list[int], fraccion: float) -> int:
    objetivo, acumulado = fraccion * sum(histograma), 0
    for nivel, cuenta in enumerate(histograma):
        acumulado += cuenta
        if acumulado >= objetivo:
            return nivel
    return len(histograma) - 1


def medir(gris: Image.Image) -> MedidasFoto:
    """Brightness, contrast and sharpness of a grayscale image (see the module docstring)."""
    from PIL import ImageChops, ImageStat

    estadistica = ImageStat.Stat(gris)
    ancho, alto = gris.size
    base = gris.crop((0, 0, ancho - 1, alto - 1))
    dx = ImageChops.difference(gris.crop((1, 0, ancho, alto - 1)), base)
    dy = ImageChops.difference(gris.crop((0, 1, ancho - 1, alto)), base)
    borde = ImageChops.lighter(dx, dy)
    niveles = gris.histogram()
    rango = _percentil(niveles, 0.995) - _percentil(niveles, 0.005)
    return MedidasFoto(
        brillo=estadistica.mean[0],
        contraste=rango,
        desviacion=estadistica.stddev[0],
        nitidez=_percentil(borde.histogram(), 0.995) / max(1, rango),
    )


def medir_jpeg(datos: bytes) -> MedidasFoto:
    """The measures of a JPEG as the chain sees them (for tuning thresholds and for tests)."""
    adjunto = Adjunto(nombre="foto.jpg", datos=datos, max_bytes=len(datos))
    imagen_jpeg(adjunto)
    return medir(adjunto.gris)


def calidad_foto(adjunto: Adjunto) -> None:
    """Refuse photos an analyst could not read: dark, burnt white, blurred, without contrast."""
    medidas = medir(adjunto.gris)
    if medidas.brillo < settings.JPEG_MIN_BRIGHTNESS:
        raise ValidationError(
            _(
                "La imagen está demasiado oscura. Tome la foto de nuevo con más luz (cerca de una ventana o "
                "de una lámpara), sin sombras sobre el documento."
            ),
            code="jpeg_oscura",
        )
    if medidas.brillo > settings.JPEG_MAX_BRIGHTNESS:
        raise ValidationError(
            _(
                "La imagen está casi completamente blanca (sobreexpuesta). Tome la foto de nuevo sin flash "
                "directo y evitando reflejos sobre el documento."
            ),
            code="jpeg_clara",
        )
    if medidas.nitidez < settings.JPEG_MIN_SHARPNESS:
        raise ValidationError(
            _(
                "La imagen está borrosa. Tome la foto de nuevo con el documento quieto, bien enfocado y con "
                "buena luz."
            ),
            code="jpeg_borrosa",
        )
    if medidas.contraste < settings.JPEG_MIN_CONTRAST:
        raise ValidationError(
            _(
                "La imagen se ve deslavada, con muy poco contraste, y el texto no se distingue bien. Tome la "
                "foto de nuevo con buena luz pareja, sin flash directo ni reflejos, sobre un fondo oscuro."
            ),
            code="jpeg_contraste",
        )


# --------------------------------------------------------------------------- PDF

_PDF_DANADO = _(
    "No se pudo leer el PDF: está dañado, incompleto o tiene una estructura no válida. Vuelva a generarlo "
    "(por ejemplo, con «Imprimir como PDF» o escaneando de nuevo el documento) e inténtelo otra vez."
)


@dataclass
class _HallazgosPdf:
    javascript: bool = False
    launch: bool = False
    adjuntos: bool = False
    firma: bool = False


def _resuelto(valor):
    return valor.get_object() if hasattr(valor, "get_object") else valor


def _inspeccionar_diccionario(d: dict, hallazgos: _HallazgosPdf) -> None:
    claves = set(d.keys())
    accion = _resuelto(dict.get(d, "/S"))
    if {"/JS", "/JavaScript"} & claves or accion == "/JavaScript":
        hallazgos.javascript = True
    if accion == "/Launch":
        hallazgos.launch = True
    if (
        {"/EmbeddedFiles", "/EF"} & claves
        or _resuelto(dict.get(d, "/Type")) == "/EmbeddedFile"
        or _resuelto(dict.get(d, "/Subtype")) == "/FileAttachment"
    ):
        hallazgos.adjuntos = True
    if "/ByteRange" in claves or (_resuelto(dict.get(d, "/FT")) == "/Sig" and "/V" in claves):
        hallazgos.firma = True


def _inspeccionar_pdf(reader) -> _HallazgosPdf:
    """Look at every object of the current revision, and inside its direct children, for active content.

    Names are already decoded by the parser (/J#61vaScript is /JavaScript). Indirect references are not
    followed here: each indirect object is visited once from the cross-reference table.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    referencias = [(numero, generacion) for generacion, tabla in reader.xref.items() for numero in tabla]
    referencias += [(numero, 0) for numero in reader.xref_objStm]
    if len(referencias) > PDF_MAX_OBJETOS:
        raise ValidationError(
            _(
                "El PDF es demasiado complejo para revisarlo. Vuelva a generarlo (por ejemplo, con «Imprimir "
                "como PDF» o escaneando el documento) e inténtelo de nuevo."
            ),
            code="pdf_complejo",
        )
    hallazgos = _HallazgosPdf()
    raices = [reader.trailer]
    raices += [
        reader.get_object(IndirectObject(numero, generacion, reader)) for numero, generacion in referencias
    ]
    for raiz in raices:
        pila = [(raiz, 0)]
        while pila:
            objeto, profundidad = pila.pop()
            if profundidad > PDF_MAX_PROFUNDIDAD:
                raise _Danado
            if isinstance(objeto, DictionaryObject):
                _inspeccionar_diccionario(objeto, hallazgos)
                hijos = dict.values(objeto)
            elif isinstance(objeto, ArrayObject):
                hijos = list.__iter__(objeto)
            else:
                continue
            pila.extend(
                (hijo, profundidad + 1) for hijo in hijos if isinstance(hijo, DictionaryObject | ArrayObject)
            )
    return hallazgos


def _contar_paginas(reader, maximo: int) -> int:
    """Pages in the tree, counting at most `maximo` + 1 leaves, so a page bomb is refused at once.

    The declared /Count answers first when it is already too high; the leaves are then counted for real,
    because /Count can lie the other way.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    arbol = reader.trailer["/Root"]["/Pages"]
    declaradas = arbol.get("/Count")
    if isinstance(declaradas, int) and declaradas > maximo:
        return declaradas
    paginas, visitados, pila = 0, set(), [arbol]
    while pila:
        nodo = pila.pop()
        if not isinstance(nodo, DictionaryObject):
            raise _Danado
        hijos = nodo.get("/Kids")
        if hijos is None or nodo.get("/Type") == "/Page":
            paginas += 1
            if paginas > maximo:
                return paginas
            continue
        if not isinstance(hijos, ArrayObject) or len(visitados) > 10 * maximo + 100:
            raise _Danado
        for referencia in list.__iter__(hijos):
            if isinstance(referencia, IndirectObject):
                clave = (referencia.idnum, referencia.generation)
                if clave in visitados:  # a cycle or a shared node
                    raise _Danado
                visitados.add(clave)
            pila.append(_resuelto(referencia))
    return paginas


def documento_pdf(adjunto: Adjunto) -> None:
    """Real parse with pypdf (strict): not encrypted, 1..PDF_MAX_PAGES pages, nothing active inside."""
    import pypdf

    datos = adjunto.datos
    fin = datos.rfind(b"%%EOF")
    if fin >= 0 and datos[fin + 5 :].strip(b"\x00\t\n\r\x0c "):
        raise ValidationError(
            _(
                "El PDF contiene datos ocultos añadidos después de su final. Vuelva a generarlo desde el "
                "programa o el escáner original e inténtelo de nuevo."
            ),
            code="pdf_datos_extra",
        )
    maximo = settings.PDF_MAX_PAGES
    # A small PDF may inflate to tens of megabytes (a "flate bomb"): cap what pypdf may decompress
    # for this check far below its 75 MB default, so one request cannot take 150 MB of memory.
    tope = settings.PDF_MAX_DECOMPRESSED_BYTES
    limites = {
        "maximum_declared_stream_length": tope,
        "array_based_stream_maximum_output_length": tope,
        "lzw_maximum_output_length": tope,
        "run_length_maximum_output_length": tope,
        "zlib_maximum_output_length": tope,
        "brotli_maximum_output_length": tope,
        "image_maximum_buffer_size": tope,
    }
    try:
        with pypdf.apply_configuration(**limites):
            return _documento_pdf_limitado(adjunto, datos, maximo)
    except ValidationError:
        raise
    except Exception:  # a limit hit outside the inner handler
        raise ValidationError(_PDF_DANADO, code="pdf_danado") from None


def _documento_pdf_limitado(adjunto: Adjunto, datos: bytes, maximo: int) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(datos), strict=True)
        if reader.is_encrypted:
            raise ValidationError(
                _(
                    "El PDF está protegido con contraseña o cifrado. Guárdelo de nuevo sin contraseña ni "
                    "restricciones e inténtelo otra vez."
                ),
                code="pdf_cifrado",
            )
        paginas = _contar_paginas(reader, maximo)
        hallazgos = _inspeccionar_pdf(reader) if 1 <= paginas <= maximo else None
    except ValidationError:
        raise
    except (_Danado, RecursionError, MemoryError):
        raise ValidationError(_PDF_DANADO, code="pdf_danado") from None
    except Exception:  # pypdf raises many types on broken input (PdfReadError, KeyError, ValueError...)
        raise ValidationError(_PDF_DANADO, code="pdf_danado") from None
    if paginas < 1:
        raise ValidationError(
            _("El PDF no tiene ninguna página. Revise que eligió el archivo correcto."),
            code="pdf_sin_paginas",
        )
    if paginas > maximo:
        raise ValidationError(
            _(
                "El PDF tiene más de %(maximo)s páginas; se aceptan de 1 a %(maximo)s. Suba solo las "
                "páginas necesarias (puede separarlas en otro PDF)."
            ),
            code="pdf_paginas",
            params={"maximo": maximo},
        )
    if hallazgos.javascript:
        raise ValidationError(
            _(
                "El PDF contiene código JavaScript, que no se acepta por seguridad. Vuelva a generarlo con "
                "«Imprimir como PDF» o escanee el documento impreso."
            ),
            code="pdf_javascript",
        )
    if hallazgos.launch:
        raise ValidationError(
            _(
                "El PDF contiene una acción que abre otros programas, lo que no se acepta por seguridad. "
                "Vuelva a generarlo con «Imprimir como PDF» o escanee el documento impreso."
            ),
            code="pdf_launch",
        )
    if hallazgos.adjuntos:
        raise ValidationError(
            _(
                "El PDF lleva otros archivos adjuntos dentro, lo que no se acepta. Suba un PDF sin adjuntos: "
                "cada documento en su propio campo."
            ),
            code="pdf_adjuntos",
        )
    adjunto.firma_digital = hallazgos.firma


# --------------------------------------------------------------------------- the chain


def contenido_valido(adjunto: Adjunto) -> None:
    """Real parse according to the sniffed type (and, for photos, their quality)."""
    if adjunto.tipo == TIPO_JPEG:
        imagen_jpeg(adjunto)
        calidad_foto(adjunto)
    else:
        documento_pdf(adjunto)


CADENA: tuple[Paso, ...] = (no_vacio, tamano_maximo, tipo_por_contenido, extension_coincide, contenido_valido)


def _tamano_declarado(archivo) -> int | None:
    try:
        return int(archivo.size)
    except (AttributeError, OSError, TypeError, ValueError):
        return None


def validar_adjunto(archivo, *, max_bytes: int | None = None) -> ArchivoValidado:
    """Run the chain on an uploaded file (or any django File); raise ValidationError on the first refusal.

    At most `max_bytes` + 1 bytes are read (default settings.UPLOAD_MAX_BYTES); the file is left at
    position 0.
    """
    limite = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    declarado = _tamano_declarado(archivo)
    if declarado is not None and declarado > limite:
        raise error_tamano(limite)
    try:
        archivo.seek(0)
        datos = archivo.read(limite + 1)
    finally:
        archivo.seek(0)
    adjunto = Adjunto(
        nombre=sanitize_filename(getattr(archivo, "name", "") or ""), datos=datos, max_bytes=limite
    )
    for paso in CADENA:
        paso(adjunto)
    return ArchivoValidado(
        tipo_contenido=adjunto.tipo,
        extension="jpg" if adjunto.tipo == TIPO_JPEG else "pdf",
        tamano=adjunto.tamano,
        sha256=hashlib.sha256(datos).hexdigest(),
        nombre_original=adjunto.nombre,
        firma_digital=adjunto.firma_digital,
    )


class AdjuntoField(forms.FileField):
    """A file field that runs the chain; the cleaned UploadedFile carries `.validado` (ArchivoValidado)."""

    def __init__(self, *, max_bytes: int | None = None, **kwargs):
        self._max_bytes = max_bytes
        kwargs.setdefault("allow_empty_file", True)  # the chain explains empty files in its own words
        super().__init__(**kwargs)

    @property
    def max_bytes(self) -> int:
        """The effective limit: the one given, or settings.UPLOAD_MAX_BYTES read when asked."""
        return settings.UPLOAD_MAX_BYTES if self._max_bytes is None else self._max_bytes

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("accept", ACEPTA)
        return attrs

    def clean(self, data, initial=None):
        archivo = super().clean(data, initial)
        if isinstance(archivo, UploadedFile):
            archivo.validado = validar_adjunto(archivo, max_bytes=self.max_bytes)
        return archivo
