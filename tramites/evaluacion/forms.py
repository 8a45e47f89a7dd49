"""The remaining-capacity assessment form (medical evaluator) and the form helpers the resolution reuses."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Evaluacion
from ..validators import AdjuntoField, error_tamano
from .services import DatosEvaluacion

INFORMES = ("informe_1", "informe_2", "informe_3")

_NUMERO = re.compile(r"^(?P<entero>\d+)(?:[.,](?P<decimales>\d+))?$")


def decimal_ecuatoriano(texto: str, *, decimales: int = 2) -> Decimal:
    """A number typed the Ecuadorian way or the English way: "4,5" and "4.5" are both 4.5.

    The browser's locale plays no part: the value is read as typed. One separator, comma or point, is
    the decimal mark; anything that could be read two ways ("1.234,5", "4.500", "4,5.1") is refused,
    never guessed (a thousands point would make "4.500" mean 4500).
    """
    limpio = re.sub(r"[\s\u00a0%]", "", texto or "")
    m = _NUMERO.match(limpio)
    if not m:
        raise ValidationError(
            _("Escriba un número como 45 o 4,5 (con coma o punto decimal, sin separador de miles)."),
            code="formato",
        )
    dec = m.group("decimales") or ""
    if len(dec) > decimales:
        raise ValidationError(
            _("«%(valor)s» es ambiguo o tiene más de %(n)s decimales: escríbalo con a lo sumo %(n)s, por ejemplo 4,5.")
            % {"valor": texto.strip(), "n": decimales},
            code="ambiguo",
        )
    try:
        return Decimal(f"{m.group('entero')}.{dec or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise ValidationError(_("Escriba un número."), code="formato") from exc


class DecimalEcuatorianoField(forms.DecimalField):
    """A decimal typed in a text box and read as Ecuadorian Spanish, whatever the browser's locale.

    A number input would hand the server whatever the browser made of the keystrokes: with some
    locales "4,5" became 45. A text input with inputmode=decimal shows the numeric keypad on phones
    and sends exactly what was typed; decimal_ecuatoriano reads it."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"})
        self.widget.attrs.pop("step", None)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return decimal_ecuatoriano(str(value), decimales=self.decimal_places or 2)

    def prepare_value(self, value):
        # Shown back the Ecuadorian way: 62,50.
        return str(value).replace(".", ",") if isinstance(value, Decimal) else value


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
    porcentaje_capacidad = DecimalEcuatorianoField(
        label=_("Capacidad remanente (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Porcentaje de 0 a 100, con coma o punto decimal y hasta dos decimales: 62,5 o 62.5."),
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

    def __init__(self, *args, tramite=None, excedidos=None, retenidos=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tramite = tramite
        self.excedidos = set(excedidos or ())
        # Reports accepted on an earlier try of this form, held for the session (uploads.retener).
        self.retenidos = dict(retenidos or {})
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

    def archivos_nuevos(self) -> dict:
        """Reports newly uploaded and accepted, by field, to hold when other fields have errors."""
        datos = getattr(self, "cleaned_data", {})
        return {
            n: datos[n] for n in INFORMES if datos.get(n) and n not in self.errors and getattr(datos[n], "validado", None)
        }

    def retenidos_vigentes(self) -> list:
        """The held reports still wanted: those whose field got no new file on this submission."""
        nuevos = self.archivos_nuevos() if self.is_bound else {}
        return [a for n, a in self.retenidos.items() if n not in nuevos]
