"""Reads of the staff inbox: the queue's views, filters, search, the next case, the office's analysts
and their workload, a case's audit trail."""

from datetime import timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Contains

from ..estados import ABIERTOS, FINALES, RELOJ_DETENIDO, Estado
from ..models import Tramite
from ..roles import Rol
from ..selectors import oficina_de, roles_de, tramites_visibles

# --- the staff inbox (issue 3) -----------------------------------------------------------------------

PLAZO_EN_RIESGO = "en_riesgo"
PLAZO_VENCIDOS = "vencidos"
ESTADO_ABIERTOS = ""  # the inbox's default: every case still open
ESTADO_TODOS = "todos"

# The inbox's views (tabs).
VISTA_MIAS = "mias"
VISTA_OFICINA = "oficina"
VISTA_OBSERVADOS = "observados"
VISTA_CERRADOS = "cerrados"
VISTAS = (VISTA_MIAS, VISTA_OFICINA, VISTA_OBSERVADOS, VISTA_CERRADOS)
# Where a search looks: the open cases (default) or every case, closed ones too.
ALCANCE_ABIERTOS = "abiertos"
ALCANCE_TODOS = "todos"
ORDEN_PLAZO = "plazo"
ORDEN_ANTIGUOS = "antiguos"
ORDEN_RECIENTES = "recientes"
SIN_ANALISTA = "sin"
# The office's tab: open cases that wait on the office (the observed ones wait on the citizen).
EN_CURSO = ABIERTOS - {Estado.OBSERVADO}


def _ultimo_dia_habil(hoy):
    from ..plazos import es_habil

    dia = hoy
    while not es_habil(dia):
        dia -= timedelta(days=1)
    return dia


def limites_plazo(hoy) -> tuple:
    """(last business day up to today, first day past the risk window): a case due before the first is
    overdue; one due from the first and before the second is at risk."""
    from ..plazos import sumar_dias_habiles

    return _ultimo_dia_habil(hoy), sumar_dias_habiles(hoy, settings.PLAZO_RIESGO_DIAS + 1)


class SinTildes(Func):
    """sin_tildes(col): lower case without accents, in the database (migration 0010; tramites.apps on
    SQLite). Name searches compare it with the typed words, treated the same way in Python."""

    function = "sin_tildes"
    output_field = CharField()


def _filtro_busqueda(q: str) -> Q:
    from .. import referencias
    from ..apps import sin_tildes

    texto = " ".join(q.split())
    referencia = referencias.normalizar(texto)
    if referencia:
        return Q(referencia=referencia)
    compacto = texto.replace(" ", "").replace("-", "").upper()
    if compacto.isalnum() and any(c.isdigit() for c in compacto) and 4 <= len(compacto) <= 20:
        return Q(identificacion=compacto)
    filtro = Q()
    for palabra in sin_tildes(texto).split()[:5]:
        filtro &= Q(Contains(SinTildes("nombres"), palabra)) | Q(Contains(SinTildes("apellidos"), palabra))
    return filtro


def filtro_mios(usuario) -> Q | None:
    """The cases that wait for this user's own action: an analyst's assigned cases to review, the
    office's cases to assess (evaluators) or to resolve (directors). None: no queue of their own
    (window clerks, the national supervisor, staff without an office)."""
    roles = roles_de(usuario)
    if oficina_de(usuario) is None:
        return None
    partes = []
    if Rol.ANALISTA in roles:
        partes.append(Q(analista=usuario, estado__in=[Estado.ASIGNADO, Estado.EN_REVISION]))
    if Rol.EVALUADOR in roles:
        partes.append(Q(estado=Estado.EN_EVALUACION))
    if Rol.DIRECTOR in roles:
        partes.append(Q(estado=Estado.EVALUADO))
    filtro = None
    for parte in partes:
        filtro = parte if filtro is None else filtro | parte
    return filtro


