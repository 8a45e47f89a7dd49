"""PDF: a real parse with pypdf within bounds, active content and embedded files refused, pages counted."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .base import PDF_MAX_OBJETOS, PDF_MAX_PROFUNDIDAD, Adjunto
from .jpeg import _Danado

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
