"""The production stack (issue 6, point 6): docker-compose.yml validates with the compose CLI when one
is installed (`docker compose` or Debian's `docker-compose`; no engine needed), and its shape is
checked with YAML in any case: services, start order, commands, exposed ports, variables, image."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

RAIZ = Path(__file__).resolve().parent.parent
COMPOSE = RAIZ / "docker-compose.yml"
EJEMPLO = RAIZ / ".env.example"
# Read by docker-compose.yml itself, not by Django.
SOLO_COMPOSE = {"POSTGRES_PASSWORD", "WEB_WORKERS", "WORKER_CONCURRENCY", "WEB_PORT"}


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    antiguo = shutil.which("docker-compose")
    return [antiguo] if antiguo else None


def _config(cli: list[str], carpeta: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*cli, "config", *args], cwd=carpeta, capture_output=True, text=True, timeout=60)


@pytest.fixture
def carpeta(tmp_path):
    """docker-compose.yml beside a .env made from .env.example, as an operator would set it up."""
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text(EJEMPLO.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_docker_compose_config_valida(carpeta):
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no hay CLI de compose (ni `docker compose` ni `docker-compose`): solo la revisión YAML")
    r = _config(cli, carpeta, "-q")
    assert r.returncode == 0, r.stderr
    r = _config(cli, carpeta, "--services")
    assert set(r.stdout.split()) == {"db", "redis", "migrate", "web", "nginx", "worker", "beat", "mailpit"}


def test_sin_clave_de_postgres_no_arranca(carpeta):
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no hay CLI de compose")
    env = carpeta / ".env"
    sin_clave = re.sub(r"(?m)^POSTGRES_PASSWORD=.*\n", "", env.read_text(encoding="utf-8"))
    env.write_text(sin_clave, encoding="utf-8")
    r = _config(cli, carpeta, "-q")
    assert r.returncode != 0 and "POSTGRES_PASSWORD" in r.stderr


@pytest.fixture(scope="module")
def stack() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_servicios_y_orden_de_arranque(stack):
    s = stack["services"]
    assert set(s) == {"db", "redis", "migrate", "web", "nginx", "worker", "beat", "mailpit"}
    for nombre in ("web", "worker", "beat"):
        depende = s[nombre]["depends_on"]
        assert depende["db"]["condition"] == "service_healthy"
        assert depende["redis"]["condition"] == "service_healthy"
        assert depende["migrate"]["condition"] == "service_completed_successfully", nombre
        assert s[nombre]["environment"]["DJANGO_ENV"] == "production"
        assert s[nombre]["volumes"] == ["archivos:/data"]
    assert "migrate" not in s["migrate"]["depends_on"]
    assert "healthcheck" in s["db"] and "healthcheck" in s["redis"] and "healthcheck" in s["web"]


def test_comandos(stack):
    s = stack["services"]
    assert "migrate --noinput" in s["migrate"]["command"] and "collectstatic" in s["migrate"]["command"]
    assert s["web"]["command"].startswith("gunicorn reinsercion.wsgi:application")
    assert re.search(r"celery -A reinsercion worker\b", s["worker"]["command"])
    # Beat keeps its schedule on the volume, so a restart does not fire every periodic task again.
    assert re.search(r"celery -A reinsercion beat\b.*--schedule /data/", s["beat"]["command"])
    assert "worker" not in s["beat"]["command"]


def test_puertos_solo_en_la_maquina(stack):
    for nombre, servicio in stack["services"].items():
        for puerto in servicio.get("ports", []):
            assert str(puerto).startswith("127.0.0.1:"), f"{nombre} publica {puerto} hacia afuera"
    assert "ports" not in stack["services"]["db"] and "ports" not in stack["services"]["redis"]


def test_variables_documentadas_y_leidas():
    """Every variable of .env.example and docker-compose.yml is read by the settings (or by compose
    itself) and listed in the README."""
    ajustes = (RAIZ / "reinsercion" / "settings.py").read_text(encoding="utf-8")
    leidas = set(re.findall(r'env\.\w+\("([A-Z0-9_]+)"', ajustes))
    readme = (RAIZ / "README.md").read_text(encoding="utf-8")
    ejemplo = set(re.findall(r"(?m)^([A-Z0-9_]+)=", EJEMPLO.read_text(encoding="utf-8")))
    en_compose = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE.read_text(encoding="utf-8")))
    for variable in sorted(ejemplo | en_compose):
        assert variable in leidas | SOLO_COMPOSE, f"{variable}: nadie la lee"
        assert f"`{variable}`" in readme, f"{variable}: falta en el README"


def test_imagen_sin_root_ni_secretos():
    dockerfile = (RAIZ / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"(?m)^USER app$", dockerfile)
    assert not re.search(r"(?i)(SECRET_KEY|PASSWORD)\s*=", dockerfile)
    ignorados = (RAIZ / ".dockerignore").read_text(encoding="utf-8").split()
    for ruta in (".env", ".venv", ".git", "var"):
        assert ruta in ignorados
    # The system libraries WeasyPrint loads at run time.
    for paquete in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert paquete in dockerfile


def test_tareas_periodicas_existen():
    """beat would queue a name no worker knows: every scheduled task is registered."""
    from django.conf import settings

    from reinsercion.celery import app

    app.loader.import_default_modules()
    for nombre, entrada in settings.CELERY_BEAT_SCHEDULE.items():
        assert entrada["task"] in app.tasks, nombre


def test_nginx_delante_de_gunicorn(stack):
    """Only nginx is published; it buffers bodies, caps them per path and times out slow clients."""
    s = stack["services"]
    assert "ports" not in s["web"]
    nginx = s["nginx"]
    assert nginx["depends_on"]["web"]["condition"] == "service_started"
    assert "./deploy/nginx/reinsercion.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert "./deploy/nginx:/etc/nginx/reinsercion:ro" in nginx["volumes"]
    assert "server web:8000" in (RAIZ / "deploy/nginx/reinsercion.conf").read_text(encoding="utf-8")
    comun = (RAIZ / "deploy/nginx/comun.conf").read_text(encoding="utf-8")
    for directiva in ("proxy_request_buffering on;", "client_body_timeout 15s;", "client_header_timeout 10s;",
                      "proxy_read_timeout 65s;", "server_tokens off;", "client_max_body_size 5m;",
                      "client_max_body_size 26m;", "error_page 502 503 504 /_errores/503.html;"):  # fmt: skip
        assert directiva in comun, directiva
    # The caps sit above Django's own, so Django's pages answer the usual cases.
    from django.conf import settings

    assert settings.REQUEST_MAX_BYTES < 5 * 1_048_576 and settings.STAFF_REQUEST_MAX_BYTES < 26 * 1_048_576
    for pagina in ("503.html", "413.html", "408.html"):
        html = (RAIZ / "deploy/nginx/errores" / pagina).read_text(encoding="utf-8")
        assert '<html lang="es">' in html
    assert "Servicio no disponible, intente en un momento" in (RAIZ / "deploy/nginx/errores/503.html").read_text()


def test_la_configuracion_de_nginx_es_valida(tmp_path):
    """`nginx -t` on the configuration bench/lento.py runs (the very comun.conf of docker-compose)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx no está instalado (apt-get install nginx-light): solo la revisión de texto")
    from bench.lento import _conf_nginx

    conf = _conf_nginx(18_080, 18_081, tmp_path)
    r = subprocess.run([nginx, "-t", "-q", "-c", str(conf)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
