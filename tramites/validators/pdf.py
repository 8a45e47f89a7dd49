"""PDF documents: a strict parse with pypdf, then what the document would do and whether it shows anything.

Refused: damaged, protected by a password needed to open it, 0 or more than PDF_MAX_PAGES pages,
JavaScript, XFA forms (they carry their own scripts), actions that reach outside the document
(/Launch, /GoToR, /GoToE, /ImportData, /SubmitForm, /RichMedia), a /URI or /Launch run by itself on
opening or on another event (/OpenAction, /AA), embedded files, a ZIP archive anywhere in the bytes,
another format or a hidden revision after the end, and blank documents (no text and no image on any page).

Accepted after the same checks: documents that open without a password but carry an owner password
(printing or copying restrictions), decrypted with the empty password; the usage-rights dictionary of a
Reader-extended form, whose /EF key lists permissions (an array of names), not embedded files.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .base import Adjunto
from .polyglotas import cola_sospechosa, zip_oculto

PDF_MAX_OBJETOS = 3_000  # a 14-page paper has 996; each costs ~70 µs to inspect (bench.hostiles)
PDF_MAX_PROFUNDIDAD = 100
MAX_PROFUNDIDAD_FORMULARIOS = 8  # form XObjects inside form XObjects, when looking for content
ACCIONES_EXTERNAS = frozenset({"/GoToR", "/GoToE", "/ImportData", "/SubmitForm", "/RichMedia", "/Launch"})
ACCIONES_AL_ABRIR = frozenset({"/URI", "/Launch", "/JavaScript"})

PDF_DANADO = _(
    "No se pudo leer el PDF: está dañado, incompleto o tiene una estructura no válida. Vuelva a generarlo "
    "(por ejemplo, con «Imprimir como PDF» o escaneando de nuevo el documento) e inténtelo otra vez."
)
_REGENERAR = _("Vuelva a generarlo con «Imprimir como PDF» o escanee el documento impreso.")


class Danado(Exception):
    pass


@dataclass
class Hallazgos:
    javascript: bool = False
    launch: bool = False
    externas: set = field(default_factory=set)
    al_abrir: set = field(default_factory=set)
    xfa: bool = False
    adjuntos: bool = False
    firma: bool = False
    disparadores: list = field(default_factory=list)  # actions reached from /OpenAction or /AA


def _resuelto(valor):
    return valor.get_object() if hasattr(valor, "get_object") else valor


def _inspeccionar_diccionario(d: dict, hallazgos: Hallazgos) -> None:
    from pypdf.generic import DictionaryObject

    claves = set(d.keys())
    accion = _resuelto(dict.get(d, "/S"))
    subtipo = _resuelto(dict.get(d, "/Subtype"))
    if {"/JS", "/JavaScript"} & claves or accion == "/JavaScript":
        hallazgos.javascript = True
    if accion == "/Launch":
        hallazgos.launch = True
    if accion in ACCIONES_EXTERNAS:
        hallazgos.externas.add(accion)
    if subtipo == "/RichMedia" or "/RichMediaContent" in claves:
        hallazgos.externas.add("/RichMedia")
    if "/XFA" in claves:
        hallazgos.xfa = True
    # A file specification's /EF is a dictionary of streams; the usage-rights /EF is an array of names.
    if (
        "/EmbeddedFiles" in claves
        or isinstance(_resuelto(dict.get(d, "/EF")), DictionaryObject)
        or _resuelto(dict.get(d, "/Type")) == "/EmbeddedFile"
        or subtipo == "/FileAttachment"
    ):
        hallazgos.adjuntos = True
    if "/ByteRange" in claves or (_resuelto(dict.get(d, "/FT")) == "/Sig" and "/V" in claves):
        hallazgos.firma = True
    if isinstance(_resuelto(dict.get(d, "/OpenAction")), DictionaryObject):  # an action, not a destination
        hallazgos.disparadores.append(dict.get(d, "/OpenAction"))
    eventos = _resuelto(dict.get(d, "/AA"))
    if isinstance(eventos, DictionaryObject):  # event name -> action
        hallazgos.disparadores.extend(dict.values(eventos))


def _acciones_disparadas(hallazgos: Hallazgos) -> None:
    """Follow the actions /OpenAction and /AA run by themselves (and their /Next chains): note /URI,
    /Launch and JavaScript among them."""
    from pypdf.generic import ArrayObject, DictionaryObject

    pila, vistos = list(hallazgos.disparadores), 0
    while pila and vistos < 1000:
        vistos += 1
        objeto = _resuelto(pila.pop())
        if isinstance(objeto, ArrayObject):  # a /Next list of actions
            pila.extend(list.__iter__(objeto))
            continue
        if not isinstance(objeto, DictionaryObject):
            continue
        accion = _resuelto(dict.get(objeto, "/S"))
        if accion in ACCIONES_AL_ABRIR:
            hallazgos.al_abrir.add(accion)
        if "/Next" in objeto:
            pila.append(dict.get(objeto, "/Next"))


def _inspeccionar(reader) -> Hallazgos:
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
    hallazgos = Hallazgos()
    raices = [reader.trailer]
    raices += [
        reader.get_object(IndirectObject(numero, generacion, reader)) for numero, generacion in referencias
    ]
    for raiz in raices:
        pila = [(raiz, 0)]
        while pila:
            objeto, profundidad = pila.pop()
            if profundidad > PDF_MAX_PROFUNDIDAD:
                raise Danado
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
    _acciones_disparadas(hallazgos)
    return hallazgos


def _paginas(reader, maximo: int) -> list:
    """The page dictionaries, counting at most `maximo` + 1 leaves, so a page bomb is refused at once.

    The declared /Count answers first when it is already too high; the leaves are then counted for real,
    because /Count can lie the other way.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    arbol = reader.trailer["/Root"]["/Pages"]
    declaradas = arbol.get("/Count")
    if isinstance(declaradas, int) and declaradas > maximo:
        return [None] * declaradas
    paginas, visitados, pila = [], set(), [arbol]
    while pila:
        nodo = pila.pop()
        if not isinstance(nodo, DictionaryObject):
            raise Danado
        hijos = nodo.get("/Kids")
        if hijos is None or nodo.get("/Type") == "/Page":
            paginas.append(nodo)
            if len(paginas) > maximo:
                return paginas
            continue
        if not isinstance(hijos, ArrayObject) or len(visitados) > 10 * maximo + 100:
            raise Danado
        for referencia in reversed(list(list.__iter__(hijos))):
            if isinstance(referencia, IndirectObject):
                clave = (referencia.idnum, referencia.generation)
                if clave in visitados:  # a cycle or a shared node
                    raise Danado
                visitados.add(clave)
            pila.append(_resuelto(referencia))
    return paginas


