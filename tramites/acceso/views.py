"""Staff login: password (django-axes locks out after repeated failures), then the TOTP second
factor when required. A second factor is enrolled only by whoever opened the single-use link an
administrator e-mailed (acceso.services) and knows the password; staff change their own password, and
reset it through the administrator's single-use link. Every step is audited."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    redirect_to_login,
)
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import auditoria
from ..permisos import totp_pendiente
from ..selectors import roles_de
from . import services
from .forms import IngresoForm, TotpForm

SESION_REGISTRO = "acceso_registro_totp"
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'

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
    respuesta = redirect("personal:login")
    # The browser drops this site's cookies, storage and cached pages (OWASP secure headers).
    respuesta["Clear-Site-Data"] = CLEAR_SITE_DATA
    return respuesta


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
        if _registro_permitido(request):
            return redirect(f"{reverse('personal:totp_registrar')}?{urlencode({'next': _siguiente(request)})}")
        return render(request, "personal/registro_pendiente.html")
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
    """Enrolment, after the administrator's link and the password: the secret as a QR code, confirmed
    with one code. Without a valid link in this session there is nothing to see here."""
    if (salida := _exigir_sesion(request)) is not None:
        return salida
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('personal:totp')}?{urlencode({'next': _siguiente(request)})}")
    if not _registro_permitido(request):
        return render(request, "personal/registro_pendiente.html")
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
            # The other unconfirmed devices of the account (older QR codes) are of no use to anyone.
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            request.session.pop(SESION_REGISTRO, None)
            otp_login(request, dispositivo)
            auditoria.registrar("totp_registrado", request=request, objeto=request.user.get_username())
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


# --- the administrator's links and the staff member's own password ---------------------------------


def _registro_permitido(request) -> bool:
    """This session opened a still-valid enrolment link for the logged-in user."""
    datos = request.session.get(SESION_REGISTRO) or {}
    return datos.get("uid") == request.user.pk and services.token_registro.check_token(
        request.user, datos.get("token", "")
    )


@require_GET
def registro_enlace(request, uidb64: str, token: str):
    """The enrolment link of the e-mail: kept in the session, then the password, then the QR code."""
    usuario = services.usuario_del_enlace(uidb64)
    if usuario is None or not services.token_registro.check_token(usuario, token):
        auditoria.registrar(
            "enlace_registro_rechazado", request=request, objeto=usuario.get_username() if usuario else ""
        )
        return render(request, "personal/enlace_invalido.html", status=404)
    if request.user.is_authenticated and request.user.pk != usuario.pk:
        logout(request)
    request.session[SESION_REGISTRO] = {"uid": usuario.pk, "token": token}
    auditoria.registrar("enlace_registro_abierto", usuario=usuario, request=request, objeto=usuario.get_username())
    destino = reverse("personal:totp_registrar")
    if not request.user.is_authenticated:
        # The token leaves the address bar: what follows is the ordinary login page.
        return redirect(f"{reverse('personal:login')}?{urlencode({'next': destino})}")
    return redirect(destino)


class ContrasenaCambiarView(PasswordChangeView):
    """Any logged-in staff member or administrator (second factor confirmed when required)."""

    template_name = "personal/contrasena_cambiar.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("personal:login"))
        if totp_pendiente(request.user):
            return redirect(f"{reverse('personal:totp')}?{urlencode({'next': request.get_full_path()})}")
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self):
        return reverse("personal:bandeja") if roles_de(self.request.user) else reverse("admin:index")

    def form_valid(self, form):
        respuesta = super().form_valid(form)  # keeps this session; the others of the account end
        auditoria.registrar("contrasena_cambiada", request=self.request, objeto=self.request.user.get_username())
        messages.success(self.request, _("Contraseña cambiada. Las demás sesiones de su cuenta se cerraron."))
        return respuesta


class ContrasenaRestablecerView(PasswordResetConfirmView):
    """The single-use password link an administrator sent (Django's view: the token leaves the address)."""

    template_name = "personal/contrasena_restablecer.html"
    success_url = reverse_lazy("personal:login")
    post_reset_login = False

    def dispatch(self, *args, **kwargs):
        respuesta = super().dispatch(*args, **kwargs)
        if self.request.method == "GET" and not self.validlink:
            auditoria.registrar(
                "enlace_contrasena_rechazado",
                request=self.request,
                objeto=self.user.get_username() if self.user else "",
            )
        return respuesta

    def form_valid(self, form):
        respuesta = super().form_valid(form)
        auditoria.registrar(
            "contrasena_restablecida", usuario=form.user, request=self.request, objeto=form.user.get_username()
        )
        messages.success(self.request, _("Contraseña guardada. Ingrese con la contraseña nueva."))
        return respuesta
