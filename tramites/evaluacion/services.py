"""The remaining-capacity assessment: who may read it, recording and correcting it, reading it.

Health data (LOPDP special category): the content is for the medical evaluators and the director of
the case's office only; everyone else who can see the case learns only that it exists and its date.
Every read, refusal and change goes to the audit trail; no medical text is ever written to it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .. import auditoria, services
from ..estados import Estado
from ..models import Adjunto, Evaluacion, Tramite
from ..roles import Rol
from ..selectors import oficina_de, roles_de

# Roles that may read the assessment's content (in their own office only).
ROLES_CONTENIDO = frozenset({Rol.EVALUADOR, Rol.DIRECTOR})
CAMPOS = (
    "fecha",
    "porcentaje_capacidad",
    "limitaciones",
    "actividades_compatibles",
    "restricciones",
    "conclusion",
    "notas",
)


@dataclass(frozen=True)
class DatosEvaluacion:
    fecha: date
    porcentaje_capacidad: Decimal
    limitaciones: str
    actividades_compatibles: str
    restricciones: str
    conclusion: str
    notas: str


def _misma_oficina(usuario, tramite: Tramite) -> bool:
    oficina = oficina_de(usuario)
    return oficina is not None and tramite.oficina_id is not None and tramite.oficina_id == oficina.pk


def puede_ver_contenido(*, usuario, tramite: Tramite) -> bool:
    """Medical evaluators and directors of the case's office; nobody else (not the supervisor)."""
    return bool(roles_de(usuario) & ROLES_CONTENIDO) and _misma_oficina(usuario, tramite)


def puede_registrar(*, usuario, tramite: Tramite) -> bool:
    """A medical evaluator of the office, on a case waiting for its assessment."""
    return (
        Rol.EVALUADOR in roles_de(usuario)
        and _misma_oficina(usuario, tramite)
        and tramite.estado == Estado.EN_EVALUACION
        and not Evaluacion.objects.filter(tramite=tramite).exists()
    )


def puede_corregir(*, usuario, tramite: Tramite) -> bool:
    """The assessment can be corrected by an evaluator of the office until the resolution is issued."""
    return (
        Rol.EVALUADOR in roles_de(usuario)
        and _misma_oficina(usuario, tramite)
        and tramite.estado == Estado.EVALUADO
        and Evaluacion.objects.filter(tramite=tramite).exists()
    )


def resumen(*, tramite: Tramite) -> dict:
    """What every role that sees the case may know: whether there is an assessment, and its date."""
    fila = Evaluacion.objects.filter(tramite=tramite).values("fecha", "creada_en").first()
    return {"existe": fila is not None, "fecha": fila["fecha"] if fila else None}


def evaluacion_ver(*, tramite: Tramite, usuario, request=None, motivo: str = "consulta") -> Evaluacion:
    """The assessment with its content, for a role allowed to read it; the read is audited.

    A refused read is audited too, then PermissionDenied is raised.
    """
    if not puede_ver_contenido(usuario=usuario, tramite=tramite):
        auditoria.registrar(
            "evaluacion_acceso_denegado",
            usuario=usuario,
            request=request,
            tramite=tramite,
            objeto=tramite.referencia,
            detalle={"motivo": motivo},
        )
        raise PermissionDenied(_("Su rol no permite ver el contenido de la evaluación médica."))
    evaluacion = Evaluacion.objects.select_related("evaluador").filter(tramite=tramite).first()
    if evaluacion is None:
        raise Evaluacion.DoesNotExist
    auditoria.registrar(
        "evaluacion_vista",
        usuario=usuario,
        request=request,
        tramite=tramite,
        objeto=f"evaluacion:{evaluacion.pk}",
        detalle={"motivo": motivo},
    )
    return evaluacion


def informes(*, tramite: Tramite) -> list[Adjunto]:
    return list(tramite.adjuntos.filter(tipo=Adjunto.Tipo.INFORME_MEDICO).order_by("creado_en", "pk"))


def _guardar_informes(*, tramite: Tramite, archivos: list, usuario) -> list[Adjunto]:
    guardados = []
    try:
        for archivo in archivos:
            guardados.append(
                services.adjunto_guardar(
                    archivo=archivo,
                    validado=archivo.validado,
                    tipo=Adjunto.Tipo.INFORME_MEDICO,
                    tramite=tramite,
                    usuario=usuario,
                    cifrar=True,
                )
            )
    except Exception:
        for adjunto in guardados:
            adjunto.archivo.delete(save=False)
        raise
    return guardados


