"""The citizen's follow-up: status lookup, the case's timeline, and the correction of an observed
request, posted from /consulta/<ref>/."""

# --- status lookup -------------------------------------------------------------------------------
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
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
from ..uploads import archivos_excedidos, miniatura_retenida, retener, retenidos_de, soltar
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


def clave_retenidos(referencia: str) -> str:
    """The session key of the files held for the correction of case `referencia`."""
    return f"subsanacion_retenidos:{referencia}"


def consulta_detalle(request, referencia: str):
    return render_consulta(request, tramite_de_sesion(request, referencia))


def render_consulta(request, tramite: Tramite, *, form_subsanacion=None, status: int = 200):
    """The citizen's case page; the correction view re-renders it with its bound form and errors."""
    observacion = (
        tramite.observaciones.filter(respondida_en__isnull=True).first()
        if tramite.estado == Estado.OBSERVADO
        else None
    )
    plazo_vencido = observacion is not None and observacion.vence_el < timezone.localdate()
    con_formulario = observacion is not None and not plazo_vencido
    retenidos, miniaturas = {}, {}
    if con_formulario:
        retenidos = retenidos_de(request, clave=clave_retenidos(tramite.referencia))
        miniaturas = {
            campo: reverse("publico:subsanar_miniatura", args=[tramite.referencia, campo])
            for campo in SubsanacionForm.archivos
        }
        if form_subsanacion is None:
            form_subsanacion = SubsanacionForm(
                max_bytes=settings.UPLOAD_MAX_BYTES, retenidos=retenidos, confirmar_dudosas=True
            )
    contexto = {
        "tramite": tramite,
        "observacion": observacion,
        "plazo_vencido": plazo_vencido,
        "form_subsanacion": form_subsanacion,
        "retenidos": retenidos,
        "miniaturas": miniaturas,
        "telefono": mostrar_telefono(tramite.telefono),
    }
    response = render(request, "tramites/consulta_detalle.html", contexto, status=status)
    if con_formulario:
        # The correction form converts large and HEIC photos in the browser (static/js/fotos.js, libheif
        # in WebAssembly), as the request form does: 'wasm-unsafe-eval' allows that and nothing else,
        # and only on the page that holds the form.
        response._csp_update = {"script-src": ["'wasm-unsafe-eval'"]}
    return response


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_SOLICITUD, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def subsanar(request, referencia: str):
    """The citizen's correction. As on the request form, a file accepted in a post that fails is held for
    the session (it need not be chosen again), and a doubtful photo is shown back for confirmation."""
    if request.method == "GET":
        # A reload, a bookmark or the back button after posting: the case page holds the form.
        return redirect("publico:consulta_detalle", referencia=referencia)
    tramite = tramite_de_sesion(request, referencia)  # only a session that looked the case up
    clave = clave_retenidos(tramite.referencia)
    retenidos = retenidos_de(request, clave=clave)
    form = SubsanacionForm(
        request.POST,
        request.FILES,
        max_bytes=settings.UPLOAD_MAX_BYTES,
        excedidos=archivos_excedidos(request),
        retenidos=retenidos,
        confirmar_dudosas=True,
    )
    if not form.is_valid():
        if tramite.estado == Estado.OBSERVADO:
            form._init_archivos(
                retener(request, clave=clave, form=form, tipos=SubsanacionForm.archivos, retenidos=retenidos),
                set(),
            )
        return render_consulta(request, tramite, form_subsanacion=form, status=400)
    try:
        subsanacion.tramite_subsanar(
            tramite=tramite,
            archivos=form.documentos(),
            retenidos=form.retenidos_usados(),
            comentario=form.cleaned_data["comentario"],
        )
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    else:
        nuevos = form.archivos_nuevos()
        soltar(request, clave=clave, reemplazados=[a for c, a in retenidos.items() if c in nuevos])
        messages.success(
            request,
            _(
                "Recibimos sus documentos corregidos. Su solicitud volvió a revisión; "
                "le avisaremos por correo."
            ),
        )
    return redirect("publico:consulta_detalle", referencia=tramite.referencia)


@require_http_methods(["GET"])
def subsanar_miniatura(request, referencia: str, campo: str):
    """A small copy of a photo this session holds for the correction, shown back with its warning."""
    tramite = tramite_de_sesion(request, referencia)
    return miniatura_retenida(retenidos_de(request, clave=clave_retenidos(tramite.referencia)).get(campo))
