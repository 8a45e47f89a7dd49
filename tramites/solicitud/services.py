"""Intake on both channels: a valid form becomes a case with its files, in one transaction."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import auditoria, referencias
from ..estados import Estado
from ..models import Adjunto, HistorialEstado, Tramite
from ..notificaciones import notificar, renderizar
from ..plazos import fecha_local, sumar_dias_habiles
from ..roles import Rol
from ..services import conteos_invalidar


def tramite_crear(
    *,
    datos: dict,
    adjuntos: list[Adjunto],
    canal: str = Tramite.Canal.VIRTUAL,
    usuario=None,
) -> Tramite:
    """Create a case in INGRESADO with its files, its first history row and a unique reference.

    `adjuntos` are stored files: held ones (saved rows) are claimed, new ones (rows from
    adjunto_preparar, not yet saved) are inserted, inside the same transaction, so a case never exists
    without its files; if the case cannot be created, the new files are deleted from storage. Routing
    and the confirmation e-mail are queued after commit.
    """
    nuevos = [a for a in adjuntos if a.pk is None]
    try:
        return _tramite_crear(datos=datos, adjuntos=adjuntos, nuevos=nuevos, canal=canal, usuario=usuario)
    except BaseException:
        for adjunto in nuevos:
            adjunto.archivo.delete(save=False)
        raise


def _tramite_crear(*, datos, adjuntos, nuevos, canal, usuario) -> Tramite:
    ahora = timezone.now()
    with transaction.atomic():
        tramite = Tramite(
            canal=canal,
            estado=Estado.INGRESADO,
            creado_en=ahora,
            vence_el=sumar_dias_habiles(fecha_local(ahora), settings.PLAZO_RESPUESTA_DIAS),
            registrado_por=usuario if canal == Tramite.Canal.PRESENCIAL else None,
            **datos,
        )
        for _intento in range(6):
            tramite.referencia = referencias.generar(timezone.localtime(ahora).year)
            # The confirmation e-mail is written before the insert, so the case is saved with it.
            asunto = _("Solicitud de reinserción laboral recibida: %(ref)s") % {"ref": tramite.referencia}
            tramite.correo_confirmacion = renderizar(
                plantilla="confirmacion",
                contexto={"tramite": tramite, "adjuntos": adjuntos, "base_url": settings.PUBLIC_BASE_URL},
                asunto=asunto,
            )
            try:
                with transaction.atomic():
                    tramite.save()
                break
            except IntegrityError:
                tramite.pk = None
                continue
        else:  # pragma: no cover - 31^8 codes a year make this practically impossible
            raise RuntimeError("No se pudo generar una referencia única.")
        ids = [a.pk for a in adjuntos if a.pk is not None]
        if ids:
            actualizados = Adjunto.objects.filter(pk__in=ids, tramite__isnull=True).update(
                tramite=tramite, sesion=""
            )
            if actualizados != len(ids):
                raise IntegrityError("Un adjunto ya pertenece a otro trámite.")
        for adjunto in nuevos:
            adjunto.tramite = tramite
        Adjunto.objects.bulk_create(nuevos)
        HistorialEstado.objects.create(
            tramite=tramite,
            estado_anterior="",
            estado_nuevo=Estado.INGRESADO,
            usuario=usuario if canal == Tramite.Canal.PRESENCIAL else None,
            actor=Rol.VENTANILLA if canal == Tramite.Canal.PRESENCIAL else "ciudadano",
            nota=_("Solicitud recibida por la Ventanilla Virtual")
            if canal == Tramite.Canal.VIRTUAL
            else _("Solicitud registrada en ventanilla de Gestión Documental"),
            creado_en=ahora,
        )
        notificar(
            destinatario=tramite.correo, asunto=asunto, texto=tramite.correo_confirmacion, tramite=tramite
        )
        if usuario is not None:
            auditoria.registrar("tramite_registrado", usuario=usuario, tramite=tramite, objeto=tramite.referencia)

        conteos_invalidar()  # the national view counts the new case

        from ..tasks import encolar_tras_commit, enrutar_tramite

        encolar_tras_commit(enrutar_tramite, tramite.pk)
    return tramite
