"""The status lookup: reference + identification number."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import referencias


class ConsultaForm(forms.Form):
    referencia = forms.CharField(
        label=_("Referencia del trámite"),
        max_length=30,
        help_text=_("Está en su comprobante y en el correo de confirmación, por ejemplo 2026-7KQM-3XPA-R."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    identificacion = forms.CharField(
        label=_("Número de identificación"),
        max_length=20,
        help_text=_("El mismo que escribió en la solicitud."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_referencia(self) -> str:
        normalizada = referencias.normalizar(self.cleaned_data["referencia"])
        if normalizada is None:
            raise ValidationError(
                _(
                    "La referencia no es válida: revise cada carácter (no se usan las letras I, L, O ni los números 0 y 1)."
                ),
                code="referencia",
            )
        return normalizada

    def clean_identificacion(self) -> str:
        return self.cleaned_data["identificacion"].replace(" ", "").replace("-", "").upper()
