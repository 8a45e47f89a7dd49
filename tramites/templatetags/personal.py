"""Template helpers of the staff pages."""
from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..estados import pausa_el_reloj
from ..selectors import roles_de

register = template.Library()


@register.filter
def tiene_rol(usuario, rol: str) -> bool:
    return rol in roles_de(usuario)


@register.simple_tag
def plazo_restante(tramite, dias) -> str:
    """The business days left to answer a case, as the inbox and the case page show them.

    A Python tag rather than an included template: the inbox renders it on every row."""
    if pausa_el_reloj(tramite.estado):
        return _("Plazo suspendido (observado)")
    if dias is None:
        return "—"
    if dias < 0:
        n = -dias
        return format_html(
            '<span class="badge badge-vencido">{}</span> {}',
            _("Término vencido"),
            ngettext("hace %(n)s día hábil", "hace %(n)s días hábiles", n) % {"n": n},
        )
    texto = ngettext("%(n)s día", "%(n)s días", dias) % {"n": dias}
    if dias <= settings.PLAZO_RIESGO_DIAS:
        return format_html('<span class="badge badge-riesgo">{}</span> {}', _("En riesgo"), texto)
    return texto
