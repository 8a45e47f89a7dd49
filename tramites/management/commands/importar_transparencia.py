"""`manage.py importar_transparencia FILE.csv`: load historic monthly figures (Año, Mes, Volumen de
Quejas, Volumen de Atenciones). All rows or none; running it again with the same file changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ... import auditoria
from ...cifras.transparencia import ErrorImportacion, importar_csv


class Command(BaseCommand):
    help = (
        "Importa cifras mensuales históricas de transparencia desde un CSV con las columnas "
        "Año, Mes, Volumen de Quejas, Volumen de Atenciones (coma, punto y coma o tabulador; UTF-8)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", help="Ruta del archivo CSV")

    def handle(self, *args, **options):
        ruta = Path(options["archivo"])
        if not ruta.is_file():
            raise CommandError(f"No existe el archivo {ruta}.")
        try:
            creadas, actualizadas = importar_csv(ruta.read_bytes())
        except ErrorImportacion as exc:
            raise CommandError(f"No se importó nada. {exc}") from exc
        auditoria.registrar(
            "transparencia_importada",
            objeto=ruta.name[:200],
            detalle={"creadas": creadas, "actualizadas": actualizadas},
        )
        auditoria.flush()
        self.stdout.write(
            self.style.SUCCESS(
                f"Importados {creadas + actualizadas} meses de {ruta.name}: "
                f"{creadas} nuevos, {actualizadas} actualizados."
            )
        )
