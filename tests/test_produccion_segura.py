"""Production refuses to be unsafe (issue 14, points 2 and 3): `cargar_demo` refuses DJANGO_ENV=production,
`check --deploy` fails without encryption keys, with a missing or demo signing certificate, or with an
account that still has the demo password; the headers and cookies of production; no Server banner."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tramites import firma
from tramites.acceso import checks as comprobaciones
from tramites.management import demo

RAIZ = Path(__file__).resolve().parent.parent


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
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="reinsercion.settings",
    )
    entorno.update(extra)
    return entorno


def _p12_institucional(carpeta: Path) -> Path:
    """A signing certificate that is not the demo one (another organization, another CA)."""
    ca, clave, cert = firma.build_certificate_pair(
        signer_cn="Director de Riesgos del Trabajo", ca_cn="CA institucional de pruebas", organization="IESS"
    )
    ruta = carpeta / "firma.p12"
    ruta.write_bytes(firma.p12_bytes(clave, cert, ca, password=b"clave-p12"))
    return ruta


def test_cargar_demo_se_niega_en_produccion(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="producción"):
        call_command("cargar_demo")


def _ids(mensajes) -> set[str]:
    return {m.id for m in mensajes}


@pytest.mark.django_db
def test_las_comprobaciones_de_produccion(settings, tmp_path):
    settings.PRODUCTION = True
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.SIGNING_P12_PATH = ""
    assert {"tramites.E101", "tramites.E102"} <= _ids(comprobaciones.produccion_segura())
    settings.FIELD_ENCRYPTION_KEYS = ["no-es-una-clave-fernet"]
    assert "tramites.E101" in _ids(comprobaciones.produccion_segura())
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    # The demo certificate, named explicitly, is refused too.
    settings.SIGNING_P12_PATH = str(firma.ensure_demo_certificate())
    settings.SIGNING_P12_PASSWORD = firma.DEMO_P12_PASSWORD
    assert _ids(comprobaciones.produccion_segura()) == {"tramites.E102"}
    settings.SIGNING_P12_PATH = str(_p12_institucional(tmp_path))
    settings.SIGNING_P12_PASSWORD = "clave-p12"
    assert comprobaciones.produccion_segura() == []
    # An account with the published demo password.
    demo.cargar_usuarios()
    mensajes = comprobaciones.produccion_segura()
    assert _ids(mensajes) == {"tramites.E103"} and "analista.pichincha" in mensajes[0].msg
    from django.contrib.auth import get_user_model

    for u in get_user_model().objects.all():
        u.set_password("Otra-Clave-Distinta-2026")
        u.save()
    assert comprobaciones.produccion_segura() == []
    settings.PRODUCTION = False
    settings.FIELD_ENCRYPTION_KEYS = []
    assert comprobaciones.produccion_segura() == []


def test_check_deploy_de_verdad(tmp_path):
    """`manage.py check --deploy` in a production process: passes configured, fails with the demo password."""
    p12 = _p12_institucional(tmp_path)
    entorno = _entorno_produccion(tmp_path, SIGNING_P12_PATH=str(p12), SIGNING_P12_PASSWORD="clave-p12")

    def manage(*args, env=entorno):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=RAIZ, env=env, capture_output=True,
                              text=True, timeout=180)  # fmt: skip

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    r = manage("check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0 and "no issues" in r.stdout, r.stdout + r.stderr
    # cargar_demo refuses production and leaves no demo account.
    r = manage("cargar_demo")
    assert r.returncode != 0 and "producción" in r.stderr
    # The demo accounts made in development on the same database are caught by the production check.
    desarrollo = {**entorno, "DJANGO_ENV": "development", "DJANGO_DEBUG": "false"}
    assert manage("cargar_demo", env=desarrollo).returncode == 0
    r = manage("check", "--deploy")
    assert r.returncode != 0 and "tramites.E103" in r.stdout + r.stderr
    sin_p12 = {**entorno, "SIGNING_P12_PATH": "", "FIELD_ENCRYPTION_KEYS": ""}
    r = manage("check", "--deploy", env=sin_p12)
    assert "tramites.E101" in r.stdout + r.stderr and "tramites.E102" in r.stdout + r.stderr


# --- headers and cookies --------------------------------------------------------------------------


def test_gunicorn_no_envia_server(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        puerto = s.getsockname()[1]
    entorno = _entorno_produccion(tmp_path, DJANGO_ENV="development", DJANGO_DEBUG="false", ALLOWED_HOSTS="127.0.0.1")
    p = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "reinsercion.wsgi:application",
                          "--bind", f"127.0.0.1:{puerto}", "--workers", "1"], cwd=RAIZ, env=entorno,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        cabeceras = None
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", puerto, timeout=5)
                c.request("GET", "/privacidad/")
                r = c.getresponse()
                r.read()
                cabeceras = {k.lower(): v for k, v in r.getheaders()}
                break
            except OSError:
                time.sleep(0.2)
        assert cabeceras is not None, "gunicorn no respondió"
        assert "server" not in cabeceras
        assert cabeceras["x-content-type-options"] == "nosniff"
    finally:
        p.terminate()
        p.wait(20)