def evaluacion_registrar(
    *, tramite: Tramite, usuario, datos: DatosEvaluacion, archivos: list, request=None
) -> Evaluacion:
    """Record the assessment and its encrypted reports, and move the case to EVALUADO, all or nothing."""
    if not puede_registrar(usuario=usuario, tramite=tramite):
        raise services.TransicionNoPermitida(
            _(
                "Solo un médico evaluador de la oficina puede registrar la evaluación de un trámite "
                "en evaluación."
            )
        )
    guardados: list[Adjunto] = []
    try:
        with transaction.atomic():
            # The transition locks the case and checks its state first: two evaluators saving at once
            # cannot both record an assessment.
            services.tramite_transicionar(
                tramite=tramite,
                accion="evaluar",
                actor=Rol.EVALUADOR,
                usuario=usuario,
                nota=_("Evaluación de capacidad remanente registrada."),
            )
            evaluacion = Evaluacion.objects.create(tramite=tramite, evaluador=usuario, **datos.__dict__)
            guardados = _guardar_informes(tramite=tramite, archivos=archivos, usuario=usuario)
            auditoria.registrar(
                "evaluacion_registrada",
                usuario=usuario,
                request=request,
                tramite=tramite,
                objeto=f"evaluacion:{evaluacion.pk}",
                detalle={"informes": [a.pk for a in guardados]},
            )
    except Exception:
        for adjunto in guardados:
            adjunto.archivo.delete(save=False)
        raise
    return evaluacion


def evaluacion_corregir(
    *, tramite: Tramite, usuario, datos: DatosEvaluacion, archivos: list, request=None
) -> Evaluacion:
    """Correct the assessment before the resolution; the audit names the fields changed, not their values."""
    if not puede_corregir(usuario=usuario, tramite=tramite):
        raise services.TransicionNoPermitida(_("La evaluación ya no se puede corregir."))
    guardados: list[Adjunto] = []
    try:
        with transaction.atomic():
            actual = Tramite.objects.select_for_update().get(pk=tramite.pk)
            if actual.estado != Estado.EVALUADO:
                raise services.TransicionNoPermitida(_("La evaluación ya no se puede corregir."))
            evaluacion = Evaluacion.objects.select_for_update().get(tramite=tramite)
            cambiados = [c for c in CAMPOS if getattr(evaluacion, c) != getattr(datos, c)]
            for campo in cambiados:
                setattr(evaluacion, campo, getattr(datos, campo))
            if cambiados:
                evaluacion.save()
            guardados = _guardar_informes(tramite=tramite, archivos=archivos, usuario=usuario)
            auditoria.registrar(
                "evaluacion_modificada",
                usuario=usuario,
                request=request,
                tramite=tramite,
                objeto=f"evaluacion:{evaluacion.pk}",
                detalle={"campos": cambiados, "informes_nuevos": [a.pk for a in guardados]},
            )
    except Exception:
        for adjunto in guardados:
            adjunto.archivo.delete(save=False)
        raise
    return evaluacion


def informe_leer(*, tramite: Tramite, adjunto_id: int, usuario, request=None) -> tuple[Adjunto, bytes]:
    """A supporting report, decrypted, for a role allowed to read the assessment; audited."""
    if not puede_ver_contenido(usuario=usuario, tramite=tramite):
        auditoria.registrar(
            "evaluacion_acceso_denegado",
            usuario=usuario,
            request=request,
            tramite=tramite,
            objeto=f"adjunto:{adjunto_id}",
            detalle={"motivo": "informe"},
        )
        raise PermissionDenied(_("Su rol no permite ver los informes médicos."))
    adjunto = tramite.adjuntos.get(pk=adjunto_id, tipo=Adjunto.Tipo.INFORME_MEDICO)
    datos = services.adjunto_leer(adjunto)
    auditoria.registrar(
        "informe_medico_descargado",
        usuario=usuario,
        request=request,
        tramite=tramite,
        objeto=f"adjunto:{adjunto.pk}",
    )
    return adjunto, datos
