"""Issue 14, points 3, 4 and 7 in the test suite: no-store on the citizen pages with personal data and
the OWASP headers (the pages still work); a window clerk of another office keeps only the receipt once
the case is routed; a database outage or a full disk answers the Spanish 503 page with nothing
half-saved; the periodic clean-up removes the files a killed worker leaves behind."""

import errno
import os
import time

import pytest
from django.db import OperationalError
from django.test import Client

from tests import files
from tests.personal_ayudas import cliente, crear_tramite
from tramites import services
from tramites.models import Adjunto, Queja, Tramite

CABECERA_NO_STORE = "private, no-store"


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _formulario(**cambios) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    datos = {
        "tipo_identificacion": "cedula",
        "identificacion": "1710034065",
        "nombres": "María José",
        "apellidos": "Pérez Andrade",
        "correo": "maria@example.com",
        "telefono": "0991234567",
        "provincia": "17",
        "mensaje": "Solicito la autorización.",
        "acepta_tratamiento_datos": "on",
        "documento_identidad": SimpleUploadedFile("cedula.jpg", files.jpeg_documento(), "image/jpeg"),
        "solicitud_firmada": SimpleUploadedFile("solicitud.pdf", files.pdf_solicitud(), "application/pdf"),
    }
    datos.update(cambios)
    return datos


# --- point 3: caching and headers -----------------------------------------------------------------


@pytest.mark.django_db
def test_ninguna_pagina_con_datos_personales_se_guarda_en_cache(oficinas, settings):
    settings.RATELIMIT_ENABLE = False
    c = Client()
    r = c.post("/solicitud/", _formulario())
    assert r.status_code == 302
    tramite = Tramite.objects.get()
    confirmacion = c.get(r["Location"])
    assert confirmacion.status_code == 200 and tramite.referencia in confirmacion.content.decode()
    assert confirmacion["Cache-Control"] == CABECERA_NO_STORE
    consulta = Client()
    r = consulta.post("/consulta/", {"referencia": tramite.referencia, "identificacion": tramite.identificacion})
    detalle = consulta.get(r["Location"]) if r.status_code == 302 else r
    assert detalle.status_code == 200 and tramite.referencia in detalle.content.decode()
    assert detalle["Cache-Control"] == CABECERA_NO_STORE
    # A form sent back with what the citizen typed is personal data too.
    r = Client().post("/solicitud/", _formulario(correo="no-es-un-correo"))
    assert r.status_code == 200 and "María José" in r.content.decode()
    assert r["Cache-Control"] == CABECERA_NO_STORE
    # Empty public pages may be kept by the browser; the transparency CSV keeps its own public caching.
    for ruta in ("/", "/privacidad/", "/solicitud/", "/consulta/", "/quejas/nueva/", "/verificar/"):
        assert "no-store" not in Client().get(ruta).get("Cache-Control", ""), ruta
    assert Client().get("/transparencia/transparencia.csv")["Cache-Control"].startswith("public")


@pytest.mark.django_db
def test_cabeceras_owasp_y_las_paginas_siguen_funcionando(personal):
    """CORP and X-Permitted-Cross-Domain-Policies on every answer; every page still renders with its
    own styles and scripts (same origin) under the CSP."""
    import re

    paginas = ["/", "/privacidad/", "/solicitud/", "/consulta/", "/quejas/nueva/", "/verificar/",
               "/transparencia/", "/personal/login/"]  # fmt: skip
    c = Client()
    for ruta in paginas:
        r = c.get(ruta)
        assert r.status_code == 200, ruta
        assert r["Cross-Origin-Resource-Policy"] == "same-origin", ruta
        assert r["X-Permitted-Cross-Domain-Policies"] == "none", ruta
        html = r.content.decode()
        for recurso in re.findall(r'(?:src|href)="([^"#]+\.(?:css|js|svg))"', html):
            assert recurso.startswith("/static/"), (ruta, recurso)  # nothing from another origin
            assert c.get(recurso).status_code == 200, (ruta, recurso)
    staff = cliente(personal["analista.pichincha"])
    r = staff.get("/personal/")
    assert r.status_code == 200 and r["Cache-Control"] == CABECERA_NO_STORE
    assert r["Cross-Origin-Resource-Policy"] == "same-origin"


def test_cookies_y_csp_de_produccion(tmp_path):
    """Production settings (own process): every cookie Secure and SameSite, the language one too, and
    upgrade-insecure-requests in the CSP."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from tests.test_produccion_segura import _entorno_produccion

    sonda = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
estaticos = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=estaticos):
    c = Client(HTTP_HOST="reinsercion.example.ec")
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True, headers={"x-forwarded-proto": "https"})
    galleta = r.cookies[settings.LANGUAGE_COOKIE_NAME]
    p = c.get("/privacidad/", secure=True, headers={"x-forwarded-proto": "https"})
print(json.dumps({"idioma": {"secure": galleta["secure"], "samesite": galleta["samesite"], "httponly": galleta["httponly"]},
                  "csrf": [settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_SAMESITE],
                  "sesion": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_SAMESITE],
                  "csp": p["Content-Security-Policy"], "estado": p.status_code}))
"""
    raiz = Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, "-c", sonda], cwd=raiz, env=_entorno_produccion(tmp_path),
                       capture_output=True, text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    datos = json.loads(r.stdout.strip().splitlines()[-1])
    assert datos["idioma"]["secure"] is True and datos["idioma"]["samesite"] == "Lax"
    assert datos["csrf"] == [True, "Lax"] and datos["sesion"] == [True, "Lax"]
    assert "upgrade-insecure-requests" in datos["csp"] and datos["estado"] == 200


