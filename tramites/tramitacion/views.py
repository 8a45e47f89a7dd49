"""Staff pages of the workflow: the inbox, the case page and its actions, attachment downloads.

Every view is wrapped in permisos.personal_requerido, and every case is read through
selectors.tramites_visibles (another office's case is a 404)."""


from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from .. import auditoria, plazos
from ..estados import ABIERTOS, FINALES, Estado, acciones_permitidas
from ..models import Adjunto, RevisionRequisitos, Tramite
from ..permisos import personal_requerido, solo_lectura
from ..provincias import PROVINCIA_CHOICES
from ..roles import Rol
from ..selectors import oficina_de, roles_de, tramites_conteo_por_estado
from ..services import TransicionNoPermitida, adjunto_leer
from ..subsanacion import services as subsanacion
from ..subsanacion.forms import SubsanacionForm
from ..templatetags.personal import plazo_restante
from ..validators.base import nombre_seguro
from ..views import tramite_visible
from . import services
from .forms import (
    REQUISITOS,
    ArchivarForm,
    EnviarEvaluacionForm,
    FiltroBandejaForm,
    ObservarForm,
    ReasignarForm,
    ReasignarLoteForm,
    RevisionForm,
    TrasladarForm,
    revision_con_firma,
)
from .selectors import (
    ALCANCE_TODOS,
    EN_CURSO,
    ESTADO_TODOS,
    ORDEN_ANTIGUOS,
    ORDEN_RECIENTES,
    VISTA_CERRADOS,
    VISTA_MIAS,
    VISTA_OBSERVADOS,
    VISTA_OFICINA,
    analistas_de_oficina,
    auditoria_de_tramite,
    contar_mios,
    filtro_mios,
    siguiente_en_cola,
    textos_estandar,
    tramites_bandeja,
)

POR_PAGINA = 25

# The case actions with a form on the case page; the rest of the table (routing, evaluation,
# resolution, expiry) is driven elsewhere.
FORMULARIOS_ACCION = {
    "tomar": None,
    "enviar_evaluacion": EnviarEvaluacionForm,
    "observar": ObservarForm,
    "archivar": ArchivarForm,
}
# The two decisions of the checklist form (one form, prefix "revision").
ACCIONES_REVISION = ("enviar_evaluacion", "observar")


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
SESION_BANDEJA = "bandeja_consulta"


def url_bandeja(request) -> str:
    """The inbox as the user left it: view, filters, sort and page (kept in the session)."""
    consulta = request.session.get(SESION_BANDEJA, "")
    return reverse("personal:bandeja") + (f"?{consulta}" if consulta else "")


def _fila_bandeja(t: Tramite, *, hoy, seleccionable: bool) -> dict:
    """One inbox row, its labels resolved here (a page of 25 rows costs no template lookups per cell)."""
    if t.analista_id:
        analista = t.analista.get_full_name() or t.analista.get_username()
    else:
        analista = _("En cola de la oficina") if t.oficina_id else "—"
    plazo = plazo_restante(t, plazos.dias_restantes(t, hoy=hoy))
    estado = _ESTADOS.get(t.estado, t.estado)
    subsanado = bool(getattr(t, "subsanado", False))
    solicitante = f"{t.nombres} {t.apellidos}"
    anuncio = ", ".join(
        str(x)
        for x in (t.referencia, solicitante, estado, _("subsanado, revisar") if subsanado else "", strip_tags(plazo))
        if x
    )
    return {
        "url": reverse("personal:tramite", args=[t.referencia]),
        "referencia": t.referencia,
        "solicitante": solicitante,
        "identificacion": t.identificacion,
        "estado": estado,
        "subsanado": subsanado,
        "provincia": _PROVINCIAS.get(t.provincia, t.provincia),
        "canal": _("Presencial") if t.canal == Tramite.Canal.PRESENCIAL else _("En línea"),
        "analista": analista,
        "plazo": plazo,
        "anuncio": anuncio,
        "seleccionable": seleccionable and t.estado in ABIERTOS and t.estado != Estado.INGRESADO,
    }


def aviso_sin_oficina(usuario) -> str:
    """Staff given a role but no office see no cases: they are told why (and whom to ask)."""
    roles = roles_de(usuario)
    if not roles or Rol.SUPERVISOR in roles or oficina_de(usuario) is not None:
        return ""
    nombres = ", ".join(sorted(str(Rol(r).label) for r in roles))
    return _(
        "Su usuario tiene el rol %(roles)s pero ninguna oficina asignada: por eso no ve trámites. "
        "Pida al administrador del sistema que le asigne su oficina (Administración › Perfiles del personal)."
    ) % {"roles": nombres}


