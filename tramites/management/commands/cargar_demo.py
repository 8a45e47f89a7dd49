"""`manage.py cargar_demo`: the embedded default's demo data, in one idempotent command.

Each capability adds its own loader to DEMO_LOADERS below (offices and users, historic figures,
the demo signing certificate)."""
from django.core.management.base import BaseCommand

from tramites import demo


def _cargar_cifras_historicas(cmd) -> None:
    try:
        from tramites.statistics import importar_csv_semilla
    except ImportError:
        return
    n = importar_csv_semilla()
    cmd.stdout.write(f"Cifras históricas de transparencia: {n} meses")


def _certificado_demo(cmd) -> None:
    try:
        from tramites.firma import ensure_demo_certificate
    except ImportError:
        return
    ruta = ensure_demo_certificate()
    if ruta:
        cmd.stdout.write(f"Certificado de firma: {ruta}")


class Command(BaseCommand):
    help = "Carga los datos de demostración (oficinas, usuarios, cifras históricas, certificado). Idempotente."

    def handle(self, *args, **options):
        usuarios = demo.cargar_usuarios()
        _cargar_cifras_historicas(self)
        _certificado_demo(self)
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))
        self.stdout.write(f"Usuarios del personal (contraseña de demostración: {demo.DEMO_PASSWORD}):")
        for username, rol in usuarios:
            self.stdout.write(f"  {username:24} {rol}")
        self.stdout.write("Personal: http://127.0.0.1:8000/personal/  ·  Administración: http://127.0.0.1:8000/admin/")
