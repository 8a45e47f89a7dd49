"""The remaining-capacity assessment: recording, least privilege per role, audit of every read, encryption."""

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import files
from tests.fabricas_evaluacion import (
    ACTIVIDADES,
    LIMITACIONES,
    NOTA_MEDICA,
    datos_evaluacion,
    tramite_en_evaluacion,
    tramite_evaluado,
    tramite_resuelto,
)
from tramites import auditoria, services
from tramites.estados import Estado
from tramites.evaluacion import services as ev
from tramites.models import Adjunto, Evaluacion, EventoAuditoria
from tramites.resoluciones import services as res
from tramites.resoluciones import verificacion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]


@pytest.fixture(autouse=True)
def _contrasenas_rapidas(settings):
    # The demo staff are created in every test; Argon2 is slow on purpose, and not what is tested here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CONTENIDO = ("evaluador.pichincha", "director.pichincha")
SOLO_EXISTENCIA = ("analista.pichincha", "ventanilla.pichincha", "supervisor.nacional")
OTRA_OFICINA = ("evaluador.guayas", "director.guayas", "analista.guayas", "ventanilla.guayas")


def _cliente(usuario) -> Client:
    c = Client()
    c.force_login(usuario)
    return c


def _get(usuario, url):
    """A staff request, then the audit events it held are written (tests run inside a transaction)."""
    r = _cliente(usuario).get(url)
    auditoria.flush()
    return r


def _formulario(**cambios) -> dict:
    datos = {
        "fecha": timezone.localdate().isoformat(),
        "porcentaje_capacidad": "62.5",
        "limitaciones": LIMITACIONES,
        "actividades_compatibles": ACTIVIDADES,
        "restricciones": "No levantar más de 10 kg",
        "conclusion": "apto_restricciones",
        "notas": NOTA_MEDICA,
    }
    datos.update(cambios)
    return datos


# --- recording -------------------------------------------------------------------------------------


def test_el_evaluador_registra_la_evaluacion_con_informes_y_el_tramite_pasa_a_evaluado(personal):
    tramite = tramite_en_evaluacion(personal)
    url = reverse("personal:evaluacion", args=[tramite.referencia])
    evaluador = _cliente(personal["evaluador.pichincha"])
    formulario = evaluador.get(url)
    assert formulario.status_code == 200 and 'name="porcentaje_capacidad"' in formulario.content.decode()
    r = evaluador.post(
        url,
        {
            **_formulario(),
            "informe_1": SimpleUploadedFile("audiometria.pdf", files.pdf_solicitud()),
            "informe_2": SimpleUploadedFile("rx.jpg", files.jpeg_documento()),
        },
    )
    assert r.status_code == 302
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EVALUADO
    evaluacion = tramite.evaluacion
    assert evaluacion.evaluador == personal["evaluador.pichincha"]
    assert str(evaluacion.porcentaje_capacidad) == "62.50"
    assert evaluacion.notas == NOTA_MEDICA and evaluacion.conclusion == "apto_restricciones"
    informes = list(tramite.adjuntos.filter(tipo=Adjunto.Tipo.INFORME_MEDICO))
    assert {a.nombre_original for a in informes} == {"audiometria.pdf", "rx.jpg"}
    assert all(a.cifrado for a in informes)
    assert tramite.historial.filter(
        estado_nuevo=Estado.EVALUADO, usuario=personal["evaluador.pichincha"]
    ).exists()


