"""Phone photos through the real form on a throttled "Fast 3G" connection: a 4.5 MB JPEG and an
iPhone HEIC photo are converted in the browser and the citizen gets the reference."""

import pytest

from tests.browser import red_lenta
from tramites.models import Adjunto, Tramite

pytestmark = pytest.mark.django_db(transaction=True)


def test_foto_grande_y_heic_por_fast_3g_llegan_con_referencia(navegador, live_server, oficinas, tmp_path):
    grande = tmp_path / "IMG_4032.jpg"
    grande.write_bytes(red_lenta.foto_de_telefono(4_500_000))
    heic = tmp_path / "IMG_4033.HEIC"
    heic.write_bytes(red_lenta.foto_heic())
    assert grande.stat().st_size > 4_400_000

    contexto = navegador.new_context(viewport={"width": 412, "height": 915}, locale="es-EC")
    page = contexto.new_page()
    page.set_default_timeout(60_000)
    red_lenta.emular_fast3g(contexto, page)
    page.goto(live_server.url + "/solicitud/")
    red_lenta.llenar_datos(page)
    referencia, _segundos = red_lenta.enviar(page, str(grande), str(heic))
    contexto.close()

    tramite = Tramite.objects.get(referencia=referencia)
    adjuntos = list(Adjunto.objects.filter(tramite=tramite))
    assert len(adjuntos) == 2
    for adjunto in adjuntos:
        assert adjunto.tipo_contenido == "image/jpeg"
        assert adjunto.tamano <= 1_048_576
        assert adjunto.nombre_original.endswith(".jpg")


def test_foto_dudosa_se_ve_con_su_miniatura_y_se_confirma(pagina, oficinas, tmp_path):
    from tests import files
    from tests.browser.conftest import assert_sin_violaciones

    dudosa = tmp_path / "cedula.jpg"
    dudosa.write_bytes(files.jpeg_borroso(1.5))
    carta = tmp_path / "carta.pdf"
    carta.write_bytes(files.pdf_solicitud())
    page = pagina
    page.goto(page.base_url + "/solicitud/")
    red_lenta.llenar_datos(page)
    page.get_by_label("Documento de identidad").set_input_files(str(dudosa))
    page.get_by_label("Solicitud de autorización firmada").set_input_files(str(carta))
    page.get_by_role("button", name="Continuar").click()
    page.locator("[data-error-summary]").wait_for(state="visible")
    assert "Revise esta foto antes de enviarla" in page.content()
    miniatura = page.locator("img.miniatura-adjunto")
    miniatura.wait_for(state="visible")
    for _ in range(50):  # the thumbnail loads after the page
        if miniatura.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(200)
    assert miniatura.evaluate("img => img.naturalWidth > 0")
    imagen = page.request.get(page.base_url + miniatura.get_attribute("src"))
    assert imagen.ok and imagen.headers["content-type"] == "image/jpeg"
    assert_sin_violaciones(page)
    page.get_by_label("La foto se lee bien, enviarla").check()
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url("**/solicitud/revisar/")
    page.get_by_role("button", name="Enviar la solicitud").click()
    page.wait_for_url("**/enviada/")
    referencia = page.locator("#referencia").inner_text().strip()
    cedula = Tramite.objects.get(referencia=referencia).adjuntos.get(tipo=Adjunto.Tipo.DOCUMENTO_IDENTIDAD)
    assert cedula.advertencia_calidad


def test_la_correccion_tambien_convierte_la_foto_grande_y_la_heic(navegador, live_server, personal, tmp_path, settings):
    """An observed case corrected from a phone: a 4.5 MB photo and an iPhone HEIC photo on the correction
    form are turned into JPEGs under 1 MB in the browser, and the case goes back to review."""
    from tests.personal_ayudas import crear_tramite, en_estado
    from tramites.estados import Estado
    from tramites.tramitacion import services as tramitacion

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tramite = en_estado(crear_tramite(provincia="17"), Estado.EN_REVISION)
    tramitacion.tramite_observar(
        tramite=tramite, usuario=personal["analista.pichincha"], motivo="La cédula está cortada."
    )
    grande = tmp_path / "IMG_5120.jpg"
    grande.write_bytes(red_lenta.foto_de_telefono(4_500_000))
    heic = tmp_path / "IMG_5121.HEIC"
    heic.write_bytes(red_lenta.foto_heic())

    contexto = navegador.new_context(viewport={"width": 360, "height": 780}, locale="es-EC")
    page = contexto.new_page()
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/consulta/")
    page.get_by_label("Referencia del trámite").fill(tramite.referencia)
    page.get_by_label("Número de identificación").fill(tramite.identificacion)
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(f"**/consulta/{tramite.referencia}/")
    page.get_by_label("Documento corregido").set_input_files(str(grande))
    page.get_by_label("Otro documento (opcional)").set_input_files(str(heic))
    page.get_by_role("button", name="Enviar la corrección").click()
    page.get_by_text("volvió a revisión").wait_for()
    contexto.close()

    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_REVISION
    corregidos = list(tramite.adjuntos.filter(tipo=Adjunto.Tipo.SUBSANACION))
    assert len(corregidos) == 2
    for adjunto in corregidos:
        assert adjunto.tipo_contenido == "image/jpeg" and adjunto.tamano <= 1_048_576
        assert adjunto.nombre_original.endswith(".jpg")
