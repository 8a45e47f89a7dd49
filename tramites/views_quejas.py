"""Complaints: the citizen's form and receipt (public), and the staff list and answer (/personal/quejas/)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from . import quejas as servicio
from .forms_quejas import QuejaForm, RespuestaQuejaForm
from .models import Queja
from .permisos import personal_requerido
from .roles import Rol
from .views_public import limite_excedido

logger = logging.getLogger(__name__)

SESION_QUEJAS = "quejas_enviadas"
ROLES_QUEJAS = (Rol.SUPERVISOR, Rol.DIRECTOR, Rol.ANALISTA)


# --- public --------------------------------------------------------------------------------------


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_QUEJAS, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def queja_nueva(request):
    if getattr(request, "limited", False):
        return limite_excedido(request)
    if request.method == "POST":
        form = QuejaForm(request.POST)
        if form.is_valid():
            queja = servicio.queja_create(**form.datos_queja(), request=request)
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


# --- staff ---------------------------------------------------------------------------------------


@personal_requerido(*ROLES_QUEJAS)
def quejas_lista(request):
    estado = request.GET.get("estado", "")
    qs = servicio.quejas_visibles(usuario=request.user)
    if estado in Queja.EstadoQueja.values:
        qs = qs.filter(estado=estado)
    else:
        estado = ""
    pagina = Paginator(qs.order_by("-creada_en", "-id"), 50).get_page(request.GET.get("pagina"))
    return render(
        request,
        "personal/quejas_lista.html",
        {"pagina": pagina, "estado": estado, "estados": Queja.EstadoQueja.choices},
    )


def _queja(request, referencia: str) -> Queja:
    return get_object_or_404(servicio.quejas_visibles(usuario=request.user), referencia=referencia)


@personal_requerido(*ROLES_QUEJAS)
def queja_detalle(request, referencia: str):
    queja = _queja(request, referencia)
    form = RespuestaQuejaForm()
    return render(request, "personal/queja_detalle.html", {"queja": queja, "form": form})


@require_POST
@personal_requerido(*ROLES_QUEJAS)
def queja_tomar(request, referencia: str):
    queja = _queja(request, referencia)
    try:
        servicio.queja_tomar(queja=queja, usuario=request.user, request=request)
        messages.success(request, _("La queja está ahora en proceso."))
    except servicio.QuejaNoPermitida as exc:
        messages.error(request, str(exc))
    return redirect("personal:queja_detalle", referencia=queja.referencia)


@require_POST
@personal_requerido(*ROLES_QUEJAS)
def queja_responder(request, referencia: str):
    queja = _queja(request, referencia)
    form = RespuestaQuejaForm(request.POST)
    if form.is_valid():
        try:
            servicio.queja_responder(
                queja=queja, usuario=request.user, respuesta=form.cleaned_data["respuesta"], request=request
            )
        except servicio.QuejaNoPermitida as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Respuesta enviada al ciudadano por correo electrónico."))
            return redirect("personal:queja_detalle", referencia=queja.referencia)
    return render(request, "personal/queja_detalle.html", {"queja": queja, "form": form}, status=400)
