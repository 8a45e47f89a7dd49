"""Public pages of the authorization document: the employer's verification, the citizen's download.

/verificar/ shows only what an employer needs (number, date, decision, office, validity, status,
masked name and identification), never a medical detail. Every verification is counted and the
page is rate-limited per IP (RATELIMIT_VERIFICAR).
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .. import auditoria
from ..uploads import archivos_excedidos
from ..views import limite_excedido, tramite_de_sesion
from . import services, verificacion
from .forms import VerificarCodigoForm, VerificarPdfForm


def _limite(g, r) -> str:
    return settings.RATELIMIT_VERIFICAR


def _pagina(request, *, codigo_form=None, pdf_form=None, status=200):
    contexto = {
        "codigo_form": codigo_form or VerificarCodigoForm(prefix="c"),
        "pdf_form": pdf_form or VerificarPdfForm(prefix="p"),
        "max_bytes": settings.VERIFICAR_MAX_BYTES,
    }
    return render(request, "tramites/verificar.html", contexto, status=status)


@ratelimit(key="ip", rate=_limite, method="POST", group="verificar", block=False)
@require_http_methods(["GET", "POST"])
def verificar(request):
    if request.method == "GET" and "codigo" in request.GET:
        # A form submitted without the POST (or a typed link): same page as the QR.
        codigo = services.normalizar_codigo(request.GET["codigo"])
        if codigo:
            return redirect("publico:verificar_codigo", codigo=codigo)
    if request.method != "POST":
        return _pagina(request)
    if getattr(request, "limited", False):
        return limite_excedido(request)
    if request.POST.get("metodo") == "codigo":
        form = VerificarCodigoForm(request.POST, prefix="c")
        if form.is_valid():
            return redirect("publico:verificar_codigo", codigo=form.cleaned_data["codigo"])
        return _pagina(request, codigo_form=form, status=400)
    form = VerificarPdfForm(request.POST, request.FILES, prefix="p", excedidos=archivos_excedidos(request))
    if not form.is_valid():
        return _pagina(request, pdf_form=form, status=400)
    archivo = form.cleaned_data["documento"]
    archivo.seek(0)
    resultado = verificacion.verificar_pdf(datos=archivo.read())
    documento = resultado.resolucion or resultado.pretende_ser
    contexto = {
        "resultado": resultado,
        "datos": verificacion.datos_publicos(documento) if documento else None,
        "metodo": "pdf",
    }
    return render(request, "tramites/verificar_resultado.html", contexto)


@ratelimit(key="ip", rate=_limite, method=ratelimit.ALL, group="verificar", block=False)
@require_http_methods(["GET"])
def verificar_codigo(request, codigo: str):
    """The page the QR code opens (and the typed code leads to)."""
    if getattr(request, "limited", False):
        return limite_excedido(request)
    normalizado = services.normalizar_codigo(codigo)
    if normalizado and normalizado != codigo:
        return redirect("publico:verificar_codigo", codigo=normalizado)
    resolucion = verificacion.verificar_codigo(codigo=codigo)
    contexto = {
        "codigo": codigo,
        "datos": verificacion.datos_publicos(resolucion) if resolucion else None,
        "metodo": "codigo",
    }
    return render(request, "tramites/verificar_resultado.html", contexto, status=200 if resolucion else 404)


def resolucion_descarga(request, referencia: str):
    """The citizen's copy of the document in force, for the session that looked the case up."""
    tramite = tramite_de_sesion(request, referencia)
    documento = services.vigente(tramite=tramite)
    if documento is None:
        raise Http404
    datos = services.documento_leer(documento)
    auditoria.registrar(
        "resolucion_descargada",
        request=request,
        tramite=tramite,
        objeto=documento.numero,
        detalle={"canal": "consulta"},
    )
    response = HttpResponse(datos, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="resolucion-{documento.numero}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
