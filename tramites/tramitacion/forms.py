"""Staff forms of the inbox and of the case page's actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..estados import Estado
from ..models import Tramite
from ..provincias import PROVINCIA_CHOICES
from .selectors import ESTADO_TODOS, PLAZO_EN_RIESGO, PLAZO_VENCIDOS

# --- inbox ---------------------------------------------------------------------------------------


class FiltroBandejaForm(forms.Form):
    q = forms.CharField(
        label=_("Buscar"),
        required=False,
        max_length=100,
        help_text=_("Referencia, número de identificación o nombre."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    estado = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos los abiertos"))]
        + list(Estado.choices)
        + [(ESTADO_TODOS, _("Todos, también finalizados"))],
    )
    provincia = forms.ChoiceField(
        label=_("Provincia"), required=False, choices=[("", _("Todas"))] + PROVINCIA_CHOICES
    )
    canal = forms.ChoiceField(
        label=_("Canal"), required=False, choices=[("", _("Todos"))] + list(Tramite.Canal.choices)
    )
    plazo = forms.ChoiceField(
        label=_("Plazo"),
        required=False,
        choices=[("", _("Todos")), (PLAZO_EN_RIESGO, _("En riesgo")), (PLAZO_VENCIDOS, _("Vencidos"))],
    )

    def filtros(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


# --- the requirements checklist and the case actions -----------------------------------------------

REQUISITOS = (
    ("documento_legible", _("Documento de identidad legible")),
    ("solicitud_firmada", _("Solicitud de autorización firmada")),
    (
        "solicitud_datos",
        _("La solicitud lleva nombre completo, número de identificación, correo y teléfonos"),
    ),
)
TIPOS_FIRMA = (
    ("manuscrita", _("Firma manuscrita")),
    ("electronica", _("Firma electrónica")),
    ("ninguna", _("Sin firma")),
)


class RevisionForm(forms.Form):
    """The analyst's checklist; kept as text in the history row of the decision."""

    tipo_firma = forms.ChoiceField(
        label=_("Tipo de firma de la solicitud"), choices=TIPOS_FIRMA, widget=forms.RadioSelect
    )

    def __init__(self, *args, exigir_todo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exigir_todo = exigir_todo
        requeridos = {}
        for nombre, etiqueta in REQUISITOS:
            requeridos[nombre] = forms.BooleanField(
                label=etiqueta,
                required=exigir_todo,
                error_messages={"required": _("Para enviar a evaluación, este requisito debe cumplirse.")},
            )
        # The checklist first, then the kind of signature.
        self.fields = {**requeridos, **self.fields}
        self.fields["tipo_firma"].required = exigir_todo

    def clean_tipo_firma(self) -> str:
        valor = self.cleaned_data.get("tipo_firma", "")
        if self.exigir_todo and valor == "ninguna":
            raise ValidationError(
                _("Una solicitud sin firma no puede enviarse a evaluación: obsérvela."), code="sin_firma"
            )
        return valor

    def revision_texto(self) -> str:
        c = self.cleaned_data
        lineas = [gettext("Revisión de requisitos:")]
        for nombre, etiqueta in REQUISITOS:
            marca = gettext("Cumple") if c.get(nombre) else gettext("No cumple")
            lineas.append(f"- {etiqueta}: {marca}")
        firma = dict(TIPOS_FIRMA).get(c.get("tipo_firma") or "")
        if firma:
            lineas.append(f"- {gettext('Tipo de firma')}: {firma}")
        return "\n".join(str(linea) for linea in lineas)


class EnviarEvaluacionForm(RevisionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, exigir_todo=True, **kwargs)


class ObservarForm(RevisionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, exigir_todo=False, **kwargs)
        self.fields["motivo"] = forms.CharField(
            label=_("Qué debe corregir el ciudadano"),
            max_length=2000,
            help_text=_("Se envía por correo al ciudadano tal como lo escriba: sea claro y concreto."),
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            error_messages={"required": _("Escriba el motivo de la observación.")},
        )


class ArchivarForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo del archivo (nota interna)"),
        max_length=2000,
        help_text=_("Por ejemplo: solicitud duplicada de la referencia …, o retirada por el ciudadano."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": _("Escriba el motivo del archivo.")},
    )
    motivo_ciudadano = forms.CharField(
        label=_("Motivo para el ciudadano"),
        max_length=2000,
        help_text=_(
            "Se le envía por correo y lo ve en la consulta, con lo que puede hacer: escríbalo para él, en "
            "palabras claras y sin datos internos."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": _("Escriba el motivo del archivo para el ciudadano.")},
    )


class ReasignarForm(forms.Form):
    analista = forms.ModelChoiceField(
        label=_("Nuevo analista"),
        queryset=None,
        empty_label=_("Elija un analista"),
        error_messages={
            "required": _("Elija el analista."),
            "invalid_choice": _("Elija un analista de su oficina."),
        },
    )

    def __init__(self, *args, analistas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analista"].queryset = analistas
        self.fields["analista"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
