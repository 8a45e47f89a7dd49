"""Public pages for citizens: the procedure, the online request, the receipt and the status lookup."""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .estados import Estado
from .forms import ARCHIVOS_SOLICITUD, ConsultaForm, SolicitudForm
from .identificacion import mostrar_telefono
from .models import Tramite
from .retenidos import retener, retenidos_de, tramite_desde_formulario
from .selectors import tramite_publico
from .uploads import archivos_excedidos

logger = logging.getLogger(__name__)

SESION_AUTORIZADOS = "tramites_autorizados"
SESION_RETENIDOS = "adjuntos_retenidos"


def _autorizar(request, tramite: Tramite) -> None:
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
            _autorizar(request, tramite)
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
    from .documents import comprobante_pdf

    tramite = tramite_de_sesion(request, referencia)
    response = HttpResponse(comprobante_pdf(tramite), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="comprobante-{tramite.referencia}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- status lookup -------------------------------------------------------------------------------


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_CONSULTA, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def consulta(request):
    form = ConsultaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tramite = tramite_publico(
            referencia=form.cleaned_data["referencia"], identificacion=form.cleaned_data["identificacion"]
        )
        if tramite is not None:
            _autorizar(request, tramite)
            return redirect("publico:consulta_detalle", referencia=tramite.referencia)
        # The same words whether the reference exists or not.
        form.add_error(
            None,
            _(
                "No encontramos un trámite con esa referencia y ese número de identificación. "
                "Revise los dos datos e intente de nuevo."
            ),
        )
    return render(request, "tramites/consulta.html", {"form": form})


def linea_de_tiempo(tramite: Tramite) -> list[dict]:
    """Citizen-safe timeline: state names, dates and the notes meant for the citizen; no staff names."""
    pasos = []
    for h in tramite.historial.filter(visible_ciudadano=True).order_by("creado_en", "id"):
        pasos.append({"estado": h.get_estado_nuevo_display(), "codigo": h.estado_nuevo, "fecha": h.creado_en})
    return pasos


def consulta_detalle(request, referencia: str):
    return render_consulta(request, tramite_de_sesion(request, referencia))


def render_consulta(request, tramite: Tramite, *, form_subsanacion=None, status: int = 200):
    """The citizen's case page; the correction view re-renders it with its bound form and errors."""
    observacion = (
        tramite.observaciones.filter(respondida_en__isnull=True).first()
        if tramite.estado == Estado.OBSERVADO
        else None
    )
    if observacion is not None and form_subsanacion is None:
        from .forms_staff import SubsanacionForm

        form_subsanacion = SubsanacionForm(max_bytes=settings.UPLOAD_MAX_BYTES)
    contexto = {
        "tramite": tramite,
        "pasos": linea_de_tiempo(tramite),
        "observacion": observacion,
        "form_subsanacion": form_subsanacion,
        "telefono": mostrar_telefono(tramite.telefono),
        "hoy": timezone.localdate(),
    }
    return render(request, "tramites/consulta_detalle.html", contexto, status=status)


# --- errors --------------------------------------------------------------------------------------


def limite_excedido(request, exception=None):
    return render(request, "errors/429.html", status=429)


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)
