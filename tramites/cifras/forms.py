"""The period of the supervisors' statistics."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class PeriodoForm(forms.Form):
    desde = forms.DateField(
        label=_("Desde"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hasta = forms.DateField(
        label=_("Hasta"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        cleaned = super().clean()
        desde, hasta = cleaned.get("desde"), cleaned.get("hasta")
        if desde and hasta:
            if desde > hasta:
                raise ValidationError(_("La fecha «Desde» debe ser anterior o igual a «Hasta»."))
            if (hasta - desde).days > 366 * 5:
                raise ValidationError(_("Elija un período de cinco años como máximo."))
        return cleaned
