"""Staff pages of the assessment (medical evaluator) and of the resolution (director).

Every case is read through selectors.tramites_visibles (another office's case is a 404); who may
read the medical content is decided by tramites.evaluacion, which audits every read and refusal.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import auditoria
from . import evaluacion as ev
from . import resoluciones as res
from .forms_evaluacion import CorreccionForm, EvaluacionForm, ResolucionForm
from .models import Adjunto, Resolucion, Tramite
from .permisos import personal_requerido
from .roles import Rol
from .selectors import tramites_visibles
from .services import TransicionNoPermitida
from .uploads import archivos_excedidos


def _tramite(request, referencia: str) -> Tramite:
    return get_object_or_404(tramites_visibles(usuario=request.user), referencia=referencia)


def url_caso(referencia: str) -> str:
    return reverse("personal:tramite", args=[referencia])


def _sin_cache(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _contexto(tramite: Tramite, **extra) -> dict:
    return {"tramite": tramite, "url_caso": url_caso(tramite.referencia), **extra}


# --- the assessment ------------------------------------------------------------------------------


@personal_requerido()
@require_http_methods(["GET", "POST"])
def evaluacion(request, referencia: str):
    """Record the assessment (evaluator, case EN_EVALUACION) or read it (evaluator or director)."""
    tramite = _tramite(request, referencia)
    if ev.puede_registrar(usuario=request.user, tramite=tramite):
        return _formulario(request, tramite, corregir=False)
    if request.method == "POST":
        raise PermissionDenied
    resumen = ev.resumen(tramite=tramite)
    if not resumen["existe"]:
        return render(request, "personal/evaluacion_pendiente.html", _contexto(tramite), status=404)
    try:
        evaluacion = ev.evaluacion_ver(tramite=tramite, usuario=request.user, request=request)
    except PermissionDenied:
        return _sin_cache(
            render(
                request,
                "personal/evaluacion_restringida.html",
                _contexto(tramite, resumen=resumen),
                status=403,
            )
        )
    contexto = _contexto(
        tramite,
        evaluacion=evaluacion,
        informes=ev.informes(tramite=tramite),
        puede_corregir=ev.puede_corregir(usuario=request.user, tramite=tramite),
        puede_resolver=res.puede_resolver(usuario=request.user, tramite=tramite),
    )
    return _sin_cache(render(request, "personal/evaluacion_detalle.html", contexto))


@personal_requerido(Rol.EVALUADOR)
@require_http_methods(["GET", "POST"])
def evaluacion_corregir(request, referencia: str):
    tramite = _tramite(request, referencia)
    if not ev.puede_corregir(usuario=request.user, tramite=tramite):
        raise PermissionDenied
    return _formulario(request, tramite, corregir=True)


def _formulario(request, tramite: Tramite, *, corregir: bool):
    actual = None
    if corregir:
        actual = ev.evaluacion_ver(tramite=tramite, usuario=request.user, request=request, motivo="corregir")
    if request.method == "POST":
        form = EvaluacionForm(
            request.POST, request.FILES, tramite=tramite, excedidos=archivos_excedidos(request)
        )
        if form.is_valid():
            servicio = ev.evaluacion_corregir if corregir else ev.evaluacion_registrar
            try:
                servicio(
                    tramite=tramite,
                    usuario=request.user,
                    datos=form.datos(),
                    archivos=form.archivos(),
                    request=request,
                )
            except TransicionNoPermitida as exc:
                messages.error(request, str(exc))
                return redirect(url_caso(tramite.referencia))
            messages.success(
                request,
                _("Evaluación corregida.")
                if corregir
                else _(
                    "Evaluación registrada. El trámite pasó a «Evaluado» y espera la resolución del director."
                ),
            )
            return redirect("personal:evaluacion", referencia=tramite.referencia)
    else:
        inicial = {c: getattr(actual, c) for c in ev.CAMPOS} if actual else None
        form = EvaluacionForm(initial=inicial, tramite=tramite)
    contexto = _contexto(
        tramite, form=form, corregir=corregir, informes=ev.informes(tramite=tramite) if corregir else []
    )
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return _sin_cache(render(request, "personal/evaluacion_form.html", contexto, status=estado))


@personal_requerido(Rol.EVALUADOR, Rol.DIRECTOR)
def informe(request, referencia: str, pk: int):
    tramite = _tramite(request, referencia)
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
    return _sin_cache(response)


# --- the resolution ------------------------------------------------------------------------------


@personal_requerido()
@require_http_methods(["GET", "POST"])
def resolucion(request, referencia: str):
    """The case's documents for every staff role; the director of the office issues the resolution here."""
    tramite = _tramite(request, referencia)
    puede = res.puede_resolver(usuario=request.user, tramite=tramite)
    if request.method == "POST" and not puede:
        raise PermissionDenied
    documentos = list(
        tramite.resoluciones.select_related("firmante", "tramite").order_by("-emitida_en", "-pk")
    )
    for documento in documentos:
        documento.corregible = res.puede_corregir(usuario=request.user, resolucion=documento)
    contexto = _contexto(tramite, resoluciones=documentos, puede_resolver=puede)
    if puede:
        evaluacion = ev.evaluacion_ver(
            tramite=tramite, usuario=request.user, request=request, motivo="resolver"
        )
        if request.method == "POST":
            form = ResolucionForm(request.POST)
            if form.is_valid():
                try:
                    emitida = res.resolucion_emitir(
                        tramite=tramite, usuario=request.user, datos=form.datos(), request=request
                    )
                except TransicionNoPermitida as exc:
                    messages.error(request, str(exc))
                    return redirect("personal:resolucion", referencia=tramite.referencia)
                messages.success(
                    request,
                    _("Resolución %(numero)s emitida y firmada. Se notificó al ciudadano por correo.")
                    % {"numero": emitida.numero},
                )
                return redirect("personal:resolucion", referencia=tramite.referencia)
        else:
            form = ResolucionForm(initial=res.propuesta(evaluacion=evaluacion))
        contexto.update(form=form, evaluacion=evaluacion)
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return _sin_cache(render(request, "personal/resolucion.html", contexto, status=estado))


