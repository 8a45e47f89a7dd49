"""An analyst's day in Chromium: 20 clean cases, each opened from the queue, checked and sent to evaluation.

Run: `.venv/bin/python -m bench.analista [--casos 20] [--sqlite] [--mostrar]`

By default on PostgreSQL (its own database `reinsercion_bench_analista` on BENCH_PG, default
postgres://postgres@127.0.0.1:5432, created and migrated by the script); `--sqlite` uses a throw-away
SQLite file instead (quicker to try, not the figure the target is for). The script:

1. prepares the database: migrations, the demo staff, and `--casos` clean cases made through the
   intake service with real files (an ID photo and a signed request letter, generated with
   Pillow/reportlab), routed to analista.pichincha's office (state ASIGNADO, in "Mis trámites");
2. serves the application with gunicorn (4 workers as in docker-compose, DEBUG off, over HTTP);
3. drives Debian's Chromium through Playwright, as analista.pichincha: the inbox opens on "Mis
   trámites"; the first case is opened from the queue, and after each sending the case page's
   "siguiente trámite" link opens the next one. On each case page the analyst looks at every
   document in the viewer, ticks the checklist (each tick saved in the background) and presses
   "Enviar a evaluación".

It counts, per case, the page loads (main-frame navigations; a POST and its redirect are one) and the
clicks, and records each page's time from the start of its navigation to DOMContentLoaded
(redirect and server time included), as the browser's Navigation Timing reports it.
Targets: at most 3 page loads and 6 clicks per clean case, p95 page time <= 300 ms on PostgreSQL.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
BASE_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BD = "reinsercion_bench_analista"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OBJETIVO_CARGAS = 3
OBJETIVO_CLICS = 6
OBJETIVO_P95_MS = 300.0
USUARIO = "analista.pichincha"


def _entorno(database_url: str, almacen: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "reinsercion.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "solo-para-el-benchmark-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "STORAGE_DIR": almacen,
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "REQUIRE_TOTP": "false",
        "RATELIMIT_ENABLE": "false",
        "EMAIL_URL": "dummymail://",
    }


def crear_bd() -> None:
    import psycopg

    with psycopg.connect(f"{BASE_PG}/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BD]).fetchone():
            con.execute(f'CREATE DATABASE "{BD}"')


def preparar(casos: int) -> None:
    """In a child process: migrate, demo staff, and exactly `casos` clean cases in the analyst's queue."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tests.personal_ayudas import crear_tramite
    from tramites.models import Tramite

    call_command("migrate", verbosity=0)
    call_command("cargar_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    analista = get_user_model().objects.get(username=USUARIO)
    # Only this benchmark's cases: the queue is exactly the cases made here.
    Tramite.objects.all().delete()
    for i in range(casos):
        tramite = crear_tramite(nombres="María José", apellidos=f"Morán Quishpe {i + 1}")
        assert tramite.analista_id == analista.pk and tramite.estado == "ASIGNADO", (tramite, tramite.estado)


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _esperar(url: str, segundos: float = 30) -> None:
    import urllib.request

    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        try:
            with urllib.request.urlopen(url, timeout=2):  # nosec B310 - our own local server
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"el servidor no respondió en {url}")


def _p95(valores: list[float]) -> float:
    ordenados = sorted(valores)
    return ordenados[max(0, int(round(0.95 * len(ordenados))) - 1)]


