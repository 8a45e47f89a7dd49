"""Complaints are stored encrypted: what the citizen writes and the answer often speak of their
incapacity (health data, LOPDP art. 26), like the case's own free texts since 0013. Existing rows are
encrypted in place (and decrypted again if the migration is reversed)."""

from django.db import migrations

import tramites.crypto

COLUMNAS = ("texto", "respuesta")  # of tramites_queja; constants of this file, never input


def _recorrer(schema_editor, transformar):
    conexion = schema_editor.connection
    with conexion.cursor() as cursor:
        for columna in COLUMNAS:
            c = conexion.ops.quote_name(columna)
            cursor.execute(f"SELECT id, {c} FROM tramites_queja WHERE {c} IS NOT NULL AND {c} <> ''")  # nosec B608 - constant names
            for pk, valor in cursor.fetchall():
                nuevo = transformar(str(valor))
                if nuevo is not None:
                    cursor.execute(f"UPDATE tramites_queja SET {c} = %s WHERE id = %s", [nuevo, pk])  # nosec B608 - constant names


def cifrar(apps, schema_editor):
    from tramites.crypto import encrypt_bytes, es_token

    _recorrer(schema_editor, lambda v: None if es_token(v) else encrypt_bytes(v.encode("utf-8")).decode("ascii"))


def descifrar(apps, schema_editor):
    from tramites.crypto import decrypt_bytes, es_token

    _recorrer(schema_editor, lambda v: decrypt_bytes(v.encode("ascii")).decode("utf-8") if es_token(v) else None)


class Migration(migrations.Migration):
    dependencies = [
        ("tramites", "0018_indice_cola_analista"),
    ]

    operations = [
        migrations.AlterField(
            model_name="queja",
            name="respuesta",
            field=tramites.crypto.EncryptedTextField(blank=True, verbose_name="respuesta"),
        ),
        migrations.AlterField(
            model_name="queja",
            name="texto",
            field=tramites.crypto.EncryptedTextField(max_length=4000, verbose_name="queja"),
        ),
        migrations.RunPython(cifrar, descifrar),
    ]
