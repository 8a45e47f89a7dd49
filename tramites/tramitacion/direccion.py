"""Directors manage their office: reassign many cases at once, move a case to another office."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from .. import auditoria
from ..estados import Estado
from ..models import HistorialEstado, Oficina, Tramite
from ..notificaciones import notificar
from ..roles import Rol
from ..selectors import oficina_de, roles_de
from ..services import TransicionNoPermitida, conteos_invalidar
from .enrutamiento import analista_con_menos_carga
from .services import tramite_reasignar

# A case is moved only before the medical evaluation: afterwards the assessment and the resolution
# belong to the office that made them.
ESTADOS_TRASLADABLES = (Estado.ASIGNADO, Estado.EN_REVISION, Estado.OBSERVADO)


def tramites_reasignar_en_lote(*, referencias: list[str], usuario, analista) -> dict:
    """Reassign the director's chosen cases to one analyst: all of them or none.

    Cases already with that analyst are left as they are (and counted); any other case that cannot
    be reassigned (closed meanwhile, of another office, unknown) stops the whole batch with a message
    that names it. Each reassigned case gets its history row and audit event, as one by one."""
    referencias = list(dict.fromkeys(r.strip().upper() for r in referencias if r and r.strip()))
    oficina = oficina_de(usuario)
    if Rol.DIRECTOR not in roles_de(usuario) or oficina is None:
        raise TransicionNoPermitida(_("Solo el director de la oficina puede reasignar trámites."))
    reasignados, sin_cambio = 0, 0
    with transaction.atomic():
        casos = {t.referencia: t for t in Tramite.objects.filter(referencia__in=referencias, oficina=oficina)}
        for referencia in referencias:
            tramite = casos.get(referencia)
            if tramite is None:
                raise TransicionNoPermitida(
                    _("El trámite %(ref)s no es de su oficina. No se reasignó ninguno.") % {"ref": referencia}
                )
            if tramite.analista_id == analista.pk:
                sin_cambio += 1
                continue
            try:
                tramite_reasignar(tramite=tramite, usuario=usuario, analista=analista)
            except TransicionNoPermitida as exc:
                raise TransicionNoPermitida(
                    _("%(ref)s: %(error)s No se reasignó ninguno.") % {"ref": referencia, "error": exc}
                ) from exc
            reasignados += 1
    return {"reasignados": reasignados, "sin_cambio": sin_cambio}


def oficinas_destino(*, tramite: Tramite):
    return Oficina.objects.filter(activa=True).exclude(pk=tramite.oficina_id).order_by("tipo", "nombre")


def tramite_trasladar(*, tramite: Tramite, usuario, oficina: Oficina, motivo: str) -> Tramite:
    """Move a case routed to the wrong office. The legal clock (vence_el) is not touched; the case
    goes to the least-loaded analyst of the new office (or its queue), keeps its state, gets an
    internal history row and an audit event, and the new office is told by e-mail."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise TransicionNoPermitida(_("Escriba el motivo del traslado."))
    propia = oficina_de(usuario)
    if Rol.DIRECTOR not in roles_de(usuario) or propia is None:
        raise TransicionNoPermitida(_("Solo el director de la oficina puede trasladar trámites."))
    with transaction.atomic():
        actual = Tramite.objects.select_for_update().get(pk=tramite.pk)
        if actual.oficina_id != propia.pk:
            raise TransicionNoPermitida(_("El trámite no pertenece a su oficina."))
        if actual.estado not in ESTADOS_TRASLADABLES:
            raise TransicionNoPermitida(
                _("El trámite está en estado «%(estado)s»: solo se trasladan trámites antes de la evaluación médica.")
                % {"estado": actual.get_estado_display()}
            )
        if not oficina.activa or oficina.pk == actual.oficina_id:
            raise TransicionNoPermitida(_("Elija otra oficina, activa."))
        anterior = actual.oficina
        analista_anterior = actual.analista
        actual.oficina = oficina
        actual.analista = analista_con_menos_carga(oficina)
        actual.save(update_fields=["oficina", "analista", "actualizado_en"])
        HistorialEstado.objects.create(
            tramite=actual,
            estado_anterior=actual.estado,
            estado_nuevo=actual.estado,
            usuario=usuario,
            actor=Rol.DIRECTOR,
            nota=_("Trasladado de %(de)s a %(a)s. Motivo: %(motivo)s")
            % {"de": anterior.nombre, "a": oficina.nombre, "motivo": motivo},
            visible_ciudadano=False,
        )
        auditoria.registrar(
            "traslado",
            usuario=usuario,
            tramite=actual,
            objeto=actual.referencia,
            detalle={
                "oficina_de": anterior.nombre,
                "oficina_a": oficina.nombre,
                "motivo": motivo,
                "de": analista_anterior.get_username() if analista_anterior else "",
                "a": actual.analista.get_username() if actual.analista else "",
            },
        )
        notificar(
            destinatario=oficina.correo,
            asunto=_("Trámite %(ref)s trasladado a su oficina") % {"ref": actual.referencia},
            plantilla="traslado",
            contexto={
                "tramite": actual,
                "anterior": anterior,
                "motivo": motivo,
                "usuario": usuario,
                "base_url": settings.PUBLIC_BASE_URL,
            },
            tramite=actual,
        )
        conteos_invalidar(anterior.pk, oficina.pk)
    tramite.refresh_from_db()
    return tramite
