"""The correction form: the replaced documents of an observed request."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..models import Adjunto
from ..solicitud.forms import ArchivosRetenidosMixin
from ..validators import AdjuntoField

# --- corrections (citizen online, clerk at the window) ------------------------------------------------


class SubsanacionForm(ArchivosRetenidosMixin, forms.Form):
    """Corrected documents through the one validator chain, with an optional comment.

    Online (`confirmar_dudosas=True`, with the session's `retenidos`), the files work as on the request
    form: an accepted file is held after a form error and need not be chosen again, and a doubtful photo
    is shown back until the citizen confirms it or replaces it (ADR 0007). At the window the clerk's
    scans are not asked again: their warning is recorded and shown to the analyst.
    """

    archivos = {"documento": Adjunto.Tipo.SUBSANACION, "documento_adicional": Adjunto.Tipo.SUBSANACION}

    def __init__(
        self, *args, max_bytes: int | None = None, excedidos=None, retenidos=None, confirmar_dudosas=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.confirmar_dudosas = confirmar_dudosas
        max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
        mb = max(1, max_bytes // 1_048_576)
        # Not required here: a held file stands for a new one; the mixin asks for what is missing.
        self.fields["documento"] = AdjuntoField(
            label=_("Documento corregido"),
            max_bytes=max_bytes,
            required=False,
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
        self._init_archivos(retenidos, excedidos)

    def archivo_opcional(self, nombre: str) -> bool:
        return nombre == "documento_adicional"

    def clean(self):
        cleaned = super().clean()
        self._clean_archivos()
        return cleaned

    def documentos(self) -> list[tuple]:
        """The newly uploaded files of a valid form, as (file, ArchivoValidado) pairs."""
        return [(f, f.validado) for f in self.archivos_nuevos().values()]

    def retenidos_usados(self) -> list[Adjunto]:
        """The held files a valid form sends (those no new upload replaced)."""
        nuevos = self.archivos_nuevos()
        return [a for campo, a in self.retenidos.items() if campo not in nuevos]
