"""The staff workflow in Chromium: a citizen submits online, the analyst takes and observes the case,
the citizen corrects it in /consulta/ with a real JPEG, the analyst sends it to evaluation. axe-core
runs on every staff page visited (and on the citizen's correction page)."""

import pytest

from tests import files
from tests.browser.conftest import assert_sin_violaciones
from tramites.estados import Estado
from tramites.management.demo import DEMO_PASSWORD
from tramites.models import Tramite


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


pytestmark = pytest.mark.django_db(transaction=True)

MOTIVO = "La foto de la cédula está cortada: suba una foto donde se vea el documento completo."


@pytest.fixture
def documentos(tmp_path):
    cedula = tmp_path / "foto-cedula.jpg"
    cedula.write_bytes(files.jpeg_documento())
    carta = tmp_path / "solicitud-firmada.pdf"
    carta.write_bytes(files.pdf_solicitud())
    corregida = tmp_path / "cedula-completa.jpg"
    corregida.write_bytes(files.jpeg_documento(semilla=2))
    return cedula, carta, corregida


def _presentar(page, cedula, carta) -> str:
    page.goto(page.base_url + "/solicitud/")
    page.get_by_label("Cédula de identidad").check()
    page.get_by_label("Número de identificación").fill("1710034065")
    page.get_by_label("Nombres", exact=True).fill("Rosa Elena")
    page.get_by_label("Apellidos").fill("Guamán Tituaña")
    page.get_by_label("Correo electrónico").fill("rosa.guaman@example.com")
    page.get_by_label("Teléfono", exact=True).fill("099 123 4567")
    page.get_by_label("Provincia").select_option("17")
    page.get_by_label("Documento de identidad").set_input_files(str(cedula))
    page.get_by_label("Solicitud de autorización firmada").set_input_files(str(carta))
    page.get_by_label("Acepto el tratamiento").check()
    page.get_by_role("button", name="Enviar la solicitud").click()
    page.wait_for_url("**/enviada/")
    return page.locator("#referencia").inner_text().strip()


