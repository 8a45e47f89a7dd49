"""The one attachment validator chain: every upload point (online form, window, corrections, staff,
/verificar/) calls `validar_adjunto` or uses `AdjuntoField`.

The chain is a list of small steps run in order (emptiness, size, type by content, extension, real
parse and quality); the first step that refuses raises a `ValidationError` whose message tells the
citizen, in plain Spanish, what to do. Error codes: vacio, tamano, tipo, extension, jpeg_danado,
jpeg_datos_extra, jpeg_pixeles, jpeg_resolucion, jpeg_oscura, jpeg_clara, jpeg_borrosa,
jpeg_contraste, pdf_encabezado, pdf_datos_extra, pdf_danado, pdf_complejo, pdf_cifrado,
pdf_sin_paginas, pdf_paginas, pdf_javascript, pdf_launch, pdf_adjuntos.

Modules: `base` (name, size, type by content, extension), `jpeg` (structure and photo quality),
`pdf` (parse, active content, pages), and here the chain itself: the steps in order, `validar_adjunto`, `AdjuntoField`.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .base import (
    ACEPTA,
    EXTENSIONES,
    TIPO_JPEG,
    TIPO_PDF,
    Adjunto,
    ArchivoValidado,
    Paso,
    error_tamano,
    extension_coincide,
    no_vacio,
    sanitize_filename,
    tamano_maximo,
    tipo_por_contenido,
)
from .jpeg import MedidasFoto, calidad_foto, imagen_jpeg, medir, medir_jpeg
from .pdf import documento_pdf

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


# The package's public names (other modules import these from tramites.validators).
__all__ = [
    "ACEPTA",
    "CADENA",
    "EXTENSIONES",
    "TIPO_JPEG",
    "TIPO_PDF",
    "Adjunto",
    "AdjuntoField",
    "ArchivoValidado",
    "MedidasFoto",
    "error_tamano",
    "medir",
    "medir_jpeg",
    "sanitize_filename",
    "validar_adjunto",
]
