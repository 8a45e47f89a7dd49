"""The watch on the 30-business-day term to answer (COA art. 207: past it, silence may count as
acceptance). At PLAZO_ESCALAR_DIAS business days before the term, and again when it passes, the case is
escalated by e-mail to the directors of its office and to the national supervisors, once each."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..estados import ABIERTOS, RELOJ_DETENIDO
from ..models import EscalamientoTermino, Tramite
from ..notificaciones import notificar
from ..plazos import dias_restantes
from ..roles import Rol


def destinatarios(tramite: Tramite) -> list[str]:
    """The e-mail addresses of the directors of the case's office and of the national supervisors."""
    usuarios = get_user_model().objects.filter(is_active=True).exclude(email="")
    directores = usuarios.filter(groups__name=Rol.DIRECTOR, perfil__oficina_id=tramite.oficina_id)
    supervisores = usuarios.filter(groups__name=Rol.SUPERVISOR)
    return sorted({u.email for u in directores} | {u.email for u in supervisores})


def terminos_escalar(*, hoy=None) -> int:
    """Escalate every open case (clock running) near or past its term, once per threshold. Returns the
    number of escalations made; running it twice a day changes nothing."""
    hoy = hoy or timezone.localdate()
    casos = (
        Tramite.objects.filter(estado__in=sorted(ABIERTOS - RELOJ_DETENIDO), vence_el__isnull=False)
        .exclude(oficina__isnull=True)
        .select_related("oficina", "analista")
        .order_by("vence_el", "pk")
    )
    hechos = 0
    for tramite in casos.iterator(chunk_size=500):
        dias = dias_restantes(tramite, hoy=hoy)
        if dias is None or dias > settings.PLAZO_ESCALAR_DIAS:
            continue
        tipo = EscalamientoTermino.Tipo.VENCIDO if dias < 0 else EscalamientoTermino.Tipo.AVISO
        if EscalamientoTermino.objects.filter(tramite=tramite, tipo=tipo).exists():
            continue
        try:
            with transaction.atomic():
                EscalamientoTermino.objects.create(
                    tramite=tramite,
                    tipo=tipo,
                    dias_restantes=dias,
                    oficina=tramite.oficina,
                    vence_el=tramite.vence_el,
                )
                if tipo == EscalamientoTermino.Tipo.VENCIDO:
                    asunto = _("Término vencido: trámite %(ref)s sin respuesta") % {"ref": tramite.referencia}
                else:
                    asunto = _("Término por vencer: trámite %(ref)s") % {"ref": tramite.referencia}
                for correo in destinatarios(tramite):
                    notificar(
                        destinatario=correo,
                        asunto=asunto,
                        plantilla="escalamiento_plazo",
                        contexto={
                            "tramite": tramite,
                            "dias": max(dias, 0),
                            "vencido": tipo == EscalamientoTermino.Tipo.VENCIDO,
                            "base_url": settings.PUBLIC_BASE_URL,
                        },
                        tramite=tramite,
                    )
        except IntegrityError:  # a concurrent run escalated it first
            continue
        hechos += 1
    return hechos


def vencidos_por_oficina_y_mes(*, usuario, desde, hasta) -> list[dict]:
    """Cases whose term passed without an answer, per office and month of the term, for the cases the
    user may see: answered after the term, or still unanswered past it (clock running). Archived cases
    and those waiting for a correction (clock paused) are not counted. From the cases themselves, so
    the figure does not depend on the escalation task having run."""
    from django.db.models import Count, F, Q
    from django.db.models.functions import TruncMonth

    from ..estados import Estado
    from ..selectors import tramites_visibles

    hoy = timezone.localdate()
    tarde = Q(finalizado_en__isnull=False, finalizado_en__date__gt=F("vence_el"))
    pendiente = Q(finalizado_en__isnull=True, vence_el__lt=hoy) & ~Q(estado__in=sorted(RELOJ_DETENIDO))
    filas = (
        tramites_visibles(usuario=usuario)
        .filter(vence_el__range=(desde, hasta))
        .exclude(estado=Estado.ARCHIVADO)
        .filter(tarde | pendiente)
        .annotate(mes=TruncMonth("vence_el"))
        .values("oficina__nombre", "mes")
        .annotate(n=Count("id"))
        .order_by("oficina__nombre", "mes")
    )
    return [{"oficina": f["oficina__nombre"] or _("Sin oficina asignada"), "mes": f["mes"], "n": f["n"]} for f in filas]
