"""`manage.py rotar_claves`: re-encrypt every medical field and encrypted file with the FIRST key of
FIELD_ENCRYPTION_KEYS, so the old keys (listed after it) can then be removed. Idempotent.

Works on the stored tokens themselves (MultiFernet.rotate), never on decrypted-then-saved model
values: a token no listed key can open is reported and left untouched, never overwritten.
"""

import uuid

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from ...crypto import EncryptedTextField, rotate_token
from ...models import Adjunto, Resolucion


def _campos_cifrados(modelo) -> list:
    return [f for f in modelo._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class Command(BaseCommand):
    help = "Vuelve a cifrar datos médicos y archivos cifrados con la primera clave de FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--simular", action="store_true", help="Solo cuenta lo que se rotaría.")

    def handle(self, *args, simular: bool = False, **options):
        self.fallidos: list[str] = []
        self.simular = simular
        # Every model with an encrypted column (the assessment, resolutions, history notes, observations,
        # e-mails, data-subject requests...): a new encrypted field is rotated without touching this.
        modelos = [m for m in apps.get_app_config("tramites").get_models() if _campos_cifrados(m)]
        filas = sum(self._rotar_columnas(m) for m in modelos)
        archivos = self._rotar_archivos(Adjunto.objects.filter(cifrado=True), "adjunto")
        archivos += self._rotar_archivos(Resolucion.objects.exclude(archivo=""), "resolucion")
        verbo = "se rotarían" if simular else "rotados"
        self.stdout.write(f"Valores cifrados {verbo}: {filas}; archivos {verbo}: {archivos}.")
        if self.fallidos:
            raise CommandError(
                "Ninguna clave de FIELD_ENCRYPTION_KEYS abre estos datos (se dejaron intactos): "
                + ", ".join(self.fallidos[:50])
            )

    def _rotar_columnas(self, modelo) -> int:
        campos = _campos_cifrados(modelo)
        tabla = connection.ops.quote_name(modelo._meta.db_table)
        columnas = [connection.ops.quote_name(f.column) for f in campos]
        n = 0
        with connection.cursor() as cursor:
            # Names are quoted identifiers from the model's _meta, never input; values are parameters.
            cursor.execute(f"SELECT id, {', '.join(columnas)} FROM {tabla}")  # noqa: S608  # nosec B608
            filas = cursor.fetchall()
        for pk, *valores in filas:
            nuevos = []
            for campo, valor in zip(campos, valores, strict=True):
                if not valor:
                    nuevos.append(valor)
                    continue
                try:
                    nuevos.append(rotate_token(valor.encode("ascii")).decode("ascii"))
                    n += 1
                except (InvalidToken, UnicodeError):
                    self.fallidos.append(f"{modelo._meta.model_name}:{pk}.{campo.name}")
                    nuevos.append(valor)
            if not self.simular:
                asignaciones = ", ".join(f"{c} = %s" for c in columnas)
                with transaction.atomic(), connection.cursor() as cursor:
                    # Same: quoted names from _meta in the text, every value as a parameter.
                    sql = f"UPDATE {tabla} SET {asignaciones} WHERE id = %s"  # noqa: S608  # nosec B608
                    cursor.execute(sql, [*nuevos, pk])
        return n

    def _rotar_archivos(self, queryset, etiqueta: str) -> int:
        n = 0
        for obj in queryset.iterator():
            campo = obj.archivo
            try:
                with campo.open("rb") as fh:
                    rotado = rotate_token(fh.read())
            except (InvalidToken, OSError):
                self.fallidos.append(f"{etiqueta}:{obj.pk}")
                continue
            n += 1
            if self.simular:
                continue
            # A new file under a new random name, then the row, then the old file is deleted: a crash
            # in between leaves an orphan file, never a row pointing at a missing or half-written one.
            anterior = campo.name
            extension = anterior.rsplit(".", 1)[-1]
            campo.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(rotado), save=False)
            type(obj).objects.filter(pk=obj.pk).update(archivo=campo.name)
            campo.storage.delete(anterior)
        return n
