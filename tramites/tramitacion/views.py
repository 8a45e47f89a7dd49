"""Staff pages of the workflow: the inbox, the case page and its actions, attachment downloads.

Every view is wrapped in permisos.personal_requerido, and every case is read through
selectors.tramites_visibles (another office's case is a 404)."""

import re
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .. import auditoria, plazos
from ..estados import ABIERTOS, Estado, acciones_permitidas
from ..models import Adjunto, Tramite
from ..permisos import personal_requerido, solo_lectura
from ..provincias import PROVINCIA_CHOICES
from ..roles import Rol
from ..selectors import oficina_de, roles_de, tramites_conteo_por_estado
from ..services import TransicionNoPermitida, adjunto_leer
from ..subsanacion import services as subsanacion
from ..subsanacion.forms import SubsanacionForm
from ..templatetags.personal import plazo_restante
from ..views import tramite_visible
from . import services
from .forms import ArchivarForm, EnviarEvaluacionForm, FiltroBandejaForm, ObservarForm, ReasignarForm
from .selectors import ESTADO_TODOS, analistas_de_oficina, auditoria_de_tramite, tramites_bandeja

POR_PAGINA = 25

# The case actions with a form on the case page; the rest of the table (routing, evaluation,
# resolution, expiry) is driven elsewhere.
FORMULARIOS_ACCION = {
    "tomar": None,
    "enviar_evaluacion": EnviarEvaluacionForm,
    "observar": ObservarForm,
    "archivar": ArchivarForm,
}


# --- the inbox -----------------------------------------------------------------------------------


_PAGINA_MAXIMA = 1_000_000


