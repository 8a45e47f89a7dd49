"""Staff pages of the remaining-capacity assessment (medical evaluator; the director reads it).

Every case is read through selectors.tramites_visibles (another office's case is a 404); who may
read the medical content is decided by evaluacion.services, which audits every read and refusal.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..models import Adjunto, Tramite
from ..permisos import personal_requerido
from ..resoluciones import services as res
from ..roles import Rol
from ..services import TransicionNoPermitida
from ..uploads import archivos_excedidos, retener, retenidos_de, soltar
from ..views import contexto_caso, sin_cache, tramite_visible, url_caso
from . import services as ev
from .forms import INFORMES, EvaluacionForm

SESION_INFORMES = "evaluacion_informes_"

# --- the assessment ------------------------------------------------------------------------------


@personal_requerido()
@require_http_methods(["GET", "POST"])
def evaluacion(request, referencia: str):
    """Record the assessment (evaluator, case EN_EVALUACION) or read it (evaluator or director)."""
    tramite = tramite_visible(request, referencia)
    if ev.puede_registrar(usuario=request.user, tramite=tramite):
        return _formulario(request, tramite, corregir=False)
    if request.method == "POST":
        raise PermissionDenied
    resumen = ev.resumen(tramite=tramite)
    if not resumen["existe"]:
        return render(request, "personal/evaluacion_pendiente.html", contexto_caso(tramite), status=404)
    try:
        evaluacion = ev.evaluacion_ver(tramite=tramite, usuario=request.user, request=request)
    except PermissionDenied:
        return sin_cache(
            render(
                request,
                "personal/evaluacion_restringida.html",
                contexto_caso(tramite, resumen=resumen),
                status=403,
            )
        )
    contexto = contexto_caso(
        tramite,
        evaluacion=evaluacion,
        informes=ev.informes(tramite=tramite),
        puede_corregir=ev.puede_corregir(usuario=request.user, tramite=tramite),
        puede_resolver=res.puede_resolver(usuario=request.user, tramite=tramite),
    )
    return sin_cache(render(request, "personal/evaluacion_detalle.html", contexto))


@personal_requerido(Rol.EVALUADOR)
@require_http_methods(["GET", "POST"])
def evaluacion_corregir(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    if not ev.puede_corregir(usuario=request.user, tramite=tramite):
        raise PermissionDenied
    return _formulario(request, tramite, corregir=True)


def _formulario(request, tramite: Tramite, *, corregir: bool):
    actual = None
    if corregir:
        actual = ev.evaluacion_ver(tramite=tramite, usuario=request.user, request=request, motivo="corregir")
    # Reports accepted on a try with errors elsewhere are held (encrypted) for this session and case,
    # as the citizen form holds its files: the evaluator does not choose them again.
    clave = f"{SESION_INFORMES}{tramite.pk}"
    retenidos = retenidos_de(request, clave=clave)
    if request.method == "POST":
        form = EvaluacionForm(
            request.POST,
            request.FILES,
            tramite=tramite,
            excedidos=archivos_excedidos(request),
            retenidos=retenidos,
        )
        if form.is_valid():
            servicio = ev.evaluacion_corregir if corregir else ev.evaluacion_registrar
            reemplazados = [a for a in retenidos.values() if a not in form.retenidos_vigentes()]
            try:
                servicio(
                    tramite=tramite,
                    usuario=request.user,
                    datos=form.datos(),
                    archivos=form.archivos(),
                    retenidos=form.retenidos_vigentes(),
                    request=request,
                )
            except TransicionNoPermitida as exc:
                messages.error(request, str(exc))
                return redirect(url_caso(tramite.referencia))
            soltar(request, clave=clave, reemplazados=reemplazados)
            messages.success(
                request,
                _("Evaluación corregida.")
                if corregir
                else _(
                    "Evaluación registrada. El trámite pasó a «Evaluado» y espera la resolución del director."
                ),
            )
            return redirect("personal:evaluacion", referencia=tramite.referencia)
        form.retenidos = retener(
            request,
            clave=clave,
            form=form,
            tipos={n: Adjunto.Tipo.INFORME_MEDICO for n in INFORMES},
            retenidos=retenidos,
            cifrar=True,
        )
    else:
        inicial = {c: getattr(actual, c) for c in ev.CAMPOS} if actual else None
        form = EvaluacionForm(initial=inicial, tramite=tramite, retenidos=retenidos)
    contexto = contexto_caso(
        tramite, form=form, corregir=corregir, informes=ev.informes(tramite=tramite) if corregir else []
    )
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return sin_cache(render(request, "personal/evaluacion_form.html", contexto, status=estado))


@personal_requerido(Rol.EVALUADOR, Rol.DIRECTOR)
def informe(request, referencia: str, pk: int):
    tramite = tramite_visible(request, referencia)
    try:
        adjunto, datos = ev.informe_leer(
            tramite=tramite, adjunto_id=pk, usuario=request.user, request=request
        )
    except Adjunto.DoesNotExist as exc:
        raise Http404 from exc
    extension = "pdf" if adjunto.tipo_contenido == "application/pdf" else "jpg"
    response = HttpResponse(datos, content_type=adjunto.tipo_contenido)
    response["Content-Disposition"] = (
        f'attachment; filename="informe-{tramite.referencia}-{adjunto.pk}.{extension}"'
    )
    return sin_cache(response)
