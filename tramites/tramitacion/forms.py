"""Staff forms of the inbox and of the case page's actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..estados import Estado
from ..models import Adjunto, Tramite
from ..provincias import PROVINCIA_CHOICES
from .selectors import (
    ALCANCE_ABIERTOS,
    ALCANCE_TODOS,
    ESTADO_TODOS,
    ORDEN_ANTIGUOS,
    ORDEN_RECIENTES,
    PLAZO_EN_RIESGO,
    PLAZO_VENCIDOS,
    SIN_ANALISTA,
    VISTAS,
)

# --- inbox ---------------------------------------------------------------------------------------


class FiltroBandejaForm(forms.Form):
    vista = forms.ChoiceField(
        required=False, choices=[(v, v) for v in VISTAS], widget=forms.HiddenInput
    )
    alcance = forms.ChoiceField(
        required=False, choices=[(ALCANCE_ABIERTOS, ALCANCE_ABIERTOS), (ALCANCE_TODOS, ALCANCE_TODOS)],
        widget=forms.HiddenInput,
    )
    q = forms.CharField(
        label=_("Buscar"),
        required=False,
        max_length=100,
        help_text=_("Referencia, número de identificación o nombre, con o sin tildes."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "data-busqueda": ""}),
    )
    estado = forms.ChoiceField(
        label=_("Estado"),
        required=False,
        choices=[("", _("Todos los que esperan a la oficina"))]
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
    orden = forms.ChoiceField(
        label=_("Orden"),
        required=False,
        choices=[
            ("", _("Plazo legal más próximo")),
            (ORDEN_ANTIGUOS, _("Ingreso más antiguo")),
            (ORDEN_RECIENTES, _("Ingreso más reciente")),
        ],
    )

    def __init__(self, *args, analistas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if analistas is not None:
            self.fields["analista"] = forms.ChoiceField(
                label=_("Analista"),
                required=False,
                choices=[("", _("Todos")), (SIN_ANALISTA, _("Sin asignar"))]
                + [(str(u.pk), u.get_full_name() or u.get_username()) for u in analistas],
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
    """The ONE checklist of the case page, with the observation's reason beside it.

    The same fields (prefix "revision") are saved as they are ticked (RevisionRequisitos), and posted
    to "enviar a evaluación" (everything must be met) or to "observar" (a reason is needed); the
    checklist is kept as text in the history row of the decision."""

    tipo_firma = forms.ChoiceField(
        label=_("Tipo de firma de la solicitud"), choices=TIPOS_FIRMA, widget=forms.RadioSelect
    )

    exigir_todo = False
    exigir_motivo = False

    def __init__(self, *args, textos=None, **kwargs):
        from ..models import TextoObservacion

        super().__init__(*args, **kwargs)
        requeridos = {}
        for nombre, etiqueta in REQUISITOS:
            requeridos[nombre] = forms.BooleanField(
                label=etiqueta,
                required=self.exigir_todo,
                error_messages={"required": _("Para enviar a evaluación, este requisito debe cumplirse.")},
            )
        # The checklist first, then the kind of signature.
        self.fields = {**requeridos, **self.fields}
        self.fields["tipo_firma"].required = self.exigir_todo
        self.fields["tipo_firma"].error_messages["required"] = _("Indique el tipo de firma de la solicitud.")
        self.fields["motivo"] = forms.CharField(
            label=_("Qué debe corregir el ciudadano"),
            max_length=2000,
            required=False,
            help_text=_("Se envía por correo al ciudadano tal como lo escriba: sea claro y concreto."),
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        )
        self.fields["texto_estandar"] = forms.ModelChoiceField(
            label=_("Texto estándar de la oficina"),
            queryset=textos if textos is not None else TextoObservacion.objects.none(),
            required=False,
            error_messages={"invalid_choice": _("Elija uno de los textos estándar de su oficina.")},
        )

    def clean_tipo_firma(self) -> str:
        valor = self.cleaned_data.get("tipo_firma", "")
        if self.exigir_todo and valor == "ninguna":
            raise ValidationError(
                _("Una solicitud sin firma no puede enviarse a evaluación: obsérvela."), code="sin_firma"
            )
        return valor

    def clean(self):
        datos = super().clean()
        motivo = (datos.get("motivo") or "").strip()
        texto = datos.get("texto_estandar")
        # Without JavaScript the standard text cannot be inserted to edit it: chosen with an empty
        # reason, it is sent as it is.
        if not motivo and texto is not None:
            motivo = texto.texto
        datos["motivo"] = motivo
        if self.exigir_motivo and not motivo:
            self.add_error("motivo", _("Escriba el motivo de la observación."))
        return datos

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

    def marcas(self) -> dict:
        """The checklist as saved (RevisionRequisitos fields)."""
        c = self.cleaned_data
        return {**{n: bool(c.get(n)) for n, _e in REQUISITOS}, "tipo_firma": c.get("tipo_firma") or ""}


class EnviarEvaluacionForm(RevisionForm):
    exigir_todo = True


class ObservarForm(RevisionForm):
    exigir_motivo = True


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


class ReasignarLoteForm(forms.Form):
    """Bulk reassign (directors): the cases ticked in the inbox, to one analyst of the office."""

    tramites = forms.CharField(required=False)
    analista = forms.ModelChoiceField(
        label=_("Analista que los recibe"),
        queryset=None,
        empty_label=_("Elija un analista"),
        error_messages={
            "required": _("Elija el analista que recibe los trámites."),
            "invalid_choice": _("Elija un analista de su oficina."),
        },
    )

    def __init__(self, *args, analistas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analista"].queryset = analistas
        self.fields["analista"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.referencias = [r for r in (self.data.getlist("tramites") if hasattr(self.data, "getlist") else []) if r]

    def clean(self):
        datos = super().clean()
        if not self.referencias:
            raise ValidationError(_("Seleccione al menos un trámite de la lista."), code="sin_seleccion")
        if len(self.referencias) > 200:
            raise ValidationError(_("Seleccione como mucho 200 trámites a la vez."), code="demasiados")
        return datos


class TrasladarForm(forms.Form):
    """Move a case routed to the wrong office (directors), with a reason."""

    oficina = forms.ModelChoiceField(
        label=_("Oficina de destino"),
        queryset=None,
        empty_label=_("Elija la oficina"),
        error_messages={"required": _("Elija la oficina de destino."), "invalid_choice": _("Elija una oficina activa.")},
    )
    motivo = forms.CharField(
        label=_("Motivo del traslado"),
        max_length=1000,
        help_text=_("Por ejemplo: el ciudadano vive en Imbabura; la provincia se eligió por error."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
        error_messages={"required": _("Escriba el motivo del traslado.")},
    )

    def __init__(self, *args, oficinas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oficina"].queryset = oficinas


def revision_con_firma(form, tramite) -> str:
    """The checklist as recorded in the history, with whether the e-signed letter is the applicant's."""
    carta = tramite.adjuntos.filter(tipo=Adjunto.Tipo.SOLICITUD_FIRMADA).order_by("-creado_en", "-pk").first()
    linea = carta.firmada_por_solicitante_texto() if carta else ""
    return form.revision_texto() + (f"\n- {linea}" if linea else "")
