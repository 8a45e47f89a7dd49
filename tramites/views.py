"""Helpers shared by the staff pages of several features (the case they act on, no caching of
personal data) and, at the end of issue 11, the site's own pages."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
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
