"""The case (trámite), its attachments, its append-only state history, observations and e-mails."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import EncryptedTextField
from ..estados import Estado
from ..provincias import PROVINCIA_CHOICES


class Tramite(models.Model):
    class Canal(models.TextChoices):
        VIRTUAL = "virtual", _("Ventanilla Virtual (en línea)")
        PRESENCIAL = "presencial", _("Ventanilla de Gestión Documental (presencial)")

    class TipoIdentificacion(models.TextChoices):
        CEDULA = "cedula", _("Cédula de identidad")
        EXTRANJERO = "extranjero", _("Código de identificación IESS para extranjeros")

    class Resultado(models.TextChoices):
        FAVORABLE = "favorable", _("Favorable")
        DESFAVORABLE = "desfavorable", _("Desfavorable")

    referencia = models.CharField(_("referencia"), max_length=20, unique=True)
    canal = models.CharField(_("canal"), max_length=12, choices=Canal.choices, default=Canal.VIRTUAL)
    estado = models.CharField(_("estado"), max_length=16, choices=Estado.choices, default=Estado.INGRESADO)
    tipo_identificacion = models.CharField(
        _("tipo de identificación"), max_length=12, choices=TipoIdentificacion.choices
    )
    identificacion = models.CharField(_("número de identificación"), max_length=20)
    nombres = models.CharField(_("nombres"), max_length=120)
    apellidos = models.CharField(_("apellidos"), max_length=120)
    correo = models.EmailField(_("correo electrónico"))
    telefono = models.CharField(_("teléfono"), max_length=20, help_text=_("Formato E.164"))
    telefono_alterno = models.CharField(_("teléfono alterno"), max_length=20, blank=True)
    provincia = models.CharField(_("provincia"), max_length=2, choices=PROVINCIA_CHOICES)
    # Free text the citizen writes may carry health detail: encrypted at rest like the assessment.
    mensaje = EncryptedTextField(_("mensaje"), max_length=2000, blank=True)
    acepta_tratamiento_datos = models.BooleanField(_("acepta el tratamiento de datos"), default=False)

    # Window channel (Gestión Documental).
    quipux = models.CharField(_("número Quipux"), max_length=40, blank=True)
    originales_vistos = models.BooleanField(_("originales vistos"), default=False)
    firma_manuscrita_verificada = models.BooleanField(_("firma manuscrita verificada"), default=False)
    registrado_por = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tramites_registrados",
        verbose_name=_("registrado por"),
    )

    oficina = models.ForeignKey(
        "tramites.Oficina", on_delete=models.PROTECT, null=True, blank=True, related_name="tramites"
    )
    analista = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tramites_asignados",
    )
    resultado = models.CharField(_("resultado"), max_length=12, choices=Resultado.choices, blank=True)

    creado_en = models.DateTimeField(_("ingresado el"), default=timezone.now, db_index=True)
    actualizado_en = models.DateTimeField(_("actualizado el"), auto_now=True)
    enrutado_en = models.DateTimeField(_("enrutado el"), null=True, blank=True)
    # The legal clock: due date of the answer (moved forward by the business days spent observed).
    vence_el = models.DateField(_("plazo de respuesta"), null=True, blank=True)
    # When the case reached a final answer (RESUELTO or DESISTIDO): the month of "atenciones".
    finalizado_en = models.DateTimeField(_("finalizado el"), null=True, blank=True, db_index=True)
    correo_confirmacion = EncryptedTextField(_("texto del correo de confirmación"), blank=True)
    # Why the case was closed without a resolution (archived, desistido), written for the citizen:
    # the e-mail and the /consulta/ timeline show it with what the citizen can do.
    motivo_cierre = EncryptedTextField(_("motivo del cierre, para el ciudadano"), blank=True)

    class Meta:
        verbose_name = _("trámite")
        verbose_name_plural = _("trámites")
        ordering = ["-creado_en"]
        indexes = [
            models.Index(fields=["oficina", "estado", "vence_el"], name="tramite_bandeja_idx"),
            models.Index(fields=["estado", "creado_en"], name="tramite_estado_creado_idx"),
            models.Index(fields=["identificacion"], name="tramite_identificacion_idx"),
            models.Index(fields=["analista", "estado"], name="tramite_analista_idx"),
            # Statistics by office and province read these instead of the table (index-only scans).
            models.Index(fields=["creado_en", "oficina", "provincia"], name="tramite_est_creado_idx"),
            models.Index(fields=["enrutado_en", "oficina", "provincia"], name="tramite_est_enrutado_idx"),
            models.Index(
                fields=["finalizado_en", "estado", "resultado", "oficina", "provincia", "creado_en"],
                name="tramite_est_final_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.referencia

    @property
    def nombre_completo(self) -> str:
        return f"{self.nombres} {self.apellidos}"


def _ruta_privada(instance: "Adjunto", filename: str) -> str:
    # Random name: the original name is kept (sanitized) in the row, never in the path.
    ext = "pdf" if instance.tipo_contenido == "application/pdf" else "jpg"
    fecha = timezone.now()
    return f"adjuntos/{fecha:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Adjunto(models.Model):
    class Tipo(models.TextChoices):
        DOCUMENTO_IDENTIDAD = "documento_identidad", _("Documento de identidad")
        SOLICITUD_FIRMADA = "solicitud_firmada", _("Solicitud de autorización firmada")
        SUBSANACION = "subsanacion", _("Documento de subsanación")
        INFORME_MEDICO = "informe_medico", _("Informe médico de respaldo")

    class VerificacionFirma(models.TextChoices):
        """What checking a PDF's electronic signature at upload found (tramites.firma, pyHanko)."""

        VALIDA = "valida", _("válida: no cambió desde que se firmó y el certificado es reconocido")
        VALIDA_VENCIDO = "valida_vencido", _("válida a la fecha de firma; el certificado ya venció")
        NO_RECONOCIDA = "no_reconocida", _("íntegra, pero de un certificado no reconocido por este sistema")
        NO_VALIDA = (
            "no_valida",
            _("no válida: el documento cambió después de firmarse o la firma está dañada"),
        )

    tramite = models.ForeignKey(
        Tramite, on_delete=models.CASCADE, null=True, blank=True, related_name="adjuntos"
    )
    tipo = models.CharField(_("tipo"), max_length=24, choices=Tipo.choices)
    archivo = models.FileField(_("archivo"), upload_to=_ruta_privada, max_length=200)
    nombre_original = models.CharField(_("nombre original"), max_length=120)
    tamano = models.PositiveIntegerField(_("tamaño en bytes"))
    tipo_contenido = models.CharField(_("tipo detectado"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    firma_digital = models.BooleanField(
        _("PDF con firma electrónica"), null=True, blank=True, help_text=_("Vacío para imágenes.")
    )
    # Empty when the file carries no signature, and for files stored before signatures were checked.
    firma_verificacion = models.CharField(
        _("verificación de la firma electrónica"),
        max_length=16,
        choices=VerificacionFirma.choices,
        blank=True,
        default="",
    )
    firma_firmante = models.CharField(
        _("firmante según el certificado"), max_length=200, blank=True, default=""
    )
    # The signer's identification number read from the certificate (IDCEC-/PASEC- or a CA extension).
    firma_identificacion = models.CharField(
        _("identificación del firmante según el certificado"), max_length=20, blank=True, default=""
    )
    cifrado = models.BooleanField(_("cifrado en reposo"), default=False)
    # A photo the gate found doubtful (ADR 0007) and the citizen sent anyway, confirming it reads well.
    advertencia_calidad = models.CharField(
        _("advertencia de calidad confirmada"), max_length=600, blank=True, default=""
    )
    paginas = models.PositiveSmallIntegerField(_("páginas"), default=1)
    # Held files: accepted for a form that had errors elsewhere, waiting for the submission.
    sesion = models.CharField(_("sesión"), max_length=64, blank=True, db_index=True)
    subido_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    creado_en = models.DateTimeField(_("subido el"), default=timezone.now)

    class Meta:
        verbose_name = _("adjunto")
        verbose_name_plural = _("adjuntos")
        ordering = ["creado_en"]


    def __str__(self) -> str:
        return f"{self.get_tipo_display()}: {self.nombre_original}"

    @property
    def es_imagen(self) -> bool:
        return self.tipo_contenido == "image/jpeg"

    @property
    def firmada_por_solicitante(self) -> str:
        """For an electronically signed PDF: "si" / "no" (the certificate's ID is the applicant's or
        not) or "ilegible" (no readable ID, or a signature that is not intact); "" for anything else."""
        if not self.firma_digital or self.tramite_id is None:
            return ""
        intacta = self.firma_verificacion in (
            self.VerificacionFirma.VALIDA,
            self.VerificacionFirma.VALIDA_VENCIDO,
            self.VerificacionFirma.NO_RECONOCIDA,
        )
        if not intacta or not self.firma_identificacion:
            return "ilegible"
        return "si" if self.firma_identificacion == self.tramite.identificacion else "no"

    def firmada_por_solicitante_texto(self) -> str:
        """The line of the requirements checklist: "Firmada por el solicitante: sí / no / no se pudo leer"."""
        palabras = {"si": _("sí"), "no": _("no"), "ilegible": _("no se pudo leer")}
        quien = self.firmada_por_solicitante
        return f"{_('Firmada por el solicitante')}: {palabras[quien]}" if quien else ""


# The attachment types, one source of truth (docs/checklists.md). The request's files by form field:
# the online form, the window form, the receipt and the benchmark baseline read this.
ARCHIVOS_SOLICITUD: dict[str, str] = {
    "documento_identidad": Adjunto.Tipo.DOCUMENTO_IDENTIDAD,
    "solicitud_firmada": Adjunto.Tipo.SOLICITUD_FIRMADA,
}
# Retention (datos_personales.retencion): the citizen's own files go after RETENCION_ADJUNTOS_ANIOS,
# medical reports with the medical data after RETENCION_DATOS_MEDICOS_ANIOS. Every type is in exactly
# one of the two (tests/test_retencion.py fails otherwise), so a new type cannot escape the purge.
TIPOS_CIUDADANO = frozenset({*ARCHIVOS_SOLICITUD.values(), Adjunto.Tipo.SUBSANACION})
TIPOS_MEDICOS = frozenset({Adjunto.Tipo.INFORME_MEDICO})


class HistorialEstado(models.Model):
    """Append-only: a row is written once and never edited or deleted (enforced here and in the admin)."""

    tramite = models.ForeignKey(Tramite, on_delete=models.CASCADE, related_name="historial")
    estado_anterior = models.CharField(
        _("estado anterior"), max_length=16, choices=Estado.choices, blank=True
    )
    estado_nuevo = models.CharField(_("estado nuevo"), max_length=16, choices=Estado.choices)
    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=20, help_text=_("rol, 'sistema' o 'ciudadano'"))
    nota = EncryptedTextField(_("nota"), blank=True)
    visible_ciudadano = models.BooleanField(default=True)
    creado_en = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("cambio de estado")
        verbose_name_plural = _("historial de estados")
        ordering = ["creado_en", "id"]
        # Monthly and supervisor statistics count the cases that entered a state in a date range.
        indexes = [
            models.Index(fields=["estado_nuevo", "creado_en", "tramite"], name="historial_estado_fecha_idx")
        ]

    def __str__(self) -> str:
        return f"{self.tramite_id}: {self.estado_anterior or '—'} → {self.estado_nuevo}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("El historial de estados no se edita.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("El historial de estados no se borra.")


class Observacion(models.Model):
    """A request for correction: what the citizen must fix and until when."""

    tramite = models.ForeignKey(Tramite, on_delete=models.CASCADE, related_name="observaciones")
    motivo = EncryptedTextField(_("qué debe corregir"))
    creada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    creada_en = models.DateTimeField(default=timezone.now)
    vence_el = models.DateField(_("plazo para subsanar"))
    respondida_en = models.DateTimeField(null=True, blank=True)
    respuesta = EncryptedTextField(_("comentario del ciudadano"), blank=True)

    class Meta:
        verbose_name = _("observación")
        verbose_name_plural = _("observaciones")
        ordering = ["-creada_en"]

    def __str__(self) -> str:
        return f"{self.tramite_id}: observación hasta {self.vence_el}"


class Notificacion(models.Model):
    """Every e-mail the system sends is first a row here, then a task sends it (with retries)."""

    class EstadoEnvio(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente")
        ENVIADO = "enviado", _("Enviado")
        FALLIDO = "fallido", _("Fallido")

    tramite = models.ForeignKey(
        Tramite, on_delete=models.CASCADE, null=True, blank=True, related_name="notificaciones"
    )
    queja = models.ForeignKey(
        "tramites.Queja", on_delete=models.CASCADE, null=True, blank=True, related_name="notificaciones"
    )
    destinatario = models.EmailField(_("destinatario"))
    asunto = models.CharField(_("asunto"), max_length=200)
    # Decision e-mails carry the reasons, which may be medical: encrypted at rest.
    texto = EncryptedTextField(_("texto"))
    estado = models.CharField(max_length=10, choices=EstadoEnvio.choices, default=EstadoEnvio.PENDIENTE)
    intentos = models.PositiveSmallIntegerField(default=0)
    ultimo_error = models.TextField(blank=True)
    creada_en = models.DateTimeField(default=timezone.now)
    enviada_en = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notificación")
        verbose_name_plural = _("notificaciones")
        ordering = ["creada_en"]

    def __str__(self) -> str:
        return f"{self.destinatario}: {self.asunto}"