def _descripcion_mias(roles) -> str:
    partes = []
    if Rol.ANALISTA in roles:
        partes.append(_("los trámites asignados a usted que esperan su revisión (los subsanados primero)"))
    if Rol.EVALUADOR in roles:
        partes.append(_("los trámites de su oficina que esperan la evaluación médica"))
    if Rol.DIRECTOR in roles:
        partes.append(_("los trámites evaluados que esperan su resolución"))
    return _("Mis trámites: %(que)s, por días hábiles restantes.") % {"que": "; ".join(partes)}


def _pestanas(usuario, conteos: dict, vista: str, mios: int | None) -> list[dict]:
    base = reverse("personal:bandeja")
    pestanas = []
    if mios is not None:
        pestanas.append((VISTA_MIAS, _("Mis trámites"), mios))
    oficina = _("Todas las oficinas") if Rol.SUPERVISOR in roles_de(usuario) else _("Trámites de la oficina")
    pestanas += [
        (VISTA_OFICINA, oficina, sum(n for e, n in conteos.items() if e in EN_CURSO)),
        (VISTA_OBSERVADOS, _("Esperan al ciudadano (observados)"), conteos.get(Estado.OBSERVADO, 0)),
        (VISTA_CERRADOS, _("Cerrados"), sum(n for e, n in conteos.items() if e in FINALES)),
    ]
    return [
        {"clave": c, "etiqueta": e, "n": n, "url": f"{base}?vista={c}", "activa": c == vista}
        for c, e, n in pestanas
    ]


_ORDENES = {
    ORDEN_ANTIGUOS: gettext_lazy("ingreso más antiguo primero"),
    ORDEN_RECIENTES: gettext_lazy("ingreso más reciente primero"),
}


