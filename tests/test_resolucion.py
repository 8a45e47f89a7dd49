"""The director's resolution: numbering, the signed PDF, immutability and correction, the citizen's copy."""

import hashlib
import io
import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.fabricas_evaluacion import (
    ACTIVIDADES,
    DATOS_CIUDADANO,
    NOTA_MEDICA,
    datos_resolucion,
    tramite_evaluado,
    tramite_resuelto,
)
from tramites import auditoria, firma
from tramites.estados import Estado
from tramites.models import ConfiguracionDocumento, EventoAuditoria, Resolucion, SecuenciaResolucion
from tramites.resoluciones import services as res

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]


@pytest.fixture(autouse=True)
def _contrasenas_rapidas(settings):
    # The demo staff are created in every test; Argon2 is slow on purpose, and not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _cliente(usuario) -> Client:
    c = Client()
    c.force_login(usuario)
    return c


def _texto(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _form(**cambios) -> dict:
    datos = {
        "decision": "favorable",
        "motivacion": "Hechos: la evaluación concluyó que puede trabajar sentado. Norma: C.D. 513, art. 58.",
        "causa": "error_material",  # read by the correction form only
        "actividades_compatibles": ACTIVIDADES,
        "restricciones": "No levantar más de 10 kg",
        "condiciones": "",
        "vigencia_hasta": "",
    }
    datos.update(cambios)
    return datos


# --- issuing ---------------------------------------------------------------------------------------


def test_el_formulario_propone_la_conclusion_del_evaluador_y_el_director_decide(personal):
    tramite = tramite_evaluado(personal, conclusion="no_apto")
    r = _cliente(personal["director.pichincha"]).get(
        reverse("personal:resolucion", args=[tramite.referencia])
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert re.search(r'value="desfavorable"[^>]*checked', html)
    assert not re.search(r'value="favorable"[^>]*checked', html)

    r = _cliente(personal["director.pichincha"]).post(
        reverse("personal:resolucion", args=[tramite.referencia]), _form(decision="favorable")
    )
    assert r.status_code == 302
    tramite.refresh_from_db()
    assert tramite.estado == Estado.RESUELTO and tramite.resultado == "favorable"
    assert tramite.finalizado_en is not None
    assert tramite.resoluciones.get().decision == "favorable"
    auditoria.flush()
    assert EventoAuditoria.objects.filter(
        accion="resolucion_emitida", usuario="director.pichincha", tramite_id=tramite.pk
    ).exists()


def test_emitir_numera_firma_guarda_el_sha256_y_notifica(personal, django_capture_on_commit_callbacks):
    tramite = tramite_evaluado(personal)
    with django_capture_on_commit_callbacks(execute=True):
        resolucion = res.resolucion_emitir(
            tramite=tramite, usuario=personal["director.pichincha"], datos=datos_resolucion()
        )
    anio = timezone.localdate().year
    assert resolucion.numero == f"IESS-CPRT-PIC-{anio}-00001-RL"
    assert re.fullmatch(r"([2-9A-HJKMNP-Z]{4}-){3}[2-9A-HJKMNP-Z]{4}", resolucion.codigo_verificacion)
    pdf = res.documento_leer(resolucion)
    assert hashlib.sha256(pdf).hexdigest() == resolucion.sha256
    assert resolucion.certificado_demo is True
    assert resolucion.estado == "vigente"
    # The citizen is told, with the number and where to download and verify.
    (correo,) = [m for m in mail.outbox if DATOS_CIUDADANO["correo"] in m.to]
    assert resolucion.numero in correo.body and "/consulta/" in correo.body
    assert resolucion.codigo_verificacion in correo.body
    assert NOTA_MEDICA not in correo.body


def test_el_pdf_dice_decision_numero_codigo_y_datos_del_titular(personal):
    ConfiguracionDocumento.objects.update_or_create(
        pk=1, defaults={"base_legal": "Resolución C.D. 513, artículos 58 a 61 (texto editado en el admin)."}
    )
    _tramite, resolucion = tramite_resuelto(personal)
    pdf = res.documento_leer(resolucion)
    texto = _texto(pdf)
    plano = " ".join(texto.split())
    assert resolucion.numero in plano
    assert resolucion.codigo_verificacion in plano
    assert "FAVORABLE" in plano and "AUTORIZA" in plano
    assert "José Andrés Ñúñez Pérez" in plano and "1710034065" in plano
    assert "texto editado en el admin" in plano
    assert "Coordinación Provincial" in plano and "Pichincha" in plano
    assert "DEMOSTRACIÓN" in plano
    assert f"/verificar/{resolucion.codigo_verificacion}/" in plano
    # No medical note in the document: only the conditions of the authorization.
    assert NOTA_MEDICA not in plano


def test_el_pdf_desfavorable_lo_dice(personal):
    _tramite, resolucion = tramite_resuelto(personal, decision="desfavorable")
    plano = " ".join(_texto(res.documento_leer(resolucion)).split())
    assert "DESFAVORABLE" in plano and "NO se autoriza" in plano


def test_el_pdf_esta_etiquetado_titulado_y_en_espanol(personal):
    _tramite, resolucion = tramite_resuelto(personal)
    lector = PdfReader(io.BytesIO(res.documento_leer(resolucion)))
    assert resolucion.numero in lector.metadata.title
    raiz = lector.trailer["/Root"]
    assert str(raiz["/Lang"]).startswith("es")
    assert "/StructTreeRoot" in raiz
    assert raiz["/MarkInfo"]["/Marked"]


def test_la_firma_pades_valida_contra_las_raices_de_confianza(personal):
    _tramite, resolucion = tramite_resuelto(personal)
    resultado = firma.validate_pdf_signature(res.documento_leer(resolucion))
    assert resultado.valid and resultado.intact and resultado.trusted
    assert resultado.demo


def test_la_numeracion_es_por_oficina_y_anio_sin_saltos(personal):
    _t1, r1 = tramite_resuelto(personal)
    _t2, r2 = tramite_resuelto(personal)
    _t3, r3 = tramite_resuelto(personal, provincia="09")
    anio = timezone.localdate().year
    assert r1.numero.endswith(f"PIC-{anio}-00001-RL") and r2.numero.endswith(f"PIC-{anio}-00002-RL")
    assert r3.numero == f"IESS-CPRT-GUA-{anio}-00001-RL"
    assert len({r1.codigo_verificacion, r2.codigo_verificacion, r3.codigo_verificacion}) == 3


def test_un_fallo_al_firmar_no_gasta_el_numero_ni_deja_archivos(personal, monkeypatch, settings):
    tramite = tramite_evaluado(personal)

    def falla(*args, **kwargs):
        raise RuntimeError("token de firma desconectado")

    monkeypatch.setattr(firma, "sign_pdf", falla)
    with pytest.raises(RuntimeError):
        res.resolucion_emitir(
            tramite=tramite, usuario=personal["director.pichincha"], datos=datos_resolucion()
        )
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EVALUADO
    assert not Resolucion.objects.exists()
    assert not SecuenciaResolucion.objects.filter(ultimo__gt=0).exists()
    assert not list((settings.PRIVATE_MEDIA_ROOT / "resoluciones").rglob("*.pdf"))

    monkeypatch.undo()
    resolucion = res.resolucion_emitir(
        tramite=tramite, usuario=personal["director.pichincha"], datos=datos_resolucion()
    )
    assert resolucion.secuencia == 1


def test_un_fallo_al_guardar_el_archivo_tampoco_deja_el_pdf_en_disco(personal, monkeypatch, settings):
    tramite = tramite_evaluado(personal)
    monkeypatch.setattr(res, "_notificar", lambda **kw: (_ for _ in ()).throw(RuntimeError("smtp")))
    with pytest.raises(RuntimeError):
        res.resolucion_emitir(
            tramite=tramite, usuario=personal["director.pichincha"], datos=datos_resolucion()
        )
    assert not Resolucion.objects.exists()
    assert not list((settings.PRIVATE_MEDIA_ROOT / "resoluciones").rglob("*.pdf"))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_emisores_concurrentes_no_duplican_ni_dejan_huecos():
    if connection.vendor != "postgresql":
        pytest.skip("La concurrencia real de bloqueos de fila se prueba en PostgreSQL.")
    from django.contrib.auth.models import Group

    from tramites.management import demo
    from tramites.roles import Rol

    for rol in Rol:
        Group.objects.get_or_create(name=rol.value)
    demo.cargar_usuarios()
    from django.contrib.auth import get_user_model

    personal = {u.username: u for u in get_user_model().objects.all()}
    tramites = [tramite_evaluado(personal) for _ in range(6)]
    barrera = threading.Barrier(len(tramites))
    errores: list[BaseException] = []

    def emitir(tramite):
        try:
            barrera.wait()
            res.resolucion_emitir(
                tramite=tramite, usuario=personal["director.pichincha"], datos=datos_resolucion()
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errores.append(exc)
        finally:
            connection.close()

    hilos = [threading.Thread(target=emitir, args=(t,)) for t in tramites]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)
    assert not errores, errores
    secuencias = sorted(Resolucion.objects.values_list("secuencia", flat=True))
    assert secuencias == [1, 2, 3, 4, 5, 6]
    assert Resolucion.objects.values("numero").distinct().count() == 6
    assert SecuenciaResolucion.objects.get().ultimo == 6


# --- who may issue ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "usuario, esperado",
    [
        ("evaluador.pichincha", 403),
        ("analista.pichincha", 403),
        ("ventanilla.pichincha", 403),
        ("supervisor.nacional", 403),
        ("director.guayas", 404),
    ],
)
def test_solo_el_director_de_la_oficina_emite(personal, usuario, esperado):
    tramite = tramite_evaluado(personal)
    r = _cliente(personal[usuario]).post(reverse("personal:resolucion", args=[tramite.referencia]), _form())
    assert r.status_code == esperado
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EVALUADO
    assert not Resolucion.objects.exists()


def test_no_se_emite_sobre_un_tramite_no_evaluado(personal):
    from tests.fabricas_evaluacion import tramite_en_evaluacion

    tramite = tramite_en_evaluacion(personal)
    r = _cliente(personal["director.pichincha"]).post(
        reverse("personal:resolucion", args=[tramite.referencia]), _form()
    )
    assert r.status_code == 403
    assert not Resolucion.objects.exists()


# --- immutability and correction -------------------------------------------------------------------


def test_corregir_revoca_con_motivo_y_emite_otra_que_la_reemplaza(
    personal, django_capture_on_commit_callbacks
):
    tramite, anterior = tramite_resuelto(personal)
    sha_anterior = anterior.sha256
    url = reverse("personal:resolucion_corregir", args=[tramite.referencia, anterior.numero])
    director = _cliente(personal["director.pichincha"])
    r = director.post(url, {**_form(decision="desfavorable", actividades_compatibles=""), "motivo": ""})
    assert r.status_code == 400 and "motivo" in r.content.decode().lower()
    with django_capture_on_commit_callbacks(execute=True):
        r = director.post(url, {**_form(decision="desfavorable"), "motivo": "Error en la decisión"})
    assert r.status_code == 302
    anterior.refresh_from_db()
    nueva = Resolucion.objects.get(reemplaza=anterior)
    assert anterior.estado == "revocada" and anterior.motivo_revocatoria == "Error en la decisión"
    assert anterior.revocada_en is not None
    assert anterior.sha256 == sha_anterior  # the issued document itself never changes
    assert hashlib.sha256(res.documento_leer(anterior)).hexdigest() == sha_anterior
    assert nueva.secuencia == anterior.secuencia + 1 and nueva.estado == "vigente"
    assert nueva.codigo_verificacion != anterior.codigo_verificacion
    tramite.refresh_from_db()
    assert tramite.resultado == "desfavorable" and tramite.estado == Estado.RESUELTO
    assert anterior.numero in " ".join(_texto(res.documento_leer(nueva)).split())
    assert any(nueva.numero in m.body and anterior.numero in m.body for m in mail.outbox)
    auditoria.flush()
    assert EventoAuditoria.objects.filter(
        accion="resolucion_revocada",
        objeto=anterior.numero,
        usuario="director.pichincha",
        detalle__reemplazada_por=nueva.numero,
    ).exists()
    assert EventoAuditoria.objects.filter(accion="resolucion_emitida", objeto=nueva.numero).exists()
    assert "Error en la decisión" not in str(EventoAuditoria.objects.values_list("detalle", flat=True))
    # A revoked document cannot be corrected again.
    assert director.post(url, {**_form(), "motivo": "otra vez"}).status_code == 403


def test_solo_el_director_corrige(personal):
    tramite, resolucion = tramite_resuelto(personal)
    url = reverse("personal:resolucion_corregir", args=[tramite.referencia, resolucion.numero])
    for usuario in ("evaluador.pichincha", "analista.pichincha", "supervisor.nacional"):
        assert _cliente(personal[usuario]).post(url, {**_form(), "motivo": "x"}).status_code == 403
    assert _cliente(personal["director.guayas"]).post(url, {**_form(), "motivo": "x"}).status_code == 404
    resolucion.refresh_from_db()
    assert resolucion.estado == "vigente"


# --- downloads -------------------------------------------------------------------------------------


def test_el_personal_descarga_el_pdf_y_queda_auditado(personal):
    tramite, resolucion = tramite_resuelto(personal)
    url = reverse("personal:resolucion_pdf", args=[tramite.referencia, resolucion.pk])
    r = _cliente(personal["ventanilla.pichincha"]).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert hashlib.sha256(r.content).hexdigest() == resolucion.sha256
    auditoria.flush()
    assert EventoAuditoria.objects.filter(
        accion="resolucion_descargada", usuario="ventanilla.pichincha", objeto=resolucion.numero
    ).exists()
    assert _cliente(personal["analista.guayas"]).get(url).status_code == 404


def test_el_ciudadano_descarga_su_resolucion_en_la_consulta(personal):
    tramite, resolucion = tramite_resuelto(personal)
    descarga = reverse("publico:resolucion_descarga", args=[tramite.referencia])
    ciudadano = Client()
    assert ciudadano.get(descarga).status_code == 404  # not without looking the case up first
    r = ciudadano.post(
        reverse("publico:consulta"),
        {"referencia": tramite.referencia, "identificacion": DATOS_CIUDADANO["identificacion"]},
        follow=True,
    )
    html = r.content.decode()
    assert resolucion.numero in html and descarga in html
    r = ciudadano.get(descarga)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert hashlib.sha256(r.content).hexdigest() == resolucion.sha256
    assert "no-store" in r["Cache-Control"]
    auditoria.flush()
    assert EventoAuditoria.objects.filter(accion="resolucion_descargada", detalle__canal="consulta").exists()
