"""The staff workflow on a case: take it, send it to evaluation, observe it, archive it, reassign
it; the daily deadline alerts and the closing of unanswered observations."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import auditoria
from ..estados import ABIERTOS, Estado
from ..models import (
    ConfiguracionDocumento,
    HistorialEstado,
    Observacion,
    Oficina,
    RevisionRequisitos,
    Tramite,
)
from ..notificaciones import notificar
from ..plazos import dias_restantes, sumar_dias_habiles
from ..roles import SISTEMA, Rol
from ..services import TransicionNoPermitida, actor_para, exigir_responsable, tramite_transicionar


def tramite_tomar(*, tramite: Tramite, usuario) -> Tramite:
    actor = actor_para(usuario=usuario, accion="tomar")
    exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    return tramite_transicionar(
        tramite=tramite,
        accion="tomar",
        actor=actor,
        usuario=usuario,
        nota=_("El analista tomó el caso para revisarlo."),
        analista=usuario,
    )


def _tomar_si_asignado(*, tramite: Tramite, usuario) -> Tramite:
    """An analyst may check a case and decide on it straight from ASIGNADO: it is taken first, in the
    same transaction, so the history still shows both steps (tomar, then the decision)."""
    actual = Tramite.objects.select_for_update().get(pk=tramite.pk)
    if actual.estado == Estado.ASIGNADO:
        return tramite_tomar(tramite=actual, usuario=usuario)
    return actual


def tramite_enviar_evaluacion(*, tramite: Tramite, usuario, revision: str = "", marcas: dict | None = None) -> Tramite:
    """Requirements met: on to the medical evaluation. `revision` is the checklist as text, `marcas`
    the checklist itself (saved as the case's RevisionRequisitos)."""
    actor = actor_para(usuario=usuario, accion="enviar_evaluacion")
    exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    nota = _("Requisitos completos; enviado a evaluación médica.")
    if revision:
        nota = f"{nota}\n\n{revision}"
    with transaction.atomic():
        actual = _tomar_si_asignado(tramite=tramite, usuario=usuario)
        if marcas is not None:
            revision_guardar(tramite=actual, usuario=usuario, marcas=marcas, auditar=False)
        resultado = tramite_transicionar(
            tramite=actual, accion="enviar_evaluacion", actor=actor, usuario=usuario, nota=nota
        )
    tramite.refresh_from_db()
    return resultado


def tramite_observar(
    *, tramite: Tramite, usuario, motivo: str, revision: str = "", marcas: dict | None = None, texto_estandar=None
) -> Observacion:
    """Ask the citizen for a correction: an Observacion with its term, OBSERVADO, and an e-mail.

    The reason is stored and sent exactly as written (`texto_estandar`, the office text it started
    from, is only recorded in the audit trail)."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise TransicionNoPermitida(_("Debe indicar qué debe corregir el ciudadano."))
    actor = actor_para(usuario=usuario, accion="observar")
    exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    vence = sumar_dias_habiles(timezone.localdate(), settings.PLAZO_SUBSANACION_DIAS)
    nota = motivo if not revision else f"{motivo}\n\n{revision}"
    with transaction.atomic():
        actual = _tomar_si_asignado(tramite=tramite, usuario=usuario)
        if marcas is not None:
            revision_guardar(tramite=actual, usuario=usuario, marcas=marcas, auditar=False)
        tramite_transicionar(tramite=actual, accion="observar", actor=actor, usuario=usuario, nota=nota)
        observacion = Observacion.objects.create(
            tramite=actual, motivo=motivo, creada_por=usuario, vence_el=vence
        )
        if texto_estandar is not None:
            auditoria.registrar(
                "texto_estandar_usado",
                usuario=usuario,
                tramite=actual,
                objeto=actual.referencia,
                detalle={"texto_estandar": texto_estandar.titulo, "editado": motivo != texto_estandar.texto.strip()},
            )
        notificar(
            destinatario=actual.correo,
            asunto=_("Su solicitud %(ref)s tiene una observación") % {"ref": actual.referencia},
            plantilla="observacion",
            contexto={"tramite": actual, "observacion": observacion, "base_url": settings.PUBLIC_BASE_URL},
            tramite=actual,
        )
    tramite.refresh_from_db()
    return observacion


def revision_guardar(*, tramite: Tramite, usuario, marcas: dict, auditar: bool = True) -> RevisionRequisitos:
    """Save the case's checklist as ticked (one row per case, overwritten)."""
    campos = {k: marcas.get(k, False) for k in ("documento_legible", "solicitud_firmada", "solicitud_datos")}
    campos["tipo_firma"] = marcas.get("tipo_firma") or ""
    revision, _creada = RevisionRequisitos.objects.update_or_create(
        tramite=tramite, defaults={**campos, "actualizada_por": usuario, "actualizada_en": timezone.now()}
    )
    if auditar:
        auditoria.registrar(
            "revision_guardada", usuario=usuario, tramite=tramite, objeto=tramite.referencia, detalle=campos
        )
    return revision


def observacion_abierta(tramite: Tramite) -> Observacion | None:
    return tramite.observaciones.filter(respondida_en__isnull=True).order_by("-creada_en").first()


def tramite_archivar(*, tramite: Tramite, usuario, motivo: str, motivo_ciudadano: str = "") -> Tramite:
    """Archive a case: `motivo` is the staff note; `motivo_ciudadano` the reason written for the citizen,
    who is e-mailed it with what they can do (a new request, the remedies) and reads it in /consulta/."""
    motivo_ciudadano = (motivo_ciudadano or "").strip()
    if not motivo_ciudadano:
        raise TransicionNoPermitida(_("Escriba el motivo del archivo para el ciudadano."))
    actor = actor_para(usuario=usuario, accion="archivar")
    exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    with transaction.atomic():
        tramite_transicionar(
            tramite=tramite,
            accion="archivar",
            actor=actor,
            usuario=usuario,
            nota=motivo,
            motivo_cierre=motivo_ciudadano,
        )
        notificar(
            destinatario=tramite.correo,
            asunto=_("Su solicitud %(ref)s fue archivada") % {"ref": tramite.referencia},
            plantilla="archivo",
            contexto={
                "tramite": tramite,
                "motivo": motivo_ciudadano,
                "recursos": ConfiguracionDocumento.actual().recursos,
                "base_url": settings.PUBLIC_BASE_URL,
            },
            tramite=tramite,
        )
    return tramite


def tramite_reasignar(*, tramite: Tramite, usuario, analista) -> Tramite:
    """The director moves a case to another analyst of the office. Not a state change: the history
    row keeps the state (hidden from the citizen) and the audit trail records the assignment."""
    from ..selectors import oficina_de, roles_de

    if Rol.DIRECTOR not in roles_de(usuario):
        raise TransicionNoPermitida(_("Solo el director puede reasignar trámites."))
    with transaction.atomic():
        actual = Tramite.objects.select_for_update().get(pk=tramite.pk)
        if actual.estado not in ABIERTOS or actual.estado == Estado.INGRESADO:
            raise TransicionNoPermitida(
                _("El trámite está en estado «%(estado)s»; no se puede reasignar.")
                % {"estado": actual.get_estado_display()}
            )
        oficina = oficina_de(usuario)
        if oficina is None or actual.oficina_id != oficina.pk:
            raise TransicionNoPermitida(_("El trámite no pertenece a su oficina."))
        if not (
            analista.is_active
            and getattr(getattr(analista, "perfil", None), "oficina_id", None) == oficina.pk
            and analista.groups.filter(name=Rol.ANALISTA).exists()
        ):
            raise TransicionNoPermitida(_("Elija un analista activo de su oficina."))
        if actual.analista_id == analista.pk:
            raise TransicionNoPermitida(_("El trámite ya está asignado a ese analista."))
        anterior = actual.analista
        actual.analista = analista
        actual.save(update_fields=["analista", "actualizado_en"])
        nombre = analista.get_full_name() or analista.get_username()
        HistorialEstado.objects.create(
            tramite=actual,
            estado_anterior=actual.estado,
            estado_nuevo=actual.estado,
            usuario=usuario,
            actor=Rol.DIRECTOR,
            nota=_("Reasignado al analista %(nombre)s") % {"nombre": nombre},
            visible_ciudadano=False,
        )
        auditoria.registrar(
            "reasignacion",
            usuario=usuario,
            tramite=actual,
            objeto=actual.referencia,
            detalle={"de": anterior.get_username() if anterior else "", "a": analista.get_username()},
        )
    tramite.refresh_from_db()
    return tramite


# --- the legal clock: daily alerts to offices, expired observations (periodic tasks) -------------


def plazos_alertar(*, hoy=None) -> int:
    """E-mail each active office the list of its cases at risk (PLAZO_RIESGO_DIAS business days left
    or fewer) or overdue. Observed cases are left out: their clock is paused. At most one e-mail per
    office and day, even if the task runs twice. Returns the number of e-mails queued."""
    from itertools import groupby

    from ..estados import RELOJ_DETENIDO

    hoy = hoy or timezone.localdate()
    # "days left <= PLAZO_RIESGO_DIAS" is "due before the (PLAZO_RIESGO_DIAS + 1)-th business day".
    limite = sumar_dias_habiles(hoy, settings.PLAZO_RIESGO_DIAS + 1)
    casos = (
        Tramite.objects.filter(
            estado__in=sorted(ABIERTOS - RELOJ_DETENIDO),
            vence_el__lt=limite,
            oficina__activa=True,
        )
        .select_related("oficina", "analista")
        .order_by("oficina_id", "vence_el", "creado_en", "pk")
    )
    asunto = _("Trámites de reinserción laboral en riesgo o vencidos al %(fecha)s") % {
        "fecha": hoy.strftime("%d/%m/%Y")
    }
    enviados = 0
    for _oficina_id, grupo in groupby(casos.iterator(chunk_size=500), key=lambda t: t.oficina_id):
        lista = list(grupo)
        oficina = lista[0].oficina
        filas = [{"tramite": t, "dias": dias_restantes(t, hoy=hoy)} for t in lista]
        for fila in filas:
            fila["retraso"] = -fila["dias"] if fila["dias"] is not None and fila["dias"] < 0 else 0
        with transaction.atomic():
            # The office row lock makes a concurrent second run wait, then see the e-mail and skip.
            Oficina.objects.select_for_update().filter(pk=oficina.pk).first()
            from ..models import Notificacion

            if Notificacion.objects.filter(
                destinatario=oficina.correo, asunto=asunto, tramite__isnull=True, queja__isnull=True
            ).exists():
                continue
            notificar(
                destinatario=oficina.correo,
                asunto=asunto,
                plantilla="alerta_plazos",
                contexto={
                    "oficina": oficina,
                    "hoy": hoy,
                    "vencidos": [f for f in filas if f["dias"] is not None and f["dias"] < 0],
                    "en_riesgo": [f for f in filas if f["dias"] is not None and f["dias"] >= 0],
                    "riesgo_dias": settings.PLAZO_RIESGO_DIAS,
                    "base_url": settings.PUBLIC_BASE_URL,
                },
            )
        enviados += 1
    return enviados


def observaciones_vencidas_cerrar(*, hoy=None) -> int:
    """End as DESISTIDO every OBSERVADO case whose latest observation went unanswered past its term,
    and e-mail the citizen. Each case in its own transaction, re-checked under its row lock, so a
    correction arriving at the same moment wins or loses cleanly. Returns the number of cases ended."""
    from django.db.models import OuterRef, Subquery

    hoy = hoy or timezone.localdate()
    ultima = Observacion.objects.filter(tramite=OuterRef("pk")).order_by("-creada_en", "-pk")
    ids = list(
        Tramite.objects.filter(estado=Estado.OBSERVADO)
        .annotate(
            obs_vence=Subquery(ultima.values("vence_el")[:1]),
            obs_resp=Subquery(ultima.values("respondida_en")[:1]),
        )
        .filter(obs_vence__lt=hoy, obs_resp__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    cerrados = 0
    for pk in ids:
        try:
            with transaction.atomic():
                tramite = Tramite.objects.select_for_update().get(pk=pk)
                observacion = (
                    tramite.observaciones.filter(respondida_en__isnull=True)
                    .order_by("-creada_en", "-pk")
                    .first()
                )
                if tramite.estado != Estado.OBSERVADO or observacion is None or observacion.vence_el >= hoy:
                    continue
                fecha = observacion.vence_el.strftime("%d/%m/%Y")
                motivo = _(
                    "La observación no se subsanó dentro del plazo (hasta el %(fecha)s): "
                    "la solicitud se da por desistida."
                ) % {"fecha": fecha}
                tramite_transicionar(
                    tramite=tramite, accion="desistir", actor=SISTEMA, nota=motivo, motivo_cierre=motivo
                )
                notificar(
                    destinatario=tramite.correo,
                    asunto=_("Su solicitud %(ref)s se dio por desistida") % {"ref": tramite.referencia},
                    plantilla="desistimiento",
                    contexto={
                        "tramite": tramite,
                        "observacion": observacion,
                        "recursos": ConfiguracionDocumento.actual().recursos,
                        "base_url": settings.PUBLIC_BASE_URL,
                    },
                    tramite=tramite,
                )
            cerrados += 1
        except TransicionNoPermitida:
            continue
    return cerrados
