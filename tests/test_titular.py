"""Access request under the LOPDP (issue 6, point 5): the national supervisor exports as JSON
everything held about one identification number; only the supervisor; every export is audited."""

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.fabricas_evaluacion import LIMITACIONES, NOTA_MEDICA, tramite_resuelto
from tests.personal_ayudas import crear_tramite
from tramites import auditoria
from tramites.models import EventoAuditoria, Queja
from tramites.quejas.forms import marca_tiempo
from tramites.tramitacion import services as tramitacion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]
URL = "/personal/titular/"


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    auditoria._pendientes.set(None)  # nothing held over from another test


def _post(cliente, datos: dict):
    # A test runs inside a transaction, so the audit events of the request are held: write them.
    r = cliente.post(URL, datos)
    auditoria.flush()
    return r


def entrar(personal, usuario: str) -> Client:
    c = Client()
    c.force_login(personal[usuario])
    return c


@pytest.fixture
def historia(personal, django_capture_on_commit_callbacks):
    """One person (cédula 1710034065) with a resolved case in Pichincha, an observed case in Guayas
    and a complaint; another person's case that must not appear."""
    with django_capture_on_commit_callbacks(execute=True):
        resuelto, resolucion = tramite_resuelto(personal)
        observado = crear_tramite(provincia="09")
        analista = observado.analista
        tramitacion.tramite_tomar(tramite=observado, usuario=analista)
        tramitacion.tramite_observar(
            tramite=observado, usuario=analista, motivo="La foto de la cédula está cortada."
        )
        ajeno = crear_tramite(identificacion="1714307103", nombres="Otra", apellidos="Persona")
        r = Client().post(
            "/quejas/nueva/",
            {
                "nombres": "José Andrés Ñúñez",
                "identificacion": "1710034065",
                "correo": "jose.nunez@example.ec",
                "telefono": "0987654321",
                "provincia": "17",
                "referencia_tramite": "",
                "texto": "Quiero saber por qué tarda.",
                "sitio_web": "",
                "marca": marca_tiempo(time.time() - 30),
            },
        )
        assert r.status_code == 302
    return {"resuelto": resuelto, "resolucion": resolucion, "observado": observado, "ajeno": ajeno}


def _exportar(cliente, identificacion="1710034065", solicitud="IESS-DSGRT-2026-0101-M"):
    return _post(cliente, {"identificacion": identificacion, "solicitud": solicitud})


def test_el_supervisor_descarga_todo_lo_del_titular(personal, historia):
    supervisor = entrar(personal, "supervisor.nacional")
    pagina = supervisor.get(URL)
    assert pagina.status_code == 200
    assert 'name="identificacion"' in pagina.content.decode()

    r = _exportar(supervisor, identificacion="171003406-5 ")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/json")
    assert r["Content-Disposition"] == 'attachment; filename="titular-1710034065.json"'
    assert "no-store" in r["Cache-Control"]
    datos = json.loads(r.content)

    assert datos["identificacion"] == "1710034065"
    assert datos["solicitud"] == "IESS-DSGRT-2026-0101-M"
    referencias = {t["referencia"] for t in datos["tramites"]}
    assert referencias == {historia["resuelto"].referencia, historia["observado"].referencia}
    assert historia["ajeno"].referencia not in r.content.decode()

    resuelto = next(t for t in datos["tramites"] if t["referencia"] == historia["resuelto"].referencia)
    assert resuelto["nombres"] == "José Andrés" and resuelto["correo"] == "jose.nunez@example.ec"
    assert [h["estado_nuevo"] for h in resuelto["historial"]][:2] == ["Ingresado", "Asignado"]
    assert resuelto["correos_enviados"] and resuelto["correos_enviados"][0]["texto"]
    # The medical content, decrypted: it is the holder's own data.
    evaluacion = resuelto["evaluacion_de_capacidad_remanente"]
    assert evaluacion["limitaciones_funcionales"] == LIMITACIONES
    assert evaluacion["notas"] == NOTA_MEDICA
    assert evaluacion["capacidad_remanente_porcentaje"] == "62.50"
    [informe] = [a for a in resuelto["adjuntos"] if a["tipo"] == "Informe médico de respaldo"]
    assert len(informe["sha256"]) == 64 and "contenido" not in informe
    [resolucion] = resuelto["resoluciones"]
    assert resolucion["numero"] == historia["resolucion"].numero
    assert resolucion["otras_condiciones"] == "Control médico anual"
    assert any(a["accion"] == "evaluacion_registrada" for a in resuelto["accesos_registrados"])

    observado = next(t for t in datos["tramites"] if t["referencia"] == historia["observado"].referencia)
    assert observado["observaciones"][0]["motivo"] == "La foto de la cédula está cortada."
    assert observado["provincia"] == {"codigo": "09", "nombre": "Guayas"}
    assert {a["tipo"] for a in observado["adjuntos"]} == {
        "Documento de identidad",
        "Solicitud de autorización firmada",
    }

    [queja] = datos["quejas"]
    assert queja["texto"] == "Quiero saber por qué tarda." and queja["correos_enviados"]


