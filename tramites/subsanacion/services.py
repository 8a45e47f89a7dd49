"""The correction (subsanación) of an observed request, online or at a window."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..estados import Estado
from ..models import Adjunto, Tramite
from ..notificaciones import notificar
from ..services import TransicionNoPermitida, actor_para, adjunto_guardar, tramite_transicionar
from ..tramitacion.services import observacion_abierta


def tramite_subsanar(
    *,
    tramite: Tramite,
    archivos: list[tuple],
    comentario: str = "",
    usuario=None,
    retenidos: list[Adjunto] = (),
) -> Tramite:
    """The citizen (usuario=None) or a window clerk answers the open observation within its term.

    `archivos` are (uploaded file, ArchivoValidado) pairs already through the validator chain;
    `retenidos` are files the citizen's session held from an earlier attempt (tramites.uploads), claimed
    by the case in the same transaction.
    """
    if usuario is None:
        actor = "ciudadano"
    else:
        actor = actor_para(usuario=usuario, accion="subsanar")
    if not archivos and not retenidos:
        raise TransicionNoPermitida(_("Adjunte al menos un documento corregido."))
    guardados: list[Adjunto] = []
    try:
        with transaction.atomic():
            actual = Tramite.objects.select_for_update().get(pk=tramite.pk)
            observacion = observacion_abierta(actual)
            if actual.estado != Estado.OBSERVADO or observacion is None:
                raise TransicionNoPermitida(_("Este trámite no tiene una observación pendiente."))
            if timezone.localdate() > observacion.vence_el:
                raise TransicionNoPermitida(
                    _("El plazo para subsanar venció el %(fecha)s; ya no se reciben documentos.")
                    % {"fecha": observacion.vence_el.strftime("%d/%m/%Y")}
                )
            for archivo, validado in archivos:
                guardados.append(
                    adjunto_guardar(
                        archivo=archivo,
                        validado=validado,
                        tipo=Adjunto.Tipo.SUBSANACION,
                        tramite=actual,
                        usuario=usuario,
                    )
                )
            ids = [a.pk for a in retenidos]
            if ids:
                reclamados = Adjunto.objects.filter(pk__in=ids, tramite__isnull=True).update(
                    tramite=actual, sesion="", tipo=Adjunto.Tipo.SUBSANACION
                )
                if reclamados != len(ids):
                    raise TransicionNoPermitida(
                        _("Uno de los archivos cargados ya no está disponible. Elíjalo de nuevo, por favor.")
                    )
            observacion.respondida_en = timezone.now()
            observacion.respuesta = (comentario or "").strip()[:2000]
            observacion.save(update_fields=["respondida_en", "respuesta"])
            nota = (
                _("El ciudadano subsanó la observación en línea.")
                if usuario is None
                else _("Subsanación entregada en ventanilla.")
            )
            tramite_transicionar(tramite=actual, accion="subsanar", actor=actor, usuario=usuario, nota=nota)
            destinatario = (actual.analista.email if actual.analista else "") or (
                actual.oficina.correo if actual.oficina else ""
            )
            if destinatario:
                notificar(
                    destinatario=destinatario,
                    asunto=_("Trámite %(ref)s subsanado: vuelve a revisión") % {"ref": actual.referencia},
                    plantilla="subsanacion",
                    contexto={
                        "tramite": actual,
                        "observacion": observacion,
                        "adjuntos": [*retenidos, *guardados],
                        "base_url": settings.PUBLIC_BASE_URL,
                    },
                    tramite=actual,
                )
    except Exception:
        for adjunto in guardados:
            adjunto.archivo.delete(save=False)
        raise
    tramite.refresh_from_db()
    return tramite
