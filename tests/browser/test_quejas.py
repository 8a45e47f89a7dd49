"""A citizen files a complaint and the national supervisor answers it, in Chromium, with axe-core on
every page visited; the transparency page and the statistics page are checked the same way."""

import re

import pytest
from django.core import mail

from tests.browser.conftest import assert_sin_violaciones
from tramites.cifras import transparencia
from tramites.management.demo import DEMO_PASSWORD
from tramites.models import Queja

pytestmark = pytest.mark.django_db(transaction=True)


def test_queja_de_punta_a_punta(pagina, personal, settings):
    # Playwright types faster than any person: the minimum fill time would call it a bot.
    settings.QUEJAS_SEGUNDOS_MINIMOS = 0
    page = pagina
    page.goto(page.base_url + "/quejas/nueva/")
    assert_sin_violaciones(page)
    # The honeypot is not visible to people.
    assert not page.locator("[name=sitio_web]").is_visible()

    page.get_by_label("Nombres y apellidos").fill("Rosa Elena Guamán")
    page.get_by_label("Correo electrónico").fill("rosa.guaman@example.com")
    page.get_by_label("Teléfono").fill("099 123 4567")
    page.get_by_label("Provincia").select_option("17")
    # Forgets the text: the error summary says so and the page stays accessible.
    page.get_by_role("button", name="Enviar la queja").click()
    resumen = page.locator("[data-error-summary]")
    resumen.wait_for(state="visible")  # the page after the submit may still be loading
    assert resumen.is_visible() and "Su queja" in resumen.inner_text()
    assert_sin_violaciones(page)

    page.get_by_label("Su queja", exact=True).fill(
        "Presenté mi solicitud hace dos meses y nadie me responde."
    )
    page.get_by_role("button", name="Enviar la queja").click()
    page.wait_for_url("**/enviada/")
    assert_sin_violaciones(page)
    referencia = page.locator("#referencia").inner_text().strip()
    assert re.fullmatch(r"Q-\d{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]", referencia)
    assert any(referencia in m.body and m.to == ["rosa.guaman@example.com"] for m in mail.outbox)

    transparencia.importar_csv_semilla()
    page.goto(page.base_url + "/transparencia/")
    assert_sin_violaciones(page)
    assert page.locator("svg[role=img]").count() == 1
    assert page.get_by_role("cell", name="179").count() == 1

    # The national supervisor logs in with the demo password and answers.
    page.goto(page.base_url + "/personal/login/")
    page.get_by_label("Usuario", exact=True).fill("supervisor.nacional")
    page.get_by_label("Contraseña", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(page.base_url + "/personal/quejas/")
    assert_sin_violaciones(page)
    page.get_by_role("link", name=referencia).click()
    page.wait_for_url(f"**/personal/quejas/{referencia}/")
    assert_sin_violaciones(page)
    page.get_by_role("button", name="Tomar la queja").click()
    page.get_by_label("Respuesta para el ciudadano").wait_for()
    assert page.locator("#estado-queja").inner_text() == "En proceso"
    assert_sin_violaciones(page)
    respuesta = "Su caso fue revisado; la oficina de Pichincha le llamará esta semana."
    page.get_by_label("Respuesta para el ciudadano").fill(respuesta)
    page.get_by_role("button", name="Enviar la respuesta").click()
    page.locator("#respuesta-queja").wait_for()
    assert page.locator("#estado-queja").inner_text() == "Respondida"
    assert_sin_violaciones(page)
    queja = Queja.objects.get(referencia=referencia)
    assert queja.estado == Queja.EstadoQueja.RESPONDIDA and queja.respuesta == respuesta
    assert any(respuesta in m.body and m.to == ["rosa.guaman@example.com"] for m in mail.outbox)

    page.get_by_role("link", name="Estadísticas").click()
    page.wait_for_url("**/personal/estadisticas/")
    assert_sin_violaciones(page)


def test_quejas_y_transparencia_en_un_telefono(navegador, live_server, oficinas):
    """At 360 px nothing overflows the page sideways (the wide table scrolls inside its own region)."""
    transparencia.importar_csv_semilla()
    contexto = navegador.new_context(viewport={"width": 360, "height": 740}, locale="es-EC")
    page = contexto.new_page()
    try:
        for ruta in ["/quejas/nueva/", "/transparencia/"]:
            page.goto(live_server.url + ruta)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, ruta
            assert_sin_violaciones(page)
        ancho = page.locator("svg[role=img]").bounding_box()["width"]
        assert ancho <= 360
    finally:
        contexto.close()
