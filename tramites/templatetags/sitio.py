"""Values the layout shows on every page, read from settings rather than from a context processor, so
that a page rendered without a request (the 413 page, written before the request is read) still shows
the contact data."""
from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def contacto() -> dict:
    return {
        "correo": settings.CONTACTO_CORREO,
        "telefono": settings.CONTACTO_TELEFONO,
        "telefono_enlace": "+" + "".join(c for c in settings.CONTACTO_TELEFONO if c.isdigit()),
    }
