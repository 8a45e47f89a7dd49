"""The online request (Ventanilla Virtual): the form, the confirmation and the PDF receipt."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from ..uploads import archivos_excedidos, retener, retenidos_de
from ..views import autorizar_en_sesion, tramite_de_sesion
from .forms import ARCHIVOS_SOLICITUD, SolicitudForm
from .services import tramite_desde_formulario

SESION_RETENIDOS = "adjuntos_retenidos"


# --- the online request --------------------------------------------------------------------------


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_SOLICITUD, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def solicitud(request):
    retenidos = retenidos_de(request, clave=SESION_RETENIDOS)
    if request.method == "POST":
        form = SolicitudForm(
            request.POST, request.FILES, retenidos=retenidos, excedidos=archivos_excedidos(request)
        )
        if form.is_valid():
            tramite = tramite_desde_formulario(
                request, clave=SESION_RETENIDOS, form=form, tipos=ARCHIVOS_SOLICITUD, retenidos=retenidos
            )
            autorizar_en_sesion(request, tramite)
            return redirect("publico:confirmacion", referencia=tramite.referencia)
        retenidos = retener(
            request, clave=SESION_RETENIDOS, form=form, tipos=ARCHIVOS_SOLICITUD, retenidos=retenidos
        )
        form._init_archivos(retenidos, set())
    else:
        form = SolicitudForm(retenidos=retenidos)
    return render(request, "tramites/solicitud.html", {"form": form, "retenidos": retenidos})


def confirmacion(request, referencia: str):
    tramite = tramite_de_sesion(request, referencia)
    return render(request, "tramites/confirmacion.html", {"tramite": tramite})


def comprobante(request, referencia: str):
    from .comprobante import comprobante_pdf

    tramite = tramite_de_sesion(request, referencia)
    response = HttpResponse(comprobante_pdf(tramite), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="comprobante-{tramite.referencia}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
