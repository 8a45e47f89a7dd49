"""`manage.py cargar_demo`: the embedded default's demo data, in one idempotent command: offices and
staff users, the seed's historic transparency figures, and the demo signing certificate.

It refuses to run with DJANGO_ENV=production: it would create the superuser `admin` and staff accounts
with the demo password published in the README."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ...cifras.transparencia import importar_csv_semilla
from ...firma import ensure_demo_certificate
from .. import demo


class Command(BaseCommand):
    help = "Carga los datos de demostración (oficinas, usuarios, cifras históricas, certificado). Idempotente."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "cargar_demo no se ejecuta en producción (DJANGO_ENV=production): crearía cuentas con la "
                "contraseña de demostración publicada. Cree el administrador con createsuperuser y envíele "
                "el enlace de registro con enlace_acceso."
            )
        usuarios = demo.cargar_usuarios()
        self.stdout.write(f"Cifras históricas de transparencia: {importar_csv_semilla()} meses")
        self.stdout.write(f"Certificado de firma: {ensure_demo_certificate()}")
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))
        self.stdout.write(f"Usuarios del personal (contraseña de demostración: {demo.DEMO_PASSWORD}):")
        for username, rol in usuarios:
            self.stdout.write(f"  {username:24} {rol}")
        self.stdout.write("Personal: http://127.0.0.1:8000/personal/  ·  Administración: http://127.0.0.1:8000/admin/")