# Operators that put text or an image on the page: Tj TJ ' " (text), BI (inline image), Do (XObject).
_OPERADORES = re.compile(rb"(?:^|[\s\)\]>])(Tj|TJ|'|\"|BI|Do)(?=[\s/\[\(<]|$)")
_DO = re.compile(rb"/([^\s/\[\]\(\)<>{}%]+)\s+Do\b")


def _datos_contenido(objeto) -> bytes:
    from pypdf.generic import ArrayObject

    objeto = _resuelto(objeto)
    if objeto is None:
        return b""
    if isinstance(objeto, ArrayObject):
        return b"\n".join(_datos_contenido(parte) for parte in list.__iter__(objeto))
    return objeto.get_data()


def _tiene_contenido(contenido: bytes, recursos, profundidad: int) -> bool:
    """True when a content stream shows text or an image (form XObjects are looked into)."""
    from pypdf.generic import DictionaryObject

    if profundidad > MAX_PROFUNDIDAD_FORMULARIOS:
        return False
    operadores = {m.group(1) for m in _OPERADORES.finditer(contenido)}
    if operadores & {b"Tj", b"TJ", b"'", b'"', b"BI"}:
        return True
    if b"Do" not in operadores:
        return False
    recursos = _resuelto(recursos)
    xobjetos = _resuelto(recursos.get("/XObject")) if isinstance(recursos, DictionaryObject) else None
    if not isinstance(xobjetos, DictionaryObject):
        return False
    for nombre in {m.group(1).decode("latin-1") for m in _DO.finditer(contenido)}:
        xobjeto = _resuelto(xobjetos.get("/" + nombre))
        if not isinstance(xobjeto, DictionaryObject):
            continue
        if xobjeto.get("/Subtype") == "/Image":
            return True
        if xobjeto.get("/Subtype") == "/Form" and _tiene_contenido(
            xobjeto.get_data(), xobjeto.get("/Resources", recursos), profundidad + 1
        ):
            return True
    return False


def _pagina_con_contenido(pagina) -> bool:
    from pypdf.generic import DictionaryObject

    if _tiene_contenido(_datos_contenido(pagina.get("/Contents")), pagina.get("/Resources"), 0):
        return True
    # Text typed into form fields and stamps lives in the annotations' appearance streams.
    for anotacion in list.__iter__(_resuelto(pagina.get("/Annots")) or []):
        anotacion = _resuelto(anotacion)
        apariencia = _resuelto(anotacion.get("/AP")) if isinstance(anotacion, DictionaryObject) else None
        normal = _resuelto(apariencia.get("/N")) if isinstance(apariencia, DictionaryObject) else None
        if normal is not None and hasattr(normal, "get_data"):
            if _tiene_contenido(normal.get_data(), normal.get("/Resources"), 1):
                return True
    return False


