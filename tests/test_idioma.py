"""The English translation: a visitor can switch the interface to English; Spanish stays the default;
every string of locale/en is translated, so a new untranslated string fails the suite."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def cambiar_idioma(client, idioma: str, siguiente: str = "/"):
    return client.post("/i18n/setlang/", {"language": idioma, "next": siguiente})


@pytest.mark.django_db
def test_el_visitante_nuevo_ve_la_pagina_en_espanol(client):
    respuesta = client.get("/")
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert '<html lang="es">' in html
    assert "Solicitud de reinserción laboral de pensionistas con incapacidad permanente total" in html
    assert "Presentar la solicitud en línea" in html
    assert "Apply online" not in html


@pytest.mark.django_db
def test_el_visitante_que_elige_ingles_ve_el_inicio_en_ingles(client):
    respuesta = cambiar_idioma(client, "en", "/")
    assert respuesta.status_code == 302
    assert respuesta["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    # Main heading, start button and other key phrases of the home page.
    assert "Return-to-work request for pensioners with total permanent incapacity" in html
    assert "Apply online" in html
    assert "Check my request" in html
    assert "The procedure is free of charge." in html
    assert "Who can apply?" in html
    assert "national ID card (cédula)" in html
    assert "Ventanilla Virtual" in html
    # Header, language selector and footer.
    assert "Submit a request" in html
    assert 'aria-label="Language"' in html
    assert "Privacy notice" in html
    # The Spanish source text is gone.
    assert "Presentar la solicitud en línea" not in html
    assert "¿Quién puede solicitarlo?" not in html


@pytest.mark.django_db
def test_el_selector_muestra_cada_idioma_en_su_propia_lengua(client):
    cambiar_idioma(client, "en")
    html = client.get("/").content.decode()
    assert 'lang="es" class="idioma-boton">Español</button>' in html
    assert 'lang="en" aria-current="true">English</span>' in html
    cambiar_idioma(client, "es")
    html = client.get("/").content.decode()
    assert 'lang="en" class="idioma-boton">English</button>' in html and "Inglés" not in html


@pytest.mark.django_db
def test_el_formulario_de_solicitud_en_ingles(client, oficinas):
    cambiar_idioma(client, "en", "/solicitud/")
    respuesta = client.get("/solicitud/")
    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    for etiqueta in (
        "ID type",
        "ID number",
        "First names",
        "Last names",
        'Alternative phone <span class="opcional">(optional)</span>',
        "Identity document",
        "Signed authorization request",
        "Continue",
    ):
        assert etiqueta in html, etiqueta
    assert 'href="/privacidad/">privacy notice</a>' in html
    for espanol in ("Tipo de identificación", "Número de identificación", "Apellidos", "Continuar"):
        assert espanol not in html, espanol


@pytest.mark.django_db
def test_volver_al_espanol(client):
    cambiar_idioma(client, "en")
    assert "Apply online" in client.get("/").content.decode()
    cambiar_idioma(client, "es")
    assert "Presentar la solicitud en línea" in client.get("/").content.decode()


def test_todas_las_entradas_del_po_estan_traducidas():
    po = polib.pofile(str(PO))
    assert len(po) > 0
    pendientes = [e.msgid for e in po.untranslated_entries()]
    difusas = [e.msgid for e in po.fuzzy_entries()]
    assert not pendientes, f"{len(pendientes)} untranslated: {pendientes[:10]}"
    assert not difusas, f"{len(difusas)} fuzzy: {difusas[:10]}"
    assert po.percent_translated() == 100


def test_el_mo_compilado_coincide_con_el_po():
    """The committed .mo is recompiled after every change to the .po (a fresh machine needs no gettext)."""
    assert MO.exists(), "run: manage.py compilemessages -l en"

    def traducciones(entradas):
        return {
            (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural)
            for e in entradas
            if e.msgid and not e.obsolete
        }

    po = traducciones(polib.pofile(str(PO)))
    mo = traducciones(polib.mofile(str(MO)))
    faltan = [k[1] for k in po if k not in mo]
    distintas = [k[1] for k in po if k in mo and mo[k] != po[k]]
    assert not faltan, f"not compiled: {faltan[:10]}"
    assert not distintas, f"stale in the .mo: {distintas[:10]}"
