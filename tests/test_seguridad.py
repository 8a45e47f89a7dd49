"""Security headers and hardening (issue 6, point 4): a CSP without inline code on every page, and
no template that would need it; frame denial, referrer and permissions policies; HSTS and a clean
`check --deploy` with the production settings."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import URLPattern, URLResolver

from tests.fabricas_evaluacion import tramite_resuelto
from tramites import auditoria, urls

RAIZ = Path(__file__).resolve().parent.parent
PLANTILLAS = RAIZ / "templates"


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- what a page may not contain under the CSP -------------------------------------------------------


class _CodigoEnLinea(HTMLParser):
    """Collects every construct the CSP (no 'unsafe-inline') would block or that smuggles script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problemas: list[str] = []

    def handle_starttag(self, tag, attrs):
        nombres = dict(attrs)
        if tag == "script" and not nombres.get("src"):
            self.problemas.append(f"<script> sin src en línea {self.getpos()[0]}")
        if tag == "style":
            self.problemas.append(f"<style> en línea {self.getpos()[0]}")
        for nombre, valor in attrs:
            if nombre == "style":
                self.problemas.append(f'style="{valor}" en <{tag}> (línea {self.getpos()[0]})')
            if nombre.startswith("on"):
                self.problemas.append(f"{nombre}= en <{tag}> (línea {self.getpos()[0]})")
            if nombre in ("href", "src", "action", "formaction") and (valor or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problemas.append(f"{nombre}=javascript: en <{tag}>")

    handle_startendtag = handle_starttag


def codigo_en_linea(html: str) -> list[str]:
    analizador = _CodigoEnLinea()
    analizador.feed(html)
    return analizador.problemas


def test_el_analizador_detecta_lo_prohibido():
    """The checker itself: each forbidden construct is caught, the allowed ones are not."""
    malo = (
        '<script>alert(1)</script><div style="color:red"></div><a href="javascript:x()">a</a>'
        '<button onclick="x()">b</button><style>p{}</style><img src=x onerror=y>'
    )
    assert len(codigo_en_linea(malo)) == 6
    bueno = (
        '<script src="/static/js/app.js" defer></script>'
        '<link rel="stylesheet" href="/static/css/app.css">'
    )
    assert codigo_en_linea(bueno) == []


def _directivas(valor: str) -> dict[str, list[str]]:
    directivas = {}
    for parte in valor.split(";"):
        palabras = parte.split()
        if palabras:
            directivas[palabras[0]] = palabras[1:]
    return directivas


def revisar_cabeceras(respuesta, url: str) -> None:
    csp = respuesta.get("Content-Security-Policy", "")
    assert csp, f"{url}: sin Content-Security-Policy"
    d = _directivas(csp)
    tipo = respuesta.get("Content-Type", "")
    assert "'unsafe-eval'" not in csp, url
    if tipo.startswith("text/html"):
        assert "'unsafe-inline'" not in csp, f"{url}: {csp}"
        # Only a page with photo inputs may compile WebAssembly (libheif converts iPhone photos in
        # static/js/fotos.js, issue 12): the request form, and a case page that holds a correction form.
        fotos = b"js/fotos.js" in respuesta.content
        if url.startswith("/solicitud/") and url.count("/") == 2:
            assert fotos, url
        wasm = ["'wasm-unsafe-eval'"] if fotos else []
        assert d.get("script-src") == ["'self'", *wasm], f"{url}: {csp}"
        assert d.get("object-src") == ["'none'"], f"{url}: {csp}"
        assert d.get("base-uri") == ["'self'"], f"{url}: {csp}"
    else:
        # Files served to be viewed (an attachment image or PDF) get an even narrower policy of their own.
        assert "'unsafe-inline'" not in " ".join(d.get("script-src", [])), f"{url}: {csp}"
    assert "frame-ancestors" in d, f"{url}: {csp}"
    assert respuesta.get("X-Frame-Options") in ("DENY", "SAMEORIGIN"), url
    assert respuesta.get("X-Content-Type-Options") == "nosniff", url
    assert respuesta.get("Referrer-Policy") == "same-origin", url
    assert "camera=()" in respuesta.get("Permissions-Policy", ""), url
    assert "geolocation=()" in respuesta.get("Permissions-Policy", ""), url
    assert respuesta.get("Cross-Origin-Opener-Policy") == "same-origin", url


def revisar(respuesta, url: str) -> None:
    revisar_cabeceras(respuesta, url)
    if respuesta.get("Content-Type", "").startswith("text/html"):
        problemas = codigo_en_linea(respuesta.content.decode())
        assert not problemas, f"{url}: {problemas}"


# --- every page, public and staff -------------------------------------------------------------------


def _rutas(patrones_raiz: list) -> list[tuple[str, str]]:
    rutas = []

    def recorrer(patrones, prefijo=""):
        for p in patrones:
            if isinstance(p, URLResolver):
                recorrer(p.url_patterns, prefijo + str(p.pattern))
            elif isinstance(p, URLPattern):
                rutas.append((p.name or "", prefijo + str(p.pattern)))

    recorrer(patrones_raiz)
    return rutas


def _rellenar(ruta: str, valores: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(valores.get(m.group(1), "x")), ruta)


@pytest.fixture
def mundo(personal, django_capture_on_commit_callbacks, client, certificado_demo):
    """A resolved case with its signed authorization, an observed case submitted through the form, and
    a complaint: enough for every page to have something to show."""
    from tests.test_solicitud import adjuntos, datos_validos, enviar_y_confirmar
    from tramites.models import Adjunto, Queja, Tramite

    with django_capture_on_commit_callbacks(execute=True):
        resuelto, resolucion = tramite_resuelto(personal)
        r = enviar_y_confirmar(client, {**datos_validos(), **adjuntos()})
    assert r.status_code == 302
    enviado = Tramite.objects.exclude(pk=resuelto.pk).get()
    queja = Queja.objects.create(
        referencia="Q-2026-AAAA-BBBB-C",
        nombres="Rosa Guamán",
        correo="rosa@example.com",
        provincia="17",
        tramite=resuelto,
        texto="Nadie me responde.",
    )
    auditoria.flush()
    return {
        "resuelto": resuelto,
        "resolucion": resolucion,
        "enviado": enviado,
        "queja": queja,
        "adjunto": enviado.adjuntos.exclude(tipo=Adjunto.Tipo.INFORME_MEDICO).first(),
        "informe": resuelto.adjuntos.filter(tipo=Adjunto.Tipo.INFORME_MEDICO).first(),
    }


def test_paginas_publicas(mundo, client):
    enviado, resolucion = mundo["enviado"], mundo["resolucion"]
    valores = {"referencia": enviado.referencia, "codigo": resolucion.codigo_verificacion}
    vistas = 0
    for _nombre, ruta in _rutas(urls.publico[0]):
        url = "/" + _rellenar(ruta, valores)
        respuesta = client.get(url)
        revisar(respuesta, url)
        vistas += respuesta.status_code == 200
    assert vistas >= 10
    # Pages with errors and the error pages themselves.
    for url, datos in [("/solicitud/", {"nombres": ""}), ("/consulta/", {"referencia": "x"})]:
        revisar(client.post(url, datos), url)
    revisar(client.get("/no-existe/"), "/no-existe/")


@pytest.mark.parametrize("usuario", ["director.pichincha", "evaluador.pichincha", "supervisor.nacional"])
def test_paginas_del_personal(mundo, personal, usuario):
    resuelto = mundo["resuelto"]
    cliente = Client()
    cliente.force_login(personal[usuario])
    valores = {
        "referencia": resuelto.referencia,
        "adjunto_id": mundo["adjunto"].pk,
        "pk": mundo["informe"].pk,
        "numero": mundo["resolucion"].numero,
        "accion": "archivar",
    }
    vistas = 0
    for nombre, ruta in _rutas(urls.personal[0]):
        if nombre == "logout":
            continue
        datos = dict(valores, referencia=mundo["queja"].referencia) if ruta.startswith("quejas/") else valores
        url = "/personal/" + _rellenar(ruta, datos)
        respuesta = cliente.get(url)
        auditoria.flush()
        revisar(respuesta, url)
        vistas += respuesta.status_code == 200
    assert vistas >= 6
    revisar(Client().get("/personal/login/"), "/personal/login/")


PROHIBIDO_EN_PLANTILLAS = (
    r"<script(?![^>]*\bsrc=)[^>]*>",
    r"<style\b",
    r"\sstyle=",
    r"\son[a-z]+\s*=",
    r"javascript:",
)


def test_ninguna_plantilla_usa_codigo_en_linea():
    """Also the templates no test renders: no inline script, style attribute or event handler.
    templates/pdf/ is excluded: WeasyPrint renders it to PDF, no browser ever runs it."""
    problemas = []
    for plantilla in sorted(PLANTILLAS.rglob("*.html")):
        if "pdf" in plantilla.relative_to(PLANTILLAS).parts[:1]:
            continue
        fuente = plantilla.read_text(encoding="utf-8")
        for patron in PROHIBIDO_EN_PLANTILLAS:
            for m in re.finditer(patron, fuente, re.I):
                linea = fuente.count("\n", 0, m.start()) + 1
                problemas.append(f"{plantilla.relative_to(RAIZ)}:{linea}: {m.group(0).strip()}")
    assert not problemas, problemas


def test_configuracion_del_csp_en_settings():
    directivas = django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    todas = " ".join(" ".join(v) for v in directivas.values())
    assert "unsafe-inline" not in todas and "unsafe-eval" not in todas
    assert directivas["default-src"] == ["'self'"]


# --- production settings (a separate process: settings are read once at start) ----------------------


def _entorno_produccion(tmp_path, **extra) -> dict:
    import secrets

    from cryptography.fernet import Fernet

    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    entorno.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="reinsercion.example.ec",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        STORAGE_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="reinsercion.settings",
    )
    entorno.pop("DJANGO_DEBUG", None)
    entorno.update(extra)
    return entorno


