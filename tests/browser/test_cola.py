"""Issue 15 in Chromium: the queue and its keyboard, the search edges, the case page with the viewer
beside the one checklist (ticks saved as they are made), printing, bulk reassign and moving a case.
axe-core runs on every page visited."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_sin_violaciones
from tests.casos import analista_nuevo
from tests.personal_ayudas import crear_tramite, en_estado
from tramites.estados import Estado
from tramites.management.demo import DEMO_PASSWORD
from tramites.models import Oficina, RevisionRequisitos, Tramite

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _entrar(page, usuario: str) -> None:
    page.goto(page.base_url + "/personal/login/")
    page.get_by_label("Usuario", exact=True).fill(usuario)
    page.get_by_label("Contraseña", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(page.base_url + "/personal/")


def test_la_cola_con_teclado_y_la_busqueda(pagina, personal):
    casos = [crear_tramite(nombres="María José", apellidos=f"Morán {n}") for n in ("Uno", "Dos", "Tres")]
    cerrado = en_estado(crear_tramite(nombres="Ángel", apellidos="Morán Cerrado"), Estado.RESUELTO)
    page = pagina
    _entrar(page, "analista.pichincha")
    assert page.locator(".cola-pestanas [aria-current=page]").inner_text().startswith("Mis trámites")
    assert page.locator("a[data-abrir]").count() == 3
    assert_sin_violaciones(page)

    # "/" focuses the search box; j/k move through the list and the live region says where we are.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("j")  # typed into the box, not a shortcut
    assert page.locator("#id_q").input_value() == "j"
    page.locator("#id_q").fill("")
    page.locator("h1").click()
    page.keyboard.press("j")
    primero = page.locator("a[data-abrir]").nth(0).inner_text()
    assert page.evaluate("document.activeElement.textContent") == primero
    page.wait_for_function("() => document.getElementById('anuncio-cola').textContent.includes('1 de 3')")
    assert primero in page.locator("#anuncio-cola").inner_text()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last one
    assert page.evaluate("document.activeElement.textContent") == page.locator("a[data-abrir]").nth(2).inner_text()
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.textContent") == page.locator("a[data-abrir]").nth(1).inner_text()
    # Focus is never trapped: Tab follows the page's usual order and leaves the list.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == page.locator("a[data-abrir]").nth(2).inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("!document.activeElement.closest('table')")

    # Search without accents or capitals, open cases first, closed ones with one click.
    page.locator("#id_q").fill("MORAN")
    page.get_by_role("button", name="Aplicar").click()
    page.wait_for_load_state()
    assert page.locator("a[data-abrir]").count() == 3
    assert "solo en los trámites abiertos" in page.locator("#ambito-busqueda").inner_text()
    assert cerrado.referencia not in page.content()
    assert_sin_violaciones(page)
    page.get_by_role("link", name="Buscar también en los cerrados").click()
    page.wait_for_load_state()
    assert page.locator("a[data-abrir]").count() == 4 and cerrado.referencia in page.content()
    page.locator("#id_q").fill("angel moran")
    page.get_by_role("button", name="Aplicar").click()
    page.wait_for_load_state()
    assert [page.locator("a[data-abrir]").nth(0).inner_text()] == [cerrado.referencia]
    assert casos[0].referencia not in page.locator("table").inner_text()


def test_la_pagina_del_tramite_para_revisar(pagina, personal):
    tramite = crear_tramite(nombres="Rosa", apellidos="Guamán")
    siguiente = crear_tramite()
    page = pagina
    page.set_viewport_size({"width": 1440, "height": 900})
    _entrar(page, "analista.pichincha")
    page.locator(f"a[data-abrir]:text('{tramite.referencia}')").click()
    page.wait_for_url(f"**/personal/tramites/{tramite.referencia}/")
    assert_sin_violaciones(page)
    # On a wide screen the viewer and the one checklist are side by side.
    visor = page.locator("#visor").bounding_box()
    lista = page.locator("[data-checklist]").bounding_box()
    assert visor["x"] + visor["width"] <= lista["x"] and lista["y"] < visor["y"] + visor["height"]
    assert page.locator("[data-checklist]").count() == 1
    # The PDF opens inline in the viewer, without leaving the page, through the checked view.
    url = page.url
    page.get_by_role("link", name="Solicitud de autorización firmada").click()
    marco = page.locator("iframe.visor-marco")
    marco.wait_for()
    assert page.url == url and re.search(r"/adjuntos/\d+/$", marco.get_attribute("src"))
    # The live region is filled a moment after the click: wait for it (up to 5 s) rather than read it once.
    expect(page.locator("#visor-estado")).to_contain_text("Solicitud de autorización firmada", timeout=5000)
    # Each tick is saved as it is made, and is still there after a reload.
    with page.expect_response(lambda r: r.url.endswith("/revision/") and r.ok):
        page.get_by_label("Documento de identidad legible").check()
    page.wait_for_function("() => document.getElementById('revision-estado').textContent.includes('guardada')")
    page.reload()
    assert page.get_by_label("Documento de identidad legible").is_checked()
    assert RevisionRequisitos.objects.get(tramite=tramite).documento_legible
    # Print: a clean case summary, without forms, viewer or navigation.
    page.emulate_media(media="print")
    assert not page.locator("[data-checklist]").is_visible() and not page.locator("#visor").is_visible()
    assert page.get_by_role("heading", name="Historial").is_visible()
    assert page.locator(".solo-impresion").is_visible()
    page.emulate_media(media="screen")
    # Send to evaluation; "siguiente trámite" opens the next case of the queue.
    page.get_by_label("Solicitud de autorización firmada", exact=True).check()
    page.get_by_label(re.compile("La solicitud lleva nombre completo")).check()
    page.get_by_role("button", name="Enviar a evaluación").click()
    page.wait_for_url(f"**/personal/tramites/{tramite.referencia}/")
    assert "se envió a evaluación" in page.content()
    page.locator("a[data-siguiente]").click()
    page.wait_for_url(f"**/personal/tramites/{siguiente.referencia}/")
    assert_sin_violaciones(page)


def test_el_director_reasigna_en_lote_y_traslada(pagina, personal):
    casos = [crear_tramite() for _ in range(3)]
    nuevo = analista_nuevo("analista.lote", Oficina.objects.get(provincias__provincia="17"))
    nuevo.first_name, nuevo.last_name = "Lucía", "Lote"
    nuevo.save()
    page = pagina
    _entrar(page, "director.pichincha")
    page.get_by_role("link", name=re.compile("Trámites de la oficina")).click()
    page.wait_for_load_state()
    assert_sin_violaciones(page)
    page.get_by_label("Seleccionar todos los trámites de esta página").check()
    page.get_by_label(f"Seleccionar {casos[2].referencia}").uncheck()
    page.get_by_label("Analista que los recibe").select_option(label="Lucía Lote")
    page.get_by_role("button", name="Reasignar los seleccionados").click()
    page.wait_for_load_state()
    assert "2 trámites reasignados a Lucía Lote." in page.content()
    assert [Tramite.objects.get(pk=t.pk).analista_id for t in casos][:2] == [nuevo.pk, nuevo.pk]
    # The workload view counts them.
    page.get_by_role("link", name="Carga de trabajo por analista").click()
    page.wait_for_load_state()
    assert_sin_violaciones(page)
    assert "Lucía Lote" in page.content()
    # The case's audit trail, readable and filterable.
    page.goto(page.base_url + f"/personal/tramites/{casos[0].referencia}/auditoria/")
    assert "Reasignación de analista" in page.content()
    page.get_by_label("Evento").select_option(label="Reasignación de analista")
    page.get_by_role("button", name="Filtrar").click()
    page.wait_for_load_state()
    assert "Consultó el trámite" not in page.locator("tbody").inner_text()
    assert_sin_violaciones(page)
    # Move the third case to Guayas, with a reason.
    page.goto(page.base_url + f"/personal/tramites/{casos[2].referencia}/")
    page.get_by_label("Oficina de destino").select_option(label=Oficina.objects.get(provincias__provincia="09").nombre)
    page.get_by_label("Motivo del traslado").fill("El ciudadano vive en Guayaquil.")
    page.get_by_role("button", name="Trasladar", exact=True).click()
    page.wait_for_url(re.compile(r".*/personal/(\?.*)?$"))
    assert "se trasladó" in page.content() and "El plazo legal no cambió" in page.content()
    assert Tramite.objects.get(pk=casos[2].pk).oficina.provincias.filter(provincia="09").exists()
    assert_sin_violaciones(page)
