"""`manage.py enlace_acceso USUARIO [--contrasena]`: e-mail a staff member the single-use link to register
the second factor (their devices are reset first) or, with --contrasena, to choose a new password.

For the first administrator of a new installation (no one can run the admin action yet) and for the
operators of the server; the event is audited like the admin's action."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...acceso import services


class Command(BaseCommand):
    help = "Envía por correo el enlace de registro del segundo factor (o, con --contrasena, el de contraseña)."

    def add_arguments(self, parser):
        parser.add_argument("usuario")
        parser.add_argument("--contrasena", action="store_true", help="el enlace para elegir una contraseña nueva")

    def handle(self, *args, usuario, contrasena, **options):
        try:
            cuenta = get_user_model()._default_manager.get(username=usuario, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No existe un usuario activo «{usuario}».") from None
        try:
            if contrasena:
                services.enlace_contrasena_enviar(usuario=cuenta)
            else:
                borrados = services.enlace_registro_enviar(usuario=cuenta)
                if borrados:
                    self.stdout.write(f"Dispositivos anteriores borrados: {borrados}")
        except services.SinCorreo:
            raise CommandError(f"«{usuario}» no tiene correo electrónico: escríbalo en /admin/ y repita.") from None
        self.stdout.write(self.style.SUCCESS(f"Enlace enviado a {cuenta.email}."))
