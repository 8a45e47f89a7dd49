"""Forms of the assessment (medical evaluator), the resolution (director) and the public verification."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..evaluacion.forms import FechaInput, campo_texto
from ..models import Resolucion
from ..validators import AdjuntoField, error_tamano
from .services import DatosResolucion, normalizar_codigo


class ResolucionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        choices=Resolucion.Decision.choices,
        widget=forms.RadioSelect,
        help_text=_("La conclusión del médico evaluador viene marcada; la decisión es suya."),
    )
    motivacion = campo_texto(
        _("Motivación"),
        required=False,
        filas=9,
        max_length=8000,
        help_text=_(
            "Los hechos de la evaluación, la norma aplicada y por qué se aplica a esos hechos. Viene "
            "propuesta a partir de la evaluación: revísela. Obligatoria si la decisión es desfavorable "
            "(una decisión sin motivación es nula: Constitución, art. 76.7.l). El ciudadano la lee en el "
            "documento, en su correo y en la consulta."
        ),
    )
    actividades_compatibles = campo_texto(_("Actividades compatibles"), required=False)
    restricciones = campo_texto(_("Restricciones"), required=False)
    condiciones = campo_texto(_("Otras condiciones"), required=False, filas=3)
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
            cleaned.get("decision") == Resolucion.Decision.DESFAVORABLE
            and len((cleaned.get("motivacion") or "").strip()) < 20
        ):
            self.add_error(
                "motivacion",
                _(
                    "Escriba los motivos de la decisión desfavorable: los hechos, la norma aplicada y por qué "
                    "se aplica. Sin motivación la resolución es nula (Constitución, art. 76.7.l)."
                ),
            )
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
            motivacion=c["motivacion"].strip(),
            actividades_compatibles=c["actividades_compatibles"].strip(),
            restricciones=c["restricciones"].strip(),
            condiciones=c["condiciones"].strip(),
            vigencia_hasta=c["vigencia_hasta"],
        )


class CorreccionForm(ResolucionForm):
    motivo = campo_texto(
        _("Motivo de la corrección"),
        filas=3,
        max_length=2000,
        help_text=_("Queda registrado. La resolución actual se revoca y se emite una nueva con otro número."),
    )

    causa = forms.ChoiceField(
        label=_("Causa de la revocatoria (pública)"),
        choices=Resolucion.CausaRevocatoria.choices,
        help_text=_("Es lo que verá un empleador en /verificar/: nunca un dato médico."),
    )

    field_order = [
        "causa",
        "motivo",
        "decision",
        "motivacion",
        "actividades_compatibles",
        "restricciones",
        "condiciones",
        "vigencia_hasta",
    ]


class RevocacionForm(forms.Form):
    """Revoke a document without issuing another (e.g. the circumstances that motivated it changed)."""

    causa = forms.ChoiceField(
        label=_("Causa de la revocatoria (pública)"),
        choices=Resolucion.CausaRevocatoria.choices,
        help_text=_("Es lo que verá un empleador en /verificar/: nunca un dato médico."),
    )
    motivo = campo_texto(
        _("Motivo de la revocatoria, para el ciudadano"),
        filas=4,
        max_length=4000,
        help_text=_(
            "El ciudadano lo lee en su correo y en la consulta, con los recursos que puede interponer. "
            "Se guarda cifrado."
        ),
    )


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
            tipos=("application/pdf",),  # anything else is refused by its first bytes, before decoding
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
