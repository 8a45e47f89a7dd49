"""Project checks run by `manage.py check --deploy` (registered in TramitesConfig.ready).

With DJANGO_ENV=production they fail (errors, so the deploy stops) when:
- tramites.E101: FIELD_ENCRYPTION_KEYS is missing or holds a key that is not a Fernet key (the first
  medical assessment would otherwise fail with a 500);
- tramites.E102: the signing certificate is missing, unreadable or the demo one (resolutions would be
  signed with a self-signed demonstration certificate);
- tramites.E103: an active account still has the published demo password (`cargar_demo` was run).
"""

import base64
import binascii
from pathlib import Path

from django.conf import settings
from django.core import checks


def _claves() -> list[checks.CheckMessage]:
    claves = [c for c in settings.FIELD_ENCRYPTION_KEYS if c.strip()]
    if not claves:
        return [checks.Error(
            "FIELD_ENCRYPTION_KEYS no está definida: los datos médicos no se pueden cifrar.",
            hint='Genere una clave: python -c "from cryptography.fernet import Fernet; '
                 'print(Fernet.generate_key().decode())" y póngala en FIELD_ENCRYPTION_KEYS.',
            id="tramites.E101",
        )]  # fmt: skip
    for n, clave in enumerate(claves, 1):
        try:
            valida = len(base64.urlsafe_b64decode(clave.strip().encode())) == 32
        except (binascii.Error, ValueError):
            valida = False
        if not valida:
            return [checks.Error(
                f"La clave n.º {n} de FIELD_ENCRYPTION_KEYS no es una clave Fernet (32 bytes en base64 URL).",
                id="tramites.E101",
            )]  # fmt: skip
    return []


def _certificado() -> list[checks.CheckMessage]:
    from django.core.exceptions import ImproperlyConfigured

    from tramites import firma

    if not settings.SIGNING_P12_PATH:
        return [checks.Error(
            "SIGNING_P12_PATH no está definida: las resoluciones se firmarían con el certificado de "
            "demostración, sin validez legal.",
            hint="Monte el certificado PKCS#12 de la institución y defina SIGNING_P12_PATH y SIGNING_P12_PASSWORD.",
            id="tramites.E102",
        )]  # fmt: skip
    if not Path(settings.SIGNING_P12_PATH).is_file():
        return [checks.Error(f"No existe el certificado de firma {settings.SIGNING_P12_PATH}.", id="tramites.E102")]
    try:
        datos = firma.signer_info()
    except (ImproperlyConfigured, OSError, ValueError) as exc:
        return [checks.Error(f"No se pudo abrir el certificado de firma: {exc}", id="tramites.E102")]
    if datos["is_demo"]:
        return [checks.Error(
            f"SIGNING_P12_PATH es el certificado de demostración ({datos['subject_cn']}).", id="tramites.E102"
        )]  # fmt: skip
    return []


def _contrasenas_demo() -> list[checks.CheckMessage]:
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    from tramites.management.demo import DEMO_PASSWORD

    try:
        usuarios = [u for u in get_user_model()._default_manager.filter(is_active=True) if u.has_usable_password()]
    except DatabaseError as exc:
        return [checks.Warning(
            f"No se pudo revisar si quedan contraseñas de demostración (base de datos: {exc}).",
            id="tramites.W103",
        )]  # fmt: skip
    con_demo = sorted(u.get_username() for u in usuarios if u.check_password(DEMO_PASSWORD))
    if con_demo:
        return [checks.Error(
            f"Cuentas activas con la contraseña de demostración publicada: {', '.join(con_demo[:20])}.",
            hint="Desactívelas o cámbieles la contraseña; en producción no se ejecuta cargar_demo.",
            id="tramites.E103",
        )]  # fmt: skip
    return []


@checks.register(checks.Tags.security, deploy=True)
def produccion_segura(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.PRODUCTION:
        return []
    return _claves() + _certificado() + _contrasenas_demo()
