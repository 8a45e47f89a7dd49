"""`make lighthouse`: Lighthouse (npm, pinned in package.json) on the public pages, mobile and desktop,
against gunicorn under production settings (DEBUG off, hashed and compressed static files, the CSP).

Run: `make lighthouse` or `.venv/bin/python -m bench.lighthouse [--minimo 95] [--paginas / /consulta/]`.
Uses Debian's chromium (CHROME_PATH, default /usr/bin/chromium) and its own throw-away database and
storage in a temporary folder, filled with the demo data as `make run` does. Prints one table (page ×
form factor × category) and keeps the JSON reports in `lighthouse/`. Exit status 0 only if every
score is at least --minimo. Only HTTPS-related settings are relaxed (the server is plain HTTP on
127.0.0.1, which browsers treat as a secure context).
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LIGHTHOUSE = RAIZ / "node_modules" / ".bin" / "lighthouse"
INFORMES = RAIZ / "lighthouse"
PAGINAS = ["/", "/solicitud/", "/consulta/", "/verificar/", "/quejas/nueva/", "/transparencia/", "/privacidad/"]
CATEGORIAS = ["performance", "accessibility", "best-practices", "seo"]
# The flags of the browser tests (tests/browser/conftest.py), headless.
FLAGS_CHROMIUM = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def entorno(carpeta: Path, puerto: int, *, produccion: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))}
    env.update(
        STORAGE_DIR=str(carpeta),
        DATABASE_URL=f"sqlite:///{carpeta / 'db.sqlite3'}",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{puerto}",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REQUIRE_SERVICES", None)
    if produccion:
        env.update(
            DJANGO_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            FIELD_ENCRYPTION_KEYS=os.environ.get("FIELD_ENCRYPTION_KEYS", "")
            or "ZmFrZS1rZXktZm9yLWxpZ2h0aG91c2Utb25seS0xMjM0NTY=",
            LOG_LEVEL="WARNING",
        )
    return env


def preparar(carpeta: Path, puerto: int) -> None:
    """Schema and demo data (development settings, as `make run`), then the production static files."""
    dev = entorno(carpeta, puerto, produccion=False)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=RAIZ, env=dev, check=True)
    subprocess.run([PYTHON, "manage.py", "cargar_demo"], cwd=RAIZ, env=dev, check=True, stdout=subprocess.DEVNULL)
    prod = entorno(carpeta, puerto, produccion=True)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=RAIZ, env=prod, check=True)


def esperar(url: str, limite: float = 60) -> None:
    fin = time.monotonic() + limite
    while time.monotonic() < fin:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # nosec B310 - our own local server
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"el servidor no respondió en {url}")


def medir(url: str, factor: str, salida: Path) -> dict:
    orden = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={salida}",
        f"--only-categories={','.join(CATEGORIAS)}",
        f"--chrome-flags={' '.join(FLAGS_CHROMIUM)}",
        "--max-wait-for-load=30000",
    ]
    if factor == "desktop":
        orden.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    # Lighthouse sometimes loses the trace of a load (NO_NAVSTART) on a busy machine: try again.
    for intento in range(3):
        if subprocess.run(orden, cwd=RAIZ, env=env, timeout=300).returncode == 0:
            break
        print(f"  Lighthouse falló en {url} ({factor}), intento {intento + 1} de 3", flush=True)
    else:
        raise SystemExit(f"Lighthouse no pudo medir {url} ({factor})")
    informe = json.loads(salida.read_text())
    return {c: round((informe["categories"][c]["score"] or 0) * 100) for c in CATEGORIAS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minimo", type=int, default=95)
    parser.add_argument("--paginas", nargs="*", default=PAGINAS)
    parser.add_argument("--factores", nargs="*", default=["mobile", "desktop"])
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("falta Lighthouse: npm ci (package.json lo fija)")
    INFORMES.mkdir(exist_ok=True)
    puerto = puerto_libre()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        carpeta = Path(tmp)
        preparar(carpeta, puerto)
        servidor = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "reinsercion.wsgi:application", "--bind", f"127.0.0.1:{puerto}", "--workers", "2"],
            cwd=RAIZ,
            env=entorno(carpeta, puerto, produccion=True),
        )
        filas, fallos = [], []
        try:
            base = f"http://127.0.0.1:{puerto}"
            esperar(base + "/")
            for pagina in args.paginas:
                for factor in args.factores:
                    nombre = (pagina.strip("/").replace("/", "-") or "inicio") + f"-{factor}.json"
                    puntos = medir(base + pagina, factor, INFORMES / nombre)
                    filas.append((pagina, factor, puntos))
                    print(f"{pagina:<18} {factor:<8} " + "  ".join(f"{c} {puntos[c]}" for c in CATEGORIAS), flush=True)
                    fallos += [(pagina, factor, c, puntos[c]) for c in CATEGORIAS if puntos[c] < args.minimo]
        finally:
            servidor.terminate()
            servidor.wait(timeout=30)
    print("\n| page | form factor | " + " | ".join(CATEGORIAS) + " |")
    print("|---|---|" + "---|" * len(CATEGORIAS))
    for pagina, factor, puntos in filas:
        print(f"| `{pagina}` | {factor} | " + " | ".join(str(puntos[c]) for c in CATEGORIAS) + " |")
    if fallos:
        print(f"\nBajo {args.minimo}: " + "; ".join(f"{p} {f} {c} {n}" for p, f, c, n in fallos))
        return 1
    print(f"\nTodas las puntuaciones ≥ {args.minimo}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
