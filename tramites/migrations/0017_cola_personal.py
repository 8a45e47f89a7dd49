"""Issue 15. The staff queue's records: the saved requirements checklist of a case (RevisionRequisitos),
the offices' standard observation texts (TextoObservacion) and who answered a complaint
(Queja.respondida_por).

Name search that ignores accents and case: `sin_tildes(text)` and its trigram indexes (PostgreSQL).

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

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

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
        ("tramites", "0016_provincias_en_orden_espanol"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='queja',
            name='respondida_por',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='respondida por'),
        ),
        migrations.CreateModel(
            name='RevisionRequisitos',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('documento_legible', models.BooleanField(default=False, verbose_name='documento de identidad legible')),
                ('solicitud_firmada', models.BooleanField(default=False, verbose_name='solicitud firmada')),
                ('solicitud_datos', models.BooleanField(default=False, verbose_name='la solicitud lleva los datos')),
                ('tipo_firma', models.CharField(blank=True, max_length=12, verbose_name='tipo de firma')),
                ('actualizada_en', models.DateTimeField(default=django.utils.timezone.now, verbose_name='guardada el')),
                ('actualizada_por', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tramite', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='revision', to='tramites.tramite')),
            ],
            options={
                'verbose_name': 'revisión de requisitos',
                'verbose_name_plural': 'revisiones de requisitos',
            },
        ),
        migrations.CreateModel(
            name='TextoObservacion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('titulo', models.CharField(help_text='Lo que se ve en la lista para elegirlo.', max_length=120, verbose_name='título')),
                ('texto', models.TextField(max_length=2000, verbose_name='texto')),
                ('activo', models.BooleanField(default=True, verbose_name='activo')),
                ('orden', models.PositiveSmallIntegerField(default=0, verbose_name='orden')),
                ('oficina', models.ForeignKey(blank=True, help_text='Vacío: lo usan todas las oficinas.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='textos_observacion', to='tramites.oficina', verbose_name='oficina')),
            ],
            options={
                'verbose_name': 'texto estándar de observación',
                'verbose_name_plural': 'textos estándar de observación',
                'ordering': ['orden', 'titulo'],
            },
        ),
        migrations.RunPython(crear, borrar, elidable=False),
    ]
