"""Intake forms: the online request (field names are a stable contract) and the window's paper request."""

# --- the window channel ----------------------------------------------------------------------------
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..identificacion import normalizar_telefono, validar_cedula, validar_codigo_extranjero, validar_quipux
from ..models import ARCHIVOS_SOLICITUD, Tramite
from ..provincias import PROVINCIA_CHOICES
from ..validators import AdjuntoField, AdjuntoPaginasField, error_tamano


def confirmacion(nombre: str) -> str:
    """Name of the check box that confirms a doubtful photo of field `nombre`."""
    return f"confirmar_{nombre}"


class ArchivosRetenidosMixin:
    """File fields that remember a file accepted earlier in the same session.

    `retenidos` maps a field name to the held Adjunto; `excedidos` names the fields whose upload was
    cut off by the streaming size limit (tramites.uploads).
    """

    archivos: dict[str, str] = {}
    # A doubtful photo (ADR 0007) is held and shown back; the citizen confirms it or replaces it. The
    # window clerk's scans are not asked again: their warning is recorded and shown to the analyst.
    confirmar_dudosas = True

    def _init_archivos(self, retenidos: dict | None, excedidos: set | None) -> None:
        self.retenidos = dict(retenidos or {})
        self.excedidos = set(excedidos or ())
        if not settings.EXIGIR_COPIA_CEDULA and "documento_identidad" in self.fields:
            self.fields["documento_identidad"].label = _("Documento de identidad (opcional con cédula)")
            self.fields["documento_identidad"].help_text = _(
                "Si se identifica con cédula no necesita adjuntarla (Ley Orgánica para la Optimización y "
                "Eficiencia de Trámites Administrativos, art. 23). Con el código de extranjero, adjunte su "
                "documento: JPG o PDF, hasta 1 MB."
            )
        for nombre in self.archivos:
            if self.confirmar_dudosas:
                self.fields[confirmacion(nombre)] = forms.BooleanField(
                    label=_("La foto se lee bien, enviarla"), required=False
                )
            if nombre in self.retenidos:
                self.fields[nombre].help_text = _(
                    "Ya cargó «%(nombre)s». Si desea reemplazarlo, elija otro archivo."
                ) % {"nombre": self.retenidos[nombre].nombre_original}

    def _clean_archivos(self) -> None:
        for nombre in self.archivos:
            if nombre in self.excedidos:
                self.add_error(nombre, error_tamano(self.fields[nombre].max_bytes))
                continue
            if nombre in self.errors:
                continue
            if self.archivo_opcional(nombre) and not self.cleaned_data.get(nombre) and nombre not in self.retenidos:
                continue
            nuevo = self.cleaned_data.get(nombre)
            if nuevo:
                dudosa = bool(getattr(getattr(nuevo, "validado", None), "advertencia", ""))
            elif nombre in self.retenidos:
                dudosa = bool(self.retenidos[nombre].advertencia_calidad)
                dudosa = dudosa and not self.cleaned_data.get(confirmacion(nombre))
            else:
                self.add_error(
                    nombre, ValidationError(self.fields[nombre].error_messages["required"], "required")
                )
                continue
            if dudosa and self.confirmar_dudosas:  # a new doubtful photo waits for its own confirmation
                self.add_error(
                    confirmacion(nombre),
                    ValidationError(
                        _(
                            "%(documento)s: esta foto podría no leerse bien. Revísela y marque «La foto se lee "
                            "bien, enviarla», o elija otra foto."
                        ),
                        code="advertencia",
                        params={"documento": self.fields[nombre].label},
                    ),
                )

    def archivo_opcional(self, nombre: str) -> bool:
        """LOOETA art. 23 bars asking for copies of the cédula: with EXIGIR_COPIA_CEDULA off, a cédula
        holder need not attach the identity-document scan (a foreigner with the IESS code still does)."""
        return (
            nombre == "documento_identidad"
            and not settings.EXIGIR_COPIA_CEDULA
            and getattr(self, "cleaned_data", {}).get("tipo_identificacion") == Tramite.TipoIdentificacion.CEDULA
        )

    def archivos_nuevos(self) -> dict:
        """Newly uploaded files that passed validation (to be held even if other fields failed)."""
        nuevos = {}
        for nombre in self.archivos:
            if nombre in getattr(self, "cleaned_data", {}) and nombre not in self.errors:
                archivo = self.cleaned_data.get(nombre)
                if archivo and getattr(archivo, "validado", None):
                    nuevos[nombre] = archivo
        return nuevos