@personal_requerido()
def bandeja(request):
    usuario = request.user
    roles = roles_de(usuario)
    oficina = oficina_de(usuario)
    es_director = Rol.DIRECTOR in roles and oficina is not None and not solo_lectura(usuario)
    analistas = (
        list(analistas_de_oficina(oficina=oficina))
        if oficina is not None and roles & {Rol.DIRECTOR, Rol.ANALISTA, Rol.EVALUADOR}
        else None
    )
    form = FiltroBandejaForm(request.GET or None, analistas=analistas)
    filtros = form.filtros() if request.GET else {}
    tiene_cola = filtro_mios(usuario) is not None
    vista = filtros.get("vista") or (VISTA_MIAS if tiene_cola else VISTA_OFICINA)
    if vista == VISTA_MIAS and not tiene_cola:
        vista = VISTA_OFICINA
    filtros["vista"] = vista
    q = filtros.get("q", "")
    conteos = tramites_conteo_por_estado(usuario=usuario)
    mios = contar_mios(usuario=usuario) if tiene_cola else None
    # The total rides on the counts the tabs show when only the view (or the state) narrows it.
    total = None
    if not set(filtros) - {"vista", "estado", "orden"}:
        estado = filtros.get("estado", "")
        if vista == VISTA_MIAS:  # the queue ignores the state filter (tramites_bandeja)
            total = mios
        elif vista == VISTA_OBSERVADOS:
            total = conteos.get(Estado.OBSERVADO, 0)
        elif vista == VISTA_CERRADOS:
            total = sum(n for e, n in conteos.items() if e in FINALES)
        elif vista != VISTA_OFICINA:
            total = None
        elif estado == ESTADO_TODOS:
            total = sum(conteos.values())
        elif estado:
            total = conteos.get(estado, 0)
        else:
            total = sum(n for e, n in conteos.items() if e in EN_CURSO)
    tramites = tramites_bandeja(usuario=usuario, **filtros)
    pagina = _Paginador(tramites, POR_PAGINA, total=total, en_ventana=bool(q)).get_page(request.GET.get("pagina"))
    hoy = timezone.localdate()
    filas = [_fila_bandeja(t, hoy=hoy, seleccionable=es_director) for t in pagina.object_list]
    request.session[SESION_BANDEJA] = request.GET.urlencode()
    consulta = request.GET.copy()
    consulta.pop("pagina", None)

    ambito = url_ampliar = texto_ampliar = ""
    if q:
        donde = oficina.nombre if oficina is not None and Rol.SUPERVISOR not in roles else _("todas las oficinas")
        otra = request.GET.copy()
        otra.pop("pagina", None)
        if filtros.get("alcance") == ALCANCE_TODOS:
            ambito = _("Resultados de «%(q)s» en todos los trámites de %(donde)s, abiertos y cerrados.")
            otra.pop("alcance", None)
            texto_ampliar = _("Buscar solo en los abiertos")
        else:
            ambito = _("Resultados de «%(q)s» solo en los trámites abiertos de %(donde)s.")
            otra["alcance"] = ALCANCE_TODOS
            texto_ampliar = _("Buscar también en los cerrados")
        ambito = ambito % {"q": q, "donde": donde}
        url_ampliar = "?" + otra.urlencode()
    if q:
        descripcion_orden = _("el plazo legal más próximo primero")
    elif vista == VISTA_MIAS:
        descripcion_orden = _("los subsanados primero, luego el plazo legal más próximo")
    else:
        descripcion_orden = _("el plazo legal más próximo primero")
    descripcion_orden = str(_ORDENES.get(filtros.get("orden"), descripcion_orden))
    pestanas = _pestanas(usuario, conteos, "" if q else vista, mios)
    titulo = next((p["etiqueta"] for p in pestanas if p["clave"] == vista), _("Bandeja"))
    contexto = {
        "form": form,
        "pagina": pagina,
        "filas": filas,
        "pestanas": pestanas,
        "vista": vista,
        "titulo_vista": _("Búsqueda") if q else titulo,
        "descripcion_vista": "" if q or vista != VISTA_MIAS else _descripcion_mias(roles),
        "descripcion_orden": descripcion_orden,
        "muestra_estado": vista == VISTA_OFICINA and not q,
        "ambito_busqueda": ambito,
        "url_ampliar_busqueda": url_ampliar,
        "texto_ampliar_busqueda": texto_ampliar,
        "url_sin_filtros": f"{reverse('personal:bandeja')}?vista={vista}",
        "texto_vacio": _("No tiene trámites pendientes en su cola.")
        if vista == VISTA_MIAS and not q
        else _("No hay trámites con esos criterios."),
        "conteos": [(valor, etiqueta, conteos.get(valor, 0)) for valor, etiqueta in Estado.choices],
        "total_visibles": sum(conteos.values()),
        "consulta": consulta.urlencode(),
        "consulta_completa": request.GET.urlencode(),
        "lote_form": ReasignarLoteForm(analistas=analistas_de_oficina(oficina=oficina), prefix="lote")
        if es_director and filas and any(f["seleccionable"] for f in filas)
        else None,
        "solo_lectura": solo_lectura(usuario),
        "es_ventanilla": Rol.VENTANILLA in roles,
        "es_director": es_director,
        "aviso_sin_oficina": aviso_sin_oficina(usuario),
    }
    return render(request, "personal/bandeja.html", contexto)


# --- the case page -------------------------------------------------------------------------------


def _puede_actuar(usuario, tramite: Tramite) -> bool:
    """Actions only on cases of the user's own office; the read-only supervisor never acts."""
    oficina = oficina_de(usuario)
    return not solo_lectura(usuario) and oficina is not None and tramite.oficina_id == oficina.pk


def _puede_revisar(usuario, tramite: Tramite) -> bool:
    """The checklist: an analyst of the office, on a case to review that is theirs or nobody's."""
    return (
        _puede_actuar(usuario, tramite)
        and Rol.ANALISTA in roles_de(usuario)
        and tramite.estado in (Estado.ASIGNADO, Estado.EN_REVISION)
        and tramite.analista_id in (None, usuario.pk)
    )


def _motivo_sin_revision(tramite: Tramite) -> str:
    if tramite.estado not in (Estado.ASIGNADO, Estado.EN_REVISION):
        return _("El trámite está en estado «%(estado)s»; esta acción ya no es posible.") % {
            "estado": tramite.get_estado_display()
        }
    return _("Este trámite está asignado a otro analista.")


