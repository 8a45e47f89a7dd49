"""The citizen's follow-up: status lookup, the case's timeline, and the correction of an observed
request, posted from /consulta/<ref>/."""

# --- status lookup -------------------------------------------------------------------------------
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from ..estados import Estado
from ..identificacion import mostrar_telefono
from ..models import Tramite
from ..selectors import tramite_publico
from ..services import TransicionNoPermitida
from ..subsanacion import services as subsanacion
from ..subsanacion.forms import SubsanacionForm
from ..uploads import archivos_excedidos
from ..views import autorizar_en_sesion, tramite_de_sesion
from .forms import ConsultaForm


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_CONSULTA, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def consulta(request):
    form = ConsultaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tramite = tramite_publico(
            referencia=form.cleaned_data["referencia"], identificacion=form.cleaned_data["identificacion"]
        )
        if tramite is not None:
            autorizar_en_sesion(request, tramite)
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
        from ..subsanacion.forms import SubsanacionForm

        form_subsanacion = SubsanacionForm(max_bytes=settings.UPLOAD_MAX_BYTES)
    contexto = {
        "tramite": tramite,
        "observacion": observacion,
        "form_subsanacion": form_subsanacion,
        "telefono": mostrar_telefono(tramite.telefono),
        "hoy": timezone.localdate(),
    }
    return render(request, "tramites/consulta_detalle.html", contexto, status=status)


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_SOLICITUD, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def subsanar(request, referencia: str):
    if request.method == "GET":
        # A reload, a bookmark or the back button after posting: the case page holds the form.
        return redirect("publico:consulta_detalle", referencia=referencia)
    tramite = tramite_de_sesion(request, referencia)  # only a session that looked the case up
    form = SubsanacionForm(
        request.POST,
        request.FILES,
        max_bytes=settings.UPLOAD_MAX_BYTES,
        excedidos=archivos_excedidos(request),
    )
    if not form.is_valid():
        return render_consulta(request, tramite, form_subsanacion=form, status=400)
    try:
        subsanacion.tramite_subsanar(
            tramite=tramite, archivos=form.archivos(), comentario=form.cleaned_data["comentario"]
        )
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Recibimos sus documentos corregidos. Su solicitud volvió a revisión; "
                "le avisaremos por correo."
            ),
        )
    return redirect("publico:consulta_detalle", referencia=tramite.referencia)
