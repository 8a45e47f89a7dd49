"""Forms of the assessment (medical evaluator), the resolution (director) and the public verification."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .evaluacion import DatosEvaluacion
from .models import Evaluacion, Resolucion
from .resoluciones import DatosResolucion, normalizar_codigo
from .validators import AdjuntoField, error_tamano

INFORMES = ("informe_1", "informe_2", "informe_3")


def _texto(label, *, required=True, help_text="", filas=4, max_length=4000):
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
    limitaciones = _texto(_("Limitaciones funcionales"))
    actividades_compatibles = _texto(
        _("Actividades compatibles"), help_text=_("Tipos de trabajo que la persona puede realizar.")
    )
    restricciones = _texto(
        _("Restricciones"),
        required=False,
        help_text=_("Obligatorio si la conclusión es «apto con restricciones»."),
    )
    conclusion = forms.ChoiceField(
        label=_("Conclusión"), choices=Evaluacion.Conclusion.choices, widget=forms.RadioSelect
    )
    notas = _texto(_("Notas"), required=False, filas=3)

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


class ResolucionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        choices=Resolucion.Decision.choices,
        widget=forms.RadioSelect,
        help_text=_("La conclusión del médico evaluador viene marcada; la decisión es suya."),
    )
    actividades_compatibles = _texto(_("Actividades compatibles"), required=False)
    restricciones = _texto(_("Restricciones"), required=False)
    condiciones = _texto(_("Otras condiciones"), required=False, filas=3)
    vigencia_hasta = forms.DateField(
        label=_("Válida hasta (opcional)"),
        required=False,
        widget=FechaInput(),
        help_text=_("Déjelo vacío si la autorización no vence."),
    )

    def clean_vigencia_hasta(self):
        fecha = self.cleaned_data.get("vigencia_hasta")
        if fecha and fecha <= timezone.localdate():
            raise ValidationError(_("La fecha de vigencia debe ser posterior a hoy."), code="vigencia")
        return fecha

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") == Resolucion.Decision.FAVORABLE
            and not (cleaned.get("actividades_compatibles") or "").strip()
        ):
            self.add_error(
                "actividades_compatibles",
                _("Una autorización favorable debe indicar las actividades compatibles."),
            )
        return cleaned

    def datos(self) -> DatosResolucion:
        c = self.cleaned_data
        return DatosResolucion(
            decision=c["decision"],
            actividades_compatibles=c["actividades_compatibles"].strip(),
            restricciones=c["restricciones"].strip(),
            condiciones=c["condiciones"].strip(),
            vigencia_hasta=c["vigencia_hasta"],
        )


class CorreccionForm(ResolucionForm):
    motivo = _texto(
        _("Motivo de la corrección"),
        filas=3,
        max_length=2000,
        help_text=_("Queda registrado. La resolución actual se revoca y se emite una nueva con otro número."),
    )

    field_order = [
        "motivo",
        "decision",
        "actividades_compatibles",
        "restricciones",
        "condiciones",
        "vigencia_hasta",
    ]


class VerificarCodigoForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código de verificación"),
        max_length=40,
        help_text=_(
            "Está impreso en el documento, debajo del código QR: 16 letras y números, "
            "por ejemplo 7KQM-3XPA-R2ZT-9HCD."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def clean_codigo(self) -> str:
        codigo = normalizar_codigo(self.cleaned_data["codigo"])
        if codigo is None:
            raise ValidationError(
                _("El código no tiene la forma esperada: 16 letras y números (no se usan I, L, O, 0 ni 1)."),
                code="codigo",
            )
        return codigo


class VerificarPdfForm(forms.Form):
    def __init__(self, *args, excedidos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.excedidos = set(excedidos or ())
        self.fields["documento"] = AdjuntoField(
            label=_("Documento PDF"),
            max_bytes=settings.VERIFICAR_MAX_BYTES,
            help_text=_("El archivo PDF de la resolución, tal como lo recibió."),
            error_messages={"required": _("Elija el archivo PDF que desea verificar.")},
        )
        self.fields["documento"].widget.attrs["accept"] = "application/pdf,.pdf"

    def clean(self):
        cleaned = super().clean()
        if self.add_prefix("documento") in self.excedidos:
            self.errors.pop("documento", None)
            self.add_error("documento", error_tamano(settings.VERIFICAR_MAX_BYTES))
            return cleaned
        archivo = cleaned.get("documento")
        validado = getattr(archivo, "validado", None)
        if validado is not None and validado.tipo_contenido != "application/pdf":
            self.add_error("documento", _("Las resoluciones son archivos PDF; este archivo no lo es."))
        return cleaned
