"""The one attachment validator chain: every upload point (online form, window, corrections, staff,
/verificar/) calls `validar_adjunto` or uses `AdjuntoField`.

The chain is a list of small steps run in order (emptiness, size, type by content, extension, real
parse and quality); the first step that refuses raises a `ValidationError` whose message tells the
citizen, in plain Spanish, what to do. Error codes: vacio, tamano, tipo, extension, jpeg_danado,
jpeg_datos_extra, jpeg_pixeles, jpeg_resolucion, jpeg_oscura, jpeg_clara, jpeg_borrosa,
jpeg_contraste, pdf_encabezado, pdf_datos_extra, pdf_danado, pdf_complejo, pdf_cifrado,
pdf_sin_paginas, pdf_paginas, pdf_javascript, pdf_launch, pdf_adjuntos.

Modules: `base` (name, size, type by content, extension), `jpeg` (structure and photo quality),
`pdf` (parse, active content, pages), `cadena` (the steps in order, `validar_adjunto`, `AdjuntoField`).
"""

from .base import (
    ACEPTA,
    EXTENSIONES,
    TIPO_JPEG,
    TIPO_PDF,
    Adjunto,
    ArchivoValidado,
    error_tamano,
    sanitize_filename,
)
from .cadena import CADENA, AdjuntoField, validar_adjunto
from .jpeg import MedidasFoto, medir, medir_jpeg

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
