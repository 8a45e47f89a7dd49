"""Due process and data-subject rights: the escalations of the legal term, and the rectification,
deletion and opposition requests of the data-protection law with their history of changes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField


class EscalamientoTermino(models.Model):
    """One row per case and threshold: the case was escalated near its term, or when it passed."""

    class Tipo(models.TextChoices):
        AVISO = "aviso", _("Término por vencer")
        VENCIDO = "vencido", _("Término vencido")

    tramite = models.ForeignKey("tramites.Tramite", on_delete=models.CASCADE, related_name="escalamientos")
    tipo = models.CharField(_("tipo"), max_length=8, choices=Tipo.choices)
    dias_restantes = models.IntegerField(_("días hábiles restantes"))
    oficina = models.ForeignKey("tramites.Oficina", on_delete=models.PROTECT, null=True, blank=True)
    vence_el = models.DateField(_("término"), null=True, blank=True)
    creado_en = models.DateTimeField(_("escalado el"), default=timezone.now)

    class Meta:
        verbose_name = _("escalamiento del término")
        verbose_name_plural = _("escalamientos del término")
        constraints = [models.UniqueConstraint(fields=["tramite", "tipo"], name="escalamiento_unico")]

    def __str__(self) -> str:
        return f"{self.tramite_id}: {self.tipo}"


class SolicitudDerecho(models.Model):
    """A rectification, deletion or opposition request (LOPDP), answered within 15 days."""

    class Tipo(models.TextChoices):
        RECTIFICACION = "rectificacion", _("rectificación")
        ELIMINACION = "eliminacion", _("eliminación")
        OPOSICION = "oposicion", _("oposición")

    class Resultado(models.TextChoices):
        ATENDIDA = "atendida", _("Atendida")
        ATENDIDA_PARCIAL = "parcial", _("Atendida en parte")
        NEGADA = "negada", _("Negada")

    tipo = models.CharField(_("tipo de solicitud"), max_length=16, choices=Tipo.choices)
    identificacion = models.CharField(_("número de identificación del titular"), max_length=20, db_index=True)
    nombre = models.CharField(_("nombre del titular"), max_length=200)
    correo = models.EmailField(_("correo del titular"))
    referencia_documento = models.CharField(
        _("referencia de la solicitud"),
        max_length=100,
        help_text=_("Número Quipux, oficio o correo con el que el titular la presentó."),
    )
    detalle = EncryptedTextField(_("qué pide el titular"))
    recibida_el = models.DateField(_("recibida el"), default=timezone.localdate)
    vence_el = models.DateField(_("debe responderse hasta"))
    registrada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registrada por")
    )
    registrada_en = models.DateTimeField(default=timezone.now)
    resultado = models.CharField(_("decisión"), max_length=10, choices=Resultado.choices, blank=True)
    respuesta = EncryptedTextField(_("respuesta al titular"), blank=True)
    respondida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    respondida_en = models.DateTimeField(_("respondida el"), null=True, blank=True)
    alertada_el = models.DateField(null=True, blank=True)  # last day an alert was sent for it

    class Meta:
        verbose_name = _("solicitud de derechos del titular")
        verbose_name_plural = _("solicitudes de derechos del titular")
        ordering = ["vence_el", "pk"]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.identificacion} ({self.recibida_el})"

    @property
    def pendiente(self) -> bool:
        return self.respondida_en is None

    @property
    def vencida(self) -> bool:
        return self.pendiente and self.vence_el < timezone.localdate()


class CambioDatoContacto(models.Model):
    """History of a rectification applied to a case's contact data: what it was and what it became."""

    solicitud = models.ForeignKey(SolicitudDerecho, on_delete=models.PROTECT, related_name="cambios")
    tramite = models.ForeignKey("tramites.Tramite", on_delete=models.CASCADE, related_name="rectificaciones")
    campo = models.CharField(_("dato"), max_length=20)
    anterior = EncryptedTextField(_("valor anterior"), blank=True)
    nuevo = EncryptedTextField(_("valor nuevo"), blank=True)
    creado_en = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rectificación de un dato de contacto")
        verbose_name_plural = _("rectificaciones de datos de contacto")
        ordering = ["creado_en", "pk"]

    def __str__(self) -> str:
        return f"{self.tramite_id}: {self.campo}"
