"""Slow request bodies, with and without nginx in front of gunicorn (issue 14, point 5).

Run: `.venv/bin/python -m bench.lento [--segundos 15] [--lentos 2]` (also part of `make bench`).
Needs Debian's nginx (`apt-get install nginx-light`); everything runs on 127.0.0.1 and is stopped at
the end (also on Ctrl-C):
  - gunicorn with the production command line (2 sync workers, --timeout 60) and DJANGO_DEBUG=false,
    on its own SQLite file in /tmp/bench-lento (migrated here);
  - nginx with the very configuration docker-compose uses (deploy/nginx/comun.conf, included in a
    server block on 127.0.0.1; only the upstream address, the temporary folders and the folder of the
    error pages are this machine's).
For each arrangement (gunicorn alone, then nginx → gunicorn), `--lentos` clients open a connection,
announce a 1 MB multipart POST to /solicitud/ (with a CSRF cookie, so Django reads the body) and send one byte every 5 s (an attacker or a very bad
mobile link), while one visitor asks for the home page again and again for `--segundos` seconds.
It prints how many of the visitor's requests were answered, their p50 and maximum latency, and what
the slow clients got. Exit status 0 only if, behind nginx, the visitor was answered throughout
(every request, maximum latency under 1 s).
"""

import argparse
import getpass
import http.client
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
ALMACEN = Path("/tmp/bench-lento")
NGINX_CONF = RAIZ / "deploy" / "nginx" / "comun.conf"
ERRORES = RAIZ / "deploy" / "nginx" / "errores"


def _entorno() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reinsercion.settings",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "bench-lento-" + secrets.token_hex(24),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{ALMACEN / 'db.sqlite3'}",
        "STORAGE_DIR": str(ALMACEN),
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": "memorymail://",
        "LOG_LEVEL": "WARNING",
    }


