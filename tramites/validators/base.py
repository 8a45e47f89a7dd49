"""The file's first checks: name, size, type by content and extension, and what flows through the chain."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TIPO_JPEG = "image/jpeg"
TIPO_PDF = "application/pdf"
EXTENSIONES = {TIPO_JPEG: ("jpg", "jpeg"), TIPO_PDF: ("pdf",)}
ACEPTA = ".jpg,.jpeg,.pdf,image/jpeg,application/pdf"
NOMBRE_MAX = 120


@dataclass(frozen=True)
class ArchivoValidado:
    tipo_contenido: str  # "image/jpeg" | "application/pdf"
    extension: str  # "jpg" | "pdf"
    tamano: int
    sha256: str
    nombre_original: str  # sanitized, see sanitize_filename
    firma_digital: bool | None  # None for JPEG
    advertencia: str = ""  # why the photo may not read well (empty: no doubt), ADR 0007
    advertencia_codigo: str = ""
    paginas: int = 1


@dataclass(frozen=True)
class Aviso:
    """A doubt about a photo: shown back to the citizen, who replaces the photo or confirms it."""

    codigo: str
    mensaje: str


@dataclass
class Adjunto:
    """What flows through the chain; steps fill `tipo`, `firma_digital`, `advertencia` and `paginas`."""

    nombre: str
    datos: bytes
    max_bytes: int
    tipo: str | None = None
    tipos: tuple[str, ...] = (TIPO_JPEG, TIPO_PDF)  # what this upload point accepts
    firma_digital: bool | None = None
    advertencia: Aviso | None = None
    paginas: int = 1

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


def numero_legible(n: int) -> str:
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
        params={"megas": texto_megas, "bytes": numero_legible(limite)},
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


def tipo_permitido(adjunto: Adjunto) -> None:
    """An upload point that takes only PDFs (/verificar/) refuses anything else here, before decoding."""
    if adjunto.tipo in adjunto.tipos:
        return
    if adjunto.tipos == (TIPO_PDF,):
        raise ValidationError(_("Aquí solo se aceptan documentos PDF; este archivo no lo es."), code="tipo")
    raise ValidationError(_("Aquí solo se aceptan fotos JPG; este archivo no lo es."), code="tipo")


# A download's file name (Content-Disposition): ASCII only, so every browser and proxy passes it intact.
_NO_SEGURO = re.compile(r"[^A-Za-z0-9._ -]+")


def nombre_seguro(nombre: str, extension: str) -> str:
    """An ASCII file name without paths, quotes or control characters, with the detected extension."""
    base = unicodedata.normalize("NFKD", nombre or "").encode("ascii", "ignore").decode()
    base = base.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    base = _NO_SEGURO.sub("_", base).strip(" ._-")[:80] or "documento"
    return f"{base}.{extension}"
