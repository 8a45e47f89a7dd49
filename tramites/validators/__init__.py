"""The one attachment validator chain: every upload point (online form, window, corrections, staff,
/verificar/) calls `validar_adjunto` or uses `AdjuntoField`.

The chain is a list of small steps run in order (emptiness, size, type by content, allowed types,
extension, real parse and quality); the first step that refuses raises a `ValidationError` whose message
tells the citizen, in plain Spanish, what to do. A photo can also pass with a warning (`advertencia` on
the result): readable perhaps, but doubtful; the form then shows it back to the citizen, who replaces it
or confirms it (ADR 0007).

Modules: `base` (name, size, type by content, allowed types, extension), `jpeg` (structure, work budget
and legibility), `pdf` (parse, active content, pages, blankness), `polyglotas` (hidden archives), and
here the chain itself: the steps in order, `validar_adjunto`, `AdjuntoField`, and a document sent as
several photos (`unir_fotos`, `AdjuntoPaginasField`).
Error codes: vacio, tamano, tipo, extension, jpeg_danado, jpeg_datos_extra, jpeg_compleja, jpeg_pixeles,
jpeg_resolucion, jpeg_oscura, jpeg_en_blanco, jpeg_borrosa, pdf_encabezado, pdf_datos_extra, pdf_danado,
pdf_complejo, pdf_cifrado, pdf_sin_paginas, pdf_paginas, pdf_javascript, pdf_xfa, pdf_acciones,
pdf_adjuntos, pdf_en_blanco. Warning codes: jpeg_borrosa, jpeg_contraste, jpeg_pequena, jpeg_oscura.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .base import (
    ACEPTA,
    EXTENSIONES,
    TIPO_JPEG,
    TIPO_PDF,
    Adjunto,
    ArchivoValidado,
    Aviso,
    Paso,
    error_tamano,
    extension_coincide,
    no_vacio,
    sanitize_filename,
    tamano_maximo,
    tipo_permitido,
    tipo_por_contenido,
)
from .jpeg import MedidasFoto, imagen_jpeg, medir, medir_jpeg
from .pdf import documento_pdf

# --------------------------------------------------------------------------- the chain


def contenido_valido(adjunto: Adjunto) -> None:
    """Real parse according to the sniffed type (and, for photos, their legibility)."""
    if adjunto.tipo == TIPO_JPEG:
        imagen_jpeg(adjunto)
    else:
        documento_pdf(adjunto)


CADENA: tuple[Paso, ...] = (
    no_vacio,
    tamano_maximo,
    tipo_por_contenido,
    tipo_permitido,
    extension_coincide,
    contenido_valido,
)


def _tamano_declarado(archivo) -> int | None:
    try:
        return int(archivo.size)
    except (AttributeError, OSError, TypeError, ValueError):
        return None


def validar_adjunto(
    archivo, *, max_bytes: int | None = None, tipos: tuple[str, ...] = (TIPO_JPEG, TIPO_PDF)
) -> ArchivoValidado:
    """Run the chain on an uploaded file (or any django File); raise ValidationError on the first refusal.

    At most `max_bytes` + 1 bytes are read (default settings.UPLOAD_MAX_BYTES); the file is left at
    position 0. `tipos` narrows the accepted types (a non-PDF sent to /verificar/ is refused by its
    first bytes, before anything is decoded). A doubtful photo passes with `advertencia` set.
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
        nombre=sanitize_filename(getattr(archivo, "name", "") or ""),
        datos=datos,
        max_bytes=limite,
        tipos=tipos,
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
        advertencia=str(adjunto.advertencia.mensaje) if adjunto.advertencia else "",
        advertencia_codigo=adjunto.advertencia.codigo if adjunto.advertencia else "",
        paginas=adjunto.paginas,
    )


class AdjuntoField(forms.FileField):
    """A file field that runs the chain; the cleaned UploadedFile carries `.validado` (ArchivoValidado)."""

    def __init__(
        self, *, max_bytes: int | None = None, tipos: tuple[str, ...] = (TIPO_JPEG, TIPO_PDF), **kwargs
    ):
        self._max_bytes = max_bytes
        self.tipos = tipos
        kwargs.setdefault("allow_empty_file", True)  # the chain explains empty files in its own words
        super().__init__(**kwargs)

    @property
    def max_bytes(self) -> int:
        """The effective limit: the one given, or settings.UPLOAD_MAX_BYTES read when asked."""
        return settings.UPLOAD_MAX_BYTES if self._max_bytes is None else self._max_bytes

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("accept", ACEPTA if self.tipos == (TIPO_JPEG, TIPO_PDF) else "application/pdf,.pdf")
        attrs["data-max-bytes"] = str(self.max_bytes)
        if TIPO_JPEG in self.tipos:
            attrs["data-convertir"] = ""  # static/js/fotos.js may turn a large or HEIC photo into a JPEG
        return attrs

    def clean(self, data, initial=None):
        archivo = super().clean(data, initial)
        if isinstance(archivo, UploadedFile):
            archivo.validado = validar_adjunto(archivo, max_bytes=self.max_bytes, tipos=self.tipos)
        return archivo


