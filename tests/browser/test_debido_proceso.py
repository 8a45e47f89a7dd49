"""A motivated unfavourable resolution, in Chromium with axe on each page: the director writes the
reasons (prefilled from the assessment), the citizen reads the reasons and the remedy on /consulta/ and
in the e-mail, the director revokes it, and an employer sees it as revoked (without medical detail)."""

import pytest
from django.core import mail

from tests.browser.conftest import assert_sin_violaciones
from tests.browser.test_resolucion import _sesion_de, equipo  # noqa: F401 - equipo is a fixture
from tests.fabricas_evaluacion import DATOS_CIUDADANO, tramite_evaluado
from tramites.models import Resolucion

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("certificado_demo")]

MOTIVOS = (
    "Hechos: la evaluación concluyó «No apto»: la lumbalgia crónica impide estar de pie o sentado más "
    "de 20 minutos. Norma aplicada: Resolución C.D. 513, art. 58. Por qué se aplica: no hay un trabajo "
    "remunerado compatible con esa limitación."
)
DETALLE_MEDICO = "lumbalgia crónica"


def test_resolucion_desfavorable_motivada_leida_por_el_ciudadano_y_revocada(
    navegador, live_server, equipo  # noqa: F811
):
    tramite = tramite_evaluado(equipo, conclusion="no_apto")
    base = live_server.url

    # 1. The director: the decision and the reasons come proposed from the assessment.
    contexto, page = _sesion_de(navegador, live_server, equipo["director.pichincha"])
    page.goto(f"{base}/personal/tramites/{tramite.referencia}/resolucion/")
    assert page.get_by_label("Desfavorable: no se autoriza la reinserción laboral").is_checked()
    motivacion = page.get_by_label("Motivación")
    assert "Hechos: la evaluación de capacidad remanente" in motivacion.input_value()
    assert_sin_violaciones(page)
    motivacion.fill("")
    page.get_by_role("button", name="Emitir y firmar la resolución").click()
    assert "Escriba los motivos de la decisión desfavorable" in page.locator("[data-error-summary]").inner_text()
    assert_sin_violaciones(page)
    page.get_by_label("Motivación").fill(MOTIVOS)
    page.get_by_role("button", name="Emitir y firmar la resolución").click()
    page.wait_for_load_state()
    resolucion = Resolucion.objects.get(tramite=tramite)
    assert f"Resolución {resolucion.numero} emitida y firmada" in page.content()
    contexto.close()

    # 2. The citizen reads the reasons and the remedy: in the e-mail and on /consulta/.
    correo = next(m for m in mail.outbox if m.to == [DATOS_CIUDADANO["correo"]] and "resuelto" in m.subject)
    assert "MOTIVOS DE LA DECISIÓN" in correo.body and "no hay un trabajo remunerado compatible" in correo.body
    assert "Recurso de apelación" in correo.body and "10 días" in correo.body
    contexto = navegador.new_context(viewport={"width": 360, "height": 780}, locale="es-EC")
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/consulta/")
    page.get_by_label("Referencia del trámite").fill(tramite.referencia)
    page.get_by_label("Número de identificación").fill(DATOS_CIUDADANO["identificacion"])
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(f"**/consulta/{tramite.referencia}/")
    seccion = page.locator("section", has=page.get_by_role("heading", name="Su resolución")).inner_text()
    assert "Motivos de la decisión" in seccion and "no hay un trabajo remunerado compatible" in seccion
    assert "Qué puede hacer si no está de acuerdo" in seccion and "Recurso de apelación" in seccion
    assert "Lea más arriba los motivos de la decisión y los recursos" in page.content()
    assert_sin_violaciones(page)
    contexto.close()

    # 3. The director revokes it without issuing another.
    contexto, page = _sesion_de(navegador, live_server, equipo["director.pichincha"])
    page.goto(f"{base}/personal/tramites/{tramite.referencia}/resolucion/")
    page.get_by_role("link", name=f"Revocar sin reemplazo {resolucion.numero}").click()
    page.wait_for_url("**/revocar-sin-reemplazo/")
    assert_sin_violaciones(page)
    page.get_by_label("Causa de la revocatoria (pública)").select_option("recurso")
    page.get_by_label("Motivo de la revocatoria, para el ciudadano").fill(
        f"El recurso de apelación fue aceptado; se revisará la {DETALLE_MEDICO}."
    )
    page.get_by_role("button", name="Revocar la resolución").click()
    page.wait_for_load_state()
    assert f"La resolución {resolucion.numero} quedó revocada" in page.content()
    contexto.close()

    # 4. An employer checks the code: revoked, with its public cause and no medical detail.
    contexto = navegador.new_context(viewport={"width": 1280, "height": 900}, locale="es-EC")
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/verificar/")
    page.get_by_label("Código de verificación", exact=True).fill(resolucion.codigo_verificacion)
    page.get_by_role("button", name="Verificar el código").click()
    page.wait_for_url(f"**/verificar/{resolucion.codigo_verificacion}/")
    texto = page.locator("main").inner_text()
    assert "La resolución existe pero fue REVOCADA: ya no es válida" in texto
    assert "Decisión de un recurso administrativo o judicial" in texto
    assert DETALLE_MEDICO not in texto and "No apto" not in texto
    assert_sin_violaciones(page)
    contexto.close()


def test_en_un_navegador_en_ingles_4_coma_5_se_guarda_4_5(navegador, live_server, equipo):  # noqa: F811
    """The 10x error: a number input in a non-Spanish browser turned "4,5" into 45."""
    from django.test import Client

    from tests.fabricas_evaluacion import ACTIVIDADES, LIMITACIONES, tramite_en_evaluacion
    from tramites.models import Evaluacion

    tramite = tramite_en_evaluacion(equipo)
    cliente = Client()
    cliente.force_login(equipo["evaluador.pichincha"])
    contexto = navegador.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    contexto.add_cookies(
        [{"name": "sessionid", "value": cliente.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = contexto.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/personal/tramites/{tramite.referencia}/evaluacion/")
    campo = page.locator('input[name="porcentaje_capacidad"]')
    assert campo.get_attribute("type") == "text" and campo.get_attribute("inputmode") == "decimal"
    campo.fill("4,5")
    page.locator('textarea[name="limitaciones"]').fill(LIMITACIONES)
    page.locator('textarea[name="actividades_compatibles"]').fill(ACTIVIDADES)
    page.locator('input[name="conclusion"][value="apto"]').check()
    page.locator('form button[type="submit"]').last.click()
    page.wait_for_load_state()
    assert str(Evaluacion.objects.get(tramite=tramite).porcentaje_capacidad) == "4.50"
    assert_sin_violaciones(page)
    contexto.close()
