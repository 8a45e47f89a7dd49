"""Forms of the data-subject requests (national supervisor)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..identificacion import normalizar_telefono
from ..models import SolicitudDerecho
from .derechos import DatosSolicitudDerecho
from .titular import normalizar_identificacion


class FechaInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SolicitudDerechoForm(forms.Form):
    tipo = forms.ChoiceField(label=_("Qué pide el titular"), choices=SolicitudDerecho.Tipo.choices, widget=forms.RadioSelect)
    identificacion = forms.CharField(
        label=_("Número de identificación del titular"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    nombre = forms.CharField(label=_("Nombre del titular"), max_length=200)
    correo = forms.EmailField(label=_("Correo del titular"), help_text=_("Aquí se le enviará la respuesta."))
    referencia_documento = forms.CharField(
        label=_("Referencia de la solicitud"),
        max_length=100,
        help_text=_("Número Quipux, oficio o correo con el que el titular la presentó."),
    )
    detalle = forms.CharField(
        label=_("Qué pide exactamente"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}),
        help_text=_("Por ejemplo: «corregir mi correo a …», «eliminar mis datos de contacto». Se guarda cifrado."),
    )
    recibida_el = forms.DateField(
        label=_("Recibida el"),
        widget=FechaInput(),
        help_text=_("El término de respuesta (15 días) se cuenta desde esta fecha."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("recibida_el", timezone.localdate())

    def clean_identificacion(self) -> str:
        numero = normalizar_identificacion(self.cleaned_data["identificacion"])
        if not (4 <= len(numero) <= 20 and numero.isalnum()):
            raise ValidationError(_("Escriba un número de identificación válido (4 a 20 letras o dígitos)."))
        return numero

    def clean_recibida_el(self):
        fecha = self.cleaned_data["recibida_el"]
        if fecha > timezone.localdate():
            raise ValidationError(_("La fecha de recepción no puede ser futura."))
        return fecha

    def datos(self) -> DatosSolicitudDerecho:
        return DatosSolicitudDerecho(**{k: self.cleaned_data[k] for k in DatosSolicitudDerecho.__dataclass_fields__})


class RespuestaDerechoForm(forms.Form):
    resultado = forms.ChoiceField(
        label=_("Decisión"), choices=SolicitudDerecho.Resultado.choices, widget=forms.RadioSelect
    )
    respuesta = forms.CharField(
        label=_("Respuesta al titular"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("Se le envía por correo tal como la escriba, y queda registrada."),
    )
    correo = forms.EmailField(label=_("Correo rectificado (opcional)"), required=False)
    telefono = forms.CharField(label=_("Teléfono rectificado (opcional)"), max_length=30, required=False)
    telefono_alterno = forms.CharField(label=_("Teléfono alterno rectificado (opcional)"), max_length=30, required=False)

    def __init__(self, *args, solicitud: SolicitudDerecho, **kwargs):
        super().__init__(*args, **kwargs)
        self.solicitud = solicitud
        if solicitud.tipo != SolicitudDerecho.Tipo.RECTIFICACION:
            for campo in ("correo", "telefono", "telefono_alterno"):
                del self.fields[campo]

    def _telefono(self, campo):
        valor = (self.cleaned_data.get(campo) or "").strip()
        return normalizar_telefono(valor) if valor else ""

    def clean_telefono(self):
        return self._telefono("telefono")

    def clean_telefono_alterno(self):
        return self._telefono("telefono_alterno")

    def clean(self):
        cleaned = super().clean()
        contacto = self.contacto() if not self.errors else {}
        if contacto and cleaned.get("resultado") == SolicitudDerecho.Resultado.NEGADA:
            raise ValidationError(_("Una solicitud negada no cambia datos: deje vacíos los datos rectificados."))
        return cleaned

    def contacto(self) -> dict:
        return {c: self.cleaned_data.get(c) for c in ("correo", "telefono", "telefono_alterno") if self.cleaned_data.get(c)}