@pytest.mark.parametrize(
    "cambios, campo",
    [
        ({"fecha": "2099-01-01"}, "fecha"),
        ({"porcentaje_capacidad": "101"}, "porcentaje_capacidad"),
        ({"restricciones": "", "conclusion": "apto_restricciones"}, "restricciones"),
        ({"limitaciones": ""}, "limitaciones"),
    ],
)
def test_los_errores_se_explican_y_no_cambian_el_tramite(personal, cambios, campo):
    tramite = tramite_en_evaluacion(personal)
    r = _cliente(personal["evaluador.pichincha"]).post(
        reverse("personal:evaluacion", args=[tramite.referencia]), _formulario(**cambios)
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "problema en el formulario" in html and f'href="#id_{campo}' in html
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_EVALUACION and not Evaluacion.objects.exists()


def test_un_informe_que_no_es_pdf_ni_jpg_se_rechaza(personal):
    tramite = tramite_en_evaluacion(personal)
    r = _cliente(personal["evaluador.pichincha"]).post(
        reverse("personal:evaluacion", args=[tramite.referencia]),
        {**_formulario(), "informe_1": SimpleUploadedFile("informe.pdf", files.png_documento())},
    )
    assert r.status_code == 400 and "problema en el formulario" in r.content.decode()
    assert not Adjunto.objects.filter(tipo=Adjunto.Tipo.INFORME_MEDICO).exists()


@pytest.mark.parametrize("usuario", ["analista.pichincha", "director.pichincha", "ventanilla.pichincha"])
def test_solo_un_evaluador_registra(personal, usuario):
    tramite = tramite_en_evaluacion(personal)
    r = _cliente(personal[usuario]).post(
        reverse("personal:evaluacion", args=[tramite.referencia]), _formulario()
    )
    assert r.status_code in (403, 404)
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_EVALUACION and not Evaluacion.objects.exists()


def test_el_evaluador_corrige_antes_de_la_resolucion_y_no_despues(personal):
    tramite = tramite_evaluado(personal)
    url = reverse("personal:evaluacion_corregir", args=[tramite.referencia])
    evaluador = _cliente(personal["evaluador.pichincha"])
    r = evaluador.post(url, _formulario(porcentaje_capacidad="70", notas="Nota corregida"))
    auditoria.flush()
    assert r.status_code == 302
    tramite.evaluacion.refresh_from_db()
    assert tramite.evaluacion.notas == "Nota corregida"
    evento = EventoAuditoria.objects.get(accion="evaluacion_modificada")
    assert set(evento.detalle["campos"]) == {"porcentaje_capacidad", "notas", "restricciones"}
    assert "Nota corregida" not in str(evento.detalle)  # the trail names fields, never health data
    res.resolucion_emitir(
        tramite=tramite,
        usuario=personal["director.pichincha"],
        datos=res.DatosResolucion(decision="favorable"),
    )
    assert evaluador.get(url).status_code == 403


# --- least privilege -------------------------------------------------------------------------------


@pytest.mark.parametrize("usuario", CONTENIDO)
def test_evaluadores_y_director_de_la_oficina_ven_el_contenido(personal, usuario):
    tramite = tramite_evaluado(personal)
    r = _get(personal[usuario], reverse("personal:evaluacion", args=[tramite.referencia]))
    assert r.status_code == 200
    html = r.content.decode()
    assert NOTA_MEDICA in html and LIMITACIONES in html and ("62,50" in html or "62.50" in html)
    assert "no-store" in r["Cache-Control"]
    assert (
        EventoAuditoria.objects.filter(
            accion="evaluacion_vista", usuario=usuario, tramite_id=tramite.pk
        ).count()
        == 1
    )


@pytest.mark.parametrize("usuario", SOLO_EXISTENCIA)
def test_analista_ventanilla_y_supervisor_solo_saben_que_existe_y_su_fecha(personal, usuario):
    tramite = tramite_evaluado(personal)
    r = _get(personal[usuario], reverse("personal:evaluacion", args=[tramite.referencia]))
    assert r.status_code == 403
    html = r.content.decode()
    assert timezone.localdate().strftime("%-d/%m/%Y") in html
    for secreto in (NOTA_MEDICA, LIMITACIONES, ACTIVIDADES, "62,50", "62.50", "Apto con restricciones"):
        assert secreto not in html
    assert EventoAuditoria.objects.filter(accion="evaluacion_acceso_denegado", usuario=usuario).count() == 1
    assert not EventoAuditoria.objects.filter(accion="evaluacion_vista").exists()
    # The case page says the same: it exists, and when.
    caso = _get(personal[usuario], reverse("personal:tramite", args=[tramite.referencia])).content.decode()
    assert "Evaluación de capacidad remanente" in caso and timezone.localdate().strftime("%-d/%m/%Y") in caso
    assert NOTA_MEDICA not in caso and LIMITACIONES not in caso


@pytest.mark.parametrize("usuario", OTRA_OFICINA)
def test_otra_oficina_no_ve_ni_el_tramite(personal, usuario):
    tramite = tramite_evaluado(personal)
    for nombre in ("personal:evaluacion", "personal:resolucion"):
        assert _get(personal[usuario], reverse(nombre, args=[tramite.referencia])).status_code == 404


def test_los_informes_se_descargan_descifrados_solo_por_quien_ve_el_contenido(personal):
    tramite = tramite_evaluado(personal)
    informe = tramite.adjuntos.get(tipo=Adjunto.Tipo.INFORME_MEDICO)
    url = reverse("personal:evaluacion_informe", args=[tramite.referencia, informe.pk])
    for usuario in CONTENIDO:
        r = _get(personal[usuario], url)
        assert r.status_code == 200 and r.content == files.pdf_solicitud()
        assert EventoAuditoria.objects.filter(accion="informe_medico_descargado", usuario=usuario).exists()
    for usuario in SOLO_EXISTENCIA:
        assert _get(personal[usuario], url).status_code == 403
    for usuario in ("evaluador.guayas", "director.guayas"):
        assert _get(personal[usuario], url).status_code == 404
    # Nor through the case page's attachment view, whatever the role.
    generico = reverse("personal:adjunto", args=[tramite.referencia, informe.pk])
    for usuario in ("analista.pichincha", "evaluador.pichincha"):
        assert _get(personal[usuario], generico).status_code == 404


def test_el_director_ve_la_evaluacion_al_resolver_y_queda_auditado(personal):
    tramite = tramite_evaluado(personal)
    r = _get(personal["director.pichincha"], reverse("personal:resolucion", args=[tramite.referencia]))
    assert r.status_code == 200 and LIMITACIONES in r.content.decode()
    assert EventoAuditoria.objects.filter(
        accion="evaluacion_vista", usuario="director.pichincha", detalle__motivo="resolver"
    ).exists()
    # Other roles see the page of documents, without the assessment.
    r = _get(personal["analista.pichincha"], reverse("personal:resolucion", args=[tramite.referencia]))
    assert r.status_code == 200 and LIMITACIONES not in r.content.decode()


def test_cada_registro_y_cada_cambio_queda_en_la_auditoria(personal):
    tramite = tramite_en_evaluacion(personal)
    _cliente(personal["evaluador.pichincha"]).post(
        reverse("personal:evaluacion", args=[tramite.referencia]), _formulario()
    )
    auditoria.flush()
    evento = EventoAuditoria.objects.get(accion="evaluacion_registrada")
    assert evento.usuario == "evaluador.pichincha" and evento.tramite_id == tramite.pk
    assert NOTA_MEDICA not in str(evento.detalle)


# --- encryption at rest ----------------------------------------------------------------------------


def _crudo(tabla: str, columnas: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columnas} FROM {tabla}")
        return cursor.fetchall()


def test_la_base_de_datos_no_guarda_texto_medico_en_claro(personal):
    _tramite, _resolucion = tramite_resuelto(personal)
    filas = _crudo("tramites_evaluacion", "limitaciones, actividades_compatibles, restricciones, notas")
    filas += _crudo("tramites_resolucion", "actividades_compatibles, restricciones, condiciones")
    todo = " ".join(str(v) for fila in filas for v in fila)
    for texto in (NOTA_MEDICA, LIMITACIONES, ACTIVIDADES, "Hipoacusia", "lumbalgia", "administrativo"):
        assert texto not in todo
    assert all(str(v).startswith("gAAAA") for fila in filas for v in fila if v)  # Fernet tokens
    assert Evaluacion.objects.get().notas == NOTA_MEDICA


def test_los_informes_en_disco_no_son_el_pdf_en_claro(personal, settings):
    tramite = tramite_evaluado(personal)
    informe = tramite.adjuntos.get(tipo=Adjunto.Tipo.INFORME_MEDICO)
    en_disco = (settings.PRIVATE_MEDIA_ROOT / informe.archivo.name).read_bytes()
    assert en_disco != files.pdf_solicitud() and not en_disco.startswith(b"%PDF")
    assert b"solicito" not in en_disco
    assert services.adjunto_leer(informe) == files.pdf_solicitud()
    _t, resolucion = tramite_resuelto(personal)
    assert not (settings.PRIVATE_MEDIA_ROOT / resolucion.archivo.name).read_bytes().startswith(b"%PDF")


def test_rotar_claves_vuelve_a_cifrar_todo_con_la_primera_clave(personal, settings):
    vieja, nueva = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [vieja]
    tramite, resolucion = tramite_resuelto(personal)
    informe = tramite.adjuntos.get(tipo=Adjunto.Tipo.INFORME_MEDICO)
    settings.FIELD_ENCRYPTION_KEYS = [nueva, vieja]
    call_command("rotar_claves")
    settings.FIELD_ENCRYPTION_KEYS = [nueva]  # the old key is gone: everything must still open
    (notas,) = _crudo("tramites_evaluacion", "notas")[0]
    assert Fernet(nueva.encode()).decrypt(notas.encode()).decode() == NOTA_MEDICA
    assert Evaluacion.objects.get().notas == NOTA_MEDICA
    assert res.Resolucion.objects.get().restricciones == resolucion.restricciones
    informe.refresh_from_db()
    assert services.adjunto_leer(informe) == files.pdf_solicitud()
    resolucion.refresh_from_db()
    assert verificacion.verificar_pdf(datos=res.documento_leer(resolucion)).veredicto == verificacion.Veredicto.AUTENTICO


def test_rotar_claves_no_pisa_lo_que_no_puede_abrir(personal, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    tramite_evaluado(personal)
    antes = _crudo("tramites_evaluacion", "notas")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the right key was lost
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rotar_claves")
    assert _crudo("tramites_evaluacion", "notas") == antes


def test_la_evaluacion_se_puede_registrar_una_sola_vez(personal):
    tramite = tramite_evaluado(personal)
    assert not ev.puede_registrar(usuario=personal["evaluador.pichincha"], tramite=tramite)
    with pytest.raises(services.TransicionNoPermitida):
        ev.evaluacion_registrar(
            tramite=tramite, usuario=personal["evaluador.pichincha"], datos=datos_evaluacion(), archivos=[]
        )
