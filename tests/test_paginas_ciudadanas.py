"""The citizen's pages as a pensioner meets them: Spanish first, English only when chosen and then
entirely English; a check-your-answers step before sending; specific messages; no dead ends; the
transparency chart and its open data; the details (province order, robots.txt, the demo's address)."""

import csv
import io
import json
import os
import re
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import loader
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from tests import files
from tests.personal_ayudas import crear_tramite, en_estado
from tests.test_solicitud import adjuntos, datos_validos
from tramites.estados import Estado
from tramites.models import Adjunto, Queja, Tramite

pytestmark = pytest.mark.django_db

EN_INGLES = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _en_ingles(client: Client) -> None:
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302


# --- Spanish first ------------------------------------------------------------------------------


def test_un_navegador_en_ingles_recibe_espanol_hasta_que_elige_ingles(client):
    html = client.get("/", **EN_INGLES).content.decode()
    assert '<html lang="es">' in html
    assert "Presentar la solicitud en línea" in html
    _en_ingles(client)
    html = client.get("/consulta/", **EN_INGLES).content.decode()
    assert '<html lang="en">' in html and "Check my request" in html
    # The choice persists on every page, and Spanish comes back only when chosen.
    assert '<html lang="en">' in client.get("/transparencia/").content.decode()
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert '<html lang="es">' in client.get("/", **EN_INGLES).content.decode()


def test_cada_idioma_se_ofrece_en_su_propia_lengua(client):
    html = client.get("/").content.decode()
    assert re.search(r'<button[^>]*value="en"[^>]*lang="en"[^>]*>English</button>', html)
    assert "Inglés" not in html
    _en_ingles(client)
    html = client.get("/").content.decode()
    assert re.search(r'<button[^>]*value="es"[^>]*lang="es"[^>]*>Español</button>', html)


def test_la_transparencia_en_ingles_tiene_encabezados_en_ingles(client, oficinas):
    _en_ingles(client)
    html = client.get("/transparencia/").content.decode()
    cabecera = html.split("<thead>")[1].split("</thead>")[0]
    for texto in ("Year", "Month"):
        assert texto in cabecera
    assert "Año" not in cabecera and "Volumen de" not in cabecera


# --- the chart and its open data ----------------------------------------------------------------


@pytest.fixture
def cifras(db):
    call_command(
        "importar_transparencia",
        str(settings.BASE_DIR / "data" / "transparencia_2024_2025.csv"),
        stdout=io.StringIO(),
    )


@pytest.mark.parametrize("idioma", ["es", "en"])
def test_el_grafico_tiene_numeros_sin_coma_decimal(client, cifras, idioma):
    if idioma == "en":
        _en_ingles(client)
    html = client.get("/transparencia/").content.decode()
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 2  # the wide chart and the narrow-screen one
    for svg in svgs:
        atributos = re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height|dy|viewBox)="([^"]*)"', svg)
        assert atributos
        assert not [a for a in atributos if "," in a], "números localizados en el SVG"
        assert 'class="barra"' in svg


def test_los_datos_abiertos_tienen_metadatos_csvw_que_describen_sus_columnas(client, cifras):
    respuesta = client.get("/transparencia/transparencia.csv")
    enlace = respuesta["Link"]
    assert 'rel="describedby"' in enlace and "transparencia.csv-metadata.json" in enlace
    cabecera = next(csv.reader(io.StringIO(respuesta.content.decode("utf-8-sig"))))
    assert cabecera == ["Año", "Mes", "Volumen de Quejas", "Volumen de Atenciones"]

    meta = client.get("/transparencia/transparencia.csv-metadata.json")
    assert meta.status_code == 200 and meta["Content-Type"].startswith("application/csvm+json")
    datos = json.loads(meta.content)
    assert "http://www.w3.org/ns/csvw" in datos["@context"]
    assert datos["url"] == "transparencia.csv"
    columnas = datos["tableSchema"]["columns"]
    assert [c["titles"] for c in columnas] == cabecera
    assert all(c.get("datatype") and c.get("dc:description") for c in columnas)
    assert datos["tableSchema"]["primaryKey"] == ["anio", "mes"]
    assert "transparencia.csv-metadata.json" in client.get("/transparencia/").content.decode()


