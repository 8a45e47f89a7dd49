"""The remaining-capacity assessment form (medical evaluator) and the form helpers the resolution reuses."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Evaluacion
from ..validators import AdjuntoField, error_tamano
from .services import DatosEvaluacion

INFORMES = ("informe_1", "informe_2", "informe_3")


def campo_texto(label, *, required=True, help_text="", filas=4, max_length=4000):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": filas, "maxlength": max_length}),
    )


class FechaInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EvaluacionForm(forms.Form):
    fecha = forms.DateField(label=_("Fecha de la evaluación"), widget=FechaInput())
    porcentaje_capacidad = forms.DecimalField(
        label=_("Capacidad remanente (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Porcentaje de 0 a 100; admite dos decimales."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    limitaciones = campo_texto(_("Limitaciones funcionales"))
    actividades_compatibles = campo_texto(
        _("Actividades compatibles"), help_text=_("Tipos de trabajo que la persona puede realizar.")
    )
    restricciones = campo_texto(
        _("Restricciones"),
        required=False,
        help_text=_("Obligatorio si la conclusión es «apto con restricciones»."),
    )
    conclusion = forms.ChoiceField(
        label=_("Conclusión"), choices=Evaluacion.Conclusion.choices, widget=forms.RadioSelect
    )
    notas = campo_texto(_("Notas"), required=False, filas=3)

    def __init__(self, *args, tramite=None, excedidos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tramite = tramite
        self.excedidos = set(excedidos or ())
        limite_mb = settings.STAFF_UPLOAD_MAX_BYTES // 1_048_576
        for i, nombre in enumerate(INFORMES, start=1):
            self.fields[nombre] = AdjuntoField(
                label=_("Informe de respaldo %(n)s (opcional)") % {"n": i},
                required=False,
                max_bytes=settings.STAFF_UPLOAD_MAX_BYTES,
                help_text=_("PDF o JPG, hasta %(mb)s MB. Se guarda cifrado.") % {"mb": limite_mb},
            )
        if not self.is_bound and "fecha" not in self.initial:
            self.initial["fecha"] = timezone.localdate()

    def clean_fecha(self):
        fecha = self.cleaned_data["fecha"]
        if fecha > timezone.localdate():
            raise ValidationError(_("La fecha de la evaluación no puede ser futura."), code="futura")
        if self.tramite is not None and fecha < timezone.localtime(self.tramite.creado_en).date():
            raise ValidationError(
                _("La fecha es anterior a la presentación de la solicitud."), code="anterior"
            )
        return fecha

    def clean(self):
        cleaned = super().clean()
        for nombre in INFORMES:
            if self.add_prefix(nombre) in self.excedidos:
                self.errors.pop(nombre, None)
                self.add_error(nombre, error_tamano(settings.STAFF_UPLOAD_MAX_BYTES))
        if (
            cleaned.get("conclusion") == Evaluacion.Conclusion.APTO_RESTRICCIONES
            and not (cleaned.get("restricciones") or "").strip()
        ):
            self.add_error(
                "restricciones", _("Indique las restricciones: la conclusión es «apto con restricciones».")
            )
        return cleaned

    def datos(self) -> DatosEvaluacion:
        c = self.cleaned_data
        return DatosEvaluacion(
            fecha=c["fecha"],
            porcentaje_capacidad=c["porcentaje_capacidad"],
            limitaciones=c["limitaciones"].strip(),
            actividades_compatibles=c["actividades_compatibles"].strip(),
            restricciones=c["restricciones"].strip(),
            conclusion=c["conclusion"],
            notas=c["notas"].strip(),
        )

    def archivos(self) -> list:
        return [self.cleaned_data[n] for n in INFORMES if self.cleaned_data.get(n)]
