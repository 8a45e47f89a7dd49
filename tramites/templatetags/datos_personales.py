"""The privacy notice's concrete figures: retention periods and the data-protection contact (settings)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def politica_datos() -> dict:
    return {
        "adjuntos": settings.RETENCION_ADJUNTOS_ANIOS,
        "medicos": settings.RETENCION_DATOS_MEDICOS_ANIOS,
        "anonimizar": settings.RETENCION_ANONIMIZAR_ANIOS,
        "quejas": settings.RETENCION_QUEJAS_ANIOS,
        "contacto": settings.PROTECCION_DATOS_CONTACTO,
    }
