"""A partial index for the analyst's own queue ("Mis trámites": assigned to me, to review), PostgreSQL,
built concurrently. Its count, on every inbox page, then reads only this small index (an index-only
scan) instead of visiting each open case of the office in the table: with a million cases, about
6,700 heap pages per page view less (bench/bandeja.py)."""

from django.db import migrations

NOMBRE = "tramite_cola_analista_idx"
DEFINICION = "(analista_id, oficina_id, estado) WHERE estado IN ('ASIGNADO', 'EN_REVISION')"


def crear(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NOMBRE} ON tramites_tramite {DEFINICION}")


def borrar(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NOMBRE}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tramites", "0017_cola_personal"),
    ]

    operations = [migrations.RunPython(crear, borrar, elidable=False)]
