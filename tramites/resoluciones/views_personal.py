"""Staff pages of the assessment (medical evaluator) and of the resolution (director).

Every case is read through selectors.tramites_visibles (another office's case is a 404); who may
read the medical content is decided by tramites.evaluacion.services, which audits every read and refusal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import auditoria
from ..evaluacion import services as ev
from ..models import Resolucion
from ..permisos import personal_requerido
from ..roles import Rol
from ..services import TransicionNoPermitida
from ..views import contexto_caso, sin_cache, tramite_visible
from . import services
from .forms import CorreccionForm, ResolucionForm, RevocacionForm

# --- the resolution ------------------------------------------------------------------------------


@personal_requerido()
@require_http_methods(["GET", "POST"])
def resolucion(request, referencia: str):
    """The case's documents for every staff role; the director of the office issues the resolution here."""
    tramite = tramite_visible(request, referencia)
    puede = services.puede_resolver(usuario=request.user, tramite=tramite)
    if request.method == "POST" and not puede:
        raise PermissionDenied
    documentos = list(
        tramite.resoluciones.select_related("firmante", "tramite").order_by("-emitida_en", "-pk")
    )
    for documento in documentos:
        documento.corregible = services.puede_corregir(usuario=request.user, resolucion=documento)
    contexto = contexto_caso(tramite, resoluciones=documentos, puede_resolver=puede)
    if puede:
        evaluacion = ev.evaluacion_ver(
            tramite=tramite, usuario=request.user, request=request, motivo="resolver"
        )
        if request.method == "POST":
            form = ResolucionForm(request.POST)
            if form.is_valid() and "vista_previa" in request.POST:
                # What would be signed, unsigned and marked as a preview; nothing is recorded.
                pdf = services.vista_previa_pdf(tramite=tramite, usuario=request.user, datos=form.datos())
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = (
                    f'inline; filename="vista-previa-{tramite.referencia}.pdf"'
                )
                return sin_cache(response)
            if form.is_valid():
                try:
                    emitida = services.resolucion_emitir(
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
            form = ResolucionForm(initial=services.propuesta(evaluacion=evaluacion))
        contexto.update(form=form, evaluacion=evaluacion)
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return sin_cache(render(request, "personal/resolucion.html", contexto, status=estado))


@personal_requerido(Rol.DIRECTOR)
@require_http_methods(["GET", "POST"])
def resolucion_corregir(request, referencia: str, numero: str):
    """Revoke a document with a reason and issue its replacement."""
    tramite = tramite_visible(request, referencia)
    anterior = get_object_or_404(Resolucion.objects.select_related("tramite"), tramite=tramite, numero=numero)
    if not services.puede_corregir(usuario=request.user, resolucion=anterior):
        raise PermissionDenied
    if request.method == "POST":
        form = CorreccionForm(request.POST)
        if form.is_valid():
            try:
                nueva = services.resolucion_corregir(
                    resolucion=anterior,
                    usuario=request.user,
                    datos=form.datos(),
                    motivo=form.cleaned_data["motivo"],
                    causa=form.cleaned_data["causa"],
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
                "motivacion": anterior.motivacion,
                "actividades_compatibles": anterior.actividades_compatibles,
                "restricciones": anterior.restricciones,
                "condiciones": anterior.condiciones,
                "vigencia_hasta": anterior.vigencia_hasta,
            }
        )
    auditoria.registrar("resolucion_vista", request=request, tramite=tramite, objeto=anterior.numero)
    contexto = contexto_caso(tramite, form=form, anterior=anterior)
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return sin_cache(render(request, "personal/resolucion_corregir.html", contexto, status=estado))


@personal_requerido(Rol.DIRECTOR)
@require_http_methods(["GET", "POST"])
def resolucion_revocar(request, referencia: str, numero: str):
    """Revoke a document without issuing another."""
    tramite = tramite_visible(request, referencia)
    documento = get_object_or_404(Resolucion.objects.select_related("tramite"), tramite=tramite, numero=numero)
    if not services.puede_corregir(usuario=request.user, resolucion=documento):
        raise PermissionDenied
    form = RevocacionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolucion_revocar(
                resolucion=documento,
                usuario=request.user,
                causa=form.cleaned_data["causa"],
                motivo=form.cleaned_data["motivo"],
                request=request,
            )
        except TransicionNoPermitida as exc:
            messages.error(request, str(exc))
            return redirect("personal:resolucion", referencia=tramite.referencia)
        messages.success(
            request,
            _("La resolución %(numero)s quedó revocada. Se notificó al ciudadano por correo.")
            % {"numero": documento.numero},
        )
        return redirect("personal:resolucion", referencia=tramite.referencia)
    contexto = contexto_caso(tramite, form=form, documento=documento)
    estado = 400 if request.method == "POST" else 200  # a POST that gets here had errors
    return sin_cache(render(request, "personal/resolucion_revocar.html", contexto, status=estado))


@personal_requerido()
def resolucion_pdf(request, referencia: str, pk: int):
    """The signed PDF as issued (clerks hand it over at the window too); every download is audited."""
    tramite = tramite_visible(request, referencia)
    documento = get_object_or_404(Resolucion, tramite=tramite, pk=pk)
    datos = services.documento_leer(documento)
    auditoria.registrar(
        "resolucion_descargada",
        request=request,
        tramite=tramite,
        objeto=documento.numero,
        detalle={"canal": "personal"},
    )
    response = HttpResponse(datos, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="resolucion-{documento.numero}.pdf"'
    return sin_cache(response)
