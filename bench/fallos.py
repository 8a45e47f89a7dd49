"""The faults of bench.carga's second round: PostgreSQL stopped, the storage volume full, a web worker
killed mid-upload; and the count of files left without their case.

- `Postgres`: a PostgreSQL cluster of the bench's own (initdb in /tmp/bench-carga-pg, port 5441), so it
  can be stopped and started again without touching the shared server on 5432. As root it runs as the
  `postgres` user (runuser).
- `DiscoLleno`: mounts, over the private-files folder, a tmpfs of one page already filled, so every
  new file write fails with ENOSPC (as a full volume does), and unmounts it afterwards. Before the
  unmount it counts the files written there, which can only be half-saved ones. Needs root (mount).
- `matar_worker_web`: SIGKILL to a gunicorn worker that has a file of an upload open (in the private
  folder or in the temporary upload folder), that is, mid-upload.
- `archivos_sin_caso`: files in the private folder that no database row names, and temporary upload
  files left over.
"""

import glob
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

DATOS_PG = Path("/tmp/bench-carga-pg")
PUERTO_PG = 5441


def _como_postgres(orden: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *orden] if os.geteuid() == 0 else orden


class Postgres:
    """The bench's own PostgreSQL cluster (fresh each run)."""

    def __init__(self):
        binarios = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binarios:
            raise RuntimeError("no se encontró pg_ctl (paquete postgresql)")
        self.bin = Path(binarios[-1]).parent
        self.url = f"postgres://postgres@127.0.0.1:{PUERTO_PG}"

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(_como_postgres([str(self.bin / "pg_ctl"), "-D", str(DATOS_PG), *args]),
                       check=True, capture_output=True, timeout=timeout)  # fmt: skip

    def crear(self) -> None:
        self.borrar()
        DATOS_PG.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(DATOS_PG, "postgres", "postgres")
        subprocess.run(
            _como_postgres([str(self.bin / "initdb"), "-D", str(DATOS_PG), "-U", "postgres", "-A", "trust",
                            "-E", "UTF8", "--locale=C", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        self.arrancar()

    def arrancar(self) -> None:
        opciones = f"-p {PUERTO_PG} -c listen_addresses=127.0.0.1 -k {DATOS_PG} -c max_connections=100"
        self._pg_ctl("-l", str(DATOS_PG / "servidor.log"), "-w", "-t", "60", "-o", opciones, "start")

    def parar(self) -> None:
        """Fast shutdown: open connections are cut, as in a crash of the database server."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def vivo(self) -> bool:
        return (DATOS_PG / "postmaster.pid").exists()

    def borrar(self) -> None:
        if self.vivo():
            try:
                self.parar()
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(DATOS_PG, ignore_errors=True)


class DiscoLleno:
    """A full tmpfs mounted over `carpeta` while the fault lasts."""

    def __init__(self, carpeta: Path):
        self.carpeta = carpeta
        self.montado = False
        self.relleno = ".relleno-bench"

    @staticmethod
    def posible() -> bool:
        return os.geteuid() == 0 and shutil.which("mount") is not None

    def llenar(self) -> None:
        self.carpeta.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k,mode=0700", "tmpfs", str(self.carpeta)],
                       check=True, capture_output=True)  # fmt: skip
        self.montado = True
        # One page of data: the volume is now full; creating a directory or an empty file still works.
        with open(self.carpeta / self.relleno, "wb") as f:
            try:
                f.write(b"\0" * 4096)
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                pass

    def vaciar(self) -> list[str]:
        """Unmount; returns the files that were written on the full volume (half-saved ones)."""
        if not self.montado:
            return []
        restos = [
            str(Path(raiz, n).relative_to(self.carpeta))
            for raiz, _, nombres in os.walk(self.carpeta)
            for n in nombres
            if n != self.relleno
        ]
        r = subprocess.run(["umount", str(self.carpeta)], capture_output=True)
        if r.returncode:  # a process still holds a file there: detach now, freed when it closes it
            subprocess.run(["umount", "-l", str(self.carpeta)], capture_output=True)
        self.montado = False
        return restos


def desmontar_restos(carpeta: Path) -> None:
    """A run stopped hard may have left the full tmpfs mounted."""
    if os.path.ismount(carpeta):
        subprocess.run(["umount", "-l", str(carpeta)], capture_output=True)


def _hijos(pid: int) -> list[int]:
    hijos = []
    for entrada in Path("/proc").iterdir():
        if entrada.name.isdigit():
            try:
                stat = (entrada / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                hijos.append(int(entrada.name))
    return hijos


def matar_worker_web(maestro: int, carpetas: list[Path], *, segundos: float = 10) -> tuple[int, str] | None:
    """SIGKILL to a gunicorn worker with an upload file open under one of `carpetas`.

    Returns (pid, the open file) or None when no worker was seen mid-upload within `segundos`.
    """
    prefijos = [str(c) + os.sep for c in carpetas]
    limite = time.monotonic() + segundos
    while time.monotonic() < limite:
        for pid in _hijos(maestro):
            try:
                fds = os.listdir(f"/proc/{pid}/fd")
            except OSError:
                continue
            for fd in fds:
                try:
                    destino = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if any(destino.startswith(p) for p in prefijos):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        continue
                    return pid, destino
        time.sleep(0.005)
    return None


def archivos_sin_caso(privado: Path, subidas: Path, referenciados: set[str]) -> dict:
    """Files under `privado` that no row names, with their modification times; leftover uploads."""
    sueltos = {}
    for raiz, _, nombres in os.walk(privado):
        for n in nombres:
            ruta = Path(raiz, n)
            nombre = str(ruta.relative_to(privado))
            if nombre not in referenciados:
                try:
                    sueltos[nombre] = ruta.stat().st_mtime
                except OSError:
                    pass
    temporales = [n for n in os.listdir(subidas)] if subidas.is_dir() else []
    return {"sueltos": sueltos, "temporales": temporales}


def clasificar(resultados: list[dict], ventanas: dict, muertes: list[float], gracia: float = 5) -> tuple:
    """Sort the submissions by fault.

    Returns (per outage window: submissions that overlapped it and how they ended; the non-accepted
    submissions outside every fault, as a Counter; submissions cut by a killed web worker).
    A 503 is expected from a submission that overlapped an outage (or ended within `gracia` s of its
    end); a cut connection from one in flight when a web worker was killed.
    """
    from collections import Counter

    def solapa(r, ini, fin):
        return r["t"] < (fin if fin is not None else 1e9) + gracia and r["fin"] >= ini

    def cortada(r):
        return r["estado"].startswith("conexión") and any(r["t"] <= m <= r["fin"] + 1 for m in muertes)

    por_fallo = {}
    for nombre, (ini, fin) in ventanas.items():
        rs = [r for r in resultados if solapa(r, ini, fin)]
        por_fallo[nombre] = {
            "envios_durante": len(rs),
            "aceptados_302": sum(r["estado"] == "302" for r in rs),
            "servicio_no_disponible_503": sum(r["estado"] in ("503", "GET 503") for r in rs),
            "otros": dict(Counter(r["estado"] for r in rs if r["estado"] not in ("302", "503", "GET 503"))),
        }
    inesperados = Counter(
        r["estado"]
        for r in resultados
        if r["estado"] != "302"
        and not (r["estado"] in ("503", "GET 503") and any(solapa(r, *v) for v in ventanas.values()))
        and not cortada(r)
    )
    return por_fallo, inesperados, sum(cortada(r) for r in resultados)


def huerfanos(almacen: Path, t0_reloj: float, caidas: list[tuple], restos_disco: list[str], gracia: float = 5) -> dict:
    """Files without their case, before and after the periodic clean-up (in the bench's Django)."""
    from django.utils import timezone

    from tramites.services import archivos_huerfanos_purgar, archivos_referenciados

    privado, subidas = almacen / "privado", almacen / "subidas"
    antes = archivos_sin_caso(privado, subidas, archivos_referenciados())
    ventanas = [(t0_reloj + a, t0_reloj + b + gracia) for a, b in caidas if a is not None and b is not None]
    de_caidas = [n for n, m in antes["sueltos"].items() if any(a <= m <= b for a, b in ventanas)]
    purgados = archivos_huerfanos_purgar(antes_de=timezone.now())
    despues = archivos_sin_caso(privado, subidas, archivos_referenciados())
    return {
        "archivos_escritos_en_el_disco_lleno": len(restos_disco),
        "archivos_sin_caso_antes_de_la_limpieza": len(antes["sueltos"]),
        "temporales_de_subida_antes_de_la_limpieza": len(antes["temporales"]),
        "archivos_sin_caso_de_las_caidas": len(de_caidas),
        "borrados_por_la_limpieza": purgados,
        "archivos_sin_caso_tras_la_limpieza": len(despues["sueltos"]),
        "temporales_de_subida_tras_la_limpieza": len(despues["temporales"]),
    }