class DatosSolicitanteMixin:
    """Identification, contact and province: shared by the online form and the window form."""

    # The cleaned fields that become the case's data (tramite_crear's `datos`).
    campos_tramite: tuple[str, ...] = (
        "tipo_identificacion",
        "identificacion",
        "nombres",
        "apellidos",
        "correo",
        "telefono",
        "telefono_alterno",
        "provincia",
        "mensaje",
        "acepta_tratamiento_datos",
    )

    def clean(self):
        cleaned = super().clean()
        self._clean_identificacion()
        self._clean_archivos()
        return cleaned

    def datos_tramite(self) -> dict:
        return {campo: self.cleaned_data[campo] for campo in self.campos_tramite}

    def _clean_identificacion(self) -> None:
        tipo = self.cleaned_data.get("tipo_identificacion")
        valor = self.cleaned_data.get("identificacion", "")
        if not tipo or "identificacion" in self.errors:
            return
        try:
            if tipo == Tramite.TipoIdentificacion.CEDULA:
                self.cleaned_data["identificacion"] = validar_cedula(valor)
            else:
                self.cleaned_data["identificacion"] = validar_codigo_extranjero(valor)
        except ValidationError as exc:
            self.add_error("identificacion", exc)

    def clean_telefono(self) -> str:
        return normalizar_telefono(self.cleaned_data["telefono"])

    def clean_telefono_alterno(self) -> str:
        valor = self.cleaned_data.get("telefono_alterno", "")
        return normalizar_telefono(valor) if valor.strip() else ""

    def clean_nombres(self) -> str:
        return " ".join(self.cleaned_data["nombres"].split())

    def clean_apellidos(self) -> str:
        return " ".join(self.cleaned_data["apellidos"].split())


