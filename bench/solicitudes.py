"""Throughput of the full online submission against a baseline that only stores the two files.

Run: `.venv/bin/python -m bench.solicitudes [--seconds 20] [--clients 8]` (PostgreSQL and Redis on
127.0.0.1 must be running). It starts gunicorn with 2 workers on 127.0.0.1 with production-like
settings (PostgreSQL database `reinsercion_bench_solicitud`, Redis broker: routing is queued, not run
inside the request), then, in the same run, drives two endpoints from this process with the same
two attachments of about 900 KB each:
  - /solicitud/            the full validated submission (validation, storage, case, history, e-mail row);
  - /__bench__/almacenar/  a baseline view that only stores the two files (enabled by BENCHMARK_VIEWS=1).
Target: the full submission reaches at least half of the baseline's throughput. Traffic goes to
127.0.0.1 only and every loop is bounded in time.
"""

import argparse
import http.client
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
PUERTO = 8765
BASE_DATOS = "reinsercion_bench_solicitud"


def _archivos() -> tuple[bytes, bytes]:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from tests import files

    jpeg = files.jpeg_900kb()
    # A scanned letter: one A4 page holding a photo of about 900 KB (reportlab embeds the JPEG as is).
    salida = io.BytesIO()
    lienzo = canvas.Canvas(salida, pagesize=A4)
    # reportlab stores images in ASCII85 (+25 %): a 720 KB photo makes a PDF of about 900 KB.
    foto = files.jpeg_cerca_de(720_000)
    lienzo.drawImage(ImageReader(io.BytesIO(foto)), 20, 20, width=A4[0] - 40, height=A4[1] - 40)
    lienzo.showPage()
    lienzo.save()
    return jpeg, salida.getvalue()