# --- details --------------------------------------------------------------------------------------


def test_las_provincias_van_en_orden_alfabetico_espanol(client):
    html = client.get("/solicitud/").content.decode()
    select = html.split('name="provincia"')[1].split("</select>")[0]
    nombres = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
    assert nombres.index("Cañar") < nombres.index("Carchi") < nombres.index("Chimborazo")
    assert nombres.index("Loja") < nombres.index("Los Ríos")
    assert nombres[-1] == "Ecuatorianos en el exterior"


def test_robots_y_descripcion(client):
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    texto = r.content.decode()
    assert "Disallow: /personal/" in texto and "Disallow: /admin/" in texto
    assert "Disallow: /solicitud/\n" not in texto and "Disallow: /quejas/nueva" not in texto
    for ruta in (
        "/",
        "/solicitud/",
        "/consulta/",
        "/verificar/",
        "/quejas/nueva/",
        "/transparencia/",
        "/privacidad/",
    ):
        html = client.get(ruta).content.decode()
        assert re.search(r'<meta name="description" content="[^"]{50,}">', html), ruta


def test_una_sola_palabra_para_el_documento(client):
    for ruta in ("/", "/verificar/"):
        html = client.get(ruta).content.decode()
        assert "Verificar una resolución" in html
        assert "Verificar una autorización" not in html and "documento de autorización" not in html


def test_cada_pagina_de_error_tiene_el_pie_de_contacto(client):
    for plantilla in (
        "errors/400.html",
        "errors/403.html",
        "errors/403_csrf.html",
        "errors/404.html",
        "errors/413.html",
        "errors/429.html",
        "errors/500.html",
    ):
        html = loader.render_to_string(plantilla)  # no request, as the 413 page is rendered
        assert f"mailto:{settings.CONTACTO_CORREO}" in html, plantilla
        assert settings.CONTACTO_TELEFONO in html, plantilla
        assert "Menú" in html
    r = client.get("/no-existe/")
    assert r.status_code == 404 and f"mailto:{settings.CONTACTO_CORREO}" in r.content.decode()


def test_la_verificacion_avisa_con_su_propio_limite(client, settings):
    html = client.get("/verificar/").content.decode()
    assert "pesa más de 3,0 MB" in html
    _en_ingles(client)
    assert "larger than 3.0 MB" in client.get("/verificar/").content.decode()
    assert "más de 1 MB" not in html


def test_la_direccion_publica_sigue_el_puerto_de_make_run():
    entorno = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL",)}
    entorno["PORT"] = "8101"
    salida = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'reinsercion.settings');"
            " django.setup(); from django.conf import settings; print(settings.PUBLIC_BASE_URL)",
        ],
        env=entorno,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert salida.stdout.strip() == "http://127.0.0.1:8101"


def test_cargar_demo_imprime_la_direccion_publica(settings, tmp_path):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8101"
    salida = io.StringIO()
    call_command("cargar_demo", stdout=salida)
    assert "http://127.0.0.1:8101/personal/" in salida.getvalue()
    assert ":8000" not in salida.getvalue()


# --- check your answers ---------------------------------------------------------------------------


def _enviar_formulario(client, datos=None, archivos=None, **extra):
    return client.post(
        "/solicitud/",
        {**(datos or datos_validos()), **(archivos if archivos is not None else adjuntos())},
        **extra,
    )