def _campos_solicitante() -> dict:
    return {
        "tipo_identificacion": forms.ChoiceField(
            label=_("Tipo de identificación"),
            choices=Tramite.TipoIdentificacion.choices,
            initial=Tramite.TipoIdentificacion.CEDULA,
            widget=forms.RadioSelect,
            help_text=_("Los extranjeros sin cédula usan el código de identificación que les dio el IESS."),
        ),
        "identificacion": forms.CharField(
            label=_("Número de identificación"),
            max_length=40,
            help_text=_("Cédula: 10 dígitos, sin guiones. Extranjeros: el código del IESS."),
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        ),
        "nombres": forms.CharField(
            label=_("Nombres"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
        ),
        "apellidos": forms.CharField(
            label=_("Apellidos"),
            max_length=120,
            widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        ),
        "correo": forms.EmailField(
            label=_("Correo electrónico"),
            max_length=254,
            help_text=_("Aquí le enviaremos la confirmación y las novedades de su trámite."),
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        ),
        "telefono": forms.CharField(
            label=_("Teléfono"),
            max_length=20,
            help_text=_("Celular (09…) o fijo con código de provincia (02…)."),
            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        ),
        "telefono_alterno": forms.CharField(
            label=_("Teléfono alterno"),
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        ),
        "provincia": forms.ChoiceField(
            label=_("Provincia"),
            choices=[("", _("Elija su provincia"))] + PROVINCIA_CHOICES,
            help_text=_(
                "Donde se atenderá su trámite. Si vive fuera del país, elija «Ecuatorianos en el exterior»."
            ),
        ),
    }


# What the citizen reads when a field is missing or malformed: the field and what to do, in plain words.
MENSAJES_SOLICITUD = {
    "tipo_identificacion": {"required": _("Elija si se identifica con cédula o con el código del IESS.")},
    "identificacion": {
        "required": _("Escriba su número de cédula (10 dígitos) o el código de identificación del IESS."),
        "max_length": _("El número de identificación puede tener hasta %(limit_value)d caracteres."),
    },
    "nombres": {
        "required": _("Escriba sus nombres como constan en su cédula."),
        "max_length": _("Sus nombres pueden tener hasta %(limit_value)d caracteres."),
    },
    "apellidos": {
        "required": _("Escriba sus apellidos como constan en su cédula."),
        "max_length": _("Sus apellidos pueden tener hasta %(limit_value)d caracteres."),
    },
    "correo": {
        "required": _("Escriba su correo electrónico, por ejemplo nombre@ejemplo.com."),
        "invalid": _("Escriba su correo electrónico completo, por ejemplo nombre@ejemplo.com."),
    },
    "telefono": {
        "required": _("Escriba un número de teléfono: celular (09…) o fijo con código de provincia (02…)."),
    },
    "provincia": {
        "required": _("Elija la provincia donde se atenderá su trámite."),
        "invalid_choice": _("Elija la provincia donde se atenderá su trámite."),
    },
    "mensaje": {"max_length": _("El mensaje puede tener hasta %(limit_value)d caracteres.")},
}


class SolicitudForm(ArchivosRetenidosMixin, DatosSolicitanteMixin, forms.Form):
    archivos = ARCHIVOS_SOLICITUD
    marcar_opcionales = True  # templates/includes/campo.html adds "(opcional)" to optional fields

    def __init__(self, *args, retenidos=None, excedidos=None, **kwargs):
        super().__init__(*args, **kwargs)
        for nombre, campo in _campos_solicitante().items():
            self.fields[nombre] = campo
        self.fields["mensaje"] = forms.CharField(
            label=_("Mensaje"),
            max_length=2000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            help_text=_("Cuéntenos brevemente su pedido (hasta 2.000 caracteres)."),
        )
        self.fields["documento_identidad"] = AdjuntoField(
            label=_("Documento de identidad"),
            required=False,
            max_bytes=settings.UPLOAD_MAX_BYTES,
            help_text=_(
                "Cédula (o documento del código de extranjero) escaneada o fotografiada: JPG o PDF, hasta 1 MB."
            ),
            error_messages={"required": _("Adjunte su documento de identidad (JPG o PDF, hasta 1 MB).")},
        )
        self.fields["solicitud_firmada"] = AdjuntoPaginasField(
            label=_("Solicitud de autorización firmada"),
            required=False,
            max_bytes=settings.UPLOAD_MAX_BYTES,
            help_text=_(
                "Su carta firmada con nombre completo, número de identificación, correo y teléfonos: un PDF, o "
                "fotos JPG de sus páginas (hasta 5, una por página); hasta 1 MB cada archivo."
            ),
            error_messages={
                "required": _("Adjunte su solicitud de autorización firmada (JPG o PDF, hasta 1 MB).")
            },
        )
        self.fields["acepta_tratamiento_datos"] = forms.BooleanField(
            label=format_html(
                _(
                    'Acepto el tratamiento de mis datos personales según el <a href="{}">aviso de privacidad</a>.'
                ),
                reverse_lazy("publico:privacidad"),
            ),
            error_messages={
                "required": _("Debe aceptar el tratamiento de sus datos para presentar la solicitud.")
            },
        )
        for nombre, mensajes in MENSAJES_SOLICITUD.items():
            self.fields[nombre].error_messages.update(mensajes)
        self._init_archivos(retenidos, excedidos)


ARCHIVOS_VENTANILLA = ARCHIVOS_SOLICITUD  # the window receives the same two documents


class VentanillaForm(ArchivosRetenidosMixin, DatosSolicitanteMixin, forms.Form):
    """A request handed in on paper: the online form's data plus what the clerk checked."""

    confirmar_dudosas = False
    marcar_opcionales = True

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
