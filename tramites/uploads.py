"""Upload limits that hold while the request body streams in, before any view or form sees it.

- `RequestSizeLimitMiddleware` refuses a request whose declared Content-Length exceeds
  settings.REQUEST_MAX_BYTES (STAFF_REQUEST_MAX_BYTES under /personal/) with a 413 page, before a
  byte of the body is read; a body sent chunked without Content-Length gets 411.
- `LimitedMemoryFileUploadHandler` / `LimitedTemporaryFileUploadHandler` (settings.FILE_UPLOAD_HANDLERS)
  count the bytes of each file as they arrive. Once a file passes settings.UPLOAD_MAX_BYTES
  (STAFF_UPLOAD_MAX_BYTES under /personal/) its data is dropped (never written past the limit, and the
  partial temporary file is deleted) and its field name is recorded on the request.
- A multipart body that stops before its closing boundary (a client that declared a smaller
  Content-Length than it sent, a dropped connection) raises MultiPartParserError, which Django answers
  with 400 (handler400); Django alone would accept the truncated fields silently.

A dropped file is simply absent from request.FILES, so the form would only say "required". Views
therefore pass the dropped field names to the form, which adds the size error to those fields:

    form = SolicitudForm(request.POST, request.FILES, excedidos=archivos_excedidos(request))
    # in the form: for nombre in excedidos: self.add_error(nombre, validators.error_tamano(limite))
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    SkipFile,
    TemporaryFileUploadHandler,
)
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.template import loader

from . import services
from .models import Adjunto
from .permisos import totp_pendiente
from .selectors import roles_de
from .validators.jpeg import miniatura

logger = logging.getLogger(__name__)

PREFIJO_PERSONAL = "/personal/"
COLA_MULTIPART = 4096  # bytes of the body kept to find the closing boundary


def _es_personal(request) -> bool:
    """The staff limits apply to a signed-in staff member (second factor confirmed when required)
    under /personal/; an anonymous post there gets the public limits (RequestSizeLimitMiddleware runs
    after the authentication middlewares for this)."""
    if not request.path_info.startswith(PREFIJO_PERSONAL):
        return False
    usuario = getattr(request, "user", None)
    return bool(usuario is not None and not totp_pendiente(usuario) and roles_de(usuario))


def limite_archivo(request) -> int:
    """Largest file accepted on this request: the staff limit under /personal/, else the public one."""
    if request.path_info.startswith("/verificar/"):  # an issued PDF checked by an employer
        return settings.VERIFICAR_MAX_BYTES
    return settings.STAFF_UPLOAD_MAX_BYTES if _es_personal(request) else settings.UPLOAD_MAX_BYTES


def limite_peticion(request) -> int:
    """Largest request body accepted on this request."""
    return settings.STAFF_REQUEST_MAX_BYTES if _es_personal(request) else settings.REQUEST_MAX_BYTES


def archivos_excedidos(request) -> set[str]:
    """Names of the file fields dropped on this request for passing the size limit (parses the body)."""
    _ = request.FILES
    return set(getattr(request, "_archivos_excedidos", ()))


class _CuerpoVigilado:
    """Wraps the request's body stream and keeps its last bytes, to check how the multipart ends."""

    def __init__(self, stream):
        self._stream = stream
        self.cola = b""

    def _anotar(self, datos: bytes) -> bytes:
        if datos:
            self.cola = (self.cola + datos)[-COLA_MULTIPART:]
        return datos

    def read(self, *args, **kwargs) -> bytes:
        return self._anotar(self._stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs) -> bytes:
        return self._anotar(self._stream.readline(*args, **kwargs))

    def __getattr__(self, nombre):
        return getattr(self._stream, nombre)


class _LimiteMixin:
    """Per-file byte count with SkipFile on overflow, and the closing-boundary check at the end."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        resultado = super().handle_raw_input(input_data, META, content_length, boundary, encoding)
        self._cierre = b"--" + boundary + b"--"
        stream = getattr(input_data, "_stream", None)
        if stream is None:  # the body was already read into memory: check it whole
            self._cuerpo = _CuerpoVigilado(None)
            self._cuerpo.cola = input_data.getvalue()[-COLA_MULTIPART:]
        elif isinstance(stream, _CuerpoVigilado):  # the other handler wrapped it already
            self._cuerpo = stream
        else:
            self._cuerpo = input_data._stream = _CuerpoVigilado(stream)
        return resultado

    def new_file(self, field_name, *args, **kwargs):
        self._limite = limite_archivo(self.request)
        super().new_file(field_name, *args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self._limite:
            excedidos = getattr(self.request, "_archivos_excedidos", set())
            excedidos.add(self.field_name)
            self.request._archivos_excedidos = excedidos
            raise SkipFile  # Django closes (and so deletes) what was written and skips the rest
        return super().receive_data_chunk(raw_data, start)

    def upload_complete(self):
        cuerpo = getattr(self, "_cuerpo", None)
        if cuerpo is not None and self._cierre not in cuerpo.cola:
            if getattr(self, "file", None) is not None:
                self.file.close()
            raise MultiPartParserError("El cuerpo multipart termina antes de su límite de cierre.")
        return super().upload_complete()


class LimitedMemoryFileUploadHandler(_LimiteMixin, MemoryFileUploadHandler):
    """Keeps small uploads in memory, up to the per-file limit."""


class LimitedTemporaryFileUploadHandler(_LimiteMixin, TemporaryFileUploadHandler):
    """Streams larger uploads to a temporary file, up to the per-file limit."""


_PAGINA_413 = """<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Envío demasiado grande</title></head>
<body><main><h1>El envío es demasiado grande</h1>
<p>Los archivos enviados juntos superan el máximo de {megas} MB. Cada archivo puede pesar hasta
{megas_archivo} MB. Reduzca la resolución de las fotos o escaneos y vuelva a intentarlo.</p>
<p><a href="javascript:history.back()">Volver al formulario</a></p></main></body></html>"""

_PAGINA_411 = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Envío no aceptado</title></head>
<body><main><h1>No se pudo recibir el envío</h1>
<p>Su navegador envió los datos sin indicar su tamaño. Vuelva a intentarlo desde el formulario con un
navegador actualizado.</p></main></body></html>"""