class _Paginador(Paginator):
    """The inbox's paginator: no separate COUNT when the total is already known or can ride along.

    `total`: a total already known from the per-state counts. `en_ventana`: take the total from a
    COUNT(*) OVER () on the page's own query (for name searches, whose matches a separate COUNT would
    look up a second time); a page past the end falls back to the usual COUNT.
    """

    def __init__(self, *args, total: int | None = None, en_ventana: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._total = total
        self._en_ventana = en_ventana and total is None

    @cached_property
    def count(self) -> int:
        return self._total if self._total is not None else super().count

    def get_page(self, number):
        if self._en_ventana:
            try:
                numero = max(1, int(number))
            except (TypeError, ValueError):
                numero = 1
            # A page number no list reaches (and that no database takes as an OFFSET) goes to the usual
            # path, which answers with the last page.
            numero = min(numero, _PAGINA_MAXIMA)
            desde = (numero - 1) * self.per_page
            filas = list(
                self.object_list.annotate(total_en_ventana=Window(Count("*")))[desde : desde + self.per_page]
            )
            if filas or numero == 1:
                self._total = filas[0].total_en_ventana if filas else 0
                return self._get_page(filas, numero, self)
        return super().get_page(number)


_ESTADOS = dict(Estado.choices)
_PROVINCIAS = dict(PROVINCIA_CHOICES)


def _fila_bandeja(t: Tramite, *, hoy) -> dict:
    """One inbox row, its labels resolved here (a page of 25 rows costs no template lookups per cell)."""
    if t.analista_id:
        analista = t.analista.get_full_name() or t.analista.get_username()
    else:
        analista = _("En cola de la oficina") if t.oficina_id else "—"
    return {
        "url": reverse("personal:tramite", args=[t.referencia]),
        "referencia": t.referencia,
        "solicitante": f"{t.nombres} {t.apellidos}",
        "identificacion": t.identificacion,
        "estado": _ESTADOS.get(t.estado, t.estado),
        "provincia": _PROVINCIAS.get(t.provincia, t.provincia),
        "canal": _("Presencial") if t.canal == Tramite.Canal.PRESENCIAL else _("En línea"),
        "analista": analista,
        "plazo": plazo_restante(t, plazos.dias_restantes(t, hoy=hoy)),
    }


@personal_requerido()
def bandeja(request):
    form = FiltroBandejaForm(request.GET or None)
    filtros = form.filtros() if request.GET else {}
    conteos = tramites_conteo_por_estado(usuario=request.user)
    total = None
    if not set(filtros) - {"estado"}:
        estado = filtros.get("estado", "")
        if estado == ESTADO_TODOS:
            total = sum(conteos.values())
        elif estado:
            total = conteos.get(estado, 0)
        else:
            total = sum(n for e, n in conteos.items() if e in ABIERTOS)
    tramites = tramites_bandeja(usuario=request.user, **filtros)
    pagina = _Paginador(tramites, POR_PAGINA, total=total, en_ventana=bool(filtros.get("q"))).get_page(
        request.GET.get("pagina")
    )
    hoy = timezone.localdate()
    filas = [_fila_bandeja(t, hoy=hoy) for t in pagina.object_list]
    consulta = request.GET.copy()
    consulta.pop("pagina", None)
    contexto = {
        "form": form,
        "pagina": pagina,
        "filas": filas,
        "conteos": [(valor, etiqueta, conteos.get(valor, 0)) for valor, etiqueta in Estado.choices],
        "total_visibles": sum(conteos.values()),
        "consulta": consulta.urlencode(),
        "solo_lectura": solo_lectura(request.user),
        "es_ventanilla": Rol.VENTANILLA in roles_de(request.user),
    }
    return render(request, "personal/bandeja.html", contexto)


# --- the case page -------------------------------------------------------------------------------


def _puede_actuar(usuario, tramite: Tramite) -> bool:
    """Actions only on cases of the user's own office; the read-only supervisor never acts."""
    oficina = oficina_de(usuario)
    return not solo_lectura(usuario) and oficina is not None and tramite.oficina_id == oficina.pk


def _acciones(usuario, tramite: Tramite) -> list:
    if not _puede_actuar(usuario, tramite):
        return []
    roles = roles_de(usuario)
    ajeno = bool(tramite.analista_id and tramite.analista_id != usuario.pk)
    acciones = []
    for t in acciones_permitidas(tramite.estado, roles):
        if t.accion not in FORMULARIOS_ACCION:
            continue
        if ajeno and not (t.accion == "archivar" and Rol.DIRECTOR in roles):
            continue  # another analyst's case: the director reassigns it first
        acciones.append(t)
    return acciones


def _contexto_detalle(request, tramite: Tramite, formularios: dict | None = None) -> dict:
    usuario = request.user
    roles = roles_de(usuario)
    formularios = dict(formularios or {})
    acciones = []
    for t in _acciones(usuario, tramite):
        clase = FORMULARIOS_ACCION[t.accion]
        form = formularios.get(t.accion) or (clase(prefix=t.accion) if clase else None)
        acciones.append({"t": t, "form": form})
    puede = _puede_actuar(usuario, tramite)
    reasignar = None
    if puede and Rol.DIRECTOR in roles and tramite.estado in ABIERTOS and tramite.estado != Estado.INGRESADO:
        reasignar = formularios.get("reasignar") or ReasignarForm(
            analistas=analistas_de_oficina(oficina=tramite.oficina).exclude(pk=tramite.analista_id or 0),
            prefix="reasignar",
        )
    observacion = services.observacion_abierta(tramite) if tramite.estado == Estado.OBSERVADO else None
    subsanar = None
    if puede and Rol.VENTANILLA in roles and observacion is not None:
        subsanar = formularios.get("subsanar") or SubsanacionForm(
            max_bytes=settings.STAFF_UPLOAD_MAX_BYTES, prefix="subsanar"
        )
    solicitud = next((a for a in tramite.adjuntos.all() if a.tipo == Adjunto.Tipo.SOLICITUD_FIRMADA), None)
    return {
        "tramite": tramite,
        "dias": plazos.dias_restantes(tramite),
        "adjuntos": list(tramite.adjuntos.exclude(tipo=Adjunto.Tipo.INFORME_MEDICO)),
        "solicitud": solicitud,
        "historial": list(tramite.historial.select_related("usuario").order_by("creado_en", "id")),
        "observaciones": list(tramite.observaciones.select_related("creada_por").order_by("-creada_en")),
        "observacion": observacion,
        "notificaciones": list(tramite.notificaciones.order_by("-creada_en", "-id")),
        "acciones": acciones,
        "reasignar": reasignar,
        "subsanar": subsanar,
        "solo_lectura": solo_lectura(usuario),
        "auditoria": list(auditoria_de_tramite(tramite=tramite)[:200])
        if roles & {Rol.SUPERVISOR, Rol.DIRECTOR}
        else None,
        "hoy": timezone.localdate(),
    }


@personal_requerido()
def tramite_detalle(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    auditoria.registrar("ver_tramite", request=request, tramite=tramite, objeto=tramite.referencia)
    return render(request, "personal/tramite.html", _contexto_detalle(request, tramite))


def _re_mostrar(request, tramite: Tramite, clave: str, form) -> HttpResponse:
    """The case page again with the form that had errors (its error summary on top)."""
    contexto = _contexto_detalle(request, tramite, {clave: form})
    contexto["form_con_errores"] = form
    return render(request, "personal/tramite.html", contexto, status=400)


def _exigir_actuar(request, tramite: Tramite) -> None:
    if not _puede_actuar(request.user, tramite):
        raise PermissionDenied


@personal_requerido(Rol.ANALISTA, Rol.DIRECTOR)
def tramite_accion(request, referencia: str, accion: str):
    tramite = tramite_visible(request, referencia)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if accion not in FORMULARIOS_ACCION:
        raise Http404
    _exigir_actuar(request, tramite)
    clase = FORMULARIOS_ACCION[accion]
    form = clase(request.POST, prefix=accion) if clase else None
    if form is not None and not form.is_valid():
        return _re_mostrar(request, tramite, accion, form)
    try:
        if accion == "tomar":
            services.tramite_tomar(tramite=tramite, usuario=request.user)
            messages.success(request, _("Tomó el caso: ahora está en revisión."))
        elif accion == "enviar_evaluacion":
            services.tramite_enviar_evaluacion(
                tramite=tramite, usuario=request.user, revision=_revision_con_firma(form, tramite)
            )
            messages.success(request, _("El trámite se envió a evaluación médica."))
        elif accion == "observar":
            obs = services.tramite_observar(
                tramite=tramite,
                usuario=request.user,
                motivo=form.cleaned_data["motivo"],
                revision=_revision_con_firma(form, tramite),
            )
            messages.success(
                request,
                _("Trámite observado. Se pidió al ciudadano que subsane hasta el %(fecha)s.")
                % {"fecha": obs.vence_el.strftime("%d/%m/%Y")},
            )
        elif accion == "archivar":
            services.tramite_archivar(
                tramite=tramite,
                usuario=request.user,
                motivo=form.cleaned_data["motivo"],
                motivo_ciudadano=form.cleaned_data["motivo_ciudadano"],
            )
            messages.success(request, _("El trámite fue archivado. Se notificó al ciudadano por correo."))
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    return redirect("personal:tramite", referencia=tramite.referencia)


@personal_requerido(Rol.DIRECTOR)
def tramite_reasignar(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _exigir_actuar(request, tramite)
    form = ReasignarForm(
        request.POST, analistas=analistas_de_oficina(oficina=tramite.oficina), prefix="reasignar"
    )
    if not form.is_valid():
        return _re_mostrar(request, tramite, "reasignar", form)
    try:
        services.tramite_reasignar(
            tramite=tramite, usuario=request.user, analista=form.cleaned_data["analista"]
        )
        messages.success(request, _("El trámite fue reasignado."))
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    return redirect("personal:tramite", referencia=tramite.referencia)


@personal_requerido(Rol.VENTANILLA)
def tramite_subsanar(request, referencia: str):
    """A correction handed in on paper at the window, scanned by the clerk."""
    from ..uploads import archivos_excedidos

    tramite = tramite_visible(request, referencia)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _exigir_actuar(request, tramite)
    form = SubsanacionForm(
        request.POST,
        request.FILES,
        max_bytes=settings.STAFF_UPLOAD_MAX_BYTES,
        excedidos={n.removeprefix("subsanar-") for n in archivos_excedidos(request)},
        prefix="subsanar",
    )
    if not form.is_valid():
        return _re_mostrar(request, tramite, "subsanar", form)
    try:
        subsanacion.tramite_subsanar(
            tramite=tramite,
            archivos=form.archivos(),
            comentario=form.cleaned_data["comentario"],
            usuario=request.user,
        )
        messages.success(request, _("Subsanación registrada: el trámite volvió a revisión."))
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    return redirect("personal:tramite", referencia=tramite.referencia)


_NO_SEGURO = re.compile(r"[^A-Za-z0-9._ -]+")


def nombre_seguro(nombre: str, extension: str) -> str:
    """An ASCII file name without paths, quotes or control characters, with the detected extension."""
    base = unicodedata.normalize("NFKD", nombre or "").encode("ascii", "ignore").decode()
    base = base.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    base = _NO_SEGURO.sub("_", base).strip(" ._-")[:80] or "documento"
    return f"{base}.{extension}"


@personal_requerido()
def adjunto_ver(request, referencia: str, adjunto_id: int):
    tramite = tramite_visible(request, referencia)
    # Medical reports are served only by evaluacion.views.informe (evaluators and director).
    adjunto = get_object_or_404(
        Adjunto.objects.exclude(tipo=Adjunto.Tipo.INFORME_MEDICO), pk=adjunto_id, tramite=tramite
    )
    datos = adjunto_leer(adjunto)
    auditoria.registrar(
        "ver_adjunto",
        request=request,
        tramite=tramite,
        objeto=f"{tramite.referencia}/{adjunto.pk}",
        detalle={"tipo": adjunto.tipo, "sha256": adjunto.sha256},
    )
    es_pdf = adjunto.tipo_contenido == "application/pdf"
    respuesta = HttpResponse(datos, content_type="application/pdf" if es_pdf else "image/jpeg")
    respuesta["Content-Disposition"] = content_disposition_header(
        False, nombre_seguro(adjunto.nombre_original, "pdf" if es_pdf else "jpg")
    )
    respuesta["X-Content-Type-Options"] = "nosniff"
    respuesta["Cache-Control"] = "private, no-store"
    # Nothing in the file may run or load anything. Chromium will not start its PDF viewer in a
    # sandboxed document, so PDFs get the same lockdown without `sandbox` (the validator chain
    # already refuses PDFs with JavaScript or launch actions).
    if es_pdf:
        respuesta["Content-Security-Policy"] = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
    else:
        respuesta["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
        )
    respuesta["Cross-Origin-Resource-Policy"] = "same-origin"
    return respuesta


def _revision_con_firma(form, tramite) -> str:
    """The checklist as recorded in the history, with whether the e-signed letter is the applicant's."""
    carta = tramite.adjuntos.filter(tipo=Adjunto.Tipo.SOLICITUD_FIRMADA).order_by("-creado_en", "-pk").first()
    linea = carta.firmada_por_solicitante_texto() if carta else ""
    return form.revision_texto() + (f"\n- {linea}" if linea else "")
