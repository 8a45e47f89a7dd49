"""Reads. `tramites_visibles` is the ONE scoped query behind every staff list, search, detail,
download, history, action and export of cases: nothing reads cases for staff any other way."""
from django.db.models import QuerySet

from .models import Tramite
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
    return base.filter(oficina=oficina)


def tramite_publico(*, referencia: str, identificacion: str) -> Tramite | None:
    """The citizen's lookup: both must match; the caller must not reveal which one failed."""
    return (
        Tramite.objects.filter(referencia=referencia, identificacion=identificacion.strip().upper())
        .select_related("oficina")
        .first()
    )
