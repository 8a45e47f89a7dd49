"""The window clerk's intake of a paper request and its printed receipt."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import auditoria
from ..models import Tramite
from ..permisos import personal_requerido
from ..roles import Rol
from ..selectors import tramites_con_recibo, tramites_visibles
from ..uploads import retener, retenidos_de
from .forms import ARCHIVOS_VENTANILLA, VentanillaForm
from .views import tramite_desde_formulario

SESION_RETENIDOS_VENTANILLA = "ventanilla_retenidos"


# --- the window channel ----------------------------------------------------------------------------


@personal_requerido(Rol.VENTANILLA)
@require_http_methods(["GET", "POST"])
def presencial_nuevo(request):
    from ..uploads import archivos_excedidos

    retenidos = retenidos_de(request, clave=SESION_RETENIDOS_VENTANILLA)
    if request.method == "POST":
        form = VentanillaForm(
            request.POST, request.FILES, retenidos=retenidos, excedidos=archivos_excedidos(request)
        )
        if form.is_valid():
            tramite = tramite_desde_formulario(
                request,
                clave=SESION_RETENIDOS_VENTANILLA,
                form=form,
                tipos=ARCHIVOS_VENTANILLA,
                retenidos=retenidos,
                canal=Tramite.Canal.PRESENCIAL,
                usuario=request.user,
            )
            messages.success(
                request, _("Solicitud registrada con la referencia %(ref)s.") % {"ref": tramite.referencia}
            )
            return redirect("personal:recibo", referencia=tramite.referencia)
        retenidos = retener(
            request,
            clave=SESION_RETENIDOS_VENTANILLA,
            form=form,
            tipos=ARCHIVOS_VENTANILLA,
            retenidos=retenidos,
        )
        form._init_archivos(retenidos, set())
    else:
        form = VentanillaForm(retenidos=retenidos)
    return render(request, "personal/presencial_nuevo.html", {"form": form, "retenidos": retenidos})


def _con_recibo(request, referencia: str):
    """The case whose receipt is asked for: a clerk keeps the receipt of what they registered, even
    once it was routed to another office (the case itself is then out of their reach)."""
    return get_object_or_404(tramites_con_recibo(usuario=request.user), referencia=referencia)


@personal_requerido()
def recibo(request, referencia: str):
    tramite = _con_recibo(request, referencia)
    puede_ver = tramites_visibles(usuario=request.user).filter(pk=tramite.pk).exists()
    return render(request, "personal/recibo.html", {"tramite": tramite, "puede_ver": puede_ver})


@personal_requerido()
def comprobante(request, referencia: str):
    from .comprobante import comprobante_pdf

    tramite = _con_recibo(request, referencia)
    auditoria.registrar("comprobante", request=request, tramite=tramite, objeto=tramite.referencia)
    respuesta = HttpResponse(comprobante_pdf(tramite), content_type="application/pdf")
    respuesta["Content-Disposition"] = content_disposition_header(
        False, f"comprobante-{tramite.referencia}.pdf"
    )
    respuesta["Cache-Control"] = "private, no-store"
    respuesta["X-Content-Type-Options"] = "nosniff"
    return respuesta
