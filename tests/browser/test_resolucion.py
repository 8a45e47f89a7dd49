"""Evaluation → resolution → citizen's download → employer's verification, in Chromium, axe on each page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests import files
from tests.browser.conftest import assert_sin_violaciones
from tests.fabricas_evaluacion import DATOS_CIUDADANO, LIMITACIONES, NOTA_MEDICA, tramite_en_evaluacion
from tramites.management import demo
from tramites.models import Resolucion
from tramites.roles import Rol

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("certificado_demo")]


@pytest.fixture
def equipo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for rol in Rol:  # a transactional test before this one may have flushed the migration's groups
        Group.objects.get_or_create(name=rol.value)
    demo.cargar_usuarios()
    return {u.username: u for u in get_user_model().objects.all()}


def _sesion_de(navegador, live_server, usuario):
    """A browser context already logged in as `usuario` (the login page has its own tests)."""
    cliente = Client()
    cliente.force_login(usuario)
    contexto = navegador.new_context(
        viewport={"width": 1280, "height": 900}, locale="es-EC", accept_downloads=True
    )
    contexto.add_cookies(
        [{"name": "sessionid", "value": cliente.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    return contexto, page


def test_de_la_evaluacion_a_la_verificacion_del_empleador(navegador, live_server, equipo, tmp_path):
    tramite = tramite_en_evaluacion(equipo)
    base = live_server.url
    informe = tmp_path / "audiometria.pdf"
    informe.write_bytes(files.pdf_solicitud())

    # 1. The medical evaluator records the assessment from the case page.
    contexto, page = _sesion_de(navegador, live_server, equipo["evaluador.pichincha"])
    page.goto(f"{base}/personal/tramites/{tramite.referencia}/")
    assert_sin_violaciones(page)
    page.get_by_role("link", name="Registrar la evaluación").click()
    page.wait_for_url("**/evaluacion/")
    assert_sin_violaciones(page)
    page.get_by_label("Capacidad remanente (%)").fill("62.5")
    page.get_by_label("Limitaciones funcionales").fill(LIMITACIONES)
    page.get_by_label("Actividades compatibles").fill("Trabajo administrativo sentado")
    page.get_by_label("Apto con restricciones").check()
    page.get_by_role("button", name="Guardar la evaluación").click()
    # Forgot the restrictions: said at the top, linked to the field.
    resumen = page.locator("[data-error-summary]")
    assert "Indique las restricciones" in resumen.inner_text()
    assert_sin_violaciones(page)
    page.get_by_label("Restricciones", exact=True).fill("No levantar más de 10 kg")
    page.get_by_label("Notas").fill(NOTA_MEDICA)
    page.get_by_label("Informe de respaldo 1 (opcional)").set_input_files(str(informe))
    page.get_by_role("button", name="Guardar la evaluación").click()
    page.wait_for_load_state()
    assert "Evaluación registrada" in page.content()
    assert NOTA_MEDICA in page.content() and "audiometria.pdf" in page.content()
    assert_sin_violaciones(page)
    contexto.close()

    # The analyst learns only that it exists, and when.
    contexto, page = _sesion_de(navegador, live_server, equipo["analista.pichincha"])
    page.goto(f"{base}/personal/tramites/{tramite.referencia}/")
    assert "Registrada, fecha de la evaluación" in page.content()
    assert NOTA_MEDICA not in page.content() and LIMITACIONES not in page.content()
    contexto.close()

    # 2. The director issues the resolution (the evaluator's conclusion comes pre-selected).
    contexto, page = _sesion_de(navegador, live_server, equipo["director.pichincha"])
    page.goto(f"{base}/personal/tramites/{tramite.referencia}/")
    page.get_by_role("link", name="Emitir la resolución").click()
    page.wait_for_url("**/resolucion/")
    assert_sin_violaciones(page)
    assert page.get_by_label("Favorable: se autoriza la reinserción laboral").is_checked()
    page.get_by_role("button", name="Emitir y firmar la resolución").click()
    page.wait_for_load_state()
    resolucion = Resolucion.objects.get(tramite=tramite)
    assert f"Resolución {resolucion.numero} emitida y firmada" in page.content()
    assert_sin_violaciones(page)
    contexto.close()

    # 3. The citizen looks the case up and downloads the signed document.
    contexto = navegador.new_context(
        viewport={"width": 360, "height": 780}, locale="es-EC", accept_downloads=True
    )
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/consulta/")
    page.get_by_label("Referencia del trámite").fill(tramite.referencia)
    page.get_by_label("Número de identificación").fill(DATOS_CIUDADANO["identificacion"])
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(f"**/consulta/{tramite.referencia}/")
    assert resolucion.numero in page.content()
    assert_sin_violaciones(page)
    with page.expect_download() as descarga:
        page.get_by_role("link", name="Descargar la resolución firmada (PDF)").click()
    archivo = tmp_path / "resolucion.pdf"
    descarga.value.save_as(archivo)
    contexto.close()

    # 4. An employer verifies it: by the code printed on it, then by uploading the file.
    contexto = navegador.new_context(viewport={"width": 1280, "height": 900}, locale="es-EC")
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/verificar/")
    assert_sin_violaciones(page)
    page.get_by_label("Código de verificación", exact=True).fill(
        resolucion.codigo_verificacion.replace("-", " ").lower()
    )
    page.get_by_role("button", name="Verificar el código").click()
    page.wait_for_url(f"**/verificar/{resolucion.codigo_verificacion}/")
    assert "La resolución existe y está vigente" in page.content()
    assert "17******65" in page.content() and "1710034065" not in page.content()
    assert NOTA_MEDICA not in page.content()
    assert_sin_violaciones(page)

    page.goto(f"{base}/verificar/")
    page.get_by_label("Documento PDF", exact=True).set_input_files(str(archivo))
    page.get_by_role("button", name="Verificar el archivo").click()
    page.wait_for_load_state()
    assert "Auténtico y sin alteraciones" in page.content()
    assert resolucion.numero in page.content()
    assert_sin_violaciones(page)

    # A copy changed by one byte is reported as altered.
    datos = archivo.read_bytes()
    pos = datos.index(b"WeasyPrint") + 1
    alterado = tmp_path / "resolucion-alterada.pdf"
    alterado.write_bytes(datos[:pos] + bytes([datos[pos] ^ 1]) + datos[pos + 1 :])
    page.goto(f"{base}/verificar/")
    page.get_by_label("Documento PDF", exact=True).set_input_files(str(alterado))
    page.get_by_role("button", name="Verificar el archivo").click()
    page.wait_for_load_state()
    assert "ALTERADO" in page.content()
    assert_sin_violaciones(page)
    contexto.close()