# --------------------------------------------------------------------------- a letter sent as photos

MAX_PAGINAS_FOTO = 5


def unir_fotos(archivos: list, *, max_bytes: int | None = None):
    """Several photos of one document (one per page), each through the chain, joined losslessly into one
    PDF (img2pdf embeds each JPEG as it is). Returns (the PDF as an UploadedFile, its ArchivoValidado).

    Raises ValidationError naming the page that failed. Each page's warning is kept, with its number.
    """
    import img2pdf
    from django.core.files.uploadedfile import SimpleUploadedFile

    if len(archivos) > MAX_PAGINAS_FOTO:
        raise ValidationError(
            _("Puede enviar hasta %(maximo)s fotos, una por página; eligió %(n)s."),
            code="paginas_foto",
            params={"maximo": MAX_PAGINAS_FOTO, "n": len(archivos)},
        )
    paginas, avisos, codigos = [], [], []
    for numero, archivo in enumerate(archivos, start=1):
        try:
            archivo.seek(0)
            if not archivo.read(3).startswith(b"\xff\xd8\xff"):
                raise ValidationError(
                    _(
                        "para enviar varias páginas, elija solo fotos JPG (una por página); un PDF se envía "
                        "solo, con todas sus páginas."
                    ),
                    code="tipo",
                )
            validado = validar_adjunto(archivo, max_bytes=max_bytes, tipos=(TIPO_JPEG,))
        except ValidationError as exc:
            raise ValidationError(
                _("Página %(n)s («%(nombre)s»): %(motivo)s"),
                code=exc.code if hasattr(exc, "code") else "pagina",
                params={
                    "n": numero,
                    "nombre": sanitize_filename(getattr(archivo, "name", "")),
                    "motivo": " ".join(exc.messages),
                },
            ) from None
        if validado.advertencia:
            avisos.append(_("Página %(n)s: %(aviso)s") % {"n": numero, "aviso": validado.advertencia})
            codigos.append(validado.advertencia_codigo)
        archivo.seek(0)
        paginas.append(archivo.read())
        archivo.seek(0)
    datos = img2pdf.convert(paginas, rotation=img2pdf.Rotation.ifvalid)
    primero = sanitize_filename(getattr(archivos[0], "name", "")).rsplit(".", 1)[0] or "documento"
    nombre = sanitize_filename(f"{primero}-{len(paginas)}-paginas.pdf")
    pdf = SimpleUploadedFile(nombre, datos, content_type=TIPO_PDF)
    validado = ArchivoValidado(
        tipo_contenido=TIPO_PDF,
        extension="pdf",
        tamano=len(datos),
        sha256=hashlib.sha256(datos).hexdigest(),
        nombre_original=nombre,
        firma_digital=False,
        advertencia=" ".join(str(a) for a in avisos),
        advertencia_codigo=codigos[0] if codigos else "",
        paginas=len(paginas),
    )
    pdf.validado = validado
    return pdf, validado


class VariosArchivosInput(forms.ClearableFileInput):
    """A file input that takes several files (the pages of a letter)."""

    allow_multiple_selected = True


class AdjuntoPaginasField(AdjuntoField):
    """A document sent either as one file (JPG or PDF) or as up to MAX_PAGINAS_FOTO photos, one per page,
    which are joined into one PDF (`unir_fotos`). The cleaned value is one UploadedFile with `.validado`."""

    widget = VariosArchivosInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["multiple"] = True
        return attrs

    def clean(self, data, initial=None):
        elegidos = [a for a in (data if isinstance(data, list | tuple) else [data]) if a]
        if len(elegidos) <= 1:
            return super().clean(elegidos[0] if elegidos else None, initial)
        if len(elegidos) > MAX_PAGINAS_FOTO:
            raise ValidationError(
                _("Puede enviar hasta %(maximo)s fotos, una por página; eligió %(n)s."),
                code="paginas_foto",
                params={"maximo": MAX_PAGINAS_FOTO, "n": len(elegidos)},
            )
        for archivo in elegidos:
            forms.FileField.clean(self, archivo, initial)
        pdf, _validado = unir_fotos(elegidos, max_bytes=self.max_bytes)
        return pdf


# The package's public names (other modules import these from tramites.validators).
__all__ = [
    "ACEPTA",
    "CADENA",
    "EXTENSIONES",
    "MAX_PAGINAS_FOTO",
    "TIPO_JPEG",
    "TIPO_PDF",
    "Adjunto",
    "AdjuntoField",
    "AdjuntoPaginasField",
    "ArchivoValidado",
    "Aviso",
    "MedidasFoto",
    "error_tamano",
    "medir",
    "medir_jpeg",
    "sanitize_filename",
    "unir_fotos",
    "validar_adjunto",
]
