"""Helpers shared by the staff pages of several features (the case they act on, no caching of
personal data) and, at the end of issue 11, the site's own pages."""

import errno
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import loader
from django.urls import reverse

from .models import Tramite
from .selectors import tramites_visibles


def tramite_visible(request, referencia: str) -> Tramite:
    return get_object_or_404(tramites_visibles(usuario=request.user), referencia=referencia)


def url_caso(referencia: str) -> str:
    return reverse("personal:tramite", args=[referencia])


def sin_cache(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def contexto_caso(tramite: Tramite, **extra) -> dict:
    return {"tramite": tramite, "url_caso": url_caso(tramite.referencia), **extra}


logger = logging.getLogger(__name__)

SESION_AUTORIZADOS = "tramites_autorizados"


def autorizar_en_sesion(request, tramite: Tramite) -> None:
    autorizados = set(request.session.get(SESION_AUTORIZADOS, []))
    autorizados.add(tramite.pk)
    request.session[SESION_AUTORIZADOS] = sorted(autorizados)[-20:]


def tramite_de_sesion(request, referencia: str) -> Tramite:
    """A case this browser session has shown it may see (it submitted it or looked it up)."""
    tramite = get_object_or_404(Tramite, referencia=referencia)
    if tramite.pk not in request.session.get(SESION_AUTORIZADOS, []):
        raise Http404
    return tramite


def inicio(request):
    return render(request, "tramites/inicio.html")


def privacidad(request):
    return render(request, "tramites/privacidad.html")


# --- errors --------------------------------------------------------------------------------------


def limite_excedido(request, exception=None):
    return render(request, "errors/429.html", status=429)


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


# A full volume or quota: the files cannot be written, nothing is wrong with the request.
_DISCO_LLENO = {errno.ENOSPC, errno.EDQUOT}


def servicio_caido(exc: BaseException | None) -> bool:
    """The database is unreachable (stopped, restarting, locked) or the storage is full: the request
    was fine and will work in a moment. Follows the chain of causes (a wrapped error counts)."""
    vistos = 0
    while exc is not None and vistos < 10:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        if isinstance(exc, OSError) and exc.errno in _DISCO_LLENO:
            return True
        exc = exc.__cause__ or exc.__context__
        vistos += 1
    return False


def servicio_no_disponible(request=None) -> HttpResponse:
    """503 "Servicio no disponible, intente en un momento": it touches neither the database nor the
    storage (no request context: no user, no session), so it renders while they are down."""
    contenido = loader.render_to_string("errors/503.html", {"CONTACTO_CORREO": settings.CONTACTO_CORREO})
    respuesta = HttpResponse(contenido, status=503)
    respuesta["Retry-After"] = "30"
    respuesta["Cache-Control"] = "no-store"
    return respuesta


def error_500(request):
    # handler500 runs inside Django's `except` for the request's exception (view or middleware): a
    # database outage or a full disk is a 503 the citizen can act on, never a 500. Whatever the view
    # wrote was in a transaction that rolled back, and its new files were removed (tramite_crear,
    # services.AlmacenPrivado).
    if servicio_caido(sys.exc_info()[1]):
        return servicio_no_disponible(request)
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)
