"""Data-subject rights beyond access (LOPDP): rectification, deletion and opposition requests with a
15-day term and alerts, the answer recorded and e-mailed, a rectification of contact data applied with
its history, everything audited; the access export as a readable PDF; the privacy notice's figures."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tests.fabricas_evaluacion import NOTA_MEDICA, tramite_resuelto
from tramites import auditoria
from tramites.datos_personales.derechos import solicitudes_alertar
from tramites.models import CambioDatoContacto, EventoAuditoria, SolicitudDerecho

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _supervisor(personal) -> Client:
    c = Client()
    c.force_login(personal["supervisor.nacional"])
    return c


def _registrar(cliente, **cambios):
    datos = {
        "tipo": "rectificacion",
        "identificacion": "1710034065",
        "nombre": "José Andrés Ñúñez Pérez",
        "correo": "jose.nunez@example.ec",
        "referencia_documento": "IESS-DSGRT-2026-0101-E",
        "detalle": "Mi correo cambió: ahora es jose.nuevo@example.ec",
        "recibida_el": timezone.localdate().isoformat(),
        **cambios,
    }
    return cliente.post("/personal/titular/derechos/", datos)


def test_rectificacion_del_correo_se_aplica_con_historial_y_se_responde(
    personal, django_capture_on_commit_callbacks
):
    tramite, _resolucion = tramite_resuelto(personal)
    cliente = _supervisor(personal)
    r = _registrar(cliente)
    auditoria.flush()  # the test runs in one transaction: write the request's audit events
    assert r.status_code == 302
    solicitud = SolicitudDerecho.objects.get()
    assert solicitud.vence_el == timezone.localdate() + timedelta(days=15)
    pagina = cliente.get(r["Location"]).content.decode()
    assert "Debe responderse hasta" in pagina and solicitud.vence_el.strftime("%-d/%m/%Y") in pagina

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = cliente.post(
            r["Location"],
            {
                "resultado": "atendida",
                "respuesta": "Corregimos su correo en su trámite.",
                "correo": "jose.nuevo@example.ec",
            },
        )
    assert r.status_code == 302
    tramite.refresh_from_db()
    assert tramite.correo == "jose.nuevo@example.ec"
    cambio = CambioDatoContacto.objects.get()
    assert (cambio.campo, cambio.anterior, cambio.nuevo) == ("correo", "jose.nunez@example.ec", "jose.nuevo@example.ec")
    correo = mail.outbox[-1]
    assert correo.to == ["jose.nuevo@example.ec"]
    assert "Respondemos su solicitud de rectificación de datos personales" in correo.body
    assert "Corregimos su correo en su trámite." in correo.body
    assert "Superintendencia de Protección de Datos Personales" in correo.body
    auditoria.flush()
    acciones = set(EventoAuditoria.objects.values_list("accion", flat=True))
    assert {"derecho_titular_registrado", "derecho_titular_respondido", "datos_rectificados"} <= acciones
    # Answered once: a second answer is refused, nothing changes.
    r = cliente.post(f"/personal/titular/derechos/{solicitud.pk}/", {"resultado": "negada", "respuesta": "x"})
    solicitud.refresh_from_db()
    assert solicitud.resultado == "atendida"


def test_una_eliminacion_negada_se_registra_y_no_cambia_datos(personal, django_capture_on_commit_callbacks):
    tramite, _r = tramite_resuelto(personal)
    cliente = _supervisor(personal)
    r = _registrar(cliente, tipo="eliminacion", detalle="Borren mis datos médicos")
    with django_capture_on_commit_callbacks(execute=True):
        cliente.post(
            r["Location"],
            {"resultado": "negada", "respuesta": "La resolución es un acto administrativo que debe conservarse."},
        )
    solicitud = SolicitudDerecho.objects.get()
    assert solicitud.resultado == "negada" and solicitud.respondida_en is not None
    assert "debe conservarse" in mail.outbox[-1].body


def test_datos_invalidos_se_rechazan_sin_registrar(personal):
    cliente = _supervisor(personal)
    r = _registrar(cliente, identificacion="", recibida_el=(timezone.localdate() + timedelta(days=2)).isoformat())
    assert r.status_code == 400
    assert "no puede ser futura" in r.content.decode()
    assert not SolicitudDerecho.objects.exists()


def test_solo_la_supervision_nacional(personal):
    for usuario in ("analista.pichincha", "director.pichincha"):
        c = Client()
        c.force_login(personal[usuario])
        assert c.get("/personal/titular/derechos/").status_code == 403


def test_alertas_antes_y_despues_del_termino_una_vez_al_dia(personal, django_capture_on_commit_callbacks):
    cliente = _supervisor(personal)
    hace = (timezone.localdate() - timedelta(days=13)).isoformat()
    _registrar(cliente, recibida_el=hace)
    hoy = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert solicitudes_alertar(hoy=hoy) == 1
        assert solicitudes_alertar(hoy=hoy) == 0  # once a day
    assert "por responder" in mail.outbox[-1].subject
    assert "1710034065" in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        assert solicitudes_alertar(hoy=hoy + timedelta(days=5)) == 1  # past the term: again
    assert "VENCIDA" in mail.outbox[-1].body


def test_la_exportacion_de_acceso_tambien_en_pdf_legible(personal):
    tramite_resuelto(personal)
    r = _supervisor(personal).post(
        "/personal/titular/", {"identificacion": "1710034065", "solicitud": "Oficio 12", "formato": "pdf"}
    )
    assert r["Content-Type"] == "application/pdf"
    texto = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages).split())
    assert "Sus datos personales" in texto
    assert "Evaluación de capacidad remanente" in texto
    assert NOTA_MEDICA.split(";")[0] in texto


def test_privacidad_dice_los_plazos_y_el_contacto(client, db, settings):
    settings.PROTECCION_DATOS_CONTACTO = "proteccion.datos@iess.gob.ec"
    settings.RETENCION_ADJUNTOS_ANIOS = 5
    settings.RETENCION_ANONIMIZAR_ANIOS = 10
    pagina = " ".join(client.get("/privacidad/").content.decode().split())
    assert "proteccion.datos@iess.gob.ec" in pagina
    assert "(documento de identidad, solicitud, correcciones): 5 años" in pagina
    assert "contacto y los correos enviados: 10 años" in pagina
    assert "15 días" in pagina




def test_al_anonimizar_se_borra_el_historial_de_rectificaciones(personal, django_capture_on_commit_callbacks):
    from tramites.datos_personales.retencion import tramite_anonimizar

    tramite, _r = tramite_resuelto(personal)
    cliente = _supervisor(personal)
    r = _registrar(cliente)
    with django_capture_on_commit_callbacks(execute=True):
        cliente.post(r["Location"], {"resultado": "atendida", "respuesta": "Hecho.", "correo": "jose.nuevo@example.ec"})
    assert CambioDatoContacto.objects.filter(tramite=tramite).exists()
    tramite_anonimizar(tramite=tramite, anios=10)
    assert not CambioDatoContacto.objects.filter(tramite=tramite).exists()
