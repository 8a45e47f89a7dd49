"""The citizen's complaint form with spam protection that needs no outside service:
a honeypot field hidden by CSS, a signed timestamp that must be some seconds old, and a cap on links."""

import re
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import referencias
from ..identificacion import normalizar_telefono, validar_cedula, validar_codigo_extranjero
from ..models import Tramite
from ..provincias import PROVINCIA_CHOICES
from ..selectors import tramite_publico

SAL_MARCA = "tramites.quejas.services.marca"
# A person needs more than a few seconds to write a complaint; a form older than this is stale.
SEGUNDOS_MINIMOS = getattr(settings, "QUEJAS_SEGUNDOS_MINIMOS", 3)
SEGUNDOS_MAXIMOS = 4 * 3600
MAX_ENLACES = 2
_ENLACE = re.compile(r"(https?://|www\.)", re.IGNORECASE)


def marca_tiempo(momento: float | None = None) -> str:
    return signing.dumps(int(momento if momento is not None else time.time()), salt=SAL_MARCA)


class QuejaForm(forms.Form):
    nombres = forms.CharField(
        label=_("Nombres y apellidos"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    identificacion = forms.CharField(
        label=_("Número de identificación (opcional)"),
        max_length=20,
        required=False,
        help_text=_(
            "Cédula de 10 dígitos o código de identificación del IESS para extranjeros. Obligatorio si su "
            "queja es sobre una solicitud: el mismo que escribió en ella."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    correo = forms.EmailField(
        label=_("Correo electrónico"),
        max_length=254,
        help_text=_("Aquí le enviaremos el acuse de recibo y la respuesta."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    telefono = forms.CharField(
        label=_("Teléfono"),
        max_length=20,
        help_text=_("Celular (09…) o fijo con código de provincia (02…)."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    provincia = forms.ChoiceField(
        label=_("Provincia"), choices=[("", _("Elija su provincia"))] + PROVINCIA_CHOICES
    )
    referencia_tramite = forms.CharField(
        label=_("Referencia de su trámite (opcional)"),
        max_length=30,
        required=False,
        help_text=_(
            "Si su queja es sobre una solicitud, escriba su referencia, por ejemplo 2026-7KQM-3XPA-R, y "
            "su número de identificación. Sin referencia, la queja es general."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    texto = forms.CharField(
        label=_("Su queja"),
        max_length=4000,
        min_length=10,
        help_text=_("Cuéntenos qué pasó, cuándo y dónde (hasta 4.000 caracteres)."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )
    # Honeypot: hidden from people by CSS (class "campo-trampa") and from assistive technology.
    sitio_web = forms.CharField(
        label=_("Deje este campo vacío"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    marca = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, ahora: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ahora = ahora if ahora is not None else time.time()
        self.tramite: Tramite | None = None
        self.es_spam = False
        if not self.is_bound:
            self.initial["marca"] = marca_tiempo(self.ahora)

    def nueva_marca(self) -> None:
        """A fresh timestamp when the form is shown again after errors."""
        datos = self.data.copy()
        datos["marca"] = marca_tiempo(self.ahora)
        self.data = datos

    def clean_nombres(self) -> str:
        return " ".join(self.cleaned_data["nombres"].split())

    def clean_identificacion(self) -> str:
        valor = self.cleaned_data.get("identificacion", "").strip()
        if not valor:
            return ""
        if valor.isdigit() and len(valor) == 10:
            return validar_cedula(valor)
        return validar_codigo_extranjero(valor)

    def clean_telefono(self) -> str:
        return normalizar_telefono(self.cleaned_data["telefono"])

    def clean_referencia_tramite(self) -> str:
        valor = self.cleaned_data.get("referencia_tramite", "").strip()
        if not valor:
            return ""
        normal = referencias.normalizar(valor)
        if normal is None:
            raise ValidationError(
                _(
                    "La referencia no es válida. Cópiela tal como aparece en su comprobante, "
                    "por ejemplo 2026-7KQM-3XPA-R."
                )
            )
        return normal

    def clean_texto(self) -> str:
        texto = self.cleaned_data["texto"].strip()
        if len(_ENLACE.findall(texto)) > MAX_ENLACES:
            raise ValidationError(
                _(
                    "Su queja tiene más de %(n)s enlaces. "
                    "Quite los enlaces y describa lo ocurrido con sus palabras."
                )
                % {"n": MAX_ENLACES}
            )
        return texto

    def _tramite_de_la_queja(self, cleaned: dict) -> None:
        """A complaint about a case needs its reference AND the identification number of the request;
        the answer is the same whether or not the reference exists, so the form tells no one which
        references are real. Without a reference the complaint is a general one."""
        referencia = cleaned.get("referencia_tramite")
        if not referencia:
            return
        if "identificacion" in self.errors:
            return
        if not cleaned.get("identificacion"):
            self.add_error("identificacion", _(
                "Para una queja sobre una solicitud, escriba el número de identificación con el que la "
                "presentó, o deje vacía la referencia para presentar una queja general."
            ))  # fmt: skip
            return
        self.tramite = tramite_publico(referencia=referencia, identificacion=cleaned["identificacion"])
        if self.tramite is None:
            self.add_error("referencia_tramite", _(
                "No encontramos una solicitud con esa referencia y ese número de identificación. Revise "
                "ambos datos, o deje vacía la referencia para presentar una queja general."
            ))  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        self._tramite_de_la_queja(cleaned)
        if cleaned.get("sitio_web"):
            self.es_spam = True
            raise ValidationError(
                _("No pudimos recibir su queja. Inténtelo de nuevo más tarde."), code="spam"
            )
        try:
            emitida = signing.loads(cleaned.get("marca") or "", salt=SAL_MARCA)
        except signing.BadSignature:
            raise ValidationError(
                _("El formulario no es válido o caducó. Revise sus datos y envíelo otra vez."), code="marca"
            ) from None
        transcurrido = self.ahora - int(emitida)
        if transcurrido > SEGUNDOS_MAXIMOS:
            raise ValidationError(
                _("El formulario caducó. Revise sus datos y envíelo otra vez."), code="marca"
            )
        if transcurrido < getattr(settings, "QUEJAS_SEGUNDOS_MINIMOS", SEGUNDOS_MINIMOS):
            self.es_spam = True
            raise ValidationError(
                _("El formulario se envió demasiado rápido. Revise sus datos y envíelo otra vez."),
                code="rapido",
            )
        return cleaned

    def datos_queja(self) -> dict:
        c = self.cleaned_data
        return {
            "nombres": c["nombres"],
            "identificacion": c["identificacion"],
            "correo": c["correo"],
            "telefono": c["telefono"],
            "provincia": c["provincia"],
            "texto": c["texto"],
            "tramite": self.tramite,
        }


class RespuestaQuejaForm(forms.Form):
    respuesta = forms.CharField(
        label=_("Respuesta para el ciudadano"),
        max_length=4000,
        help_text=_("Se envía por correo electrónico al ciudadano y queda guardada con la queja."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
    )