def test_observacion_y_subsanacion_de_punta_a_punta(navegador, pagina, personal, documentos):
    cedula, carta, corregida = documentos
    ciudadano = navegador.new_context(viewport={"width": 390, "height": 844}, locale="es-EC").new_page()
    ciudadano.set_default_timeout(15_000)
    ciudadano.base_url = pagina.base_url
    referencia = _presentar(ciudadano, cedula, carta)
    tramite = Tramite.objects.get(referencia=referencia)
    assert tramite.estado == Estado.ASIGNADO and tramite.analista == personal["analista.pichincha"]

    # The analyst logs in.
    page = pagina
    page.goto(page.base_url + "/personal/")
    page.wait_for_url("**/personal/login/**")
    assert_sin_violaciones(page)
    page.get_by_label("Usuario", exact=True).fill("analista.pichincha")
    page.get_by_label("Contraseña", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(page.base_url + "/personal/")
    assert_sin_violaciones(page)

    # Opens the new case from the inbox and takes it.
    page.get_by_role("link", name=referencia).click()
    page.wait_for_url(f"**/personal/tramites/{referencia}/")
    # The identity photo is shown inline: wait until it has loaded and decoded (it fails if it never does).
    page.wait_for_function(
        "() => { const i = document.querySelector('img.adjunto-imagen');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )
    assert_sin_violaciones(page)
    page.get_by_role("button", name="Tomar el caso").click()
    page.wait_for_url(f"**/personal/tramites/{referencia}/")
    assert "Tomó el caso" in page.content()

    # Forgets the reason: the error summary says so.
    page.get_by_role("button", name="Observar (pedir subsanación)").click()
    resumen = page.locator("[data-error-summary]")
    resumen.wait_for(state="visible")  # the page after the submit may still be loading
    assert resumen.is_visible() and "Escriba el motivo" in resumen.inner_text()
    assert_sin_violaciones(page)
    page.get_by_label("Qué debe corregir el ciudadano").fill(MOTIVO)
    page.locator("#id_observar-solicitud_firmada").check()
    page.get_by_role("button", name="Observar (pedir subsanación)").click()
    page.wait_for_url(f"**/personal/tramites/{referencia}/")
    assert "Trámite observado" in page.content()
    assert_sin_violaciones(page)
    tramite.refresh_from_db()
    assert tramite.estado == Estado.OBSERVADO

    # The citizen looks the case up and uploads the corrected document.
    ciudadano.goto(ciudadano.base_url + "/consulta/")
    ciudadano.get_by_label("Referencia del trámite").fill(referencia)
    ciudadano.get_by_label("Número de identificación").fill("1710034065")
    ciudadano.get_by_role("button", name="Consultar").click()
    ciudadano.wait_for_url(f"**/consulta/{referencia}/")
    assert MOTIVO in ciudadano.content()
    assert_sin_violaciones(ciudadano)
    ciudadano.get_by_label("Documento corregido").set_input_files(str(corregida))
    ciudadano.get_by_label("Comentario (opcional)").fill("Ahora se ve la cédula completa.")
    ciudadano.get_by_role("button", name="Enviar la corrección").click()
    ciudadano.wait_for_url(f"**/consulta/{referencia}/")
    assert "volvió a revisión" in ciudadano.content()
    assert_sin_violaciones(ciudadano)

    # The analyst sees the correction and sends the case to evaluation with the checklist.
    page.reload()
    assert "cedula-completa.jpg" in page.content()
    page.locator("#id_enviar_evaluacion-documento_legible").check()
    page.locator("#id_enviar_evaluacion-solicitud_firmada").check()
    page.locator("#id_enviar_evaluacion-solicitud_datos").check()
    page.locator("#id_enviar_evaluacion-tipo_firma_0").check()
    page.get_by_role("button", name="Enviar a evaluación").click()
    page.wait_for_url(f"**/personal/tramites/{referencia}/")
    assert "se envió a evaluación" in page.content()
    assert_sin_violaciones(page)
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_EVALUACION
    estados = list(tramite.historial.order_by("creado_en", "id").values_list("estado_nuevo", flat=True))
    assert estados == [
        Estado.INGRESADO,
        Estado.ASIGNADO,
        Estado.EN_REVISION,
        Estado.OBSERVADO,
        Estado.EN_REVISION,
        Estado.EN_EVALUACION,
    ]

    # The inbox and the case page at phone width: no sideways scrolling of the page itself.
    page.set_viewport_size({"width": 360, "height": 740})
    for ruta in ("/personal/", f"/personal/tramites/{referencia}/"):
        page.goto(page.base_url + ruta)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, ruta
        assert_sin_violaciones(page)


def test_ventanilla_registra_una_solicitud_en_papel(pagina, personal, documentos):
    cedula, carta, _ = documentos
    page = pagina
    page.goto(page.base_url + "/personal/login/")
    page.get_by_label("Usuario", exact=True).fill("ventanilla.pichincha")
    page.get_by_label("Contraseña", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(page.base_url + "/personal/")
    page.get_by_role("link", name="Registrar una solicitud presentada en ventanilla").click()
    page.wait_for_url("**/presencial/nuevo/")
    assert_sin_violaciones(page)
    page.get_by_label("Número Quipux").fill("IESS-DSGRT-2022-0409-M")
    page.get_by_label("Cédula de identidad").check()
    page.get_by_label("Número de identificación").fill("0926687856")
    page.get_by_label("Nombres", exact=True).fill("José Luis")
    page.get_by_label("Apellidos").fill("Mendoza Cedeño")
    page.get_by_label("Correo electrónico").fill("jose.mendoza@example.ec")
    page.get_by_label("Teléfono", exact=True).fill("0987654321")
    page.get_by_label("Provincia").select_option("17")
    page.get_by_label("Documento de identidad escaneado").set_input_files(str(cedula))
    page.get_by_label("Solicitud firmada escaneada").set_input_files(str(carta))
    page.get_by_label("Vi los documentos originales").check()
    # Forgets to confirm the signature check.
    page.get_by_label("El ciudadano aceptó el tratamiento").check()
    page.get_by_role("button", name="Registrar la solicitud").click()
    resumen = page.locator("[data-error-summary]")
    resumen.wait_for(state="visible")  # the page after the submit may still be loading
    assert resumen.is_visible() and "firma manuscrita" in resumen.inner_text()
    assert_sin_violaciones(page)
    page.get_by_label("Verifiqué la firma manuscrita de la solicitud").check()
    page.get_by_label("Vi los documentos originales").check()
    page.get_by_label("El ciudadano aceptó el tratamiento").check()
    page.get_by_role("button", name="Registrar la solicitud").click()
    page.wait_for_url("**/recibo/")
    assert_sin_violaciones(page)
    referencia = page.locator(".referencia").inner_text().strip()
    tramite = Tramite.objects.get(referencia=referencia)
    assert tramite.canal == Tramite.Canal.PRESENCIAL and tramite.estado == Estado.ASIGNADO
