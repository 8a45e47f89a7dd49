"""Staff login: password (django-axes locks out after repeated failures), then the TOTP second
factor when required, enrolled with a QR code on first login."""

import base64

import segno
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import auditoria
from ..permisos import totp_pendiente
from .forms import IngresoForm, TotpForm

MENSAJE_ESPERA = _lazy(
    "Demasiados intentos seguidos: espere unos segundos y escriba el código que se muestre entonces."
)


# --- login and second factor ----------------------------------------------------------------------


def _siguiente(request, por_defecto: str | None = None) -> str:
    destino = request.POST.get("next") or request.GET.get("next") or ""
    if destino and url_has_allowed_host_and_scheme(destino, {request.get_host()}, request.is_secure()):
        return destino
    return por_defecto or reverse("personal:bandeja")


class IngresoView(LoginView):
    template_name = "personal/login.html"
    form_class = IngresoForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        respuesta = super().form_valid(form)
        auditoria.registrar(
            "ingreso", request=self.request, usuario=form.get_user(), objeto=form.get_user().get_username()
        )
        if settings.REQUIRE_TOTP:
            return redirect(f"{reverse('personal:totp')}?{urlencode({'next': self.get_success_url()})}")
        return respuesta

    def form_invalid(self, form):
        nombre = (self.request.POST.get("username") or "")[:150]
        auditoria.registrar(
            "ingreso_fallido",
            request=self.request,
            objeto=nombre,
            detalle={"bloqueado": bool(getattr(self.request, "axes_locked_out", False))},
        )
        return super().form_invalid(form)


@require_POST
def salir(request):
    if request.user.is_authenticated:
        auditoria.registrar("salida", request=request)
    logout(request)
    return redirect("personal:login")


def _exigir_sesion(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('personal:login')}?{urlencode({'next': _siguiente(request)})}")
    if not totp_pendiente(request.user):
        return redirect(_siguiente(request))
    return None


@require_http_methods(["GET", "POST"])
def totp(request):
    """The second step of the login: a code from the user's confirmed TOTP device."""
    if (salida := _exigir_sesion(request)) is not None:
        return salida
    dispositivo = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    if dispositivo is None:
        return redirect(f"{reverse('personal:totp_registrar')}?{urlencode({'next': _siguiente(request)})}")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not dispositivo.verify_is_allowed()[0]:
            form.add_error("codigo", MENSAJE_ESPERA)
        elif dispositivo.verify_token(form.cleaned_data["codigo"]):
            otp_login(request, dispositivo)
            auditoria.registrar("ingreso_totp", request=request)
            return redirect(_siguiente(request))
        else:
            auditoria.registrar("ingreso_totp_fallido", request=request)
            form.add_error(
                "codigo", _("El código no es correcto o ya caducó. Escriba el código que se muestra ahora.")
            )
    return render(request, "personal/totp.html", {"form": form, "next": _siguiente(request)})


@require_http_methods(["GET", "POST"])
def totp_registrar(request):
    """First login with REQUIRE_TOTP: show the secret as a QR code and confirm it with one code."""
    if (salida := _exigir_sesion(request)) is not None:
        return salida
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('personal:totp')}?{urlencode({'next': _siguiente(request)})}")
    dispositivo = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if dispositivo is None:
        dispositivo = TOTPDevice.objects.create(
            user=request.user, name=_("Aplicación de autenticación"), confirmed=False
        )
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not dispositivo.verify_is_allowed()[0]:
            form.add_error("codigo", MENSAJE_ESPERA)
        elif dispositivo.verify_token(form.cleaned_data["codigo"]):
            dispositivo.confirmed = True
            dispositivo.save(update_fields=["confirmed"])
            otp_login(request, dispositivo)
            auditoria.registrar("totp_registrado", request=request)
            return redirect(_siguiente(request))
        else:
            form.add_error(
                "codigo", _("El código no es correcto. Revise la hora de su teléfono y vuelva a intentarlo.")
            )
    secreto = base64.b32encode(dispositivo.bin_key).decode()
    qr = segno.make(dispositivo.config_url, error="m").svg_inline(
        scale=5,
        title=_("Código QR para registrar la aplicación de autenticación"),
        svgclass="qr-totp",
        lineclass=None,
    )
    contexto = {
        "form": form,
        "next": _siguiente(request),
        # An SVG of paths drawn by segno from our own URI: no user text is copied into it.
        "qr": mark_safe(qr),  # nosec B308 B703
        "secreto": " ".join(secreto[i : i + 4] for i in range(0, len(secreto), 4)),
        "uri": dispositivo.config_url,
    }
    return render(request, "personal/totp_registrar.html", contexto)