def _error(mensaje, codigo: str, **params) -> ValidationError:
    return ValidationError(mensaje, code=codigo, params=params or None)


def documento_pdf(adjunto: Adjunto) -> None:
    """The chain's step: real parse, active content, pages, blankness; sets `paginas` and `firma_digital`."""
    adjunto.paginas = documento(adjunto)


def documento(adjunto: Adjunto) -> int:
    """Real parse with pypdf (strict); return the number of pages. Raises ValidationError."""
    import pypdf

    datos = adjunto.datos
    fin = datos.rfind(b"%%EOF")
    cola = datos[fin + 5 :] if fin >= 0 else b""
    if zip_oculto(datos) or cola_sospechosa(cola) or re.search(rb"\bobj\b|\bxref\b|\btrailer\b", cola):
        raise _error(
            _(
                "El PDF contiene datos ocultos añadidos que no forman parte del documento. Vuelva a "
                "generarlo desde el programa o el escáner original e inténtelo de nuevo."
            ),
            "pdf_datos_extra",
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
            return _documento_limitado(adjunto, datos, maximo)
    except ValidationError:
        raise
    except Exception:  # a limit hit outside the inner handler
        raise ValidationError(PDF_DANADO, code="pdf_danado") from None


def _abrir(datos: bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(datos), strict=True)
    if reader.is_encrypted:
        # Opens without a password (owner password only: printing or copying restrictions)?
        try:
            abierto = reader.decrypt("")
        except Exception:  # an unsupported security handler: treat as locked
            abierto = 0
        if not abierto:
            raise _error(
                _(
                    "El PDF pide una contraseña para abrirlo, y así nadie podría revisarlo. Guárdelo de nuevo "
                    "sin contraseña e inténtelo otra vez."
                ),
                "pdf_cifrado",
            )
    return reader


def _documento_limitado(adjunto: Adjunto, datos: bytes, maximo: int) -> int:
    try:
        reader = _abrir(datos)
        paginas = _paginas(reader, maximo)
        hallazgos = _inspeccionar(reader) if 1 <= len(paginas) <= maximo else None
        en_blanco = (
            hallazgos is not None
            and not (hallazgos.javascript or hallazgos.launch or hallazgos.externas or hallazgos.xfa)
            and not any(_pagina_con_contenido(p) for p in paginas)
        )
    except ValidationError:
        raise
    except (Danado, RecursionError, MemoryError):
        raise ValidationError(PDF_DANADO, code="pdf_danado") from None
    except Exception:  # pypdf raises many types on broken input (PdfReadError, KeyError, ValueError...)
        raise ValidationError(PDF_DANADO, code="pdf_danado") from None
    if not paginas:
        raise _error(
            _("El PDF no tiene ninguna página. Revise que eligió el archivo correcto."), "pdf_sin_paginas"
        )
    if len(paginas) > maximo:
        raise _error(
            _(
                "El PDF tiene más de %(maximo)s páginas; se aceptan de 1 a %(maximo)s. Suba solo las "
                "páginas necesarias (puede separarlas en otro PDF)."
            ),
            "pdf_paginas",
            maximo=maximo,
        )
    if hallazgos.javascript:
        raise _error(
            _("El PDF contiene código JavaScript, que no se acepta por seguridad. %(regenerar)s"),
            "pdf_javascript",
            regenerar=_REGENERAR,
        )
    if hallazgos.xfa:
        raise _error(
            _(
                "El PDF es un formulario XFA (de Adobe LiveCycle), que lleva programas dentro y no se acepta "
                "por seguridad. %(regenerar)s"
            ),
            "pdf_xfa",
            regenerar=_REGENERAR,
        )
    if hallazgos.launch or hallazgos.externas or hallazgos.al_abrir:
        raise _error(
            _(
                "El PDF contiene acciones que abren otros programas, archivos o páginas web, o envían datos, "
                "lo que no se acepta por seguridad. %(regenerar)s"
            ),
            "pdf_acciones",
            regenerar=_REGENERAR,
        )
    if hallazgos.adjuntos:
        raise _error(
            _(
                "El PDF lleva otros archivos adjuntos dentro, lo que no se acepta. Suba un PDF sin adjuntos: "
                "cada documento en su propio campo."
            ),
            "pdf_adjuntos",
        )
    if en_blanco:
        raise _error(
            _(
                "El PDF está en blanco: ninguna de sus páginas tiene texto ni imágenes. Revise que eligió el "
                "archivo correcto o vuelva a escanear el documento."
            ),
            "pdf_en_blanco",
        )
    adjunto.firma_digital = hallazgos.firma
    return len(paginas)
