"""Name search that ignores accents and case: `sin_tildes(text)` and its trigram indexes (PostgreSQL).

The inbox looks names up as `sin_tildes(nombres) LIKE '%maria%'` ("maria" finds "María", "moran"
finds "Morán"). On PostgreSQL `sin_tildes` is lower(unaccent(…)) from the `unaccent` extension,
wrapped in an IMMUTABLE SQL function (unaccent itself is only STABLE, because its dictionary could be
changed, so it cannot be indexed directly; the wrapper names the dictionary explicitly), with pg_trgm
GIN indexes on it per column (over every case, and partial over the open ones, which the default
search looks at), which answer the LIKE without scanning the table. They replace the UPPER(…)
trigram indexes of 0005 and 0007, which no query uses any more. On SQLite the application registers a
function of the same name on every connection (tramites.apps), so the same query runs there.

Indexes built CONCURRENTLY (non-atomic migration), as in 0005.
"""

from django.db import migrations

FUNCION = """
CREATE OR REPLACE FUNCTION public.sin_tildes(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""
ABIERTOS = "('ASIGNADO', 'EN_EVALUACION', 'EN_REVISION', 'EVALUADO', 'INGRESADO', 'OBSERVADO')"
INDICES = {
    # Searches over every case (closed ones included).
    "tramite_nombres_sin_tildes_idx": "USING gin (public.sin_tildes(nombres::text) gin_trgm_ops)",
    "tramite_apellidos_sin_tildes_idx": "USING gin (public.sin_tildes(apellidos::text) gin_trgm_ops)",
    # The default search, over the open cases alone (as 0007 did for UPPER).
    "tramite_abiertos_nombres_st_idx": (
        f"USING gin (public.sin_tildes(nombres::text) gin_trgm_ops) WHERE estado IN {ABIERTOS}"
    ),
    "tramite_abiertos_apellidos_st_idx": (
        f"USING gin (public.sin_tildes(apellidos::text) gin_trgm_ops) WHERE estado IN {ABIERTOS}"
    ),
}
ANTIGUOS = {
    "tramite_nombres_trgm_idx": "USING gin (UPPER(nombres::text) gin_trgm_ops)",
    "tramite_apellidos_trgm_idx": "USING gin (UPPER(apellidos::text) gin_trgm_ops)",
    "tramite_abiertos_nombres_trgm_idx": f"USING gin (UPPER(nombres::text) gin_trgm_ops) WHERE estado IN {ABIERTOS}",
    "tramite_abiertos_apellidos_trgm_idx": (
        f"USING gin (UPPER(apellidos::text) gin_trgm_ops) WHERE estado IN {ABIERTOS}"
    ),
}


def crear(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(FUNCION)
    for nombre, definicion in INDICES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {nombre} ON tramites_tramite {definicion}")
    for nombre in ANTIGUOS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {nombre}")


def borrar(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for nombre, definicion in ANTIGUOS.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {nombre} ON tramites_tramite {definicion}")
    for nombre in INDICES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {nombre}")
    schema_editor.execute("DROP FUNCTION IF EXISTS public.sin_tildes(text)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tramites", "0009_adjunto_verificacion_firma"),
    ]

    operations = [migrations.RunPython(crear, borrar, elidable=False)]
