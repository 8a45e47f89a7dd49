"""Reads. `tramites_visibles` is the ONE scoped query behind every staff list, search, detail,
download, history, action and export of cases: nothing reads cases for staff any other way."""
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from .models import Queja, Tramite
from .roles import Rol


def roles_de(usuario) -> set[str]:
    if not getattr(usuario, "is_authenticated", False):
        return set()
    cache = getattr(usuario, "_roles_cache", None)
    if cache is None:
        cache = set(usuario.groups.values_list("name", flat=True)) & {r.value for r in Rol}
        usuario._roles_cache = cache
    return cache


def oficina_de(usuario):
    perfil = getattr(usuario, "perfil", None) if getattr(usuario, "is_authenticated", False) else None
    return perfil.oficina if perfil else None


def tramites_visibles(*, usuario) -> QuerySet[Tramite]:
    roles = roles_de(usuario)
    base = Tramite.objects.select_related("oficina", "analista")
    if Rol.SUPERVISOR in roles:
        return base
    oficina = oficina_de(usuario)
    if oficina is None or not roles:
        return base.none()
    if Rol.VENTANILLA in roles:
        # A window clerk also reaches the requests they registered, wherever they were routed
        # (to print the receipt or register a correction handed in at their window).
        return base.filter(Q(oficina=oficina) | Q(registrado_por=usuario))
    return base.filter(oficina=oficina)


def tramite_publico(*, referencia: str, identificacion: str) -> Tramite | None:
    """The citizen's lookup: both must match; the caller must not reveal which one failed."""
    return (
        Tramite.objects.filter(referencia=referencia, identificacion=identificacion.strip().upper())
        .select_related("oficina")
        .first()
    )


# --- the staff inbox (issue 3) -----------------------------------------------------------------------

PLAZO_EN_RIESGO = "en_riesgo"
PLAZO_VENCIDOS = "vencidos"
ESTADO_ABIERTOS = ""  # the inbox's default: every case still open
ESTADO_TODOS = "todos"


def _ultimo_dia_habil(hoy):
    from .plazos import es_habil

    dia = hoy
    while not es_habil(dia):
        dia -= timedelta(days=1)
    return dia


def _filtro_busqueda(q: str) -> Q:
    from . import referencias

    texto = " ".join(q.split())
    referencia = referencias.normalizar(texto)
    if referencia:
        return Q(referencia=referencia)
    compacto = texto.replace(" ", "").replace("-", "").upper()
    if compacto.isalnum() and any(c.isdigit() for c in compacto) and 4 <= len(compacto) <= 20:
        return Q(identificacion=compacto)
    filtro = Q()
    for palabra in texto.split()[:5]:
        filtro &= Q(nombres__icontains=palabra) | Q(apellidos__icontains=palabra)
    return filtro


# The inbox shows the analyst's name only.
_USUARIO_NO_MOSTRADO = ("password", "last_login", "is_superuser", "email", "is_staff", "date_joined")


