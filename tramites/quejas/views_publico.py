"""Complaints: the citizen's form and its receipt."""

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from ..models import Queja
from ..views import limite_excedido
from . import services
from .forms import QuejaForm

logger = logging.getLogger(__name__)

SESION_QUEJAS = "quejas_enviadas"


# --- public --------------------------------------------------------------------------------------


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_QUEJAS, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def queja_nueva(request):
    if getattr(request, "limited", False):
        return limite_excedido(request)
    if request.method == "POST":
        form = QuejaForm(request.POST)
        if form.is_valid():
            queja = services.queja_crear(**form.datos_queja(), request=request)
            enviadas = request.session.get(SESION_QUEJAS, [])
            request.session[SESION_QUEJAS] = (enviadas + [queja.referencia])[-10:]
            return redirect("publico:queja_enviada", referencia=queja.referencia)
        if form.es_spam:
            logger.info("queja rechazada como posible spam desde %s", request.META.get("REMOTE_ADDR"))
        form.nueva_marca()
    else:
        form = QuejaForm()
    return render(request, "tramites/queja_nueva.html", {"form": form})


def queja_enviada(request, referencia: str):
    # Only the browser session that sent the complaint sees its receipt page.
    if referencia not in request.session.get(SESION_QUEJAS, []):
        raise Http404
    queja = get_object_or_404(Queja, referencia=referencia)
    return render(request, "tramites/queja_enviada.html", {"queja": queja})