# --- point 4: the window clerk of another office ------------------------------------------------


@pytest.mark.django_db
def test_la_ventanilla_de_otra_oficina_conserva_solo_el_recibo(personal):
    clerk = personal["ventanilla.pichincha"]
    tramite = crear_tramite(provincia="09", enrutar=False)
    Tramite.objects.filter(pk=tramite.pk).update(registrado_por=clerk, canal=Tramite.Canal.PRESENCIAL)
    c = cliente(clerk)
    caso = f"/personal/tramites/{tramite.referencia}/"
    # Before routing the clerk still reaches it (to register a correction handed in at the window).
    assert c.get(caso).status_code == 200
    from tramites.tramitacion import enrutamiento

    enrutamiento.tramite_enrutar(tramite_id=tramite.pk)
    tramite.refresh_from_db()
    assert tramite.oficina.codigo == "guayas"
    adjunto = tramite.adjuntos.first()
    for ruta in (caso, f"{caso}adjuntos/{adjunto.pk}/", f"{caso}resolucion/", f"{caso}evaluacion/"):
        assert c.get(ruta).status_code == 404, ruta
    recibo = c.get(f"{caso}recibo/")
    assert recibo.status_code == 200 and tramite.referencia in recibo.content.decode()
    assert f'href="{caso}"' not in recibo.content.decode()
    assert c.get(f"{caso}comprobante.pdf").status_code == 200
    # The office the case belongs to still sees it.
    assert cliente(personal["ventanilla.guayas"]).get(caso).status_code == 200


# --- point 7: database outage and full disk -------------------------------------------------------


def _sin_archivos(raiz) -> list:
    return [p for p in raiz.rglob("*") if p.is_file()] if raiz.exists() else []


@pytest.mark.django_db
def test_base_de_datos_caida_da_503_en_castellano_sin_nada_a_medias(oficinas, settings, monkeypatch):
    settings.RATELIMIT_ENABLE = False
    from tramites.solicitud import services as solicitud

    def caida(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(solicitud, "_tramite_crear", caida)
    c = Client(raise_request_exception=False)
    r = c.post("/solicitud/", _formulario())
    assert r.status_code == 503
    html = r.content.decode()
    assert "Servicio no disponible, intente en un momento" in html and r["Retry-After"] == "30"
    assert not Tramite.objects.exists() and not Adjunto.objects.exists()
    assert _sin_archivos(settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.django_db
def test_disco_lleno_da_503_y_no_deja_archivos_a_medias(oficinas, settings, monkeypatch, tmp_path):
    """The second attachment hits a full disk after part of it was written: 503, no case, no file."""
    settings.RATELIMIT_ENABLE = False
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tramites.services.AlmacenPrivado",
                         "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None}}}  # fmt: skip
    escritos = []
    real = os.fdopen

    class Lleno:
        def __init__(self, f):
            self.f = f

        def write(self, datos):
            escritos.append(len(datos))
            if len(escritos) > 1:  # the first file goes in whole; the second finds the disk full
                self.f.write(datos[:100])
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(datos)

        def close(self):
            self.f.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, modo="r", *a, **k: Lleno(real(fd, modo, *a, **k)))
    c = Client(raise_request_exception=False)
    r = c.post("/solicitud/", _formulario())
    monkeypatch.undo()
    assert r.status_code == 503 and "Servicio no disponible" in r.content.decode()
    assert len(escritos) >= 2
    assert not Tramite.objects.exists() and not Adjunto.objects.exists()
    assert _sin_archivos(settings.PRIVATE_MEDIA_ROOT) == []


@pytest.mark.django_db
def test_la_queja_con_la_base_caida_tambien_da_503(oficinas, monkeypatch):
    from tramites.quejas import views_publico

    def caida(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views_publico, "render", caida)
    r = Client(raise_request_exception=False).get("/quejas/nueva/")
    assert r.status_code == 503 and not Queja.objects.exists()


@pytest.mark.django_db
def test_la_limpieza_periodica_borra_lo_que_deja_un_worker_matado(personal, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "subidas"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    tramite = crear_tramite()
    # What a worker killed between writing a file and committing leaves: a file no row names, and
    # the temporary file of an upload in progress.
    suelto = default_storage.save("adjuntos/2026/11/suelto.pdf", ContentFile(b"%PDF-1.4 a medias"))
    temporal = settings.FILE_UPLOAD_TEMP_DIR / "tmpabc.upload.jpg"
    temporal.write_bytes(b"\xff\xd8 a medias")
    # Recent files are left alone (a request may still be writing them).
    assert services.archivos_huerfanos_purgar() == 0
    viejo = time.time() - 2 * 3600
    os.utime(default_storage.path(suelto), (viejo, viejo))
    os.utime(temporal, (viejo, viejo))
    for a in tramite.adjuntos.all():  # the case's own files are old too, and must stay
        os.utime(a.archivo.path, (viejo, viejo))
    assert services.archivos_huerfanos_purgar() == 2
    assert not default_storage.exists(suelto) and not temporal.exists()
    assert all(default_storage.exists(a.archivo.name) for a in tramite.adjuntos.all())
    assert services.archivos_huerfanos_purgar(antes_de=timezone.now()) == 0
    from django.conf import settings as ajustes

    assert ajustes.CELERY_BEAT_SCHEDULE["purgar-archivos-huerfanos"]["task"] == "tramites.tasks.purgar_archivos_huerfanos"
