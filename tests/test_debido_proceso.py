"""Due process, in the words a citizen reads: every decision (observation, archiving, desistimiento,
resolution, revocation) reaches the citizen with its reason and what they can do, by e-mail and on
/consulta/; an unfavourable resolution is motivated; the director previews the PDF before signing."""

import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.fabricas_evaluacion import DATOS_CIUDADANO, tramite_evaluado, tramite_resuelto
from tests.personal_ayudas import crear_tramite
from tramites.estados import Estado
from tramites.models import ConfiguracionDocumento, Resolucion
from tramites.resoluciones import services as res
from tramites.tramitacion import services as tramitacion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]

MOTIVOS = (
    "Hechos: la evaluación del 20/11/2026 concluyó «No apto» por compromiso severo de la marcha. "
    "Norma aplicada: C.D. 513, art. 58. Por qué se aplica: no puede trabajar sin agravar su lesión."
)


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _entrar(personal, usuario) -> Client:
    c = Client()
    c.force_login(personal[usuario])
    return c


def _texto(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _consulta(tramite, identificacion=DATOS_CIUDADANO["identificacion"]) -> str:
    """What the citizen reads on /consulta/ after looking the case up."""
    c = Client()
    r = c.post("/consulta/", {"referencia": tramite.referencia, "identificacion": identificacion})
    assert r.status_code == 302
    return " ".join(c.get(r["Location"]).content.decode().split())


def _form(**cambios) -> dict:
    return {
        "decision": "desfavorable",
        "motivacion": MOTIVOS,
        "actividades_compatibles": "",
        "restricciones": "",
        "condiciones": "",
        "vigencia_hasta": "",
        **cambios,
    }


# --- motivated resolutions ---------------------------------------------------------------------


def test_el_formulario_propone_la_motivacion_desde_la_evaluacion(personal):
    tramite = tramite_evaluado(personal, conclusion="no_apto", porcentaje_capacidad="37.25")
    pagina = _entrar(personal, "director.pichincha").get(reverse("personal:resolucion", args=[tramite.referencia]))
    html = pagina.content.decode()
    assert "Hechos: la evaluación de capacidad remanente" in html
    assert "«No apto»" in html and "37,25 %" in html
    assert "Norma aplicada: Reglamento del Seguro General de Riesgos del Trabajo" in html


def test_desfavorable_sin_motivos_se_rechaza(personal):
    tramite = tramite_evaluado(personal, conclusion="no_apto")
    r = _entrar(personal, "director.pichincha").post(
        reverse("personal:resolucion", args=[tramite.referencia]), _form(motivacion="")
    )
    assert r.status_code == 400
    assert "Escriba los motivos de la decisión desfavorable" in r.content.decode()
    assert "Constitución, art. 76.7.l" in r.content.decode()
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EVALUADO and not Resolucion.objects.exists()


def test_vista_previa_antes_de_firmar_no_registra_nada(personal):
    tramite = tramite_evaluado(personal, conclusion="no_apto")
    mail.outbox.clear()
    r = _entrar(personal, "director.pichincha").post(
        reverse("personal:resolucion", args=[tramite.referencia]), {**_form(), "vista_previa": "1"}
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    texto = _texto(r.content)
    assert "VISTA PREVIA SIN FIRMA" in texto
    assert "compromiso severo de la marcha" in texto
    assert "Recurso de apelación" in texto
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EVALUADO
    assert not Resolucion.objects.exists() and not mail.outbox


def test_resolucion_desfavorable_motivada_con_recursos_en_pdf_correo_y_consulta(
    personal, django_capture_on_commit_callbacks
):
    tramite = tramite_evaluado(personal, conclusion="no_apto")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = _entrar(personal, "director.pichincha").post(
            reverse("personal:resolucion", args=[tramite.referencia]), _form()
        )
    assert r.status_code == 302
    resolucion = Resolucion.objects.get()
    texto = _texto(res.documento_leer(resolucion))
    assert "DESFAVORABLE: NO se autoriza" in texto
    assert "Motivación" in texto and "compromiso severo de la marcha" in texto
    assert "Recurso de apelación" in texto
    assert "término de 10 días contados a partir del día siguiente a su notificación" in texto
    assert "art. 224" in texto and "Ventanilla Virtual" in texto
    assert "Recurso extraordinario de revisión" in texto

    correo = mail.outbox[-1]
    assert correo.to == [DATOS_CIUDADANO["correo"]]
    assert "MOTIVOS DE LA DECISIÓN" in correo.body and "compromiso severo de la marcha" in correo.body
    assert "QUÉ PUEDE HACER SI NO ESTÁ DE ACUERDO" in correo.body and "Recurso de apelación" in correo.body

    pagina = _consulta(tramite)
    assert "Motivos de la decisión" in pagina and "compromiso severo de la marcha" in pagina
    assert "Qué puede hacer si no está de acuerdo" in pagina and "Recurso de apelación" in pagina


def test_el_texto_de_los_recursos_se_edita_y_no_cambia_lo_emitido(personal):
    tramite, emitida = tramite_resuelto(personal)
    config = ConfiguracionDocumento.actual()
    config.recursos = "Recurso de apelación ante la Dirección General, en 10 días (texto nuevo)."
    config.save()
    emitida.refresh_from_db()
    assert "texto nuevo" not in emitida.recursos
    otro = tramite_evaluado(personal)
    nueva = res.resolucion_emitir(
        tramite=otro, usuario=personal["director.pichincha"], datos=res.DatosResolucion(decision="desfavorable", motivacion=MOTIVOS)
    )
    assert "texto nuevo" in _texto(res.documento_leer(nueva))


# --- revocation without replacement --------------------------------------------------------------


def test_revocar_sin_reemplazo_se_ve_en_la_consulta_y_en_verificar_sin_detalle_medico(
    personal, django_capture_on_commit_callbacks
):
    tramite, resolucion = tramite_resuelto(personal)
    url = reverse("personal:resolucion_revocar", args=[tramite.referencia, resolucion.numero])
    director = _entrar(personal, "director.pichincha")
    r = director.post(url, {"causa": "cambio_condiciones", "motivo": ""})
    assert r.status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = director.post(
            url, {"causa": "cambio_condiciones", "motivo": "Nuevo informe: hernia discal L4-L5 que impide el trabajo."}
        )
    assert r.status_code == 302
    resolucion.refresh_from_db()
    assert resolucion.estado == "revocada" and not Resolucion.objects.filter(reemplaza=resolucion).exists()
    assert "hernia discal" in mail.outbox[-1].body and "Recurso de apelación" in mail.outbox[-1].body

    pagina = _consulta(tramite)
    assert f"La resolución N.º {resolucion.numero} fue revocada" in pagina
    assert "Cambio de las circunstancias que la motivaron" in pagina and "hernia discal" in pagina

    verificar = " ".join(Client().get(f"/verificar/{resolucion.codigo_verificacion}/").content.decode().split())
    assert "fue REVOCADA: ya no es válida" in verificar
    assert "Causa: Cambio de las circunstancias que la motivaron" in verificar
    assert "hernia" not in verificar


# --- archiving, desistimiento, observation --------------------------------------------------------


def test_archivar_pide_un_motivo_para_el_ciudadano_y_se_lo_notifica(personal, django_capture_on_commit_callbacks):
    tramite = crear_tramite()
    director = _entrar(personal, "director.pichincha")
    url = reverse("personal:accion", args=[tramite.referencia, "archivar"])
    r = director.post(url, {"archivar-motivo": "Duplicado", "archivar-motivo_ciudadano": ""})
    assert r.status_code == 400 and "Escriba el motivo del archivo para el ciudadano." in r.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        director.post(
            url,
            {
                "archivar-motivo": "Duplicado de 2026-XXXX (nota interna)",
                "archivar-motivo_ciudadano": "Usted presentó otra solicitud igual, que sigue en trámite.",
            },
        )
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ARCHIVADO
    correo = mail.outbox[-1]
    assert correo.subject == f"Su solicitud {tramite.referencia} fue archivada"
    assert "Usted presentó otra solicitud igual" in correo.body
    assert "Puede presentar una nueva solicitud" in correo.body and "Recurso de apelación" in correo.body
    assert "nota interna" not in correo.body

    pagina = _consulta(tramite, identificacion=tramite.identificacion)
    assert "Archivado" in pagina and "Motivo:</span> Usted presentó otra solicitud igual" in pagina
    assert "Puede presentar una nueva solicitud" in pagina and "nota interna" not in pagina


def test_desistimiento_con_motivo_y_recursos(personal, django_capture_on_commit_callbacks):
    tramite = crear_tramite()
    tramitacion.tramite_tomar(tramite=tramite, usuario=tramite.analista)
    tramitacion.tramite_observar(tramite=tramite, usuario=tramite.analista, motivo="La foto de la cédula está cortada.")
    observacion = tramite.observaciones.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tramitacion.observaciones_vencidas_cerrar(hoy=observacion.vence_el + timezone.timedelta(days=1)) == 1
    correo = mail.outbox[-1]
    assert "se dio por desistida" in correo.body and "La foto de la cédula está cortada." in correo.body
    assert "Puede presentar una nueva solicitud" in correo.body and "Recurso de apelación" in correo.body
    pagina = _consulta(tramite, identificacion=tramite.identificacion)
    assert "Desistido" in pagina and "no se subsanó dentro del plazo" in pagina
    assert "Observado" in pagina and "Motivo:</span> La foto de la cédula está cortada." in pagina


def test_la_observacion_se_notifica_con_su_motivo_y_lo_que_puede_hacer(personal, django_capture_on_commit_callbacks):
    tramite = crear_tramite()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tramitacion.tramite_tomar(tramite=tramite, usuario=tramite.analista)
        tramitacion.tramite_observar(tramite=tramite, usuario=tramite.analista, motivo="La foto de la cédula está cortada.")
    correo = mail.outbox[-1]
    assert "MOTIVO" in correo.body and "La foto de la cédula está cortada." in correo.body
    assert "QUÉ PUEDE HACER" in correo.body and "/consulta/" in correo.body
    pagina = _consulta(tramite, identificacion=tramite.identificacion)
    assert "Motivo:</span> La foto de la cédula está cortada." in pagina
    assert "Qué puede hacer:</span> Corregir lo indicado hasta el" in pagina
