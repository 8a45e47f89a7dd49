"""The data model, one module per concern; import from here."""

from .auditoria import EventoAuditoria
from .casos import (
    ARCHIVOS_SOLICITUD,
    TIPOS_CIUDADANO,
    TIPOS_MEDICOS,
    Adjunto,
    HistorialEstado,
    Notificacion,
    Observacion,
    Tramite,
)
from .derechos import CambioDatoContacto, EscalamientoTermino, SolicitudDerecho
from .evaluacion import ConfiguracionDocumento, Evaluacion, Resolucion, SecuenciaResolucion, Verificacion
from .oficinas import Oficina, PerfilPersonal, ProvinciaOficina
from .quejas import CifraMensualHistorica, Queja
from .tramitacion import RevisionRequisitos, TextoObservacion

__all__ = [
    "ARCHIVOS_SOLICITUD",
    "TIPOS_CIUDADANO",
    "TIPOS_MEDICOS",
    "Adjunto",
    "CambioDatoContacto",
    "CifraMensualHistorica",
    "ConfiguracionDocumento",
    "EscalamientoTermino",
    "Evaluacion",
    "EventoAuditoria",
    "HistorialEstado",
    "Notificacion",
    "Observacion",
    "Oficina",
    "PerfilPersonal",
    "ProvinciaOficina",
    "Queja",
    "Resolucion",
    "RevisionRequisitos",
    "SecuenciaResolucion",
    "TextoObservacion",
    "SolicitudDerecho",
    "Tramite",
    "Verificacion",
]