def _subsanado():
    """True for a case back in review after the citizen corrected it: it waits for the analyst."""
    from ..models import Observacion

    respondida = Observacion.objects.filter(tramite=OuterRef("pk"), respondida_en__isnull=False)
    return Case(
        When(Q(estado=Estado.EN_REVISION) & Q(Exists(respondida)), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _subsanados_entre(qs):
    """subsanado for a whole queue: the ids of its corrected cases in one query, then a plain CASE."""
    from ..models import Observacion

    ids = list(
        Observacion.objects.filter(
            respondida_en__isnull=False, tramite__in=qs.filter(estado=Estado.EN_REVISION).order_by().values("pk")
        )
        .order_by()
        .values_list("tramite_id", flat=True)
        .distinct()
    )
    return Case(When(pk__in=ids, then=Value(True)), default=Value(False), output_field=BooleanField())


# The inbox shows the analyst's name only.
_USUARIO_NO_MOSTRADO = ("password", "last_login", "is_superuser", "email", "is_staff", "date_joined")


def tramites_bandeja(
    *,
    usuario,
    vista: str | None = None,
    estado: str | None = None,
    provincia: str | None = None,
    canal: str | None = None,
    plazo: str | None = None,
    q: str | None = None,
    alcance: str | None = None,
    analista: str | None = None,
    orden: str | None = None,
    hoy=None,
) -> QuerySet[Tramite]:
    """The inbox: visible cases of a view, filtered, most urgent legal clock first (no clock last).

    `vista`: "mias" (the user's own queue, see filtro_mios; corrected cases first), "oficina" (the
    open cases that wait on the office: observed ones have their own view), "observados" (waiting on
    the citizen), "cerrados" (final states); `estado` picks one state instead; with no view, every open
    case. A search (`q`) looks over the visible open cases whatever the view, or over all of
    them with alcance="todos". Days left are business days, so `plazo` is turned into date bounds here
    and the days themselves are computed per row in Python (plazos.dias_restantes) only for the page.
    """
    from django.utils import timezone

    qs = tramites_visibles(usuario=usuario)
    buscando = bool(q and q.strip())
    if buscando:
        if alcance != ALCANCE_TODOS:
            qs = qs.filter(estado__in=list(ABIERTOS))
    elif vista == VISTA_MIAS:
        mios = filtro_mios(usuario)
        qs = qs.filter(mios) if mios is not None else qs.none()
    elif vista == VISTA_OBSERVADOS:
        qs = qs.filter(estado=Estado.OBSERVADO)
    elif vista == VISTA_CERRADOS:
        qs = qs.filter(estado__in=list(FINALES))
    elif estado == ESTADO_TODOS:
        pass
    elif estado:
        qs = qs.filter(estado=estado)
    elif vista == VISTA_OFICINA:
        # Cases waiting on the citizen have their own tab: they do not crowd the top of this one.
        qs = qs.filter(estado__in=sorted(EN_CURSO))
    else:
        qs = qs.filter(estado__in=list(ABIERTOS))
    if provincia:
        qs = qs.filter(provincia=provincia)
    if canal:
        qs = qs.filter(canal=canal)
    if analista == SIN_ANALISTA:
        qs = qs.filter(analista__isnull=True)
    elif analista:
        qs = qs.filter(analista_id=analista)
    if plazo in (PLAZO_EN_RIESGO, PLAZO_VENCIDOS):
        hoy = hoy or timezone.localdate()
        qs = qs.filter(estado__in=list(ABIERTOS - RELOJ_DETENIDO), vence_el__isnull=False)
        ultimo_habil, limite = limites_plazo(hoy)
        if plazo == PLAZO_VENCIDOS:
            qs = qs.filter(vence_el__lt=ultimo_habil)
        else:
            qs = qs.filter(vence_el__gte=ultimo_habil, vence_el__lt=limite)
    if buscando:
        qs = qs.filter(_filtro_busqueda(q))
    # The date each observed case was observed, so that the page's paused clocks cost no query per row.
    from ..models import HistorialEstado

    observado = HistorialEstado.objects.filter(tramite=OuterRef("pk"), estado_nuevo=Estado.OBSERVADO)
    por_subsanado = vista == VISTA_MIAS and not buscando and orden not in (ORDEN_ANTIGUOS, ORDEN_RECIENTES)
    qs = qs.annotate(
        observado_en=Subquery(observado.order_by("-creado_en", "-id").values("creado_en")[:1]),
        # Sorting the whole queue by it: the corrected cases are looked up once, not once per row.
        subsanado=_subsanados_entre(qs) if por_subsanado else _subsanado(),
    )
    # The page shows neither the citizen's message nor the confirmation e-mail: not read for 25 rows.
    qs = qs.select_related(None).select_related("analista").defer(
        "mensaje", "correo_confirmacion", *(f"analista__{c}" for c in _USUARIO_NO_MOSTRADO)
    )
    if orden == ORDEN_ANTIGUOS:
        return qs.order_by("creado_en", "id")
    if orden == ORDEN_RECIENTES:
        return qs.order_by("-creado_en", "-id")
    por_plazo = (F("vence_el").asc(nulls_last=True), "creado_en", "id")
    if por_subsanado:
        return qs.order_by(F("subsanado").desc(), *por_plazo)
    return qs.order_by(*por_plazo)


def siguiente_en_cola(*, usuario, actual: Tramite | None = None) -> Tramite | None:
    """The next case of the user's own queue (corrected first, then by legal days left), not `actual`."""
    if filtro_mios(usuario) is None:
        return None
    qs = tramites_bandeja(usuario=usuario, vista=VISTA_MIAS)
    if actual is not None:
        qs = qs.exclude(pk=actual.pk)
    return qs.first()


def contar_mios(*, usuario) -> int | None:
    mios = filtro_mios(usuario)
    if mios is None:
        return None
    return tramites_visibles(usuario=usuario).filter(mios).order_by().count()


def analistas_de_oficina(*, oficina):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, perfil__oficina=oficina, groups__name=Rol.ANALISTA)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def carga_por_analista(*, oficina, hoy=None) -> list[dict]:
    """Open cases per analyst of the office, in one grouped query: open, observed, at risk, overdue.

    Every active analyst of the office has a row (zero included); an analyst who still holds cases
    but left the office or was deactivated has one too, and so do the cases with no analyst."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    hoy = hoy or timezone.localdate()
    ultimo_habil, limite = limites_plazo(hoy)
    corre = Q(estado__in=list(ABIERTOS - RELOJ_DETENIDO), vence_el__isnull=False)
    filas = (
        Tramite.objects.filter(oficina=oficina, estado__in=list(ABIERTOS))
        .order_by()
        .values("analista_id")
        .annotate(
            abiertos=Count("pk"),
            observados=Count("pk", filter=Q(estado=Estado.OBSERVADO)),
            en_riesgo=Count("pk", filter=corre & Q(vence_el__gte=ultimo_habil, vence_el__lt=limite)),
            vencidos=Count("pk", filter=corre & Q(vence_el__lt=ultimo_habil)),
        )
    )
    por_analista = {f.pop("analista_id"): f for f in filas}
    vacia = {"abiertos": 0, "observados": 0, "en_riesgo": 0, "vencidos": 0}
    ids = [i for i in por_analista if i is not None]
    usuarios = get_user_model().objects.filter(
        Q(pk__in=ids) | Q(pk__in=analistas_de_oficina(oficina=oficina).values("pk"))
    )
    resultado = [
        {"usuario": u, **vacia, **por_analista.get(u.pk, {})}
        for u in sorted(usuarios, key=lambda u: (u.get_full_name() or u.get_username()).lower())
    ]
    if None in por_analista:
        resultado.append({"usuario": None, **vacia, **por_analista[None]})
    return resultado


def auditoria_de_tramite(*, tramite: Tramite):
    from ..models import EventoAuditoria

    return EventoAuditoria.objects.filter(tramite_id=tramite.pk).order_by("-creado_en", "-id")


def textos_estandar(*, oficina):
    """The standard observation texts an office's staff may insert: its own and those for every office."""
    from ..models import TextoObservacion

    if oficina is None:
        return TextoObservacion.objects.none()
    return TextoObservacion.objects.filter(Q(oficina=oficina) | Q(oficina__isnull=True), activo=True)