@personal_requerido(Rol.DIRECTOR)
@require_http_methods(["GET", "POST"])
def resolucion_corregir(request, referencia: str, numero: str):
    """Revoke a document with a reason and issue its replacement."""
    tramite = _tramite(request, referencia)
    anterior = get_object_or_404(Resolucion.objects.select_related("tramite"), tramite=tramite, numero=numero)
    if not res.puede_corregir(usuario=request.user, resolucion=anterior):
        raise PermissionDenied
    if request.method == "POST":
        form = CorreccionForm(request.POST)
        if form.is_valid():
            try:
                nueva = res.resolucion_corregir(
                    resolucion=anterior,
                    usuario=request.user,
                    datos=form.datos(),
                    motivo=form.cleaned_data["motivo"],
                    request=request,
                )
            except TransicionNoPermitida as exc:
                messages.error(request, str(exc))
                return redirect("personal:resolucion", referencia=tramite.referencia)
            messages.success(
                request,
                _("La resolución %(anterior)s quedó revocada y se emitió la %(nueva)s.")
                % {"anterior": anterior.numero, "nueva": nueva.numero},
            )
            return redirect("personal:resolucion", referencia=tramite.referencia)
    else:
        form = CorreccionForm(
            initial={
                "decision": anterior.decision,
                "actividades_compatibles": anterior.actividades_compatibles,
                "restricciones": anterior.restricciones,
                "condiciones": anterior.condiciones,
                "vigencia_hasta": anterior.vigencia_hasta,
            }
        )
    auditoria.registrar("resolucion_vista", request=request, tramite=tramite, objeto=anterior.numero)
    contexto = _contexto(tramite, form=form, anterior=anterior)
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return _sin_cache(render(request, "personal/resolucion_corregir.html", contexto, status=estado))


@personal_requerido()
def resolucion_pdf(request, referencia: str, pk: int):
    """The signed PDF as issued (clerks hand it over at the window too); every download is audited."""
    tramite = _tramite(request, referencia)
    documento = get_object_or_404(Resolucion, tramite=tramite, pk=pk)
    datos = res.documento_leer(documento)
    auditoria.registrar(
        "resolucion_descargada",
        request=request,
        tramite=tramite,
        objeto=documento.numero,
        detalle={"canal": "personal"},
    )
    response = HttpResponse(datos, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="resolucion-{documento.numero}.pdf"'
    return _sin_cache(response)