def recorrer(base: str, casos: int, mostrar: bool) -> dict:
    from playwright.sync_api import sync_playwright

    cargas: list[int] = []
    clics: list[int] = []
    tiempos: list[float] = []
    guardados: list[int] = []
    respuestas: list[float] = []
    with sync_playwright() as p:
        navegador = p.chromium.launch(
            executable_path=CHROMIUM, headless=not mostrar, args=["--no-sandbox", "--disable-gpu"]
        )
        contexto = navegador.new_context(viewport={"width": 1440, "height": 900}, locale="es-EC")
        pagina = contexto.new_page()
        pagina.set_default_timeout(20_000)
        estado = {"cargas": 0, "guardados": 0}

        def navegado(frame):
            if frame == pagina.main_frame:
                estado["cargas"] += 1

        def respuesta(r):
            if r.request.method == "POST" and r.url.endswith("/revision/") and r.ok:
                estado["guardados"] += 1

        def tiempo_de_pagina() -> float:
            pagina.wait_for_load_state("domcontentloaded")
            dcl, respuesta = pagina.evaluate(
                "() => { const n = performance.getEntriesByType('navigation')[0];"
                " return [n.domContentLoadedEventEnd - n.startTime, n.responseStart - n.startTime]; }"
            )
            respuestas.append(respuesta)
            return dcl

        # Log in (not counted: once a day).
        pagina.goto(f"{base}/personal/login/")
        pagina.fill("#id_username", USUARIO)
        pagina.fill("#id_password", "Demo-Reinsercion-2026")
        with pagina.expect_navigation():
            pagina.click("main button[type=submit]")
        pagina.goto(f"{base}/personal/")
        assert pagina.locator("a[data-abrir]").count() >= casos, "la cola no tiene los casos preparados"
        pagina.on("framenavigated", navegado)
        pagina.on("response", respuesta)

        for i in range(casos):
            estado["cargas"], estado["guardados"] = 0, 0
            n_clics = 0
            # 1. Open: from the queue for the first case, then "siguiente trámite".
            enlace = pagina.locator("a[data-abrir]").first if i == 0 else pagina.locator("a[data-siguiente]")
            with pagina.expect_navigation():
                enlace.click()
            n_clics += 1
            tiempos.append(tiempo_de_pagina())
            # 2. Check: every document in the viewer (the first one is already shown).
            documentos = pagina.locator("a[data-visor-url]")
            for d in range(documentos.count()):
                if documentos.nth(d).get_attribute("aria-current") != "true":
                    documentos.nth(d).click()
                    n_clics += 1
                    pagina.wait_for_selector(".visor-marco, .visor-imagen")
            for casilla in pagina.locator("[data-checklist] input[type=checkbox]").all():
                if not casilla.is_checked():
                    casilla.click()
                    n_clics += 1
            if pagina.locator("[data-checklist] input[type=radio]:checked").count() == 0:
                pagina.locator("[data-checklist] input[type=radio][value=manuscrita]").click()
                n_clics += 1
            # The last tick's save has left (it is debounced); sending carries the ticks anyway.
            pagina.wait_for_timeout(250)
            # 3. Send to evaluation.
            with pagina.expect_navigation():
                pagina.locator("button[data-accion=enviar_evaluacion]").click()
            n_clics += 1
            tiempos.append(tiempo_de_pagina())
            texto = pagina.locator("main").inner_text()
            assert "se envió a evaluación" in texto, texto[:500]
            cargas.append(estado["cargas"])
            clics.append(n_clics)
            guardados.append(estado["guardados"])
        navegador.close()
    return {"cargas": cargas, "clics": clics, "tiempos": tiempos, "guardados": guardados, "respuestas": respuestas}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--casos", type=int, default=20)
    parser.add_argument("--sqlite", action="store_true", help="una base SQLite temporal en vez de PostgreSQL")
    parser.add_argument("--mostrar", action="store_true", help="Chromium con ventana")
    parser.add_argument("--preparar", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.preparar:
        preparar(args.casos)
        return 0
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        print(f"No está Chromium en {CHROMIUM} (apt-get install chromium).")
        return 2

    almacen = tempfile.mkdtemp(prefix="bench-analista-")
    if args.sqlite:
        database_url = f"sqlite:///{almacen}/bench.sqlite3"
    else:
        crear_bd()
        database_url = f"{BASE_PG}/{BD}"
    entorno = _entorno(database_url, almacen)
    print(f"== preparando {args.casos} trámites limpios ({'SQLite' if args.sqlite else 'PostgreSQL'})", flush=True)
    subprocess.run(
        [sys.executable, "-m", "bench.analista", "--preparar", "--casos", str(args.casos)],
        cwd=RAIZ, env=entorno, check=True,
    )  # fmt: skip
    puerto = _puerto_libre()
    servidor = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "reinsercion.wsgi", "-w", "4",
         "-b", f"127.0.0.1:{puerto}", "--log-level", "warning"],  # 4 workers, as docker-compose
        cwd=RAIZ, env=entorno,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{puerto}"
        _esperar(f"{base}/personal/login/")
        r = recorrer(base, args.casos, args.mostrar)
    finally:
        servidor.terminate()
        servidor.wait(timeout=20)
        shutil.rmtree(almacen, ignore_errors=True)

    cargas, clics, tiempos = r["cargas"], r["clics"], r["tiempos"]
    p95 = _p95(tiempos)
    print(json.dumps({"cargas_por_caso": cargas, "clics_por_caso": clics, "guardados_por_caso": r["guardados"]}))
    print(f"Trámites: {len(cargas)}")
    print(f"Cargas de página por trámite: máx {max(cargas)}, media {statistics.mean(cargas):.1f} "
          f"(objetivo <= {OBJETIVO_CARGAS})")  # fmt: skip
    print(f"Clics por trámite: máx {max(clics)}, media {statistics.mean(clics):.1f} (objetivo <= {OBJETIVO_CLICS})")
    print(f"Tiempo de página (inicio de la navegación a DOMContentLoaded): p50 {statistics.median(tiempos):.0f} ms, "
          f"p95 {p95:.0f} ms, máx {max(tiempos):.0f} ms sobre {len(tiempos)} páginas "
          f"(objetivo p95 <= {OBJETIVO_P95_MS:.0f} ms en PostgreSQL)")  # fmt: skip
    respuestas = r["respuestas"]
    print(f"Hasta el primer byte de la respuesta (servidor y redirección): p50 {statistics.median(respuestas):.0f} ms, "
          f"p95 {_p95(respuestas):.0f} ms")  # fmt: skip
    carga = os.getloadavg()[0]
    print(f"Carga media de la máquina durante la medida: {carga:.1f} ({os.cpu_count()} núcleos)")
    ok = max(cargas) <= OBJETIVO_CARGAS and max(clics) <= OBJETIVO_CLICS and p95 <= OBJETIVO_P95_MS
    print("Resultado:", "OK" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
