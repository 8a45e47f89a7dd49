"""The staff workflow's own records: the saved requirements checklist of a case and each office's
standard observation texts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RevisionRequisitos(models.Model):
    """The ONE checklist of a case, as the analyst last ticked it (saved as each box is ticked).

    Sending to evaluation or observing copies it, as text, into the history row of the decision."""

    tramite = models.OneToOneField("tramites.Tramite", on_delete=models.CASCADE, related_name="revision")
    documento_legible = models.BooleanField(_("documento de identidad legible"), default=False)
    solicitud_firmada = models.BooleanField(_("solicitud firmada"), default=False)
    solicitud_datos = models.BooleanField(_("la solicitud lleva los datos"), default=False)
    tipo_firma = models.CharField(_("tipo de firma"), max_length=12, blank=True)
    actualizada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actualizada_en = models.DateTimeField(_("guardada el"), default=timezone.now)

    class Meta:
        verbose_name = _("revisión de requisitos")
        verbose_name_plural = _("revisiones de requisitos")

    def __str__(self) -> str:
        return f"{self.tramite_id}: {self.actualizada_en:%Y-%m-%d %H:%M}"


class TextoObservacion(models.Model):
    """A standard reason for observing a request, kept by each office (or for all offices).

    Staff insert it into the observation and edit it before sending; the observation stores the text
    as it was sent, so editing or deactivating a standard text never changes what a citizen got."""

    oficina = models.ForeignKey(
        "tramites.Oficina",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="textos_observacion",
        verbose_name=_("oficina"),
        help_text=_("Vacío: lo usan todas las oficinas."),
    )
    titulo = models.CharField(_("título"), max_length=120, help_text=_("Lo que se ve en la lista para elegirlo."))
    texto = models.TextField(_("texto"), max_length=2000)
    activo = models.BooleanField(_("activo"), default=True)
    orden = models.PositiveSmallIntegerField(_("orden"), default=0)

    class Meta:
        verbose_name = _("texto estándar de observación")
        verbose_name_plural = _("textos estándar de observación")
        ordering = ["orden", "titulo"]

    def __str__(self) -> str:
        return self.titulo