# `manage.py check --deploy` in a production process (configured: no issues; demo password, missing
# keys or certificate: errors) is tests/test_produccion_segura.py::test_check_deploy_de_verdad.


def test_produccion_no_arranca_sin_secret_key(tmp_path):
    entorno = _entorno_produccion(tmp_path)
    entorno.pop("SECRET_KEY")
    r = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=RAIZ,
        env=entorno,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0 and "SECRET_KEY" in r.stderr


_SONDA = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
# No collectstatic in a test: serve static names unhashed, everything else as in production.
estaticos = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=estaticos):
    c = Client(HTTP_HOST="reinsercion.example.ec")
    seguro = c.get("/privacidad/", secure=True, headers={"x-forwarded-proto": "https"})
    plano = c.get("/privacidad/", headers={"x-forwarded-proto": "http"})
print(json.dumps({
    "seguro": {"status": seguro.status_code, **dict(seguro.headers)},
    "plano": {"status": plano.status_code, "location": plano.get("Location", "")},
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
                settings.SESSION_COOKIE_HTTPONLY],
    "totp": settings.REQUIRE_TOTP,
    "debug": settings.DEBUG,
}))
"""


def test_cabeceras_de_produccion(tmp_path):
    import json

    r = subprocess.run(
        [sys.executable, "-c", _SONDA],
        cwd=RAIZ,
        env=_entorno_produccion(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    datos = json.loads(r.stdout.strip().splitlines()[-1])
    seguro = {k.lower(): v for k, v in datos["seguro"].items()}
    assert seguro["status"] == 200
    hsts = seguro["strict-transport-security"]
    assert re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31_536_000
    assert "includeSubDomains" in hsts and "preload" in hsts
    assert seguro["x-frame-options"] == "DENY"
    csp = _directivas(seguro["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in seguro["content-security-policy"]
    assert seguro["referrer-policy"] == "same-origin"
    assert "camera=()" in seguro["permissions-policy"]
    # Plain HTTP is redirected to HTTPS; cookies only travel over HTTPS; staff need a second factor.
    assert datos["plano"]["status"] == 301 and datos["plano"]["location"].startswith("https://")
    assert datos["cookies"] == [True, True, True]
    assert datos["totp"] is True and datos["debug"] is False
