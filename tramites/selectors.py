"""Reads. `tramites_visibles` is the ONE scoped query behind every staff list, search, detail,
download, history, action and export of cases: nothing reads cases for staff any other way."""

from django.db.models import Count, Q, QuerySet

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
        # A window clerk also reaches the requests they registered until routing gives them an office;
        # once a case is another office's, the clerk keeps only its receipt (tramites_con_recibo).
        return base.filter(Q(oficina=oficina) | Q(registrado_por=usuario, oficina__isnull=True))
    return base.filter(oficina=oficina)


def tramites_con_recibo(*, usuario) -> QuerySet[Tramite]:
    """Whose receipt this user may print: the visible cases, and those the user registered at a window."""
    visibles = tramites_visibles(usuario=usuario)
    if Rol.VENTANILLA not in roles_de(usuario) or oficina_de(usuario) is None:
        return visibles
    return visibles | Tramite.objects.select_related("oficina", "analista").filter(registrado_por=usuario)


def tramite_publico(*, referencia: str, identificacion: str) -> Tramite | None:
    """The citizen's lookup: both must match; the caller must not reveal which one failed."""
    return (
        Tramite.objects.filter(referencia=referencia, identificacion=identificacion.strip().upper())
        .select_related("oficina")
        .first()
    )


def tramites_conteo_por_estado(*, usuario) -> dict[str, int]:
    """Cases per state among those the user sees.

    Counted with one GROUP BY (open states from a small partial index) and kept in the cache per office
    (and one entry for the national view), so an inbox page usually costs no count at all. Every
    change of state clears the entries of the offices it touches (services.conteos_invalidar: on the
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