def test_cada_exportacion_queda_en_la_auditoria(personal, historia):
    _exportar(entrar(personal, "supervisor.nacional"))
    general = EventoAuditoria.objects.get(accion="titular_exportado", tramite_id__isnull=True)
    assert general.usuario == "supervisor.nacional"
    assert general.objeto == "titular:*******065"  # not the number itself
    assert general.detalle["solicitud"] == "IESS-DSGRT-2026-0101-M"
    esperados = {historia["resuelto"].referencia, historia["observado"].referencia}
    assert set(general.detalle["tramites"]) == esperados
    for caso in (historia["resuelto"], historia["observado"]):
        assert EventoAuditoria.objects.filter(accion="titular_exportado", tramite_id=caso.pk).count() == 1
    # The audit trail does not copy the medical content.
    assert NOTA_MEDICA not in str(list(EventoAuditoria.objects.values_list("detalle", flat=True)))


@pytest.mark.parametrize(
    "usuario",
    ["analista.pichincha", "director.pichincha", "evaluador.pichincha", "ventanilla.pichincha", "admin"],
)
def test_solo_el_supervisor(personal, historia, usuario):
    cliente = entrar(personal, usuario)
    assert cliente.get(URL).status_code == 403
    assert _exportar(cliente).status_code == 403
    assert not EventoAuditoria.objects.filter(accion="titular_exportado").exists()


def test_sin_sesion_lleva_al_ingreso(db):
    r = Client().get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/personal/login/")


def test_sin_datos_lo_dice_y_lo_audita(personal, historia):
    r = _exportar(entrar(personal, "supervisor.nacional"), identificacion="0926687856")
    assert r.status_code == 400
    assert "No hay trámites ni quejas" in r.content.decode()
    assert EventoAuditoria.objects.filter(accion="titular_sin_datos").count() == 1


@pytest.mark.parametrize(
    ("datos", "texto"),
    [
        ({"identificacion": "", "solicitud": "x"}, "Número de identificación del titular"),
        ({"identificacion": "1710034065", "solicitud": ""}, "Referencia de la solicitud de acceso"),
        ({"identificacion": "<b>", "solicitud": "x"}, "número de identificación válido"),
    ],
)
def test_formulario_incompleto_muestra_el_resumen_de_errores(personal, datos, texto):
    r = _post(entrar(personal, "supervisor.nacional"), datos)
    assert r.status_code == 400
    html = r.content.decode()
    assert "data-error-summary" in html and texto in html
    assert not EventoAuditoria.objects.filter(accion__startswith="titular_").exists()


def test_queja_vinculada_a_un_caso_del_titular_aunque_sin_cedula(personal, historia):
    Queja.objects.create(
        referencia="Q-2026-ZZZZ-YYYY-X",
        nombres="Un familiar",
        correo="familiar@example.ec",
        provincia="17",
        tramite=historia["resuelto"],
        texto="Pregunto por mi padre.",
    )
    datos = json.loads(_exportar(entrar(personal, "supervisor.nacional")).content)
    assert {q["referencia"] for q in datos["quejas"]} >= {"Q-2026-ZZZZ-YYYY-X"}


def test_el_enlace_aparece_solo_al_supervisor(personal):
    enlace = reverse("personal:titular")
    assert enlace in entrar(personal, "supervisor.nacional").get("/personal/").content.decode()
    assert enlace not in entrar(personal, "director.pichincha").get("/personal/").content.decode()