def _acciones(usuario, tramite: Tramite) -> list:
    """The actions with their own card (the checklist's two decisions are in the checklist form)."""
    if not _puede_actuar(usuario, tramite):
        return []
    roles = roles_de(usuario)
    ajeno = bool(tramite.analista_id and tramite.analista_id != usuario.pk)
    acciones = []
    for t in acciones_permitidas(tramite.estado, roles):
        if t.accion not in FORMULARIOS_ACCION or t.accion in ACCIONES_REVISION:
            continue
        if ajeno and not (t.accion == "archivar" and Rol.DIRECTOR in roles):
            continue  # another analyst's case: the director reassigns it first
        acciones.append(t)
    return acciones


def _firma_propuesta(solicitud) -> str:
    """The kind of signature the request's file suggests (the analyst confirms or changes it)."""
    if solicitud is None:
        return ""
    if solicitud.firma_verificacion == Adjunto.VerificacionFirma.VALIDA:
        return "electronica"
    if solicitud.es_imagen or not solicitud.firma_digital:
        return "manuscrita"
    return ""


def _revision_inicial(tramite: Tramite, solicitud) -> tuple[dict, object, bool]:
    guardada = RevisionRequisitos.objects.filter(tramite=tramite).first()
    if guardada is not None:
        inicial = {n: getattr(guardada, n) for n, _e in REQUISITOS}
        inicial["tipo_firma"] = guardada.tipo_firma
        return inicial, guardada, False
    propuesta = _firma_propuesta(solicitud)
    return ({"tipo_firma": propuesta} if propuesta else {}), None, bool(propuesta)


def _documentos(request, tramite: Tramite, documentos: list, revision: dict) -> tuple:
    """The document in the viewer (?documento=, else the first one) and each corrected document paired
    with the one it most likely replaces: the original whose requirement was left unticked, else the
    signed request (the analyst may pick another with ?comparar_<id>=)."""
    actual = None
    pedido = request.GET.get("documento", "")
    if pedido.isdigit():
        actual = next((a for a in documentos if a.pk == int(pedido)), None)
    originales = [a for a in documentos if a.tipo != Adjunto.Tipo.SUBSANACION]
    actual = actual or (originales[0] if originales else (documentos[0] if documentos else None))
    comparaciones = []
    correcciones = [a for a in documentos if a.tipo == Adjunto.Tipo.SUBSANACION]
    for nuevo in correcciones:
        opciones = [a for a in documentos if a.pk != nuevo.pk and a.creado_en <= nuevo.creado_en]
        if not opciones:
            continue
        elegido = request.GET.get(f"comparar_{nuevo.pk}", "")
        anterior = next((a for a in opciones if elegido.isdigit() and a.pk == int(elegido)), None)
        if anterior is None:
            sin_cumplir = {"documento_legible": Adjunto.Tipo.DOCUMENTO_IDENTIDAD}
            tipo = next((t for n, t in sin_cumplir.items() if revision and not revision.get(n)), None)
            tipo = tipo or Adjunto.Tipo.SOLICITUD_FIRMADA
            anterior = next((a for a in reversed(opciones) if a.tipo == tipo), opciones[-1])
        comparaciones.append(
            {
                "nuevo": nuevo,
                "anterior": anterior,
                "opciones": opciones,
                "lados": [
                    {"etiqueta": _("Antes"), "adjunto": anterior},
                    {"etiqueta": _("Corregido"), "adjunto": nuevo},
                ],
            }
        )
    return actual, comparaciones


