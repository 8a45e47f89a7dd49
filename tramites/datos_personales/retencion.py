"""Data retention (LOPDP: data kept no longer than needed): what is deleted or anonymised, and when.

Periods count from the day a case reached its final state (RESUELTO, DESISTIDO or ARCHIVADO) and are
settings (docs/adr/0002-retencion-de-datos.md). `purgar_datos` is run daily by Celery beat and by
`manage.py purgar_datos`; it is idempotent (what was purged is not found again) and every case it
touches gets an audit event naming what went, never the personal data itself.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from .. import auditoria
from ..estados import FINALES
from ..models import (
    TIPOS_CIUDADANO,
    TIPOS_MEDICOS,
    Adjunto,
    CambioDatoContacto,
    Evaluacion,
    HistorialEstado,
    Notificacion,
    Observacion,
    Queja,
    Tramite,
)

logger = logging.getLogger(__name__)

# Replacement values of anonymised people. "ANON-" cannot be a real identification: cédulas are
# digits and foreigners' IESS codes are stored without hyphens.
PREFIJO_ANONIMO = "ANON-"
NOMBRE_ANONIMO = "Titular anonimizado"
CORREO_ANONIMO = "anonimizado@invalid.invalid"

_TEXTOS_MEDICOS = ("limitaciones", "actividades_compatibles", "restricciones", "notas")


def plazos() -> dict[str, int]:
    """The retention periods in years (settings; defaults documented in the ADR)."""
    return {
        "adjuntos": getattr(settings, "RETENCION_ADJUNTOS_ANIOS", 5),
        "datos_medicos": getattr(settings, "RETENCION_DATOS_MEDICOS_ANIOS", 5),
        "anonimizar": getattr(settings, "RETENCION_ANONIMIZAR_ANIOS", 10),
        "quejas": getattr(settings, "RETENCION_QUEJAS_ANIOS", 5),
    }


def hace_anios(anios: int, *, ahora: datetime | None = None) -> datetime:
    """The same calendar moment `anios` years before `ahora` (29 February becomes 28 February)."""
    ahora = ahora or timezone.now()
    try:
        return ahora.replace(year=ahora.year - anios)
    except ValueError:
        return ahora.replace(year=ahora.year - anios, day=28)


def tramites_finalizados_antes(limite: datetime):
    """Cases in a final state whose last move into a final state happened before `limite`."""
    ultimo_final = (
        HistorialEstado.objects.filter(tramite=OuterRef("pk"), estado_nuevo__in=sorted(FINALES))
        .order_by("-creado_en", "-id")
        .values("creado_en")[:1]
    )
    return (
        Tramite.objects.filter(estado__in=sorted(FINALES))
        .annotate(fin=Subquery(ultimo_final))
        .filter(fin__lt=limite)
    )


def es_anonimo(tramite: Tramite) -> bool:
    return tramite.identificacion.startswith(PREFIJO_ANONIMO)


@dataclass
class ResultadoPurga:
    simulacion: bool
    adjuntos: int = 0
    informes_medicos: int = 0
    evaluaciones: int = 0
    tramites_anonimizados: int = 0
    quejas_anonimizadas: int = 0
    detalle: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.adjuntos
            + self.informes_medicos
            + self.evaluaciones
            + self.tramites_anonimizados
            + self.quejas_anonimizadas
        )

    def resumen(self) -> dict:
        return {
            "simulacion": self.simulacion,
            "adjuntos": self.adjuntos,
            "informes_medicos": self.informes_medicos,
            "evaluaciones": self.evaluaciones,
            "tramites_anonimizados": self.tramites_anonimizados,
            "quejas_anonimizadas": self.quejas_anonimizadas,
        }


def _borrar_archivos(nombres: list[tuple]) -> None:
    """Delete stored files after the rows that named them are gone (a failure leaves an orphan file,
    logged, never a row pointing to nothing)."""
    for storage, nombre in nombres:
        try:
            storage.delete(nombre)
        except Exception:  # a storage outage must not undo the committed purge
            logger.exception("retención: no se pudo borrar el archivo %s", nombre)


def _borrar_adjuntos(tramite: Tramite, adjuntos: list[Adjunto], *, accion: str, plazo: int) -> None:
    archivos = [(a.archivo.storage, a.archivo.name) for a in adjuntos if a.archivo]
    with transaction.atomic():
        Adjunto.objects.filter(pk__in=[a.pk for a in adjuntos]).delete()
        auditoria.registrar(
            accion,
            tramite=tramite,
            objeto=tramite.referencia,
            detalle={
                "plazo_anios": plazo,
                # What existed, so the trail can prove it: type, size and fingerprint, no name or content.
                "adjuntos": [{"tipo": a.tipo, "tamano": a.tamano, "sha256": a.sha256} for a in adjuntos],
            },
        )
    auditoria.flush()
    transaction.on_commit(lambda: _borrar_archivos(archivos))


def _purgar_adjuntos(resultado: ResultadoPurga, ahora: datetime) -> None:
    anios = plazos()["adjuntos"]
    casos = tramites_finalizados_antes(hace_anios(anios, ahora=ahora)).filter(
        adjuntos__isnull=False, adjuntos__tipo__in=TIPOS_CIUDADANO
    )
    for tramite in casos.distinct().order_by("pk").iterator(chunk_size=200):
        adjuntos = list(tramite.adjuntos.filter(tipo__in=TIPOS_CIUDADANO))
        resultado.adjuntos += len(adjuntos)
        resultado.detalle.append(f"{tramite.referencia}: {len(adjuntos)} adjunto(s) del ciudadano")
        if not resultado.simulacion:
            _borrar_adjuntos(tramite, adjuntos, accion="retencion_adjuntos_eliminados", plazo=anios)


def _evaluacion_con_texto():
    # Encrypted columns store "" for an empty value, so emptiness is visible without decrypting.
    vacio = Q()
    for campo in _TEXTOS_MEDICOS:
        vacio &= Q(**{campo: ""})
    return Evaluacion.objects.exclude(vacio)


def _purgar_datos_medicos(resultado: ResultadoPurga, ahora: datetime) -> None:
    anios = plazos()["datos_medicos"]
    casos = tramites_finalizados_antes(hace_anios(anios, ahora=ahora)).filter(
        Q(adjuntos__tipo__in=TIPOS_MEDICOS) | Q(evaluacion__in=_evaluacion_con_texto())
    )
    for tramite in casos.distinct().order_by("pk").iterator(chunk_size=200):
        informes = list(tramite.adjuntos.filter(tipo__in=TIPOS_MEDICOS))
        con_texto = _evaluacion_con_texto().filter(tramite=tramite).exists()
        resultado.informes_medicos += len(informes)
        resultado.evaluaciones += int(con_texto)
        resultado.detalle.append(
            f"{tramite.referencia}: {len(informes)} informe(s) médico(s)"
            + ("; texto de la evaluación médica" if con_texto else "")
        )
        if resultado.simulacion:
            continue
        if informes:
            _borrar_adjuntos(tramite, informes, accion="retencion_informes_medicos_eliminados", plazo=anios)
        if con_texto:
            with transaction.atomic():
                # The date, the percentage and the conclusion stay as the basis of the issued decision;
                # the clinical free text goes.
                Evaluacion.objects.filter(tramite=tramite).update(**{c: "" for c in _TEXTOS_MEDICOS})
                auditoria.registrar(
                    "retencion_evaluacion_depurada",
                    tramite=tramite,
                    objeto=tramite.referencia,
                    detalle={"plazo_anios": anios, "campos": list(_TEXTOS_MEDICOS)},
                )
            auditoria.flush()


def tramite_anonimizar(*, tramite: Tramite, anios: int) -> None:
    """Replace everything that identifies the citizen; keep what the statistics and the issued
    authorization need (dates, states, province, office, channel, result, resolution number)."""
    with transaction.atomic():
        actual = Tramite.objects.select_for_update().get(pk=tramite.pk)
        if es_anonimo(actual):
            return
        restantes = list(actual.adjuntos.all())
        archivos = [(a.archivo.storage, a.archivo.name) for a in restantes if a.archivo]
        Adjunto.objects.filter(pk__in=[a.pk for a in restantes]).delete()
        Tramite.objects.filter(pk=actual.pk).update(
            identificacion=f"{PREFIJO_ANONIMO}{actual.pk}"[:20],
            nombres=NOMBRE_ANONIMO,
            apellidos="",
            correo=CORREO_ANONIMO,
            telefono="",
            telefono_alterno="",
            mensaje="",
            correo_confirmacion="",
            motivo_cierre="",
        )
        # The old and new contact data of rectifications are the citizen's data too.
        CambioDatoContacto.objects.filter(tramite=actual).delete()
        notificaciones = Notificacion.objects.filter(tramite=actual).delete()[0]
        Observacion.objects.filter(tramite=actual).update(motivo="", respuesta="")
        # The state history stays (who moved the case, when, to what); only its free-text notes,
        # which may quote the citizen, are emptied. This update is the one sanctioned exception to
        # the append-only rule, required by the law's storage limitation (ADR 0002).
        HistorialEstado.objects.filter(tramite=actual).exclude(nota="").update(nota="")
        Evaluacion.objects.filter(tramite=actual).update(**{c: "" for c in _TEXTOS_MEDICOS})
        auditoria.registrar(
            "retencion_tramite_anonimizado",
            tramite=actual,
            objeto=actual.referencia,
            detalle={
                "plazo_anios": anios,
                "adjuntos_eliminados": len(restantes),
                "notificaciones_eliminadas": notificaciones,
            },
        )
    auditoria.flush()
    transaction.on_commit(lambda: _borrar_archivos(archivos))


def _anonimizar_tramites(resultado: ResultadoPurga, ahora: datetime) -> None:
    anios = plazos()["anonimizar"]
    casos = tramites_finalizados_antes(hace_anios(anios, ahora=ahora)).exclude(
        identificacion__startswith=PREFIJO_ANONIMO
    )
    for tramite in casos.order_by("pk").iterator(chunk_size=200):
        resultado.tramites_anonimizados += 1
        resultado.detalle.append(f"{tramite.referencia}: datos personales anonimizados")
        if not resultado.simulacion:
            tramite_anonimizar(tramite=tramite, anios=anios)


def _anonimizar_quejas(resultado: ResultadoPurga, ahora: datetime) -> None:
    anios = plazos()["quejas"]
    quejas = Queja.objects.filter(
        estado=Queja.EstadoQueja.RESPONDIDA, respondida_en__lt=hace_anios(anios, ahora=ahora)
    ).exclude(correo=CORREO_ANONIMO)
    for queja in quejas.order_by("pk").iterator(chunk_size=200):
        resultado.quejas_anonimizadas += 1
        resultado.detalle.append(f"{queja.referencia}: queja anonimizada")
        if resultado.simulacion:
            continue
        with transaction.atomic():
            # The row stays: the monthly transparency figures count complaints by date.
            Queja.objects.filter(pk=queja.pk).update(
                nombres=NOMBRE_ANONIMO,
                identificacion="",
                correo=CORREO_ANONIMO,
                telefono="",
                texto="",
                respuesta="",
            )
            borradas = Notificacion.objects.filter(queja=queja).delete()[0]
            auditoria.registrar(
                "retencion_queja_anonimizada",
                objeto=queja.referencia,
                detalle={"plazo_anios": anios, "notificaciones_eliminadas": borradas},
            )
        auditoria.flush()


def purgar_datos(*, simulacion: bool = False, ahora: datetime | None = None) -> ResultadoPurga:
    """Delete or anonymise everything past its retention period. With `simulacion`, only report."""
    ahora = ahora or timezone.now()
    resultado = ResultadoPurga(simulacion=simulacion)
    _purgar_adjuntos(resultado, ahora)
    _purgar_datos_medicos(resultado, ahora)
    _anonimizar_tramites(resultado, ahora)
    _anonimizar_quejas(resultado, ahora)
    if not simulacion:
        # One event per run, even an empty one: the trail shows the job ran and found nothing due.
        auditoria.registrar(
            "retencion_ejecutada", objeto="purgar_datos", detalle={**resultado.resumen(), "plazos": plazos()}
        )
        auditoria.flush()
    return resultado
