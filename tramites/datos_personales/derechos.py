"""Rectification, deletion and opposition requests (LOPDP arts. 14–16): registered by the national
supervisor, answered within PLAZO_DERECHOS_TITULAR_DIAS (15) days with alerts before and after the
term, the answer recorded and e-mailed to the holder, everything audited. A rectification of contact
data (e-mail, phones) is applied to the holder's cases with the old and new values kept."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import auditoria
from ..models import CambioDatoContacto, Notificacion, SolicitudDerecho, Tramite
from ..notificaciones import notificar
from ..roles import Rol
from ..services import TransicionNoPermitida
from .titular import enmascarar, normalizar_identificacion

# The contact data a rectification may change on the holder's cases (names and ID are checked by the
# civil registry, not here).
CAMPOS_CONTACTO = ("correo", "telefono", "telefono_alterno")
DIAS_AVISO = 3  # alert this many days before the term, and every day after it until answered


@dataclass(frozen=True)
class DatosSolicitudDerecho:
    tipo: str
    identificacion: str
    nombre: str
    correo: str
    referencia_documento: str
    detalle: str
    recibida_el: date


def solicitud_registrar(*, usuario, datos: DatosSolicitudDerecho, request=None) -> SolicitudDerecho:
    numero = normalizar_identificacion(datos.identificacion)
    solicitud = SolicitudDerecho.objects.create(
        tipo=datos.tipo,
        identificacion=numero,
        nombre=datos.nombre.strip(),
        correo=datos.correo.strip(),
        referencia_documento=datos.referencia_documento.strip(),
        detalle=datos.detalle.strip(),
        recibida_el=datos.recibida_el,
        vence_el=datos.recibida_el + timedelta(days=settings.PLAZO_DERECHOS_TITULAR_DIAS),
        registrada_por=usuario,
    )
    auditoria.registrar(
        "derecho_titular_registrado",
        usuario=usuario,
        request=request,
        objeto=f"derecho:{solicitud.pk}",
        detalle={"tipo": solicitud.tipo, "titular": enmascarar(numero), "vence_el": str(solicitud.vence_el)},
    )
    return solicitud


def solicitud_responder(
    *,
    solicitud: SolicitudDerecho,
    usuario,
    resultado: str,
    respuesta: str,
    contacto: dict | None = None,
    request=None,
) -> SolicitudDerecho:
    """Record the answer, apply a rectification of contact data (with history) to every case of the
    holder, and e-mail the answer to the holder. All or nothing."""
    if not (respuesta or "").strip():
        raise TransicionNoPermitida(_("Escriba la respuesta al titular."))
    contacto = {c: v for c, v in (contacto or {}).items() if c in CAMPOS_CONTACTO and v not in (None, "")}
    if contacto and solicitud.tipo != SolicitudDerecho.Tipo.RECTIFICACION:
        raise TransicionNoPermitida(_("Solo una solicitud de rectificación cambia datos de contacto."))
    with transaction.atomic():
        actual = SolicitudDerecho.objects.select_for_update().get(pk=solicitud.pk)
        if actual.respondida_en is not None:
            raise TransicionNoPermitida(_("Esta solicitud ya fue respondida."))
        cambios = []
        if contacto and resultado != SolicitudDerecho.Resultado.NEGADA:
            tramites = Tramite.objects.select_for_update().filter(identificacion=actual.identificacion)
            for tramite in tramites:
                campos = []
                for campo, nuevo in contacto.items():
                    anterior = getattr(tramite, campo)
                    if anterior == nuevo:
                        continue
                    cambios.append(
                        CambioDatoContacto(
                            solicitud=actual, tramite=tramite, campo=campo, anterior=anterior, nuevo=nuevo
                        )
                    )
                    setattr(tramite, campo, nuevo)
                    campos.append(campo)
                if campos:
                    tramite.save(update_fields=[*campos, "actualizado_en"])
                    auditoria.registrar(
                        "datos_rectificados",
                        usuario=usuario,
                        request=request,
                        tramite=tramite,
                        objeto=tramite.referencia,
                        detalle={"campos": campos, "solicitud": actual.pk},
                    )
            CambioDatoContacto.objects.bulk_create(cambios)
        actual.resultado = resultado
        actual.respuesta = respuesta.strip()
        actual.respondida_por = usuario
        actual.respondida_en = timezone.now()
        actual.save(update_fields=["resultado", "respuesta", "respondida_por", "respondida_en"])
        vistos = {}
        for c in cambios:  # one line per field in the e-mail, however many cases it was on
            vistos[c.campo] = {"campo": Tramite._meta.get_field(c.campo).verbose_name, "nuevo": c.nuevo}
        notificar(
            destinatario=contacto.get("correo") or actual.correo,
            asunto=_("Respuesta a su solicitud de %(tipo)s de datos personales") % {"tipo": actual.get_tipo_display()},
            plantilla="derecho_titular_respuesta",
            contexto={
                "solicitud": actual,
                "cambios": list(vistos.values()),
                "contacto": settings.PROTECCION_DATOS_CONTACTO,
            },
        )
        auditoria.registrar(
            "derecho_titular_respondido",
            usuario=usuario,
            request=request,
            objeto=f"derecho:{actual.pk}",
            detalle={
                "tipo": actual.tipo,
                "resultado": resultado,
                "titular": enmascarar(actual.identificacion),
                "campos_rectificados": sorted(vistos),
                "en_plazo": timezone.localdate() <= actual.vence_el,
            },
        )
    return actual


def solicitudes_pendientes():
    return SolicitudDerecho.objects.filter(respondida_en__isnull=True).order_by("vence_el", "pk")


def solicitudes_alertar(*, hoy: date | None = None) -> int:
    """One e-mail a day to the national supervisors listing the requests due within DIAS_AVISO days or
    overdue. Returns the number of e-mails queued (0 when nothing is due or today's was sent)."""
    hoy = hoy or timezone.localdate()
    with transaction.atomic():
        debidas = list(
            solicitudes_pendientes()
            .select_for_update()
            .filter(vence_el__lte=hoy + timedelta(days=DIAS_AVISO))
            .exclude(alertada_el=hoy)
        )
        if not debidas:
            return 0
        destinatarios = sorted(
            set(
                get_user_model()
                .objects.filter(is_active=True, groups__name=Rol.SUPERVISOR)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
        asunto = _("Solicitudes de derechos de datos personales por responder al %(fecha)s") % {
            "fecha": hoy.strftime("%d/%m/%Y")
        }
        todas = list(solicitudes_pendientes().filter(vence_el__lte=hoy + timedelta(days=DIAS_AVISO)))
        for s in todas:
            s.vencida_hoy = s.vence_el < hoy
        enviados = 0
        for correo in destinatarios:
            if Notificacion.objects.filter(destinatario=correo, asunto=asunto).exists():
                continue
            notificar(
                destinatario=correo,
                asunto=asunto,
                plantilla="derecho_titular_alerta",
                contexto={"solicitudes": todas, "hoy": hoy, "base_url": settings.PUBLIC_BASE_URL},
            )
            enviados += 1
        SolicitudDerecho.objects.filter(pk__in=[s.pk for s in debidas]).update(alertada_el=hoy)
    return enviados
