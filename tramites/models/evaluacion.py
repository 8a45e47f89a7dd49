"""The remaining-capacity assessment (sensitive health data) and the signed authorization document."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedDecimalField, EncryptedTextField


class Evaluacion(models.Model):
    class Conclusion(models.TextChoices):
        APTO = "apto", _("Apto")
        APTO_RESTRICCIONES = "apto_restricciones", _("Apto con restricciones")
        NO_APTO = "no_apto", _("No apto")

    tramite = models.OneToOneField("tramites.Tramite", on_delete=models.CASCADE, related_name="evaluacion")
    fecha = models.DateField(_("fecha de la evaluación"))
    evaluador = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("evaluador")
    )
    # Health data (LOPDP special category): the percentage and the conclusion are encrypted at rest
    # like the free text; nothing filters or counts on them (the statistics count decisions).
    porcentaje_capacidad = EncryptedDecimalField(
        _("capacidad remanente (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    limitaciones = EncryptedTextField(_("limitaciones funcionales"))
    actividades_compatibles = EncryptedTextField(_("actividades compatibles"))
    restricciones = EncryptedTextField(_("restricciones"), blank=True)
    conclusion = EncryptedTextField(_("conclusión"), choices=Conclusion.choices)
    notas = EncryptedTextField(_("notas"), blank=True)
    creada_en = models.DateTimeField(default=timezone.now)
    actualizada_en = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluación de capacidad remanente")
        verbose_name_plural = _("evaluaciones de capacidad remanente")

    def __str__(self) -> str:
        return f"Evaluación del trámite {self.tramite_id} ({self.fecha})"


class SecuenciaResolucion(models.Model):
    """Per-office, per-year counter of authorization numbers; incremented under a row lock, never reused."""

    oficina = models.ForeignKey("tramites.Oficina", on_delete=models.PROTECT)
    anio = models.PositiveSmallIntegerField()
    ultimo = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["oficina", "anio"], name="secuencia_unica_oficina_anio")
        ]

    def __str__(self) -> str:
        return f"{self.oficina_id}/{self.anio}: {self.ultimo}"


class Resolucion(models.Model):
    class Decision(models.TextChoices):
        FAVORABLE = "favorable", _("Favorable: se autoriza la reinserción laboral")
        DESFAVORABLE = "desfavorable", _("Desfavorable: no se autoriza la reinserción laboral")

    class EstadoDocumento(models.TextChoices):
        VIGENTE = "vigente", _("Vigente")
        REVOCADA = "revocada", _("Revocada")

    class CausaRevocatoria(models.TextChoices):
        """The public reason of a revocation: what /verificar/ shows, never medical detail."""

        ERROR_MATERIAL = "error_material", _("Corrección de un error del documento")
        CAMBIO_CONDICIONES = "cambio_condiciones", _("Cambio de las circunstancias que la motivaron")
        RECURSO = "recurso", _("Decisión de un recurso administrativo o judicial")
        PEDIDO_TITULAR = "pedido_titular", _("Pedido del titular")
        OTRA = "otra", _("Otra causa")

    tramite = models.ForeignKey("tramites.Tramite", on_delete=models.PROTECT, related_name="resoluciones")
    oficina = models.ForeignKey("tramites.Oficina", on_delete=models.PROTECT)
    anio = models.PositiveSmallIntegerField()
    secuencia = models.PositiveIntegerField()
    numero = models.CharField(_("número"), max_length=60, unique=True)
    codigo_verificacion = models.CharField(_("código de verificación"), max_length=40, unique=True)
    decision = models.CharField(_("decisión"), max_length=12, choices=Decision.choices)
    # Conditions come from the medical assessment: encrypted at rest like it.
    actividades_compatibles = EncryptedTextField(_("actividades compatibles"), blank=True)
    restricciones = EncryptedTextField(_("restricciones"), blank=True)
    condiciones = EncryptedTextField(_("otras condiciones"), blank=True)
    vigencia_hasta = models.DateField(_("válida hasta"), null=True, blank=True)
    # The reasons (Constitución art. 76.7.l): the facts of the assessment and the rule applied. They
    # carry health data, so they are encrypted like the assessment.
    motivacion = EncryptedTextField(_("motivación"), blank=True)
    base_legal = models.TextField(_("base legal"))
    # The remedies as printed on this document (the admin's text at issue time; later edits do not
    # change documents already issued).
    recursos = models.TextField(_("recursos"), blank=True)
    firmante = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("firmante")
    )
    # The certificate's subject at signing time: what the verification page shows as the signer.
    certificado_firmante = models.CharField(_("certificado del firmante"), max_length=200, blank=True)
    emitida_en = models.DateTimeField(default=timezone.now)
    archivo = models.FileField(upload_to="resoluciones/%Y/", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    certificado_demo = models.BooleanField(default=False)
    estado = models.CharField(max_length=10, choices=EstadoDocumento.choices, default=EstadoDocumento.VIGENTE)
    revocada_en = models.DateTimeField(null=True, blank=True)
    causa_revocatoria = models.CharField(
        _("causa de la revocatoria"), max_length=20, choices=CausaRevocatoria.choices, blank=True
    )
    # The director's full reason, for the citizen: it may carry medical detail, so it is encrypted and
    # never shown on /verificar/ (which shows causa_revocatoria only).
    motivo_revocatoria = EncryptedTextField(_("motivo de la revocatoria"), blank=True)
    reemplaza = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reemplazada_por"
    )

    class Meta:
        verbose_name = _("resolución")
        verbose_name_plural = _("resoluciones")
        ordering = ["-emitida_en"]
        constraints = [
            models.UniqueConstraint(fields=["oficina", "anio", "secuencia"], name="resolucion_numero_unico")
        ]

    def __str__(self) -> str:
        return self.numero


RECURSOS_PREDETERMINADOS = (
    "Recurso de apelación: si no está de acuerdo con esta resolución, puede interponerlo dentro del "
    "término de 10 días contados a partir del día siguiente a su notificación (Código Orgánico "
    "Administrativo, art. 224). Se presenta ante la misma dirección que la emitió, por la Ventanilla "
    "Virtual del IESS o en cualquier ventanilla de Gestión Documental del IESS, citando el número de "
    "esta resolución; lo resuelve la máxima autoridad del IESS.\n"
    "Recurso extraordinario de revisión: procede, ante la máxima autoridad del IESS, en los casos y "
    "plazos del artículo 232 del Código Orgánico Administrativo (por ejemplo, cuando aparecen documentos "
    "nuevos de valor esencial o la decisión se basó en documentos falsos o en un error de hecho)."
)

BASE_LEGAL_PREDETERMINADA = (
    "Reglamento del Seguro General de Riesgos del Trabajo (Resolución C.D. 513), capítulo XII, "
    "artículos 58 a 61; Ley de Seguridad Social, artículo 155."
)


class ConfiguracionDocumento(models.Model):
    """The editable texts of the authorization document (one row, edited in the admin)."""

    base_legal = models.TextField(
        _("base legal"),
        default=BASE_LEGAL_PREDETERMINADA,
        help_text=_(
            "Texto de la base legal que se imprime en cada resolución nueva; las emitidas no cambian."
        ),
    )
    recursos = models.TextField(
        _("recursos"),
        default=RECURSOS_PREDETERMINADOS,
        help_text=_(
            "Los recursos que puede interponer el ciudadano: cuál, ante quién, dónde y en qué término. Se "
            "imprime en cada resolución nueva y se incluye en los correos de las decisiones; las "
            "resoluciones emitidas no cambian."
        ),
    )
    actualizada_en = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("texto de las resoluciones")
        verbose_name_plural = _("texto de las resoluciones")

    def __str__(self) -> str:
        return str(_("Texto de las resoluciones"))

    def save(self, *args, **kwargs):
        self.pk = 1  # a singleton
        super().save(*args, **kwargs)

    @classmethod
    def actual(cls) -> "ConfiguracionDocumento":
        obj, _creada = cls.objects.get_or_create(pk=1)
        return obj


class Verificacion(models.Model):
    """One row per verification attempt on /verificar/ (counted; no personal data kept)."""

    class Metodo(models.TextChoices):
        CODIGO = "codigo", _("Código")
        PDF = "pdf", _("Documento PDF")

    resolucion = models.ForeignKey(Resolucion, on_delete=models.SET_NULL, null=True, blank=True)
    metodo = models.CharField(max_length=8, choices=Metodo.choices)
    resultado = models.CharField(max_length=20)
    creada_en = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.metodo}: {self.resultado} ({self.creada_en:%Y-%m-%d %H:%M})"
