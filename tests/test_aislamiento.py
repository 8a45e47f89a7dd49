"""Point 7 of issue 3: no member of staff reaches a case of another office through ANY staff URL.

The URLs are read from tramites.urls (personal), so a page added later is covered without editing this
test; a new URL parameter makes it fail until a value for it is added to VALORES below.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from tests.personal_ayudas import cliente, crear_tramite
from tramites import urls
from tramites.models import Adjunto


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The login machinery: no case in them (the e-mailed links are opened without a session, by design;
# tests/test_acceso.py covers them).
SIN_TRAMITE = {
    "login", "logout", "totp", "totp_registrar", "contrasena", "registro_enlace", "contrasena_restablecer",
}  # fmt: skip
OTRA_OFICINA = ["ventanilla.guayas", "analista.guayas", "evaluador.guayas", "director.guayas"]


def _patrones(patrones, prefijo=""):
    for p in patrones:
        if isinstance(p, URLResolver):
            yield from _patrones(p.url_patterns, prefijo + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield p, prefijo


def _url(patron: URLPattern, prefijo: str, valores: dict) -> str:
    ruta = prefijo + str(patron.pattern)
    for nombre in patron.pattern.converters:
        if nombre not in valores:
            pytest.fail(f"test_aislamiento: add a value for <{nombre}> (URL {ruta!r}) to VALORES")
    import re

    return "/personal/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(valores[m.group(1)]), ruta)


@pytest.fixture
def caso_pichincha(personal):
    tramite = crear_tramite(provincia="17")
    assert tramite.oficina.codigo == "pichincha"
    return tramite


def _valores(tramite) -> dict:
    adjunto = tramite.adjuntos.order_by("pk").first()
    return {
        "referencia": tramite.referencia,
        "adjunto_id": adjunto.pk,
        "pk": adjunto.pk,
        "accion": "tomar",
        "numero": "CPRT-PIC-2026-0001",
        "codigo": "X",
    }


def _urls(tramite):
    valores = _valores(tramite)
    for patron, prefijo in _patrones(urls.personal[0]):
        if patron.name in SIN_TRAMITE:
            continue
        yield patron, _url(patron, prefijo, valores)


@pytest.mark.django_db
@pytest.mark.parametrize("username", OTRA_OFICINA)
def test_cada_url_del_personal_da_404_con_un_caso_de_otra_oficina(personal, caso_pichincha, username):
    c = cliente(personal[username])
    revisadas = 0
    for patron, url in _urls(caso_pichincha):
        get = c.get(url)
        post = c.post(url, {})
        if "referencia" in patron.pattern.converters:
            codigos = {get.status_code, post.status_code}
            if 403 in codigos:
                # A role kept out of the whole page: fine only if a case that does not exist gets the
                # same answer (nothing tells the user the case exists).
                falsa = url.replace(caso_pichincha.referencia, "2026-ZZZZ-ZZZZ-Z")
                assert {c.get(falsa).status_code, c.post(falsa, {}).status_code} == codigos, url
                continue
            assert codigos <= {404, 405} and 404 in codigos, (
                f"{username} {url}: GET {get.status_code}, POST {post.status_code}"
            )
            revisadas += 1
        else:
            # Lists, searches and exports: answer, but never name the case.
            for r in (get, post):
                assert r.status_code in (200, 302, 400, 403, 405), f"{username} {url}: {r.status_code}"
                assert caso_pichincha.referencia.encode() not in r.content, f"{username} {url} shows the case"
    assert revisadas >= 4


@pytest.mark.django_db
def test_la_busqueda_de_otra_oficina_no_encuentra_el_caso(personal, caso_pichincha):
    c = cliente(personal["analista.guayas"])
    for q in (caso_pichincha.referencia, caso_pichincha.identificacion, caso_pichincha.apellidos):
        r = c.get("/personal/", {"q": q, "estado": "todos"})
        assert r.status_code == 200
        assert f"/personal/tramites/{caso_pichincha.referencia}/" not in r.content.decode()  # no row


@pytest.mark.django_db
def test_la_misma_oficina_y_el_supervisor_si_llegan(personal, caso_pichincha):
    """The control: the test above would pass vacuously if every URL were a 404."""
    valores = _valores(caso_pichincha)
    for username in ("analista.pichincha", "supervisor.nacional"):
        c = cliente(personal[username])
        assert c.get(f"/personal/tramites/{valores['referencia']}/").status_code == 200
        r = c.get(f"/personal/tramites/{valores['referencia']}/adjuntos/{valores['adjunto_id']}/")
        assert r.status_code == 200
        lista = c.get("/personal/", {"q": caso_pichincha.referencia}).content.decode()
        assert f"/personal/tramites/{caso_pichincha.referencia}/" in lista


@pytest.mark.django_db
def test_un_adjunto_de_otro_caso_no_se_alcanza_por_la_url_de_un_caso_propio(personal, caso_pichincha):
    propio = crear_tramite(provincia="09")
    ajeno = Adjunto.objects.filter(tramite=caso_pichincha).first()
    c = cliente(personal["analista.guayas"])
    assert c.get(f"/personal/tramites/{propio.referencia}/adjuntos/{ajeno.pk}/").status_code == 404


@pytest.mark.django_db
def test_sin_sesion_todo_lleva_al_ingreso(caso_pichincha):
    c = Client()
    for _patron, url in _urls(caso_pichincha):
        r = c.get(url)
        assert r.status_code in (302, 405), url
        if r.status_code == 302:
            assert r["Location"].startswith("/personal/login/"), url
