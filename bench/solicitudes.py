"""Throughput of the full online submission against a baseline that only stores the two files.

Run: `.venv/bin/python -m bench.solicitudes [--seconds 20] [--clients 6]` (PostgreSQL and Redis on
127.0.0.1 must be running). It starts gunicorn with 2 workers on 127.0.0.1 with production-like
settings (PostgreSQL database `reinsercion_bench_solicitud`, Redis broker: routing is queued, not run
inside the request), then, in the same run, drives two endpoints from this process with the same
two attachments of about 900 KB each:
  - /solicitud/            the full validated submission (validation, storage, case, history, e-mail row),
                           in the citizen's two posts: the form, then "Enviar" on /solicitud/revisar/;
  - /__bench__/almacenar/  a baseline view that only stores the two files (enabled by BENCHMARK_VIEWS=1).

Two readings, each measured in the same run:
  - "solo POST": submissions per second in the strict sense. Each simulated client loads the form
    once (for its CSRF cookie and token) and then only posts: the baseline's cost is receiving and
    storing the files, the full one's adds everything the submission does;
  - "formulario + POST": the citizen's journey, one form page (GET /solicitud/) before every post.
    The page is the same in both phases, so this ratio is closer to 1 than the strict one.
Each reading runs baseline, full, full, baseline (half of --seconds each), so a drift of the machine
during the run weighs on both sides alike. Target: the full submission reaches at least half of the
baseline's throughput; the exit status is 0 only when both readings reach it. Traffic goes to
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

    def __init__(self, ruta: str, cuerpo_archivos: dict, campos: dict, con_formulario: bool = True):
        self.ruta = ruta
        self.archivos = cuerpo_archivos
        self.campos = campos
        self.con_formulario = con_formulario
        self.token: tuple[str, str] | None = None
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
        if self.con_formulario or self.token is None:
            self.token = self._csrf()
        token, galleta = self.token
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
        if r.status == 302 and r.getheader("Location", "").endswith("/solicitud/revisar/"):
            # The citizen's second step: "Enviar la solicitud" on the check-your-answers page.
            sesion = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie", "") or "")
            self.conexion.request(
                "POST",
                "/solicitud/revisar/",
                body=f"csrfmiddlewaretoken={token}".encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={galleta}" + (f"; sessionid={sesion.group(1)}" if sesion else ""),
                    "Referer": f"http://127.0.0.1:{PUERTO}/",
                },
            )
            r = self.conexion.getresponse()
            r.read()
        return r.status, time.perf_counter() - t0


SERVIDOR_PID: int | None = None  # gunicorn's master, set by main()


def _cpu_gunicorn() -> float:
    """CPU seconds (user + system) used so far by gunicorn's workers; 0 when unknown."""
    if SERVIDOR_PID is None:
        return 0.0
    total = 0.0
    for hijo in Path(f"/proc/{SERVIDOR_PID}/task/{SERVIDOR_PID}/children").read_text().split():
        try:
            campos = Path(f"/proc/{hijo}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(campos[11]) + int(campos[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _carga(
    ruta: str, segundos: float, clientes: int, archivos: dict, campos: dict, con_formulario: bool = True
) -> dict:
    resultados: list[tuple[int, float]] = []
    candado = threading.Lock()
    fin = time.monotonic() + segundos

    def trabajo():
        c = Cliente(ruta, archivos, campos, con_formulario)
        while time.monotonic() < fin:
            try:
                res = c.enviar()
            except Exception:
                c.conexion.close()
                c = Cliente(ruta, archivos, campos, con_formulario)
                res = (0, 0.0)
            with candado:
                resultados.append(res)

    inicio, cpu_inicio = time.monotonic(), _cpu_gunicorn()
    hilos = [threading.Thread(target=trabajo) for _ in range(clientes)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(timeout=segundos + 60)
    duracion, cpu = time.monotonic() - inicio, _cpu_gunicorn() - cpu_inicio
    ok = [t for s, t in resultados if s == 302]
    return {"ok": ok, "errores": len(resultados) - len(ok), "duracion": duracion, "cpu": cpu}


def _juntar(ruta: str, tramos: list[dict]) -> dict:
    """Join the stretches of one endpoint (baseline or full) of one reading."""
    ok = [t for tramo in tramos for t in tramo["ok"]]
    duracion = sum(tramo["duracion"] for tramo in tramos)
    return {
        "ruta": ruta,
        "ok": len(ok),
        "errores": sum(tramo["errores"] for tramo in tramos),
        "por_segundo": len(ok) / duracion,
        "cpu_ms": 1000 * sum(tramo["cpu"] for tramo in tramos) / len(ok) if ok else 0,
        "p50_ms": statistics.median(ok) * 1000 if ok else 0,
        "p95_ms": statistics.quantiles(ok, n=20)[-1] * 1000 if len(ok) >= 20 else 0,
    }


def _lectura(segundos: float, clientes: int, archivos: dict, campos: dict, con_formulario: bool):
    """Baseline, full, full, baseline: half of `segundos` each, so drift weighs on both alike."""
    base, completa = [], []
    for ruta, destino in (
        ("/__bench__/almacenar/", base),
        ("/solicitud/", completa),
        ("/solicitud/", completa),
        ("/__bench__/almacenar/", base),
    ):
        destino.append(_carga(ruta, segundos / 2, clientes, archivos, campos, con_formulario))
    return _juntar("/__bench__/almacenar/", base), _juntar("/solicitud/", completa)


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
    global SERVIDOR_PID
    SERVIDOR_PID = servidor.pid
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
        # Warm-up of both endpoints, then each reading in the same run.
        _carga("/__bench__/almacenar/", 2, 2, archivos, campos)
        _carga("/solicitud/", 2, 2, archivos, campos)
        cumplido = True
        for nombre, con_formulario in (("solo POST", False), ("formulario + POST", True)):
            base, completa = _lectura(args.seconds, args.clients, archivos, campos, con_formulario)
            print(f"\n{nombre}:")
            for r in (base, completa):
                print(
                    f"  {r['ruta']:24} {r['por_segundo']:7.1f}/s  ok={r['ok']} errores={r['errores']}"
                    f"  p50={r['p50_ms']:.0f} ms  p95={r['p95_ms']:.0f} ms"
                    f"  CPU de gunicorn {r['cpu_ms']:.1f} ms por envío"
                )
            razon = completa["por_segundo"] / base["por_segundo"] if base["por_segundo"] else 0
            print(f"  solicitud completa / línea base = {razon:.2f} (objetivo ≥ 0.50)")
            cumplido = cumplido and razon >= 0.5 and completa["errores"] == 0
        return 0 if cumplido else 1
    finally:
        servidor.send_signal(signal.SIGTERM)
        servidor.wait(timeout=30)
        subprocess.run(["redis-cli", "-n", "9", "FLUSHDB"], capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