def _contexto_detalle(request, tramite: Tramite, formularios: dict | None = None) -> dict:
    from .auditoria_legible import filas as auditoria_filas
    from .direccion import ESTADOS_TRASLADABLES, oficinas_destino

    usuario = request.user
    roles = roles_de(usuario)
    formularios = dict(formularios or {})
    acciones = []
    for t in _acciones(usuario, tramite):
        clase = FORMULARIOS_ACCION[t.accion]
        form = formularios.get(t.accion) or (clase(prefix=t.accion) if clase else None)
        acciones.append({"t": t, "form": form})
    puede = _puede_actuar(usuario, tramite)
    reasignar = trasladar = None
    if puede and Rol.DIRECTOR in roles and tramite.estado in ABIERTOS and tramite.estado != Estado.INGRESADO:
        reasignar = formularios.get("reasignar") or ReasignarForm(
            analistas=analistas_de_oficina(oficina=tramite.oficina).exclude(pk=tramite.analista_id or 0),
            prefix="reasignar",
        )
    if puede and Rol.DIRECTOR in roles and tramite.estado in ESTADOS_TRASLADABLES:
        trasladar = formularios.get("trasladar") or TrasladarForm(
            oficinas=oficinas_destino(tramite=tramite), prefix="trasladar"
        )
    observacion = services.observacion_abierta(tramite) if tramite.estado == Estado.OBSERVADO else None
    subsanar = None
    if puede and Rol.VENTANILLA in roles and observacion is not None:
        subsanar = formularios.get("subsanar") or SubsanacionForm(
            max_bytes=settings.STAFF_UPLOAD_MAX_BYTES, prefix="subsanar"
        )
    documentos = list(tramite.adjuntos.exclude(tipo=Adjunto.Tipo.INFORME_MEDICO))
    solicitud = next((a for a in documentos if a.tipo == Adjunto.Tipo.SOLICITUD_FIRMADA), None)
    inicial, guardada, propuesta = _revision_inicial(tramite, solicitud)
    revision_form = None
    textos = textos_estandar(oficina=tramite.oficina)
    if _puede_revisar(usuario, tramite):
        revision_form = formularios.get("revision") or RevisionForm(initial=inicial, prefix="revision", textos=textos)
    documento_actual, comparaciones = _documentos(request, tramite, documentos, inicial)
    observaciones = list(tramite.observaciones.select_related("creada_por").order_by("-creada_en"))
    subsanado = tramite.estado == Estado.EN_REVISION and any(o.respondida_en for o in observaciones)
    siguiente = siguiente_en_cola(usuario=usuario, actual=tramite)
    auditoria_eventos = None
    if roles & {Rol.SUPERVISOR, Rol.DIRECTOR}:
        eventos = auditoria_de_tramite(tramite=tramite)
        auditoria_eventos = {"filas": auditoria_filas(eventos[:10]), "total": eventos.count()}
    return {
        "tramite": tramite,
        "dias": plazos.dias_restantes(tramite),
        "documentos": documentos,
        "documento_actual": documento_actual,
        "comparaciones": comparaciones,
        "solicitud": solicitud,
        "historial": list(tramite.historial.select_related("usuario").order_by("creado_en", "id")),
        "observaciones": observaciones,
        "observacion": observacion,
        "subsanado": subsanado,
        "notificaciones": list(tramite.notificaciones.order_by("-creada_en", "-id")),
        "acciones": acciones,
        "revision_form": revision_form,
        "revision_guardada": guardada,
        "firma_propuesta": propuesta and revision_form is not None and not revision_form.is_bound,
        "puede_enviar": revision_form is not None,
        "puede_observar": revision_form is not None,
        "textos_estandar": list(textos) if revision_form is not None else [],
        "reasignar": reasignar,
        "trasladar": trasladar,
        "subsanar": subsanar,
        "solo_lectura": solo_lectura(usuario),
        "auditoria": auditoria_eventos["filas"] if auditoria_eventos else None,
        "auditoria_total": auditoria_eventos["total"] if auditoria_eventos else 0,
        "hoy": timezone.localdate(),
        "url_volver": url_bandeja(request),
        "siguiente": {
            "url": reverse("personal:tramite", args=[siguiente.referencia]),
            "referencia": siguiente.referencia,
            "solicitante": f"{siguiente.nombres} {siguiente.apellidos}",
            "subsanado": bool(getattr(siguiente, "subsanado", False)),
        }
        if siguiente
        else None,
    }


