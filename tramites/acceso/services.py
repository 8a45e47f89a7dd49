"""Staff access links, sent by an administrator to the staff member's own e-mail address.

- The second-factor enrolment link (`enlace_registro_enviar`): the administrator resets the user's
  TOTP devices and e-mails a link; only whoever opens that link AND knows the password can register
  an authenticator. The token (Django's PasswordResetTokenGenerator, with its own salt) hashes the
  user's password hash and confirmed devices: once a device is confirmed, or the password changes,
  the link stops working (single use); it expires after PASSWORD_RESET_TIMEOUT.
- The password-reset link (`enlace_contrasena_enviar`): Django's default token (it hashes the
  password hash and the last login, so it works once), same expiry.
Every event is audited (sent, opened, refused, used).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import auditoria


class SinCorreo(ValueError):
    """The account has no e-mail address to send the link to."""


class _TokenRegistro(PasswordResetTokenGenerator):
    key_salt = "tramites.acceso.registro_totp"

    def _make_hash_value(self, user, timestamp):
        confirmados = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")
        ids = ",".join(str(pk) for pk in confirmados.values_list("pk", flat=True))
        return f"{user.pk}{user.password}{user.is_active}{ids}{timestamp}"


token_registro = _TokenRegistro()
token_contrasena = default_token_generator


def horas_de_validez() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


def usuario_del_enlace(uidb64: str):
    try:
        pk = urlsafe_base64_decode(uidb64).decode()
        return get_user_model()._default_manager.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None


def _enviar(usuario, *, plantilla: str, asunto: str, ruta: str) -> None:
    texto = render_to_string(
        f"emails/{plantilla}.txt",
        {"usuario": usuario, "enlace": settings.PUBLIC_BASE_URL + ruta, "horas": horas_de_validez()},
    )
    EmailMessage(asunto, texto, to=[usuario.email]).send()


def enlace_registro_enviar(*, usuario, por=None, request=None) -> int:
    """Delete the user's second-factor devices and e-mail a single-use link to register a new one.

    Returns the number of devices deleted. Raises SinCorreo when the account has no e-mail address."""
    if not usuario.email:
        raise SinCorreo(usuario.get_username())
    borrados = TOTPDevice.objects.filter(user=usuario).delete()[0]
    auditoria.registrar(
        "enlace_registro_enviado",
        usuario=por,
        request=request,
        objeto=usuario.get_username(),
        detalle={"dispositivos_borrados": borrados, "correo": usuario.email},
    )
    uid = urlsafe_base64_encode(force_bytes(usuario.pk))
    ruta = reverse("personal:registro_enlace", args=[uid, token_registro.make_token(usuario)])
    _enviar(usuario, plantilla="enlace_registro", ruta=ruta,
            asunto=_("Registro de la verificación en dos pasos - Reinserción laboral IESS"))  # fmt: skip
    return borrados


def enlace_contrasena_enviar(*, usuario, por=None, request=None) -> None:
    """E-mail a single-use link to choose a new password. Raises SinCorreo without an address."""
    if not usuario.email:
        raise SinCorreo(usuario.get_username())
    uid = urlsafe_base64_encode(force_bytes(usuario.pk))
    ruta = reverse("personal:contrasena_restablecer", args=[uid, token_contrasena.make_token(usuario)])
    _enviar(usuario, plantilla="enlace_contrasena", ruta=ruta,
            asunto=_("Restablecer la contraseña - Reinserción laboral IESS"))  # fmt: skip
    auditoria.registrar(
        "enlace_contrasena_enviado", usuario=por, request=request, objeto=usuario.get_username(),
        detalle={"correo": usuario.email},
    )  # fmt: skip
