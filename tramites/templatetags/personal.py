"""Template helpers of the staff pages."""
from django import template

from ..selectors import roles_de

register = template.Library()


@register.filter
def tiene_rol(usuario, rol: str) -> bool:
    return rol in roles_de(usuario)
