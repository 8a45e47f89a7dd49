"""Helpers of the staff-workspace tests: real cases made through the intake service with real files."""

from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests import files
from tramites import services
from tramites.estados import Estado
from tramites.models import Adjunto, Tramite
from tramites.solicitud import services as solicitud
from tramites.tramitacion import enrutamiento
from tramites.validators import validar_adjunto

_n = count(1)


def archivo(datos: bytes, nombre: str, tipo: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, datos, content_type=tipo)


def adjunto(datos: bytes, nombre: str, tipo: str) -> Adjunto:
    f = archivo(datos, nombre)
    return services.adjunto_guardar(archivo=f, validado=validar_adjunto(f), tipo=tipo, sesion="prueba")


def crear_tramite(*, provincia: str = "17", enrutar: bool = True, **datos) -> Tramite:
    """A case as the online form makes it (ID photo + signed PDF letter), routed unless told otherwise."""
    n = next(_n)
    base = {
        "tipo_identificacion": Tramite.TipoIdentificacion.CEDULA,
        "identificacion": "1710034065",
        "nombres": "María Fernanda",
        "apellidos": f"Quishpe Andrango {n}",
        "correo": f"ciudadana{n}@example.ec",
        "telefono": "+593991234567",
        "telefono_alterno": "",
        "provincia": provincia,
        "mensaje": "Solicito autorización para volver a trabajar.",
        "acepta_tratamiento_datos": True,
    }
    base.update(datos)
    adjuntos = [
        adjunto(files.jpeg_documento(), "cédula foto.jpg", Adjunto.Tipo.DOCUMENTO_IDENTIDAD),
        adjunto(files.pdf_solicitud(), "solicitud firmada.pdf", Adjunto.Tipo.SOLICITUD_FIRMADA),
    ]
    tramite = solicitud.tramite_crear(datos=base, adjuntos=adjuntos)
    if enrutar:
        enrutamiento.tramite_enrutar(tramite_id=tramite.pk)
    tramite.refresh_from_db()
    return tramite


def en_estado(tramite: Tramite, estado: str) -> Tramite:
    """Test set-up only: put a case straight into a state (the workflow itself is tested elsewhere)."""
    Tramite.objects.filter(pk=tramite.pk).update(estado=estado)
    tramite.refresh_from_db()
    return tramite


def cliente(usuario) -> Client:
    c = Client()
    c.force_login(usuario)
    return c


ABIERTOS_NO_INGRESADO = [e for e in Estado if e not in (Estado.INGRESADO,)]
