"""The correction form: the replaced documents of an observed request."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..validators import AdjuntoField, error_tamano

# --- corrections (citizen online, clerk at the window) ------------------------------------------------


class SubsanacionForm(forms.Form):
    """Corrected documents through the one validator chain, with an optional comment."""

    def __init__(self, *args, max_bytes: int | None = None, excedidos=None, **kwargs):
        super().__init__(*args, **kwargs)
        max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
        mb = max(1, max_bytes // 1_048_576)
        self.excedidos = set(excedidos or ())
        self.fields["documento"] = AdjuntoField(
            label=_("Documento corregido"),
            max_bytes=max_bytes,
            help_text=_("JPG o PDF, hasta %(mb)s MB. Legible, completo y firmado si corresponde.")
            % {"mb": mb},
            error_messages={"required": _("Adjunte el documento corregido (JPG o PDF).")},
        )
        self.fields["documento_adicional"] = AdjuntoField(
            label=_("Otro documento (opcional)"),
            max_bytes=max_bytes,
            required=False,
            help_text=_("JPG o PDF, hasta %(mb)s MB.") % {"mb": mb},
        )
        self.fields["comentario"] = forms.CharField(
            label=_("Comentario (opcional)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        )

    def clean(self):
        cleaned = super().clean()
        for nombre in ("documento", "documento_adicional"):
            if nombre in self.excedidos:
                self.errors.pop(nombre, None)
                self.add_error(nombre, error_tamano(self.fields[nombre].max_bytes))
        return cleaned

    def archivos(self) -> list[tuple]:
        return [
            (f, f.validado)
            for f in (self.cleaned_data.get("documento"), self.cleaned_data.get("documento_adicional"))
            if f
        ]
