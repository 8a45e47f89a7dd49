"""Who may open a staff page: logged in, second factor confirmed when required, and holding a role.

Every staff view is wrapped in `personal_requerido(*roles)`; which cases the user may see is decided
separately and only by `selectors.tramites_visibles`.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .roles import Rol
from .selectors import roles_de

TODOS_LOS_ROLES = tuple(r.value for r in Rol)


def totp_pendiente(usuario) -> bool:
    """True when the settings require a second factor and this session has not confirmed one."""
    if not settings.REQUIRE_TOTP:
        return False
    verificado = getattr(usuario, "is_verified", None)
    return not (verificado and verificado())


def personal_requerido(*roles: str):
    """Decorator: login, then TOTP (if REQUIRE_TOTP), then one of `roles` (any staff role if none).

    A user without one of the roles gets 403."""
    permitidos = set(roles or TODOS_LOS_ROLES)

    def decorador(vista):
        @wraps(vista)
        def envuelta(request, *args, **kwargs):
            usuario = request.user
            if not usuario.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("personal:login"))
            if totp_pendiente(usuario):
                return redirect(f"{reverse('personal:totp')}?{urlencode({'next': request.get_full_path()})}")
            if not roles_de(usuario) & permitidos:
                raise PermissionDenied
            return vista(request, *args, **kwargs)

        envuelta.roles_permitidos = frozenset(permitidos)
        return envuelta

    return decorador


def solo_lectura(usuario) -> bool:
    """The national supervisor sees every office but acts on none (unless it also holds a working role)."""
    roles = roles_de(usuario)
    return Rol.SUPERVISOR in roles and not roles - {Rol.SUPERVISOR}
