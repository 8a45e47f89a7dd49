"""Shared fixtures: isolated file storage, demo offices and users, real generated files."""
import pytest
from django.core import mail  # noqa: F401

from tramites.management import demo


@pytest.fixture(autouse=True)
def _almacenamiento_temporal(settings, tmp_path):
    """Every test writes its files into its own folder and runs Celery tasks in-process."""
    settings.STORAGE_DIR = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "privado"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "privado"), "base_url": None},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATELIMIT_ENABLE = True
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def oficinas(db):
    return demo.cargar_oficinas()


@pytest.fixture
def personal(db):
    """Demo staff of Pichincha and Guayas, and the national supervisor (see tramites.management.demo)."""
    from django.contrib.auth.models import Group

    from tramites.roles import Rol

    # A transactional test ends with a flush that also empties the groups migration 0002 made.
    for rol in Rol:
        Group.objects.get_or_create(name=rol.value)
    demo.cargar_usuarios()
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.all()}


def archivos_en_disco(raiz) -> list:
    return [p for p in raiz.rglob("*") if p.is_file()]


@pytest.fixture(autouse=True)
def _celery_en_proceso(request):
    """Ordinary tests run tasks in-process; tests marked `services` talk to a real broker and worker."""
    from reinsercion.celery import app

    anterior = app.conf.task_always_eager
    app.conf.task_always_eager = "services" not in request.keywords
    yield
    app.conf.task_always_eager = anterior


# --- CI's second run: browser and service tests must run, a skip there is a failure ----------------

_SALTADOS_OBLIGATORIOS: list[str] = []


def pytest_runtest_logreport(report):
    import os

    if os.environ.get("REQUIRE_SERVICES") != "1" or not report.skipped:
        return
    if "browser" in report.keywords or "services" in report.keywords:
        _SALTADOS_OBLIGATORIOS.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _SALTADOS_OBLIGATORIOS:
        print("\nREQUIRE_SERVICES=1: these browser/service tests were skipped, which counts as a failure:")
        for nodeid in _SALTADOS_OBLIGATORIOS:
            print("  " + nodeid)
        session.exitstatus = 1


# --- a demo signing certificate made once per session (issue 4 tests) -----------------------------


@pytest.fixture(scope="session")
def _par_demo(tmp_path_factory):
    """One demo CA + signer for the whole session: generating RSA keys in every test is slow."""
    from cryptography.hazmat.primitives import serialization

    from tramites import firma

    carpeta = tmp_path_factory.mktemp("certificados")
    ca, clave, cert = firma.build_certificate_pair()
    (carpeta / firma.DEMO_CA_NAME).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    p12 = firma.p12_bytes(clave, cert, ca, firma.DEMO_P12_PASSWORD.encode())
    (carpeta / firma.DEMO_P12_NAME).write_bytes(p12)
    return carpeta


@pytest.fixture
def certificado_demo(_par_demo, settings):
    """The test's STORAGE_DIR gets the session's demo certificate, as `make run` would have made it."""
    import shutil

    from tramites import firma

    destino = settings.STORAGE_DIR / firma.DEMO_DIR
    if not destino.exists():
        shutil.copytree(_par_demo, destino)
    return destino
