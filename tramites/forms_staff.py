"""Staff forms: login and second factor, inbox filters, the case actions, corrections, the window intake."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .estados import Estado
from .forms import ArchivosRetenidosMixin, DatosSolicitanteMixin, _campos_solicitante
from .identificacion import validar_quipux
from .models import Adjunto, Tramite
from .provincias import PROVINCIA_CHOICES
from .selectors import ESTADO_TODOS, PLAZO_EN_RIESGO, PLAZO_VENCIDOS
from .validators import AdjuntoField, error_tamano

# --- login ---------------------------------------------------------------------------------------


class IngresoForm(AuthenticationForm):
    """Django's form (it passes `request` to authenticate, which django-axes needs) with our labels."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Usuario")
        self.fields["password"].label = _("Contraseña")
        self.error_messages["invalid_login"] = _(
            "Usuario o contraseña incorrectos. Tras varios intentos fallidos la cuenta se bloquea "
            "por un tiempo."
        )


class TotpForm(forms.Form):
    codigo = forms.CharField(
        label=_("Código de verificación"),
        min_length=6,
        max_length=8,
        help_text=_("Los 6 dígitos que muestra su aplicación de autenticación (cambian cada 30 segundos)."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_codigo(self) -> str:
        codigo = self.cleaned_data["codigo"].replace(" ", "")
        if not codigo.isdigit():
            raise ValidationError(_("El código tiene solo números."), code="totp_formato")
        return codigo


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
        label=_("Motivo del archivo"),
        max_length=2000,
        help_text=_("Por ejemplo: solicitud duplicada de la referencia …, o retirada por el ciudadano."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": _("Escriba el motivo del archivo.")},
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


# --- the window channel ----------------------------------------------------------------------------

ARCHIVOS_VENTANILLA = {
    "documento_identidad": Adjunto.Tipo.DOCUMENTO_IDENTIDAD,
    "solicitud_firmada": Adjunto.Tipo.SOLICITUD_FIRMADA,
}


class VentanillaForm(ArchivosRetenidosMixin, DatosSolicitanteMixin, forms.Form):
    """A request handed in on paper: the online form's data plus what the clerk checked."""

    campos_tramite = (
        *DatosSolicitanteMixin.campos_tramite,
        "quipux",
        "originales_vistos",
        "firma_manuscrita_verificada",
    )
    archivos = ARCHIVOS_VENTANILLA

    def __init__(self, *args, retenidos=None, excedidos=None, **kwargs):
        super().__init__(*args, **kwargs)
        for nombre, campo in _campos_solicitante().items():
            self.fields[nombre] = campo
        self.fields["correo"].help_text = _(
            "El correo del ciudadano: allí recibirá el comprobante y las novedades."
        )
        self.fields["provincia"].help_text = _(
            "La provincia del ciudadano: decide la oficina que atiende el trámite."
        )
        self.fields["mensaje"] = forms.CharField(
            label=_("Mensaje o pedido del ciudadano (opcional)"),
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        )
        self.fields["quipux"] = forms.CharField(
            label=_("Número Quipux"),
            max_length=40,
            help_text=_(
                "El número con que se registró el documento en Quipux, por ejemplo IESS-DSGRT-2022-0409-M."
            ),
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
        max_bytes = settings.STAFF_UPLOAD_MAX_BYTES
        mb = max(1, max_bytes // 1_048_576)
        self.fields["documento_identidad"] = AdjuntoField(
            label=_("Documento de identidad escaneado"),
            required=False,
            max_bytes=max_bytes,
            help_text=_("JPG o PDF, hasta %(mb)s MB.") % {"mb": mb},
            error_messages={"required": _("Adjunte el escaneo del documento de identidad.")},
        )
        self.fields["solicitud_firmada"] = AdjuntoField(
            label=_("Solicitud firmada escaneada"),
            required=False,
            max_bytes=max_bytes,
            help_text=_("JPG o PDF, hasta %(mb)s MB.") % {"mb": mb},
            error_messages={"required": _("Adjunte el escaneo de la solicitud firmada.")},
        )
        self.fields["originales_vistos"] = forms.BooleanField(
            label=_("Vi los documentos originales"),
            error_messages={"required": _("Confirme que vio los documentos originales.")},
        )
        self.fields["firma_manuscrita_verificada"] = forms.BooleanField(
            label=_("Verifiqué la firma manuscrita de la solicitud"),
            error_messages={"required": _("Confirme que verificó la firma manuscrita.")},
        )
        self.fields["acepta_tratamiento_datos"] = forms.BooleanField(
            label=_("El ciudadano aceptó el tratamiento de sus datos personales"),
            error_messages={
                "required": _(
                    "Sin la aceptación del tratamiento de datos no se puede registrar la solicitud."
                )
            },
        )
        self._init_archivos(retenidos, excedidos)

    def clean_quipux(self) -> str:
        return validar_quipux(self.cleaned_data["quipux"])
