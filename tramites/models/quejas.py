"""Complaints (quejas) and the monthly transparency figures carried over from before the system."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from ..provincias import PROVINCIA_CHOICES


class Queja(models.Model):
    class EstadoQueja(models.TextChoices):
        RECIBIDA = "recibida", _("Recibida")
        EN_PROCESO = "en_proceso", _("En proceso")
        RESPONDIDA = "respondida", _("Respondida")

    referencia = models.CharField(_("referencia"), max_length=20, unique=True)
    nombres = models.CharField(_("nombres y apellidos"), max_length=200)
    identificacion = models.CharField(_("identificación"), max_length=20, blank=True)
    correo = models.EmailField(_("correo electrónico"))
    telefono = models.CharField(_("teléfono"), max_length=20, blank=True)
    provincia = models.CharField(_("provincia"), max_length=2, choices=PROVINCIA_CHOICES)
    tramite = models.ForeignKey(
        "tramites.Tramite", on_delete=models.SET_NULL, null=True, blank=True, related_name="quejas"
    )
    # What the citizen writes, and the answer, often speak of their incapacity (health data, LOPDP art.
    # 26): stored encrypted, as the case's own free texts are.
    texto = EncryptedTextField(_("queja"), max_length=4000)
    estado = models.CharField(max_length=12, choices=EstadoQueja.choices, default=EstadoQueja.RECIBIDA)
    respuesta = EncryptedTextField(_("respuesta"), blank=True)
    respondida_en = models.DateTimeField(null=True, blank=True)
    respondida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondida por"),
    )
    creada_en = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("queja")
        verbose_name_plural = _("quejas")
        ordering = ["-creada_en"]

    def __str__(self) -> str:
        return self.referencia


class CifraMensualHistorica(models.Model):
    """Figures published before the system existed; a month here is shown instead of the computed one."""

    anio = models.PositiveSmallIntegerField(
        _("año"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    mes = models.PositiveSmallIntegerField(_("mes"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    quejas = models.PositiveIntegerField(_("volumen de quejas"))
    atenciones = models.PositiveIntegerField(_("volumen de atenciones"))
    importada_en = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cifra mensual histórica")
        verbose_name_plural = _("cifras mensuales históricas")
        ordering = ["-anio", "-mes"]
        constraints = [models.UniqueConstraint(fields=["anio", "mes"], name="cifra_unica_mes")]

    def __str__(self) -> str:
        return f"{self.anio}-{self.mes:02d}"