def _megas(n: int) -> str:
    return f"{n / 1_048_576:g}".replace(".", ",")


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies by their declared Content-Length, before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declarado = request.META.get("CONTENT_LENGTH") or ""
        if not declarado.strip():
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return HttpResponse(_PAGINA_411, status=411, content_type="text/html; charset=utf-8")
            return self.get_response(request)
        try:
            longitud = int(declarado)
        except ValueError:
            return HttpResponseBadRequest(
                "Content-Length no válido.", content_type="text/plain; charset=utf-8"
            )
        if longitud < 0:
            return HttpResponseBadRequest(
                "Content-Length no válido.", content_type="text/plain; charset=utf-8"
            )
        limite = limite_peticion(request)
        if longitud > limite:
            return self._demasiado_grande(request, limite)
        return self.get_response(request)

    def _demasiado_grande(self, request, limite: int) -> HttpResponse:
        contexto = {
            "limite_bytes": limite,
            "limite_megas": _megas(limite),
            "limite_archivo_megas": _megas(limite_archivo(request)),
            # The form the citizen came from, to try again (the body was not read: its data is lost).
            "volver_url": request.path if request.method == "POST" else "",
            "CONTACTO_CORREO": settings.CONTACTO_CORREO,
            "CONTACTO_TELEFONO": settings.CONTACTO_TELEFONO,
        }
        try:
            # No request context: the middlewares that set request.user and the language have not run.
            contenido = loader.render_to_string("errors/413.html", contexto)
        except Exception:  # a missing or broken template must not turn a 413 into a 500
            contenido = _PAGINA_413.format(
                megas=contexto["limite_megas"], megas_archivo=contexto["limite_archivo_megas"]
            )
        return HttpResponse(contenido, status=413, content_type="text/html; charset=utf-8")



def retenidos_de(request, *, clave: str) -> dict[str, Adjunto]:
    """The files this session holds for the form stored under `clave`, by field name."""
    ids = request.session.get(clave, {})
    if not ids or not request.session.session_key:
        return {}
    por_id = {
        a.pk: a
        for a in Adjunto.objects.filter(
            pk__in=ids.values(), tramite__isnull=True, sesion=request.session.session_key
        )
    }
    return {campo: por_id[pk] for campo, pk in ids.items() if pk in por_id}


def retener(
    request, *, clave: str, form, tipos: dict[str, str], retenidos: dict[str, Adjunto], cifrar: bool = False
) -> dict:
    """Hold every newly accepted file of `form`, replacing the one held before for that field
    (`cifrar`: stored encrypted, as medical reports are).
    All or nothing: if storing one fails (a full disk, the database gone), the files this call stored
    are removed again and those held before stay as they were."""
    if not request.session.session_key:
        request.session.save()
    nuevos: dict[str, Adjunto] = {}
    try:
        for campo, archivo in form.archivos_nuevos().items():
            nuevos[campo] = services.adjunto_guardar(
                archivo=archivo,
                validado=archivo.validado,
                tipo=tipos[campo],
                sesion=request.session.session_key,
                usuario=request.user,
                cifrar=cifrar,
            )
    except Exception:
        for adjunto in nuevos.values():
            try:
                retenido_borrar(adjunto)
            except Exception:  # the database may be the thing that failed: the purge task finishes it
                logger.warning("no se pudo retirar el archivo retenido %s", adjunto.pk, exc_info=True)
        raise
    for campo, adjunto in nuevos.items():
        anterior = retenidos.get(campo)
        retenidos[campo] = adjunto
        if anterior is not None:
            retenido_borrar(anterior)
    request.session[clave] = {campo: a.pk for campo, a in retenidos.items()}
    return retenidos


def retenido_borrar(adjunto: Adjunto) -> None:
    adjunto.archivo.delete(save=False)
    adjunto.delete()


def soltar(request, *, clave: str, reemplazados=()) -> None:
    """Forget the held files once a case has claimed them, and delete those a new upload replaced
    (`reemplazados`: held files the case did not claim)."""
    for adjunto in reemplazados:
        retenido_borrar(adjunto)
    request.session.pop(clave, None)


def miniatura_retenida(adjunto: Adjunto | None) -> HttpResponse:
    """A small copy of a held photo, to show it back with its warning (404 unless it is an image)."""
    if adjunto is None or not adjunto.es_imagen:
        raise Http404
    response = HttpResponse(miniatura(services.adjunto_leer(adjunto)), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
