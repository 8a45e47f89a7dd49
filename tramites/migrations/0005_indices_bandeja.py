"""Indexes for the staff inbox at volume (PostgreSQL only; SQLite keeps the model's own indexes).

- pg_trgm GIN indexes on UPPER(nombres) and UPPER(apellidos): the inbox's name search is
  `icontains`, i.e. UPPER(col::text) LIKE UPPER('%…%'), which a trigram index answers without a scan.
- partial indexes on the open cases only (a few per cent of the table once the years pile up),
  ordered as the inbox sorts them (legal due date, then intake): per office, and for the national
  supervisor who sees every office. The deadline alerts use them too.

Built CONCURRENTLY (non-atomic migration) so that applying it to a live database does not block
intake. No model state changes: `makemigrations` has nothing to add for them.
"""
from django.db import migrations

ABIERTOS = "('ASIGNADO', 'EN_EVALUACION', 'EN_REVISION', 'EVALUADO', 'INGRESADO', 'OBSERVADO')"

INDICES = {
    "tramite_nombres_trgm_idx": "USING gin (UPPER(nombres::text) gin_trgm_ops)",
    "tramite_apellidos_trgm_idx": "USING gin (UPPER(apellidos::text) gin_trgm_ops)",
    "tramite_abiertos_oficina_idx": f"(oficina_id, vence_el, creado_en, id) WHERE estado IN {ABIERTOS}",
    "tramite_abiertos_vence_idx": f"(vence_el, creado_en, id) WHERE estado IN {ABIERTOS}",
}


def crear(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for nombre, definicion in INDICES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {nombre} ON tramites_tramite {definicion}"
        )


def borrar(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for nombre in INDICES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {nombre}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tramites", "0004_historial_estado_fecha"),
    ]

    operations = [migrations.RunPython(crear, borrar, elidable=False)]
