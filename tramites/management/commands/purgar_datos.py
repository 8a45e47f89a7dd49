"""`manage.py purgar_datos [--dry-run]`: delete or anonymise what is past its retention period
(tramites.datos_personales.retencion; periods in docs/adr/0002-retencion-de-datos.md). Safe to run again."""

from django.core.management.base import BaseCommand

from ...datos_personales import retencion


class Command(BaseCommand):
    help = "Elimina o anonimiza los datos personales cuyo plazo de conservación venció (ADR 0002)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            dest="simulacion",
            help="Solo muestra lo que se eliminaría o anonimizaría; no cambia nada.",
        )

    def handle(self, *args, simulacion: bool = False, **options):
        plazos = retencion.plazos()
        self.stdout.write(
            "Plazos (años desde el estado final): adjuntos {adjuntos}, datos médicos {datos_medicos}, "
            "anonimización del trámite {anonimizar}; quejas respondidas {quejas}.".format(**plazos)
        )
        resultado = retencion.purgar_datos(simulacion=simulacion)
        for linea in resultado.detalle:
            self.stdout.write(("  [simulación] " if simulacion else "  ") + linea)
        verbo = "se eliminarían o anonimizarían" if simulacion else "eliminados o anonimizados"
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Simulación' if simulacion else 'Listo'}: {verbo}: "
                f"{resultado.adjuntos} adjuntos, {resultado.informes_medicos} informes médicos, "
                f"{resultado.evaluaciones} textos de evaluación, {resultado.tramites_anonimizados} trámites, "
                f"{resultado.quejas_anonimizadas} quejas."
            )
        )