def test_antes_de_enviar_el_ciudadano_revisa_sus_datos_y_archivos(
    client, oficinas, django_capture_on_commit_callbacks
):
    r = _enviar_formulario(client)
    assert r.status_code == 302 and r["Location"] == "/solicitud/revisar/"
    assert not Tramite.objects.exists()  # nothing is sent yet

    html = client.get("/solicitud/revisar/").content.decode()
    for valor in (
        "María José",
        "Pérez Andrade",
        "maria.perez@example.com",
        "Pichincha",
        "Cédula de identidad",
        "Solicito la autorización para volver a trabajar.",
        "cédula.jpg",
        "solicitud.pdf",
    ):
        assert valor in html, valor
    # Each file: a thumbnail of its first page, its page count and its size.
    assert html.count('src="data:image/jpeg;base64,') == 2
    assert html.count("1 página") == 2
    assert re.search(r"\d+ KB", html)
    assert html.count(">Cambiar<") >= 11
    assert 'href="/solicitud/#id_nombres"' in html and 'href="/solicitud/#id_documento_identidad"' in html

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/solicitud/revisar/")
    tramite = Tramite.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/solicitud/{tramite.referencia}/enviada/"
    assert tramite.nombres == "María José"
    assert sorted(tramite.adjuntos.values_list("nombre_original", flat=True)) == [
        "cédula.jpg",
        "solicitud.pdf",
    ]
    # A second click (or the back button) sends nothing twice.
    r = client.post("/solicitud/revisar/")
    assert r.status_code == 302 and r["Location"] == f"/solicitud/{tramite.referencia}/enviada/"
    assert Tramite.objects.count() == 1


def test_cambiar_un_dato_no_obliga_a_elegir_otra_vez_los_archivos(
    client, oficinas, django_capture_on_commit_callbacks
):
    _enviar_formulario(client)
    html = client.get("/solicitud/").content.decode()
    # The form comes back filled in, with the held files named.
    assert 'value="Pérez Andrade"' in html and "cédula.jpg" in html and "solicitud.pdf" in html
    r = _enviar_formulario(client, datos_validos(apellidos="Pérez Andrade de Loor"), archivos={})
    assert r.status_code == 302 and r["Location"] == "/solicitud/revisar/"
    assert "Pérez Andrade de Loor" in client.get("/solicitud/revisar/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/solicitud/revisar/")
    tramite = Tramite.objects.get()
    assert tramite.apellidos == "Pérez Andrade de Loor"
    assert tramite.adjuntos.count() == 2
    assert not Adjunto.objects.filter(tramite__isnull=True).exists()  # no file left over


def test_la_revision_sin_datos_vuelve_al_formulario(client, db):
    r = client.get("/solicitud/revisar/")
    assert r.status_code == 302 and r["Location"] == "/solicitud/"


def test_un_pdf_de_varias_paginas_muestra_cuantas_tiene(client, oficinas):
    _enviar_formulario(client, archivos=adjuntos(carta=files.pdf_solicitud(paginas=3)))
    html = client.get("/solicitud/revisar/").content.decode()
    assert "3 páginas" in html


# --- messages -------------------------------------------------------------------------------------


def test_los_mensajes_dicen_que_hacer_en_cada_campo(client, oficinas):
    html = client.post("/solicitud/", {}).content.decode()
    for mensaje in (
        "Escriba su número de cédula",
        "Escriba sus nombres como constan en su cédula",
        "Escriba sus apellidos como constan en su cédula",
        "Escriba su correo electrónico",
        "Escriba un número de teléfono",
        "Elija la provincia",
        "Debe aceptar el tratamiento de sus datos",
    ):
        assert mensaje in html, mensaje
    assert "Este campo es obligatorio" not in html
    assert "privacidad.: " not in html and "privacidad.</a>: " not in html
    html = client.post("/solicitud/", datos_validos(correo="maria@")).content.decode()
    assert "Escriba su correo electrónico completo" in html


def test_el_mensaje_es_opcional_y_lo_dice(client, db):
    html = client.get("/solicitud/").content.decode()
    assert re.search(r'for="id_mensaje">Mensaje <span class="opcional">\(opcional\)</span>', html)
    assert "(opcional) (opcional)" not in html


# --- no dead ends ---------------------------------------------------------------------------------


