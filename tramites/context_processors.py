"""Values every page shows: the contact data of the seed sheet and the service hours."""
from django.conf import settings


def sitio(request) -> dict:
    return {
        "CONTACTO_CORREO": settings.CONTACTO_CORREO,
        "CONTACTO_TELEFONO": settings.CONTACTO_TELEFONO,
        "UPLOAD_MAX_BYTES": settings.UPLOAD_MAX_BYTES,
    }
