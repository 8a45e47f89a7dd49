"""Partial indexes on the open cases only (PostgreSQL; built concurrently):
- (oficina_id, estado): the inbox's live counts per state read only this small index (index-only
  scan), however many finished cases pile up;
- trigram GIN on UPPER(nombres) / UPPER(apellidos): the inbox searches names among open cases by
  default, and these answer it from the open cases alone (the full-table ones of 0005 serve the
  search that includes finished cases)."""
from django.db import migrations

ABIERTOS = "('ASIGNADO', 'EN_EVALUACION', 'EN_REVISION', 'EVALUADO', 'INGRESADO', 'OBSERVADO')"


INDICES = {
    "tramite_abiertos_estado_idx": f"(oficina_id, estado) WHERE estado IN {ABIERTOS}",
    "tramite_abiertos_nombres_trgm_idx": (
        f"USING gin (UPPER(nombres::text) gin_trgm_ops) WHERE estado IN {ABIERTOS}"
    ),
    "tramite_abiertos_apellidos_trgm_idx": (
        f"USING gin (UPPER(apellidos::text) gin_trgm_ops) WHERE estado IN {ABIERTOS}"
    ),
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
        ("tramites", "0006_indices_estadisticas"),
    ]

    operations = [migrations.RunPython(crear, borrar, elidable=False)]