def test_la_direccion_de_subsanar_abierta_con_get_vuelve_al_tramite(client, oficinas):
    tramite = crear_tramite(provincia="17")
    r = client.get(f"/consulta/{tramite.referencia}/subsanar/")
    assert r.status_code == 302 and r["Location"] == f"/consulta/{tramite.referencia}/"


def test_la_queja_rapida_no_culpa_a_la_persona(client, oficinas):
    from tramites.quejas.forms import marca_tiempo

    datos = {
        "nombres": "Rosa Guamán",
        "correo": "rosa@example.com",
        "telefono": "0991234567",
        "provincia": "17",
        "texto": "Nadie me respondió en la ventanilla de Quito.",
        "marca": marca_tiempo(time.time()),
    }
    r = client.post("/quejas/nueva/", datos)
    html = r.content.decode()
    assert r.status_code == 200 and not Queja.objects.exists()
    assert "demasiado rápido" not in html and "spam" not in html.lower()
    assert "Rosa Guamán" in html  # nothing to type again
    # Sent again a moment later, the form keeps the time it was first shown: accepted.
    r = client.post(
        "/quejas/nueva/", {**datos, "marca": re.search(r'name="marca" value="([^"]+)"', html).group(1)}
    )
    assert r.status_code == 200 and not Queja.objects.exists()  # still within the 3 s minimum
    time.sleep(3)
    datos["marca"] = re.search(r'name="marca" value="([^"]+)"', r.content.decode()).group(1)
    r = client.post("/quejas/nueva/", datos)
    assert r.status_code == 302 and Queja.objects.count() == 1


def test_la_observacion_queda_en_el_historial_despues_de_corregir(
    personal, django_capture_on_commit_callbacks
):
    from tramites.tramitacion import services as tramitacion

    tramite = en_estado(crear_tramite(provincia="17"), Estado.EN_REVISION)
    motivo = "La foto de la cédula está cortada: suba una foto del documento completo."
    tramitacion.tramite_observar(tramite=tramite, usuario=personal["analista.pichincha"], motivo=motivo)
    c = Client()
    c.post("/consulta/", {"referencia": tramite.referencia, "identificacion": tramite.identificacion})
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/consulta/{tramite.referencia}/subsanar/",
            {"documento": SimpleUploadedFile("cedula-completa.jpg", files.jpeg_documento(), "image/jpeg")},
        )
    assert r.status_code == 302
    html = c.get(f"/consulta/{tramite.referencia}/").content.decode()
    historial = html.split("Historial")[1]
    assert motivo in historial and "Usted envió la corrección el" in historial


def test_en_ingles_la_confirmacion_y_el_comprobante_estan_en_ingles(
    client, oficinas, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    _en_ingles(client)
    _enviar_formulario(client)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/solicitud/revisar/")
    html = client.get(r["Location"]).content.decode()
    fecha = Tramite.objects.get().vence_el
    with translation.override("en"):
        esperada = date_format(fecha, "DATE_FORMAT")  # e.g. "Jan. 11, 2027"
    assert f"The IESS must answer you by {esperada} at the latest" in html
    assert not re.search(r"\d{1,2} de [A-Za-z]+ de \d{4}", html)
    tramite = Tramite.objects.get()
    pdf = client.get(f"/solicitud/{tramite.referencia}/comprobante.pdf")
    texto = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Page 1 of 1" in texto and "Página" not in texto


def test_una_cookie_de_idioma_desconocida_deja_el_espanol(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="es">' in client.get("/", **EN_INGLES).content.decode()


def test_si_la_pagina_500_completa_falla_queda_la_pagina_minima(rf, monkeypatch):
    from tramites import views

    def falla(*args, **kwargs):
        raise RuntimeError("la plantilla no se pudo mostrar")

    monkeypatch.setattr(views, "render", falla)
    respuesta = views.error_500(rf.get("/"))
    assert respuesta.status_code == 500
    assert settings.CONTACTO_CORREO in respuesta.content.decode()
