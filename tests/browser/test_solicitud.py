"""A citizen files the request in Chromium as a person would, with axe-core on every page visited."""

import io

import pytest
from pypdf import PdfReader

from tests import files
from tests.browser.conftest import assert_sin_violaciones
from tramites.models import Tramite

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def documentos(tmp_path):
    cedula = tmp_path / "foto-cedula.jpg"
    cedula.write_bytes(files.jpeg_documento())
    carta = tmp_path / "solicitud-firmada.pdf"
    carta.write_bytes(files.pdf_solicitud())
    return cedula, carta


def test_el_ciudadano_presenta_su_solicitud_y_consulta_su_estado(pagina, oficinas, documentos):
    page = pagina
    page.goto(page.base_url + "/")
    assert_sin_violaciones(page)
    page.get_by_role("link", name="Presentar la solicitud en línea").click()
    page.wait_for_url("**/solicitud/")
    assert_sin_violaciones(page)

    page.get_by_label("Cédula de identidad").check()
    page.get_by_label("Número de identificación").fill("1710034065")
    page.get_by_label("Nombres", exact=True).fill("Rosa Elena")
    page.get_by_label("Apellidos").fill("Guamán Tituaña")
    page.get_by_label("Correo electrónico").fill("rosa.guaman@example.com")
    page.get_by_label("Teléfono", exact=True).fill("099 123 4567")
    page.get_by_label("Provincia").select_option("17")
    page.get_by_label("Mensaje").fill("Quisiera volver a trabajar como asistente administrativa.")
    cedula, carta = documentos
    page.get_by_label("Documento de identidad").set_input_files(str(cedula))
    page.get_by_label("Solicitud de autorización firmada").set_input_files(str(carta))
    # Forgets the consent: the page says so at the top, with a link to the field.
    page.get_by_role("button", name="Continuar").click()
    resumen = page.locator("[data-error-summary]")
    resumen.wait_for(state="visible")  # the page after the submit may still be loading
    assert resumen.is_visible()
    assert "Debe aceptar el tratamiento" in resumen.inner_text()
    assert_sin_violaciones(page)
    # The files were kept: the citizen does not choose them again.
    assert "foto-cedula.jpg" in page.content()
    assert "solicitud-firmada.pdf" in page.content()

    page.get_by_label("Acepto el tratamiento").check()
    page.get_by_role("button", name="Continuar").click()

    # Check your answers: the data, and each file with a drawn thumbnail, its pages and size.
    page.wait_for_url("**/solicitud/revisar/")
    assert_sin_violaciones(page)
    assert not Tramite.objects.exists()
    contenido = page.locator("main").inner_text()
    for texto in (
        "Rosa Elena",
        "Guamán Tituaña",
        "rosa.guaman@example.com",
        "Pichincha",
        "foto-cedula.jpg",
        "solicitud-firmada.pdf",
    ):
        assert texto in contenido, texto
    assert contenido.count("1 página") == 2
    miniaturas = page.evaluate("[...document.querySelectorAll('img.miniatura')].map(i => i.naturalWidth)")
    assert len(miniaturas) == 2 and min(miniaturas) > 0
    # "Cambiar" a name: the form comes back filled in, the files are not chosen again.
    page.get_by_role("link", name="Cambiar apellidos").click()
    page.wait_for_url("**/solicitud/#id_apellidos")
    assert page.get_by_label("Nombres", exact=True).input_value() == "Rosa Elena"
    assert "foto-cedula.jpg" in page.content() and "solicitud-firmada.pdf" in page.content()
    page.get_by_label("Apellidos").fill("Guamán Tituaña de Loor")
    page.get_by_role("button", name="Continuar").click()
    page.wait_for_url("**/solicitud/revisar/")
    assert "Guamán Tituaña de Loor" in page.locator("main").inner_text()
    page.get_by_role("button", name="Enviar la solicitud").click()
    page.wait_for_url("**/enviada/")
    assert_sin_violaciones(page)
    tramite = Tramite.objects.get()
    assert tramite.apellidos == "Guamán Tituaña de Loor" and tramite.adjuntos.count() == 2
    referencia = page.locator("#referencia").inner_text().strip()
    assert referencia.startswith("20")

    # The receipt link opens the PDF with the session's cookies.
    enlace = page.get_by_role("link", name="Descargar el comprobante (PDF)").get_attribute("href")
    pdf = page.request.get(page.base_url + enlace)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert referencia in texto and "Guamán" in texto

    page.get_by_role("link", name="Consultar el estado de mi trámite").click()
    assert_sin_violaciones(page)
    page.get_by_label("Referencia del trámite").fill(referencia.lower())
    page.get_by_label("Número de identificación").fill("1710034065")
    page.get_by_role("button", name="Consultar").click()
    page.wait_for_url(f"**/consulta/{referencia}/")
    assert "Ingresado" in page.content()
    assert_sin_violaciones(page)


@pytest.mark.parametrize("ruta", ["/", "/solicitud/", "/consulta/"])
def test_paginas_publicas_usables_a_360_px(navegador, live_server, ruta, db):
    context = navegador.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + ruta)
    ancho = page.evaluate("document.documentElement.scrollWidth")
    assert ancho <= 360, f"{ruta} se desborda a {ancho} px"
    assert_sin_violaciones(page)
    context.close()
