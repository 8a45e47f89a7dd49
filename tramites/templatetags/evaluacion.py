"""Template tags of the assessment and resolution sections (staff case page, citizen's status page)."""

from django import template

from ..evaluacion import services as ev
from ..resoluciones import services as res

register = template.Library()


@register.simple_tag(takes_context=True)
def seccion_evaluacion(context, tramite) -> dict:
    """What the current staff user may know and do about the assessment of `tramite` (no content)."""
    request = context.get("request")
    usuario = getattr(request, "user", None) or context.get("user")
    return {
        "resumen": ev.resumen(tramite=tramite),
        "ve_contenido": ev.puede_ver_contenido(usuario=usuario, tramite=tramite),
        "puede_registrar": ev.puede_registrar(usuario=usuario, tramite=tramite),
        "puede_resolver": res.puede_resolver(usuario=usuario, tramite=tramite),
        "vigente": res.vigente(tramite=tramite),
        "hay_resoluciones": tramite.resoluciones.exists(),
    }


@register.simple_tag
def resolucion_vigente(tramite):
    """The document in force for a case, or None (for the citizen's status page)."""
    return res.vigente(tramite=tramite)