def _puerto_libre(puerto: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", puerto)) != 0


def _esperar(condicion, segundos: float) -> bool:
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        if condicion():
            return True
        time.sleep(0.2)
    return False


def _get(puerto: int, ruta: str = "/", timeout: float = 5) -> tuple[int | str, float]:
    inicio = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", puerto, timeout=timeout)
        c.request("GET", ruta)
        r = c.getresponse()
        r.read()
        c.close()
        return r.status, time.monotonic() - inicio
    except TimeoutError:
        return "tiempo agotado", time.monotonic() - inicio
    except OSError as exc:
        return f"conexión: {type(exc).__name__}", time.monotonic() - inicio


def _conf_nginx(puerto_nginx: int, puerto_web: int, carpeta: Path = ALMACEN) -> Path:
    """Top-level nginx.conf for this machine around the shared server configuration, in `carpeta`."""
    comun = NGINX_CONF.read_text(encoding="utf-8").replace("/etc/nginx/reinsercion/errores/", f"{ERRORES}/")
    (carpeta / "comun.conf").write_text(comun, encoding="utf-8")
    temporales = "\n".join(
        f"  {d}_temp_path {carpeta / ('nginx-' + d)};" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    usuario = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    conf = f"""{usuario}
worker_processes 1;
pid {carpeta / 'nginx.pid'};
error_log {carpeta / 'nginx-error.log'} warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  access_log {carpeta / 'nginx-access.log'};
{temporales}
  upstream reinsercion_web {{ server 127.0.0.1:{puerto_web}; keepalive 16; }}
  server {{
    listen 127.0.0.1:{puerto_nginx};
    include {carpeta / 'comun.conf'};
  }}
}}
"""
    ruta = carpeta / "nginx.conf"
    ruta.write_text(conf, encoding="utf-8")
    return ruta


class Lento(threading.Thread):
    """Announces a 1 MB body and sends one byte every 5 s until told to stop; records what it got."""

    def __init__(self, puerto: int, fin: threading.Event):
        super().__init__(daemon=True)
        self.puerto, self.fin = puerto, fin
        self.resultado = "sin respuesta mientras duró"

    def run(self) -> None:
        try:
            s = socket.create_connection(("127.0.0.1", self.puerto), timeout=5)
            s.sendall(
                b"POST /solicitud/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                # A CSRF cookie of the right shape: Django then reads the body to find the token.
                b"Cookie: csrftoken=" + secrets.token_hex(16).encode() + b"\r\n"
                b"Content-Type: multipart/form-data; boundary=limite\r\nContent-Length: 1000000\r\n\r\n"
                b"--limite\r\nContent-Disposition: form-data; name=\"nombres\"\r\n\r\n"
            )
            s.settimeout(0.5)
            siguiente = time.monotonic() + 5
            while not self.fin.is_set():
                try:
                    datos = s.recv(200)
                    linea = datos.split(b"\r\n", 1)[0].decode(errors="replace")
                    self.resultado = f"el servidor respondió «{linea}»" if datos else "el servidor cerró"
                    break
                except TimeoutError:
                    pass
                if time.monotonic() >= siguiente:
                    s.sendall(b"x")
                    siguiente += 5
            s.close()
        except OSError as exc:
            self.resultado = f"conexión: {type(exc).__name__}"


def _escenario(nombre: str, puerto: int, args) -> dict:
    """One visitor, `--lentos` slow clients, `--segundos` seconds."""
    base = [_get(puerto)[1] for _ in range(3)]
    fin = threading.Event()
    lentos = [Lento(puerto, fin) for _ in range(args.lentos)]
    for t in lentos:
        t.start()
    time.sleep(1)
    tiempos, estados = [], []
    limite = time.monotonic() + args.segundos
    while time.monotonic() < limite:
        restante = max(0.5, limite - time.monotonic())
        estado, t = _get(puerto, timeout=restante)
        estados.append(estado)
        if estado == 200:
            tiempos.append(t)
        else:
            tiempos.append(None)
        time.sleep(0.2)
    fin.set()
    for t in lentos:
        t.join(10)
    respondidas = [t for t in tiempos if t is not None]
    res = {
        "escenario": nombre,
        "visitante_sin_lentos_ms": round(statistics.median(base) * 1000, 1),
        "peticiones_del_visitante": len(tiempos),
        "respondidas_200": len(respondidas),
        "p50_ms": round(statistics.median(respondidas) * 1000, 1) if respondidas else None,
        "max_ms": round(max(respondidas) * 1000, 1) if respondidas else None,
        "otras_respuestas": sorted({str(e) for e in estados if e != 200}),
        "clientes_lentos": [t.resultado for t in lentos],
    }
    print(
        f"{nombre}: sin clientes lentos {res['visitante_sin_lentos_ms']} ms; con {args.lentos} clientes lentos, "
        f"el visitante tuvo {res['respondidas_200']} de {res['peticiones_del_visitante']} respuestas en "
        f"{args.segundos:.0f} s, p50 {res['p50_ms']} ms, máx {res['max_ms']} ms"
        + (f"; además: {', '.join(res['otras_respuestas'])}" if res["otras_respuestas"] else ""),
        flush=True,
    )
    print(f"  clientes lentos: {'; '.join(res['clientes_lentos'])}", flush=True)
    return res


def _interrumpir(*_):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--segundos", type=float, default=15)
    parser.add_argument("--lentos", type=int, default=2)
    parser.add_argument("--puerto-web", type=int, default=8771)
    parser.add_argument("--puerto-nginx", type=int, default=8772)
    args = parser.parse_args(argv)
    args.segundos = min(args.segundos, 120)
    args.lentos = min(args.lentos, 50)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("falta nginx: apt-get install nginx-light")
        return 2
    for puerto in (args.puerto_web, args.puerto_nginx):
        if not _puerto_libre(puerto):
            print(f"el puerto 127.0.0.1:{puerto} está ocupado")
            return 2
    signal.signal(signal.SIGTERM, _interrumpir)
    shutil.rmtree(ALMACEN, ignore_errors=True)
    ALMACEN.mkdir(parents=True)
    env = _entorno()
    procesos: list[subprocess.Popen] = []
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=RAIZ, env=env, check=True,
                       capture_output=True, timeout=600)  # fmt: skip
        registro = open(ALMACEN / "gunicorn.log", "ab")  # noqa: SIM115 - lives as long as the process
        web = subprocess.Popen(
            [str(RAIZ / ".venv/bin/gunicorn"), "reinsercion.wsgi:application",
             "--bind", f"127.0.0.1:{args.puerto_web}", "--workers", "2", "--timeout", "60"],
            cwd=RAIZ, env=env, stdout=registro, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        procesos.append(web)
        conf = _conf_nginx(args.puerto_nginx, args.puerto_web)
        prueba = subprocess.run([nginx, "-t", "-q", "-c", str(conf)], capture_output=True, text=True)
        if prueba.returncode:
            print("la configuración de nginx no es válida:\n" + prueba.stderr)
            return 1
        proxy = subprocess.Popen(
            [nginx, "-c", str(conf), "-g", "daemon off;"],
            cwd=ALMACEN, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        procesos.append(proxy)
        if not _esperar(lambda: _get(args.puerto_web)[0] == 200, 90):
            print("gunicorn no respondió:\n" + (ALMACEN / "gunicorn.log").read_text(errors="replace")[-2000:])
            return 1
        if not _esperar(lambda: _get(args.puerto_nginx)[0] == 200, 30):
            print("nginx no respondió")
            return 1
        print(f"gunicorn 2 workers sync en :{args.puerto_web}; nginx {_version(nginx)} en :{args.puerto_nginx}; "
              f"{args.lentos} clientes lentos; {args.segundos:.0f} s por escenario", flush=True)  # fmt: skip
        directo = _escenario("gunicorn solo", args.puerto_web, args)
        # The slow clients closed: the workers they held are free again (a 400 for the cut body).
        _esperar(lambda: _get(args.puerto_web, timeout=2)[0] == 200, 70)
        con_nginx = _escenario("nginx → gunicorn", args.puerto_nginx, args)
    except KeyboardInterrupt:
        print("interrumpido: parando lo que se arrancó…", flush=True)
        return 130
    finally:
        for p in reversed(procesos):
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    bien = (
        con_nginx["respondidas_200"] == con_nginx["peticiones_del_visitante"]
        and con_nginx["max_ms"] is not None
        and con_nginx["max_ms"] < 1000
    )
    print(f"visitante atendido detrás de nginx: {con_nginx['respondidas_200']}/{con_nginx['peticiones_del_visitante']}"
          f" (máx {con_nginx['max_ms']} ms) frente a {directo['respondidas_200']}/{directo['peticiones_del_visitante']}"
          f" con gunicorn solo")  # fmt: skip
    print("RESULTADO: " + ("OK" if bien else "FALLA: el visitante esperó detrás de nginx"))
    return 0 if bien else 1


def _version(nginx: str) -> str:
    r = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    return (r.stderr or r.stdout).strip().split("/")[-1]


if __name__ == "__main__":
    sys.exit(main())
