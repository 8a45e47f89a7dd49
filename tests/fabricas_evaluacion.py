"""Cases brought to the assessment and resolution steps through the real services (no shortcuts)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import files
from tramites import auditoria, services
from tramites.evaluacion import services as ev
from tramites.models import Tramite
from tramites.resoluciones import services as res
from tramites.roles import Rol
from tramites.solicitud import services as solicitud
from tramites.tramitacion import enrutamiento
from tramites.validators import validar_adjunto

NOTA_MEDICA = "Hipoacusia neurosensorial bilateral moderada; evitar ruido mayor a 85 dB"
LIMITACIONES = "Limitación para bipedestación prolongada y cargas mayores a 10 kg por lumbalgia crónica"
ACTIVIDADES = "Trabajo administrativo sentado; atención telefónica; digitación"
RESTRICCIONES = "No levantar más de 10 kg; pausas activas cada 2 horas"

DATOS_CIUDADANO = {
    "tipo_identificacion": "cedula",
    "identificacion": "1710034065",
    "nombres": "José Andrés",
    "apellidos": "Ñúñez Pérez",
    "correo": "jose.nunez@example.ec",
    "telefono": "+593991234567",
    "provincia": "17",
    "acepta_tratamiento_datos": True,
}


def tramite_en_evaluacion(personal, *, provincia: str = "17", **cambios) -> Tramite:
    """A case routed to the office of `provincia`, taken by its analyst and sent to evaluation."""
    tramite = solicitud.tramite_crear(
        datos={**DATOS_CIUDADANO, "provincia": provincia, **cambios}, adjuntos=[]
    )
    enrutamiento.tramite_enrutar(tramite_id=tramite.pk)
    tramite.refresh_from_db()
    analista = tramite.analista
    services.tramite_transicionar(tramite=tramite, accion="tomar", actor=Rol.ANALISTA, usuario=analista)
    services.tramite_transicionar(
        tramite=tramite, accion="enviar_evaluacion", actor=Rol.ANALISTA, usuario=analista
    )
    tramite.refresh_from_db()
    auditoria.flush()
    return tramite


def informe_pdf(nombre: str = "informe.pdf") -> SimpleUploadedFile:
    archivo = SimpleUploadedFile(nombre, files.pdf_solicitud(), content_type="application/pdf")
    archivo.validado = validar_adjunto(archivo)
    return archivo


def datos_evaluacion(**cambios) -> ev.DatosEvaluacion:
    base = {
        "fecha": timezone.localdate(),
        "porcentaje_capacidad": Decimal("62.50"),
        "limitaciones": LIMITACIONES,
        "actividades_compatibles": ACTIVIDADES,
        "restricciones": RESTRICCIONES,
        "conclusion": "apto_restricciones",
        "notas": NOTA_MEDICA,
    }
    base.update(cambios)
    return ev.DatosEvaluacion(**base)


SUFIJO = {"17": "pichincha", "09": "guayas"}


def tramite_evaluado(personal, *, provincia: str = "17", **datos):
    tramite = tramite_en_evaluacion(personal, provincia=provincia)
    evaluador = personal[f"evaluador.{SUFIJO[provincia]}"]
    ev.evaluacion_registrar(
        tramite=tramite, usuario=evaluador, datos=datos_evaluacion(**datos), archivos=[informe_pdf()]
    )
    tramite.refresh_from_db()
    auditoria.flush()
    return tramite


def datos_resolucion(**cambios) -> res.DatosResolucion:
    base = {
        "decision": "favorable",
        "actividades_compatibles": ACTIVIDADES,
        "restricciones": RESTRICCIONES,
        "condiciones": "Control médico anual",
        "vigencia_hasta": timezone.localdate() + datetime.timedelta(days=365),
    }
    base.update(cambios)
    return res.DatosResolucion(**base)


def tramite_resuelto(personal, *, provincia: str = "17", **datos):
    tramite = tramite_evaluado(personal, provincia=provincia)
    director = personal[f"director.{SUFIJO[provincia]}"]
    resolucion = res.resolucion_emitir(tramite=tramite, usuario=director, datos=datos_resolucion(**datos))
    tramite.refresh_from_db()
    auditoria.flush()
    return tramite, resolucion
