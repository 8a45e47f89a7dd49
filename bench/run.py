"""`make bench`: the quick micro-benchmarks, then the load with faults (bench.carga), bounded in time.

Run: `make bench` or `.venv/bin/python -m bench.run [--completo] [--solo carga|micro] [--segundos 90]`.
Each benchmark runs as its own process (each sets up Django against its own database) with a time
limit; its output is shown as it comes and its last lines are summarised at the end. Without
--completo the million-case benchmarks (bench.bandeja, bench.transparencia) and the full-size routing
benchmark are skipped: they take many minutes. Exit status 0 only if every benchmark passed.
PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (bench.solicitudes, bench.enrutamiento)
must be running; bench.carga starts its own Redis on port 6390.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent

# (module, arguments, time limit in seconds)
MICRO = [
    ("bench.validate_jpeg", ["--runs", "20"], 300),
    ("bench.firma", ["--runs", "10"], 300),
    ("bench.resolucion", ["--runs", "10"], 300),
    ("bench.solicitudes", ["--seconds", "10", "--clients", "4"], 600),
    ("bench.enrutamiento", ["--casos", "1000", "--fondo", "2000"], 600),
    ("bench.lento", [], 300),
]
COMPLETO = [
    ("bench.enrutamiento", [], 1800),
    ("bench.bandeja", [], 3600),
    ("bench.transparencia", [], 3600),
]


def ejecutar(modulo: str, argumentos: list[str], limite: float) -> tuple[int, list[str], float]:
    """Run one benchmark, echoing its output; SIGTERM at the time limit (SIGKILL 60 s later)."""
    print(f"\n=== {modulo} {' '.join(argumentos)}", flush=True)
    inicio = time.monotonic()
    proceso = subprocess.Popen(
        [sys.executable, "-u", "-m", modulo, *argumentos],
        cwd=RAIZ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # Ctrl-C is passed on below, once, as SIGTERM, so its cleanup runs
    )
    lineas: list[str] = []
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(proceso.stdout, selectors.EVENT_READ)
    terminado = None
    try:
        while True:
            if time.monotonic() - inicio > limite and terminado is None:
                print(f"--- {modulo}: límite de {limite:.0f} s alcanzado, se detiene", flush=True)
                os.killpg(proceso.pid, signal.SIGTERM)
                terminado = time.monotonic()
            if terminado is not None and time.monotonic() - terminado > 60:
                os.killpg(proceso.pid, signal.SIGKILL)
                break
            if sel.select(timeout=1):
                linea = proceso.stdout.readline()
                if not linea:
                    break
                print(linea, end="", flush=True)
                lineas.append(linea.rstrip())
            elif proceso.poll() is not None:
                break
    except KeyboardInterrupt:
        print(f"\n--- interrumpido: se pide a {modulo} que pare y limpie…", flush=True)
        try:
            os.killpg(proceso.pid, signal.SIGTERM)
            proceso.wait(120)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proceso.pid, signal.SIGKILL)
        raise
    finally:
        sel.close()
    rc = proceso.wait(70)
    if terminado is not None and rc == 0:
        rc = 124
    return rc, lineas, time.monotonic() - inicio


def _cifras(modulo: str, lineas: list[str]) -> list[str]:
    """The lines worth repeating in the summary: figures against their targets, and the verdict."""
    if modulo == "bench.carga":
        claves = r"envíos|fallos|Redis|SIGKILL|terminó solo|memoria|enrutad|carga media|RESULTADO"
        return [linea for linea in lineas if re.search(claves, linea)][-14:]
    cifras = [linea for linea in lineas if re.search(r"target|objetivo|/s\b|trámites/s", linea)]
    return cifras[-6:] or lineas[-4:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--completo", action="store_true", help="also the million-case benchmarks (long)")
    parser.add_argument("--solo", choices=["micro", "carga"], help="only one of the two parts")
    parser.add_argument("--segundos", type=float, default=90, help="duration of the load in bench.carga")
    parser.add_argument("--clientes", type=int, default=200, help="concurrent citizens in bench.carga")
    parser.add_argument(
        "--limites", action="store_true", help="bench.carga with the rate limits on (their cache is in Redis)"
    )
    args = parser.parse_args(argv)

    plan = []
    if args.solo != "carga":
        plan += [m for m in MICRO if not (args.completo and m[0] == "bench.enrutamiento")]
        if args.completo:
            plan += COMPLETO
    if args.solo != "micro":
        carga = ["--segundos", str(args.segundos), "--clientes", str(args.clientes)]
        carga += ["--limites"] * args.limites
        plan.append(("bench.carga", carga, args.segundos + 900))

    # Ctrl-C (even when started from a shell that ignores it in background jobs) and SIGTERM stop the
    # current benchmark cleanly: it gets SIGTERM and stops whatever it started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"máquina: {os.cpu_count()} CPU, carga media {os.getloadavg()}", flush=True)
    resumen = []
    try:
        for modulo, argumentos, limite in plan:
            rc, lineas, duracion = ejecutar(modulo, argumentos, limite)
            resumen.append((modulo, rc, duracion, _cifras(modulo, lineas)))
    except KeyboardInterrupt:
        print("\nbench interrumpido", flush=True)
        return 130
    print("\n=== resumen")
    for modulo, rc, duracion, lineas in resumen:
        print(f"{modulo}: {'OK' if rc == 0 else f'FALLA (código {rc})'} en {duracion:.0f} s")
        for linea in lineas:
            print(f"    {linea}")
    return 0 if all(rc == 0 for _, rc, _, _ in resumen) else 1


if __name__ == "__main__":
    sys.exit(main())