@personal_requerido()
def tramite_detalle(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    auditoria.registrar("ver_tramite", request=request, tramite=tramite, objeto=tramite.referencia)
    return render(request, "personal/tramite.html", _contexto_detalle(request, tramite))


def re_mostrar(request, tramite: Tramite, clave: str, form) -> HttpResponse:
    """The case page again with the form that had errors (its error summary on top)."""
    contexto = _contexto_detalle(request, tramite, {clave: form})
    contexto["form_con_errores"] = form
    return render(request, "personal/tramite.html", contexto, status=400)


def exigir_actuar(request, tramite: Tramite) -> None:
    if not _puede_actuar(request.user, tramite):
        raise PermissionDenied


def _guardar_marcas_de(request, tramite: Tramite) -> None:
    """Whatever was ticked is kept, even when the decision it was posted with had errors."""
    parcial = RevisionForm(request.POST, prefix="revision", textos=textos_estandar(oficina=tramite.oficina))
    if parcial.is_valid():
        services.revision_guardar(tramite=tramite, usuario=request.user, marcas=parcial.marcas(), auditar=False)


@personal_requerido(Rol.ANALISTA, Rol.DIRECTOR)
def tramite_accion(request, referencia: str, accion: str):
    tramite = tramite_visible(request, referencia)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if accion not in FORMULARIOS_ACCION:
        raise Http404
    exigir_actuar(request, tramite)
    clase = FORMULARIOS_ACCION[accion]
    if accion in ACCIONES_REVISION:
        if not _puede_revisar(request.user, tramite):
            messages.error(request, _motivo_sin_revision(tramite))
            return redirect("personal:tramite", referencia=tramite.referencia)
        form = clase(request.POST, prefix="revision", textos=textos_estandar(oficina=tramite.oficina))
        if not form.is_valid():
            _guardar_marcas_de(request, tramite)
            return re_mostrar(request, tramite, "revision", form)
    else:
        form = clase(request.POST, prefix=accion) if clase else None
        if form is not None and not form.is_valid():
            return re_mostrar(request, tramite, accion, form)
    try:
        if accion == "tomar":
            services.tramite_tomar(tramite=tramite, usuario=request.user)
            messages.success(request, _("Tomó el caso: ahora está en revisión."))
        elif accion == "enviar_evaluacion":
            services.tramite_enviar_evaluacion(
                tramite=tramite, usuario=request.user, revision=revision_con_firma(form, tramite), marcas=form.marcas()
            )
            messages.success(request, _("El trámite se envió a evaluación médica."))
        elif accion == "observar":
            obs = services.tramite_observar(
                tramite=tramite,
                usuario=request.user,
                motivo=form.cleaned_data["motivo"],
                revision=revision_con_firma(form, tramite),
                marcas=form.marcas(),
                texto_estandar=form.cleaned_data.get("texto_estandar"),
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


@personal_requerido(Rol.ANALISTA)
@require_POST
def tramite_revision(request, referencia: str):
    """Save the checklist as ticked: from the page's script (JSON answer) or its save button."""
    tramite = tramite_visible(request, referencia)
    es_script = request.headers.get("X-Requested-With") == "fetch"
    if not _puede_revisar(request.user, tramite):
        mensaje = _motivo_sin_revision(tramite)
        if es_script:
            return JsonResponse({"mensaje": mensaje}, status=403)
        messages.error(request, mensaje)
        return redirect("personal:tramite", referencia=tramite.referencia)
    form = RevisionForm(request.POST, prefix="revision", textos=textos_estandar(oficina=tramite.oficina))
    if not form.is_valid():
        if es_script:
            return JsonResponse({"mensaje": _("La revisión no se pudo guardar: revise los datos.")}, status=400)
        return re_mostrar(request, tramite, "revision", form)
    revision = services.revision_guardar(tramite=tramite, usuario=request.user, marcas=form.marcas())
    mensaje = _("Revisión guardada a las %(hora)s.") % {
        "hora": timezone.localtime(revision.actualizada_en).strftime("%H:%M")
    }
    if es_script:
        return JsonResponse({"mensaje": mensaje})
    messages.success(request, mensaje)
    return redirect("personal:tramite", referencia=tramite.referencia)


@personal_requerido(Rol.DIRECTOR)
def tramite_reasignar(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    exigir_actuar(request, tramite)
    form = ReasignarForm(
        request.POST, analistas=analistas_de_oficina(oficina=tramite.oficina), prefix="reasignar"
    )
    if not form.is_valid():
        return re_mostrar(request, tramite, "reasignar", form)
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
    exigir_actuar(request, tramite)
    form = SubsanacionForm(
        request.POST,
        request.FILES,
        max_bytes=settings.STAFF_UPLOAD_MAX_BYTES,
        excedidos={n.removeprefix("subsanar-") for n in archivos_excedidos(request)},
        prefix="subsanar",
    )
    if not form.is_valid():
        return re_mostrar(request, tramite, "subsanar", form)
    try:
        subsanacion.tramite_subsanar(
            tramite=tramite,
            archivos=form.documentos(),
            comentario=form.cleaned_data["comentario"],
            usuario=request.user,
        )
        messages.success(request, _("Subsanación registrada: el trámite volvió a revisión."))
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    return redirect("personal:tramite", referencia=tramite.referencia)


@personal_requerido()
@xframe_options_sameorigin
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
