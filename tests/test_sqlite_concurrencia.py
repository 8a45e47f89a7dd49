"""The embedded default (SQLite) under concurrent staff actions (issue 14, point 6): write transactions
begin IMMEDIATE and wait for the lock (busy timeout), so ten analysts taking ten cases at the same
moment all succeed; none gets "database is locked" (a 500).

It runs in its own process against a SQLite file (pytest's in-memory test database uses shared-cache
locking, which is not what `make run` uses), so it runs the same in both CI passes."""

import json
import os
import subprocess
import sys
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent

_GUION = r"""
import json, threading, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
from tests.casos import analista_nuevo, tramite_nuevo
from tramites.models import Oficina, Tramite
from tramites.estados import Estado

call_command("cargar_demo", verbosity=0)
oficina = Oficina.objects.get(codigo="pichincha")
analistas = [analista_nuevo(f"analista.concurrente{n}", oficina) for n in range(10)]
casos = [tramite_nuevo(estado=Estado.ASIGNADO, oficina=oficina) for _ in range(10)]
connection.close()
barrera = threading.Barrier(10)
estados = [None] * 10


def tomar(n):
    c = Client()
    c.force_login(analistas[n])
    barrera.wait()
    try:
        r = c.post(f"/personal/tramites/{casos[n].referencia}/acciones/tomar/")
        estados[n] = r.status_code
    except Exception as exc:  # the test client re-raises the view's exception
        estados[n] = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


hilos = [threading.Thread(target=tomar, args=(n,)) for n in range(10)]
for h in hilos:
    h.start()
for h in hilos:
    h.join(120)
print(json.dumps({
    "estados": estados,
    "tomados": Tramite.objects.filter(pk__in=[t.pk for t in casos], estado=Estado.EN_REVISION).count(),
    "opciones": settings.DATABASES["default"].get("OPTIONS", {}),
}))
"""


def test_diez_cambios_de_estado_a_la_vez_sin_database_is_locked(tmp_path):
    entorno = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    entorno.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STORAGE_DIR=str(tmp_path),
        REDIS_URL="",
        CELERY_BROKER_URL="",
        DJANGO_SETTINGS_MODULE="reinsercion.settings",
        PYTHONPATH=str(RAIZ),
    )
    r = subprocess.run([sys.executable, "-c", _GUION], cwd=RAIZ, env=entorno, capture_output=True,
                       text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    datos = json.loads(r.stdout.strip().splitlines()[-1])
    assert datos["opciones"]["transaction_mode"] == "IMMEDIATE"
    assert datos["estados"] == [302] * 10, datos["estados"]
    assert datos["tomados"] == 10
