"""Hostile text (issue 6, point 3): script and markup typed into text fields come back as text wherever
they appear (pages, PDFs, e-mails, exports), and every POST without a CSRF token is refused."""

import csv
import io
import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.test_solicitud import adjuntos, datos_validos
from tramites import urls
from tramites.management import demo
from tramites.models import Notificacion, Queja, Tramite

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
IMAGEN = '"><img src=x onerror=alert(1)>'
# What an escaping template makes of each; the raw form must never appear in HTML.
SCRIPT_ESCAPADO = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMAGEN_ESCAPADO = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    # The demo staff are created for many tests here: Argon2 would make each take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sin_marcado_crudo(html: str) -> None:
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "onerror=alert" not in html or "&lt;img src=x onerror=alert(1)&gt;" in html


def _texto_pdf(datos: bytes) -> str:
    texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(datos)).pages)
    return " ".join(texto.split())


@pytest.fixture
def caso_hostil(client, oficinas, personal, django_capture_on_commit_callbacks):
    """A request submitted through the real online form with markup and a formula in its text fields."""
    datos = datos_validos(nombres=SCRIPT, apellidos=FORMULA, mensaje=f"{IMAGEN}\n{SCRIPT}\n{FORMULA}")
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post("/solicitud/", {**datos, **adjuntos()})
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]
    tramite = Tramite.objects.get()
    # Stored exactly as typed: escaping is the job of each output, never of the input.
    assert tramite.nombres == SCRIPT
    assert tramite.apellidos == FORMULA
    assert oficinas is not None and tramite.oficina.provincias.filter(provincia="17").exists()
    return tramite


def test_paginas_del_ciudadano_escapan(caso_hostil, client):
    confirmacion = client.get(reverse("publico:confirmacion", args=[caso_hostil.referencia]))
    assert confirmacion.status_code == 200
    _sin_marcado_crudo(confirmacion.content.decode())

    # The status lookup from a fresh browser, as the citizen would do it later.
    otro = Client()
    r = otro.post("/consulta/", {"referencia": caso_hostil.referencia, "identificacion": "1710034065"})
    assert r.status_code == 302
    detalle = otro.get(r["Location"])
    assert detalle.status_code == 200
    _sin_marcado_crudo(detalle.content.decode())


def test_comprobante_pdf_muestra_el_texto_literal(caso_hostil, client):
    pdf = client.get(reverse("publico:comprobante", args=[caso_hostil.referencia]))
    assert pdf["Content-Type"] == "application/pdf"
    texto = _texto_pdf(pdf.content)
    # Escaped markup prints as the characters typed; had it been parsed, the <script> element
    # would have vanished from the document and the <img> would have been an image.
    assert SCRIPT in texto
    assert FORMULA in texto
    assert "<img src=x onerror=alert(1)>" in texto


def test_correo_es_texto_plano_con_el_texto_literal(caso_hostil):
    correos = [m for m in mail.outbox if m.to == [caso_hostil.correo]]
    assert len(correos) == 1
    correo = correos[0]
    assert correo.content_subtype == "plain"
    assert not getattr(correo, "alternatives", None)  # no HTML part a mail client could render
    assert SCRIPT in correo.body  # plain text keeps the characters; nothing renders them
    assert "&lt;" not in correo.body  # and no HTML escaping leaks into plain text


def test_pagina_del_caso_para_el_personal_escapa_datos_y_correos(caso_hostil):
    analista = Client()
    r = analista.post(
        "/personal/login/", {"username": "analista.pichincha", "password": demo.DEMO_PASSWORD}
    )
    assert r.status_code == 302
    bandeja = analista.get("/personal/?estado=todos")
    assert bandeja.status_code == 200
    _sin_marcado_crudo(bandeja.content.decode())

    pagina = analista.get(reverse("personal:tramite", args=[caso_hostil.referencia]))
    assert pagina.status_code == 200
    html = pagina.content.decode()
    _sin_marcado_crudo(html)
    assert SCRIPT_ESCAPADO in html
    assert IMAGEN_ESCAPADO in html or "&quot;&gt;&lt;img" in html
    # The list of e-mails sent shows them as data, never their text as markup.
    assert Notificacion.objects.filter(tramite=caso_hostil).exists()
    assert "<script>" not in html

    recibo = analista.get(reverse("personal:recibo", args=[caso_hostil.referencia]))
    if recibo.status_code == 200:
        _sin_marcado_crudo(recibo.content.decode())