def _multipart(campos: dict, archivos: dict) -> tuple[bytes, str]:
    limite = "----bench" + secrets.token_hex(8)
    partes = []
    for k, v in campos.items():
        partes.append(f'--{limite}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (nombre, contenido, tipo) in archivos.items():
        cabecera = (
            f'--{limite}\r\nContent-Disposition: form-data; name="{k}"; filename="{nombre}"\r\n'
            f"Content-Type: {tipo}\r\n\r\n"
        ).encode()
        partes.append(cabecera + contenido + b"\r\n")
    partes.append(f"--{limite}--\r\n".encode())
    return b"".join(partes), f"multipart/form-data; boundary={limite}"


class Cliente:
    """One simulated citizen: gets the form (cookie + CSRF token), then posts."""

    def __init__(self, ruta: str, cuerpo_archivos: dict, campos: dict):
        self.ruta = ruta
        self.archivos = cuerpo_archivos
        self.campos = campos
        self.conexion = http.client.HTTPConnection("127.0.0.1", PUERTO, timeout=30)

    def _csrf(self) -> tuple[str, str]:
        self.conexion.request("GET", "/solicitud/")
        r = self.conexion.getresponse()
        html = r.read().decode()
        cookie = r.getheader("Set-Cookie", "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        galleta = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        return token, galleta

    def enviar(self) -> tuple[int, float]:
        token, galleta = self._csrf()
        cuerpo, tipo = _multipart({**self.campos, "csrfmiddlewaretoken": token}, self.archivos)
        t0 = time.perf_counter()
        self.conexion.request(
            "POST",
            self.ruta,
            body=cuerpo,
            headers={
                "Content-Type": tipo,
                "Cookie": f"csrftoken={galleta}",
                "Referer": f"http://127.0.0.1:{PUERTO}/",
            },
        )
        r = self.conexion.getresponse()
        r.read()
        return r.status, time.perf_counter() - t0


def _carga(ruta: str, segundos: float, clientes: int, archivos: dict, campos: dict) -> dict:
    resultados: list[tuple[int, float]] = []
    candado = threading.Lock()
    fin = time.monotonic() + segundos

    def trabajo():
        c = Cliente(ruta, archivos, campos)
        while time.monotonic() < fin:
            try:
                res = c.enviar()
            except Exception:
                c.conexion.close()
                c = Cliente(ruta, archivos, campos)
                res = (0, 0.0)
            with candado:
                resultados.append(res)

    inicio = time.monotonic()
    hilos = [threading.Thread(target=trabajo) for _ in range(clientes)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(timeout=segundos + 60)
    duracion = time.monotonic() - inicio
    ok = [t for s, t in resultados if s == 302]
    return {
        "ruta": ruta,
        "ok": len(ok),
        "errores": len(resultados) - len(ok),
        "por_segundo": len(ok) / duracion,
        "p50_ms": statistics.median(ok) * 1000 if ok else 0,
        "p95_ms": statistics.quantiles(ok, n=20)[-1] * 1000 if len(ok) >= 20 else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {BASE_DATOS}"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {BASE_DATOS}"],
        check=True,
        capture_output=True,
    )
    almacen = Path("/tmp/bench-solicitud")
    subprocess.run(["rm", "-rf", str(almacen)], check=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reinsercion.settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "bench-" + secrets.token_hex(16),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{BASE_DATOS}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
        "STORAGE_DIR": str(almacen),
        "RATELIMIT_ENABLE": "false",
        "BENCHMARK_VIEWS": "1",
        "LOG_LEVEL": "WARNING",
    }
    py = str(RAIZ / ".venv/bin/python")
    subprocess.run(
        [py, "manage.py", "migrate", "--noinput"], cwd=RAIZ, env=env, check=True, capture_output=True
    )
    subprocess.run([py, "manage.py", "cargar_demo"], cwd=RAIZ, env=env, check=True, capture_output=True)
    subprocess.run(
        [py, "manage.py", "collectstatic", "--noinput"], cwd=RAIZ, env=env, check=True, capture_output=True
    )
    servidor = subprocess.Popen(
        [
            str(RAIZ / ".venv/bin/gunicorn"),
            "reinsercion.wsgi:application",
            "--bind",
            f"127.0.0.1:{PUERTO}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=RAIZ,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PUERTO, timeout=2)
                c.request("GET", "/")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        jpeg, pdf = _archivos()
        archivos = {
            "documento_identidad": ("cedula.jpg", jpeg, "image/jpeg"),
            "solicitud_firmada": ("solicitud.pdf", pdf, "application/pdf"),
        }
        campos = {
            "tipo_identificacion": "cedula",
            "identificacion": "1710034065",
            "nombres": "Ana",
            "apellidos": "Bench",
            "correo": "ana@example.com",
            "telefono": "0991234567",
            "provincia": "17",
            "mensaje": "Prueba de carga",
            "acepta_tratamiento_datos": "on",
        }
        print(
            f"adjuntos: JPEG {len(jpeg):,} bytes, PDF {len(pdf):,} bytes; {args.clients} clientes, {args.seconds:.0f} s"
        )
        # Warm-up, then the baseline and the full submission in the same run.
        _carga("/__bench__/almacenar/", 2, 2, archivos, campos)
        base = _carga("/__bench__/almacenar/", args.seconds, args.clients, archivos, campos)
        completa = _carga("/solicitud/", args.seconds, args.clients, archivos, campos)
        for r in (base, completa):
            print(
                f"{r['ruta']:24} {r['por_segundo']:7.1f}/s  ok={r['ok']} errores={r['errores']}"
                f"  p50={r['p50_ms']:.0f} ms  p95={r['p95_ms']:.0f} ms"
            )
        razon = completa["por_segundo"] / base["por_segundo"] if base["por_segundo"] else 0
        print(f"solicitud completa / línea base = {razon:.2f} (objetivo ≥ 0.50)")
        return 0 if razon >= 0.5 and completa["errores"] == 0 else 1
    finally:
        servidor.send_signal(signal.SIGTERM)
        servidor.wait(timeout=30)
        subprocess.run(["redis-cli", "-n", "9", "FLUSHDB"], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
