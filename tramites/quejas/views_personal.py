"""Complaints for staff (/personal/quejas/): the list, a complaint, taking and answering it."""

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors
from ..models import Queja
from ..permisos import personal_requerido
from ..roles import Rol
from . import services
from .forms import RespuestaQuejaForm

logger = logging.getLogger(__name__)
ROLES_QUEJAS = (Rol.SUPERVISOR, Rol.DIRECTOR, Rol.ANALISTA)


# --- staff ---------------------------------------------------------------------------------------


@personal_requerido(*ROLES_QUEJAS)
def quejas_lista(request):
    estado = request.GET.get("estado", "")
    qs = selectors.quejas_visibles(usuario=request.user)
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
    return get_object_or_404(selectors.quejas_visibles(usuario=request.user), referencia=referencia)


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
        services.queja_tomar(queja=queja, usuario=request.user, request=request)
        messages.success(request, _("La queja está ahora en proceso."))
    except services.QuejaNoPermitida as exc:
        messages.error(request, str(exc))
    return redirect("personal:queja_detalle", referencia=queja.referencia)


@require_POST
@personal_requerido(*ROLES_QUEJAS)
def queja_responder(request, referencia: str):
    queja = _queja(request, referencia)
    form = RespuestaQuejaForm(request.POST)
    if form.is_valid():
        try:
            services.queja_responder(
                queja=queja, usuario=request.user, respuesta=form.cleaned_data["respuesta"], request=request
            )
        except services.QuejaNoPermitida as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Respuesta enviada al ciudadano por correo electrónico."))
            return redirect("personal:queja_detalle", referencia=queja.referencia)
    return render(request, "personal/queja_detalle.html", {"queja": queja, "form": form}, status=400)
