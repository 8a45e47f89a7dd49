"""The citizen's timeline with the reason of each decision and what the citizen can do about it."""

from django import template
from django.utils.translation import gettext as _

from ..estados import Estado
from ..models import ConfiguracionDocumento, Tramite

register = template.Library()


@register.simple_tag
def linea_con_motivos(tramite: Tramite) -> list[dict]:
    """The citizen-visible history; observation, archiving, desistimiento and resolution carry their
    reason and remedy, the same the e-mail gave. No staff names, no internal notes."""
    observaciones = list(tramite.observaciones.order_by("creada_en", "pk"))
    recursos = ""
    pasos = []
    for h in tramite.historial.filter(visible_ciudadano=True).order_by("creado_en", "id"):
        paso = {"estado": h.get_estado_nuevo_display(), "codigo": h.estado_nuevo, "fecha": h.creado_en}
        if h.estado_nuevo == Estado.OBSERVADO:
            observacion = next((o for o in observaciones if o.creada_en >= h.creado_en), None)
            if observacion is not None:
                paso["motivo"] = observacion.motivo
                paso["corregido_en"] = observacion.respondida_en
                paso["que_hacer"] = _(
                    "Corregir lo indicado hasta el %(fecha)s (inclusive), en esta página o en una ventanilla "
                    "de Gestión Documental; si no se corrige en ese plazo, la solicitud se da por desistida."
                ) % {"fecha": observacion.vence_el.strftime("%d/%m/%Y")}
        elif h.estado_nuevo in (Estado.ARCHIVADO, Estado.DESISTIDO):
            recursos = recursos or ConfiguracionDocumento.actual().recursos
            paso["motivo"] = tramite.motivo_cierre or h.nota
            paso["que_hacer"] = _(
                "Puede presentar una nueva solicitud cuando lo desee, en línea o en una ventanilla de "
                "Gestión Documental; no tiene costo."
            )
            paso["recursos"] = recursos
        elif h.estado_nuevo == Estado.RESUELTO:
            paso["que_hacer"] = _("Lea más arriba los motivos de la decisión y los recursos que puede interponer.")
        pasos.append(paso)
    return pasos


@register.simple_tag
def resoluciones_revocadas(tramite: Tramite) -> list:
    """The case's revoked documents, newest first, for the citizen (with the full reason: it is theirs)."""
    return list(tramite.resoluciones.filter(estado="revocada").order_by("-revocada_en", "-pk"))


@register.simple_tag(takes_context=True)
def terminos_vencidos(context, desde, hasta) -> list[dict]:
    """Statistics page: cases past the 30-day term per office and month (scoped to the user)."""
    from ..resoluciones.termino import vencidos_por_oficina_y_mes

    return vencidos_por_oficina_y_mes(usuario=context["request"].user, desde=desde, hasta=hasta)