def test_observacion_hostil_del_personal_llega_escapada_al_ciudadano(
    caso_hostil, personal, client, django_capture_on_commit_callbacks
):
    from tramites.tramitacion import services as tramitacion

    analista = personal["analista.pichincha"]
    tramitacion.tramite_tomar(tramite=caso_hostil, usuario=analista)
    with django_capture_on_commit_callbacks(execute=True):
        tramitacion.tramite_observar(
            tramite=caso_hostil, usuario=analista, motivo=f"Corrija {SCRIPT} {IMAGEN}"
        )
    detalle = client.get(reverse("publico:consulta_detalle", args=[caso_hostil.referencia]))
    assert detalle.status_code == 200
    html = detalle.content.decode()
    _sin_marcado_crudo(html)
    assert SCRIPT_ESCAPADO in html
    correo = next(m for m in mail.outbox if "observación" in m.subject)
    assert SCRIPT in correo.body and correo.content_subtype == "plain"


@pytest.mark.usefixtures("certificado_demo")
def test_resolucion_pdf_con_texto_hostil(personal):
    from tests.fabricas_evaluacion import tramite_resuelto
    from tramites.resoluciones import services as res

    _tramite, resolucion = tramite_resuelto(personal, condiciones=f"{SCRIPT} {FORMULA}")
    texto = _texto_pdf(res.documento_leer(resolucion))
    assert SCRIPT in texto and FORMULA in texto


def test_queja_hostil_se_muestra_escapada_al_personal(oficinas, personal, django_capture_on_commit_callbacks):
    from tramites.quejas.forms import marca_tiempo

    ciudadano = Client()
    with django_capture_on_commit_callbacks(execute=True):
        r = ciudadano.post(
            "/quejas/nueva/",
            {
                "nombres": SCRIPT,
                "identificacion": "1710034065",
                "correo": "quejosa@example.com",
                "telefono": "0987654321",
                "provincia": "17",
                "referencia_tramite": "",
                "texto": f"Nadie me responde {SCRIPT} {IMAGEN}",
                "sitio_web": "",
                "marca": marca_tiempo(time.time() - 30),
            },
        )
    assert r.status_code == 302, r.content.decode()[:2000]
    queja = Queja.objects.get()
    assert SCRIPT in queja.texto
    _sin_marcado_crudo(ciudadano.get(r["Location"]).content.decode())

    supervisor = Client()
    supervisor.force_login(personal["supervisor.nacional"])
    for url in (reverse("personal:quejas"), reverse("personal:queja_detalle", args=[queja.referencia])):
        pagina = supervisor.get(url)
        assert pagina.status_code == 200
        _sin_marcado_crudo(pagina.content.decode())
    correo = next(m for m in mail.outbox if m.to == ["quejosa@example.com"])
    assert correo.content_subtype == "plain" and not getattr(correo, "alternatives", None)


# --- exports: no spreadsheet formula injection ------------------------------------------------------


