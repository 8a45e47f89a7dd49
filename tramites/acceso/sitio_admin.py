"""The admin site under the staff login policy (django-otp's OTPAdminSite).

- Its login page is the staff login (`personal:login`): the password with django-axes' lock-out, then
  the TOTP step, and enrolment only through the administrator's link. There is no second, weaker
  login form at /admin/login/.
- With REQUIRE_TOTP, a session opens the admin only once it has confirmed its second factor
  (OTPAdminSite.has_permission adds `request.user.is_verified()`); without it (the embedded demo),
  Django's own rule applies.
- Logging out of the admin answers Clear-Site-Data and is audited, as the staff logout is.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from .. import auditoria
from ..permisos import totp_pendiente

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


class SitioAdministracion(OTPAdminSite):
    site_header = _("Reinserción laboral · Administración")
    site_title = _("Reinserción laboral")

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        if settings.REQUIRE_TOTP:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)

    def login(self, request, extra_context=None):
        destino = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(destino, {request.get_host()}, request.is_secure()):
            destino = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if totp_pendiente(request.user):
                return redirect(f"{reverse('personal:totp')}?{urlencode({'next': destino})}")
            if not self.has_permission(request):
                raise PermissionDenied  # logged in, second factor done, but not an administrator
            return redirect(destino)
        return redirect(f"{reverse('personal:login')}?{urlencode({'next': destino})}")

    def logout(self, request, extra_context=None):
        if request.user.is_authenticated:
            auditoria.registrar("salida", request=request)
        respuesta = super().logout(request, extra_context)
        respuesta["Clear-Site-Data"] = CLEAR_SITE_DATA
        return respuesta