def tramites_bandeja(
    *,
    usuario,
    estado: str | None = None,
    provincia: str | None = None,
    canal: str | None = None,
    plazo: str | None = None,
    q: str | None = None,
    hoy=None,
) -> QuerySet[Tramite]:
    """The inbox: visible cases, filtered, most urgent legal clock first (no clock last).

    Days left are business days, so `plazo` is turned into date bounds here and the days themselves
    are computed per row in Python (services.dias_restantes) only for the page shown.
    """
    from django.utils import timezone

    from .estados import ABIERTOS, RELOJ_DETENIDO
    from .plazos import sumar_dias_habiles

    qs = tramites_visibles(usuario=usuario)
    if estado == ESTADO_TODOS:
        pass
    elif estado:
        qs = qs.filter(estado=estado)
    else:
        qs = qs.filter(estado__in=list(ABIERTOS))
    if provincia:
        qs = qs.filter(provincia=provincia)
    if canal:
        qs = qs.filter(canal=canal)
    if plazo in (PLAZO_EN_RIESGO, PLAZO_VENCIDOS):
        hoy = hoy or timezone.localdate()
        qs = qs.filter(estado__in=list(ABIERTOS - RELOJ_DETENIDO), vence_el__isnull=False)
        ultimo_habil = _ultimo_dia_habil(hoy)
        if plazo == PLAZO_VENCIDOS:
            qs = qs.filter(vence_el__lt=ultimo_habil)
        else:
            limite = sumar_dias_habiles(hoy, settings.PLAZO_RIESGO_DIAS + 1)
            qs = qs.filter(vence_el__gte=ultimo_habil, vence_el__lt=limite)
    if q and q.strip():
        qs = qs.filter(_filtro_busqueda(q))
    # The date each observed case was observed, so that the page's paused clocks cost no query per row.
    from django.db.models import OuterRef, Subquery

    from .estados import Estado
    from .models import HistorialEstado

    observado = HistorialEstado.objects.filter(tramite=OuterRef("pk"), estado_nuevo=Estado.OBSERVADO)
    qs = qs.annotate(observado_en=Subquery(observado.order_by("-creado_en", "-id").values("creado_en")[:1]))
    # The page shows neither the citizen's message nor the confirmation e-mail: not read for 25 rows.
    qs = qs.select_related(None).select_related("analista").defer(
        "mensaje", "correo_confirmacion", *(f"analista__{c}" for c in _USUARIO_NO_MOSTRADO)
    )
    return qs.order_by(F("vence_el").asc(nulls_last=True), "creado_en", "id")


def tramites_conteo_por_estado(*, usuario) -> dict[str, int]:
    """Cases per state among those the user sees.

    Counted with one GROUP BY (open states from a small partial index) and kept in the cache per office
    (and one entry for the national view), so an inbox page usually costs no count at all. Every
    change of state clears the entries of the offices it touches (services._conteos_invalidar: on the
    change and again after commit), a new case clears the national one, and an entry lives at most
    CONTEO_SEGUNDOS in any case; window clerks, whose scope is personal, count live.
    """
    from django.core.cache import cache

    clave = _clave_conteo(usuario)
    conteo = cache.get(clave) if clave else None
    if conteo is None:
        visibles = tramites_visibles(usuario=usuario).order_by()
        # COUNT(*), not COUNT(id): for open states the partial index alone answers it.
        conteo = {f["estado"]: f["n"] for f in visibles.values("estado").annotate(n=Count("*"))}
        if clave:
            cache.set(clave, conteo, CONTEO_SEGUNDOS)
    return conteo


CONTEO_SEGUNDOS = 300


def _clave_conteo(usuario) -> str | None:
    roles = roles_de(usuario)
    if Rol.SUPERVISOR in roles:
        return "conteo_estados:todas"
    if Rol.VENTANILLA in roles:
        return None
    oficina = oficina_de(usuario)
    return f"conteo_estados:oficina:{oficina.pk}" if oficina else None


def claves_conteo(*oficina_ids) -> list[str]:
    """The cached counts that a change of state in these offices (and in the national view) makes stale."""
    return ["conteo_estados:todas"] + [f"conteo_estados:oficina:{i}" for i in sorted({i for i in oficina_ids if i})]


def analistas_de_oficina(*, oficina):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, perfil__oficina=oficina, groups__name=Rol.ANALISTA)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def auditoria_de_tramite(*, tramite: Tramite):
    from .models import EventoAuditoria

    return EventoAuditoria.objects.filter(tramite_id=tramite.pk).order_by("-creado_en", "-id")


# --- reads ---------------------------------------------------------------------------------------


def quejas_visibles(*, usuario):
    """The ONE scoped query for complaints. The national supervisor sees all; an office's directors
    and analysts see the complaints linked to a case their office sees (selectors.tramites_visibles).
    Complaints not linked to any case are handled nationally."""
    from .roles import Rol
    from .selectors import roles_de, tramites_visibles

    roles = roles_de(usuario)
    base = Queja.objects.select_related("tramite", "tramite__oficina")
    if Rol.SUPERVISOR in roles:
        return base
    if not roles & {Rol.DIRECTOR, Rol.ANALISTA}:
        return base.none()
    return base.filter(tramite__in=tramites_visibles(usuario=usuario).values("pk"))
