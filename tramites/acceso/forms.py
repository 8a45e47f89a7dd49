"""Staff login and second-factor forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- login ---------------------------------------------------------------------------------------


class IngresoForm(AuthenticationForm):
    """Django's form (it passes `request` to authenticate, which django-axes needs) with our labels."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Usuario")
        self.fields["password"].label = _("Contraseña")
        self.error_messages["invalid_login"] = _(
            "Usuario o contraseña incorrectos. Tras varios intentos fallidos la cuenta se bloquea "
            "por un tiempo."
        )


class TotpForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código de verificación"),
        min_length=6,
        max_length=8,
        help_text=_("Los 6 dígitos que muestra su aplicación de autenticación (cambian cada 30 segundos)."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_codigo(self) -> str:
        codigo = self.cleaned_data["codigo"].replace(" ", "")
        if not codigo.isdigit():
            raise ValidationError(_("El código tiene solo números."), code="totp_formato")
        return codigo