@pytest.mark.parametrize("valor", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", FORMULA])
def test_celda_segura_neutraliza_formulas(valor):
    from tramites.cifras.views_personal import celda_segura

    assert celda_segura(valor).startswith("'")
    assert celda_segura("Pichincha") == "Pichincha"
    assert celda_segura(5) == 5  # numbers stay numbers


def test_exportaciones_de_estadisticas_no_llevan_formulas(oficinas, personal, caso_hostil):
    """An office renamed in the admin to a formula (the only free text in these exports) comes out inert."""
    from openpyxl import load_workbook

    oficina = caso_hostil.oficina
    oficina.nombre = FORMULA
    oficina.save()
    supervisor = Client()
    supervisor.force_login(personal["supervisor.nacional"])
    hoy = timezone.localdate().isoformat()
    periodo = {"desde": hoy, "hasta": hoy}  # the default period is last month; the case is today's

    r = supervisor.get(reverse("personal:estadisticas_csv"), periodo)
    assert r.status_code == 200
    celdas = [c for fila in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for c in fila]
    assert "'" + FORMULA in celdas
    assert not [c for c in celdas if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in celdas if c.startswith("-") and not re.fullmatch(r"-\d+([.,]\d+)?", c)]

    r = supervisor.get(reverse("personal:estadisticas_xlsx"), periodo)
    assert r.status_code == 200
    libro = load_workbook(io.BytesIO(r.content))
    valores = [c.value for hoja in libro.worksheets for fila in hoja.iter_rows() for c in fila]
    assert "'" + FORMULA in valores
    assert not [v for v in valores if isinstance(v, str) and v[:1] in ("=", "+", "@")]
    for hoja in libro.worksheets:
        for fila in hoja.iter_rows():
            for c in fila:
                assert c.data_type != "f", f"fórmula en {c.coordinate}: {c.value}"

    # The public transparency CSV carries only numbers and month names.
    r = Client().get(reverse("publico:transparencia_csv"))
    cuerpo = r.content.decode("utf-8-sig")
    assert not re.search(r"(^|,)[=+@]", cuerpo, re.M)


# --- CSRF: every POST endpoint refuses a form without the token --------------------------------------


def _rutas(patrones_raiz: list) -> list[tuple[str, str]]:
    """(name, URL) of every pattern of `patrones_raiz`, with sample values in place of the converters."""
    muestras = {"str": "2026-ABCD-EFGH-J", "int": "1", "slug": "tomar", "path": "x", "uuid": None}
    rutas = []

    def recorrer(patrones, prefijo=""):
        for p in patrones:
            if isinstance(p, URLResolver):
                recorrer(p.url_patterns, prefijo + str(p.pattern))
            elif isinstance(p, URLPattern):
                ruta = prefijo + str(p.pattern)
                ruta = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: muestras.get(m.group(1) or "str") or "x", ruta)
                rutas.append((p.name or ruta, ruta))

    recorrer(patrones_raiz)
    return rutas


RUTAS_PUBLICAS = _rutas(urls.publico[0])
RUTAS_PERSONAL = _rutas(urls.personal[0])


def test_hay_rutas_que_probar():
    assert len(RUTAS_PUBLICAS) >= 10 and len(RUTAS_PERSONAL) >= 10
    assert ("solicitud", "solicitud/") in RUTAS_PUBLICAS


def _rechazo_csrf(respuesta) -> None:
    assert respuesta.status_code == 403
    nombres = [t.name for t in respuesta.templates]
    assert "errors/403_csrf.html" in nombres
    html = respuesta.content.decode()
    assert "<h1" in html and "<main" in html  # the readable page, not Django's bare one


@pytest.mark.django_db
@pytest.mark.parametrize(("nombre", "ruta"), RUTAS_PUBLICAS, ids=[n for n, _r in RUTAS_PUBLICAS])
def test_post_publico_sin_csrf_es_rechazado(nombre, ruta, oficinas):
    cliente = Client(enforce_csrf_checks=True)
    cliente.get("/")  # a session and a CSRF cookie exist; only the token in the form is missing
    _rechazo_csrf(cliente.post("/" + ruta, {"identificacion": "1710034065", "texto": "x"}))
    assert not Tramite.objects.exists() and not Queja.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("nombre", "ruta"), RUTAS_PERSONAL, ids=[n for n, _r in RUTAS_PERSONAL])
def test_post_del_personal_sin_csrf_es_rechazado(nombre, ruta, personal):
    anonimo = Client(enforce_csrf_checks=True)
    _rechazo_csrf(anonimo.post("/personal/" + ruta, {"username": "analista.pichincha", "password": "x"}))
    for usuario in ("analista.pichincha", "supervisor.nacional"):
        cliente = Client(enforce_csrf_checks=True)
        cliente.force_login(personal[usuario])
        _rechazo_csrf(cliente.post("/personal/" + ruta, {"motivo": "x", "nota": "x"}))


def test_el_idioma_tampoco_se_cambia_sin_csrf(db):
    _rechazo_csrf(Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en", "next": "/"}))


def test_con_el_token_el_formulario_si_pasa(db, oficinas):
    """The refusal is about the token, not about POST: the same client with the token gets through."""
    cliente = Client(enforce_csrf_checks=True)
    html = cliente.get("/consulta/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    r = cliente.post("/consulta/", {"csrfmiddlewaretoken": token, "referencia": "x", "identificacion": "y"})
    assert r.status_code == 200

