"""The online request (Ventanilla Virtual): the form, the check-your-answers step, the confirmation and
the PDF receipt."""

from csp.decorators import csp_update
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .. import services
from ..models import Adjunto, Tramite
from ..uploads import archivos_excedidos, miniatura_retenida, retener, retenidos_de, soltar
from ..views import autorizar_en_sesion, tramite_de_sesion
from . import revision
from .forms import ARCHIVOS_SOLICITUD, SolicitudForm
from .forms import confirmacion as casilla_confirmacion
from .services import tramite_crear

SESION_RETENIDOS = "adjuntos_retenidos"
SESION_BORRADOR = "solicitud_borrador"  # the answers of a valid form, until sent from the check page
SESION_ENVIADA = "solicitud_enviada"  # the reference of the request this session sent last


# --- the online request --------------------------------------------------------------------------


# The form's page may compile WebAssembly (libheif, to turn an iPhone's HEIC photo into a JPEG in the
# browser, static/js/fotos.js): 'wasm-unsafe-eval' allows that and nothing else (no JavaScript eval).
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_SOLICITUD, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def solicitud(request):
    """The form. A valid post holds its files and data for the session and leads to the check page
    (solicitud_revisar); nothing is sent until the citizen sends from there."""
    retenidos = retenidos_de(request, clave=SESION_RETENIDOS)
    if request.method == "POST":
        form = SolicitudForm(
            request.POST, request.FILES, retenidos=retenidos, excedidos=archivos_excedidos(request)
        )
        valido = form.is_valid()
        retenidos = retener(
            request, clave=SESION_RETENIDOS, form=form, tipos=ARCHIVOS_SOLICITUD, retenidos=retenidos
        )
        if valido:
            # The answers, and the confirmation of a doubtful photo (ADR 0007), until sent from the check page.
            campos = [*SolicitudForm.campos_tramite, *(casilla_confirmacion(c) for c in ARCHIVOS_SOLICITUD)]
            request.session[SESION_BORRADOR] = {c: request.POST.get(c, "") for c in campos}
            return redirect("publico:solicitud_revisar")
        form._init_archivos(retenidos, set())
    else:
        # "Cambiar" on the check page comes back here: the answers are filled in, the files held.
        form = SolicitudForm(initial=request.session.get(SESION_BORRADOR), retenidos=retenidos)
    return render(request, "tramites/solicitud.html", {"form": form, "retenidos": retenidos})


@require_http_methods(["GET"])
def retenido_miniatura(request, campo: str):
    """A small copy of a photo this session holds for the request form, to show it back with its warning."""
    return miniatura_retenida(retenidos_de(request, clave=SESION_RETENIDOS).get(campo))


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_SOLICITUD, method="POST", block=True)
@require_http_methods(["GET", "POST"])
def solicitud_revisar(request):
    """Check your answers: the data and the held files (thumbnail, pages, size) with "Cambiar" links;
    sending from here creates the case, once."""
    borrador = request.session.get(SESION_BORRADOR)
    if not borrador:
        enviada = request.session.get(SESION_ENVIADA)
        if enviada:  # already sent (a second click, the back button): its confirmation
            return redirect("publico:confirmacion", referencia=enviada)
        return redirect("publico:solicitud")
    retenidos = retenidos_de(request, clave=SESION_RETENIDOS)
    form = SolicitudForm(borrador, {}, retenidos=retenidos)
    if not form.is_valid():
        # A held file expired in the meantime: the form says what is missing, the answers kept.
        return render(request, "tramites/solicitud.html", {"form": form, "retenidos": retenidos})
    if request.method == "POST":
        tramite = tramite_desde_formulario(
            request, clave=SESION_RETENIDOS, form=form, tipos=ARCHIVOS_SOLICITUD, retenidos=retenidos
        )
        request.session.pop(SESION_BORRADOR, None)
        request.session[SESION_ENVIADA] = tramite.referencia
        autorizar_en_sesion(request, tramite)
        return redirect("publico:confirmacion", referencia=tramite.referencia)
    contexto = {"filas": revision.filas_datos(form), "archivos": revision.archivos(form, retenidos)}
    return render(request, "tramites/solicitud_revisar.html", contexto)


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


def tramite_desde_formulario(
    request, *, clave: str, form, tipos: dict[str, str], retenidos: dict[str, Adjunto], **opciones
) -> Tramite:
    """Create the case of a valid form (services.tramite_crear; `opciones` are its canal/usuario).

    A file held from an earlier attempt is claimed as it is; a file uploaded with this request is
    written to storage now and its row inserted with the case, in the same transaction, so a valid
    first attempt holds nothing and writes no session first. Held files that a new upload replaced
    are then deleted, and the session forgets its held files.
    """
    nuevos = form.archivos_nuevos()
    adjuntos = []
    try:
        for campo, tipo in tipos.items():
            if campo not in nuevos and campo not in retenidos:
                continue  # an optional file not given (the ID scan, EXIGIR_COPIA_CEDULA)
            adjuntos.append(
                services.adjunto_preparar(
                    archivo=nuevos[campo], validado=nuevos[campo].validado, tipo=tipo, usuario=request.user
                )
                if campo in nuevos
                else retenidos[campo]
            )
    except BaseException:
        # The second file could not be written (a full disk): the first one must not stay behind.
        for adjunto in adjuntos:
            if adjunto.pk is None:
                adjunto.archivo.delete(save=False)
        raise
    tramite = tramite_crear(datos=form.datos_tramite(), adjuntos=adjuntos, **opciones)
    soltar(request, clave=clave, reemplazados=[a for c, a in retenidos.items() if c in nuevos])
    return tramite
