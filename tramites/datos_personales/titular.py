"""Everything held about one person, for an access request under the LOPDP (ADR 0002).

A read, made for the national supervisor through the scoped selectors. The medical content is
included decrypted because the export is handed to the holder: it is their own data.
"""

from django.db.models import Q
from django.utils import timezone

from ..models import Evaluacion, EventoAuditoria, SolicitudDerecho, Tramite
from ..provincias import PROVINCIAS
from ..selectors import quejas_visibles, tramites_visibles


def normalizar_identificacion(valor: str) -> str:
    """As the forms store it: no spaces or hyphens, upper case."""
    return "".join(c for c in (valor or "") if c not in " -").upper()


def enmascarar(identificacion: str) -> str:
    """For the audit trail: enough to match a request, not the number itself."""
    return "*" * max(len(identificacion) - 3, 0) + identificacion[-3:]


def _fecha(valor):
    return timezone.localtime(valor).isoformat() if valor else None


def _dia(valor):
    return valor.isoformat() if valor else None


def _adjuntos(tramite: Tramite) -> list[dict]:
    return [
        {
            "tipo": a.get_tipo_display(),
            "nombre_original": a.nombre_original,
            "tamano_bytes": a.tamano,
            "tipo_detectado": a.tipo_contenido,
            "sha256": a.sha256,
            "pdf_con_firma_electronica": a.firma_digital,
            "firma_electronica_verificacion": a.get_firma_verificacion_display() or None,
            "firma_electronica_firmante": a.firma_firmante or None,
            "subido_el": _fecha(a.creado_en),
        }
        for a in tramite.adjuntos.order_by("creado_en", "pk")
    ]


def _evaluacion(tramite: Tramite) -> dict | None:
    e = Evaluacion.objects.filter(tramite=tramite).first()
    if e is None:
        return None
    return {
        "fecha": _dia(e.fecha),
        "capacidad_remanente_porcentaje": str(e.porcentaje_capacidad),
        "conclusion": e.get_conclusion_display(),
        "limitaciones_funcionales": e.limitaciones,
        "actividades_compatibles": e.actividades_compatibles,
        "restricciones": e.restricciones,
        "notas": e.notas,
        "registrada_el": _fecha(e.creada_en),
    }


def _resoluciones(tramite: Tramite) -> list[dict]:
    return [
        {
            "numero": r.numero,
            "codigo_verificacion": r.codigo_verificacion,
            "decision": r.get_decision_display(),
            "estado": r.get_estado_display(),
            "emitida_el": _fecha(r.emitida_en),
            "valida_hasta": _dia(r.vigencia_hasta),
            "actividades_compatibles": r.actividades_compatibles,
            "restricciones": r.restricciones,
            "otras_condiciones": r.condiciones,
            "base_legal": r.base_legal,
            "firmante": r.certificado_firmante,
            "sha256_del_documento": r.sha256,
            "revocada_el": _fecha(r.revocada_en),
            "motivo_revocatoria": r.motivo_revocatoria,
        }
        for r in tramite.resoluciones.order_by("emitida_en", "pk")
    ]


def _notificaciones(qs) -> list[dict]:
    return [
        {
            "destinatario": n.destinatario,
            "asunto": n.asunto,
            "texto": n.texto,
            "estado": n.get_estado_display(),
            "creada_el": _fecha(n.creada_en),
            "enviada_el": _fecha(n.enviada_en),
        }
        for n in qs.order_by("creada_en", "pk")
    ]


def _tramite(t: Tramite) -> dict:
    return {
        "referencia": t.referencia,
        "canal": t.get_canal_display(),
        "estado": t.get_estado_display(),
        "resultado": t.get_resultado_display() if t.resultado else None,
        "tipo_identificacion": t.get_tipo_identificacion_display(),
        "identificacion": t.identificacion,
        "nombres": t.nombres,
        "apellidos": t.apellidos,
        "correo": t.correo,
        "telefono": t.telefono,
        "telefono_alterno": t.telefono_alterno,
        "provincia": {"codigo": t.provincia, "nombre": PROVINCIAS.get(t.provincia, t.provincia)},
        "mensaje": t.mensaje,
        "acepta_tratamiento_datos": t.acepta_tratamiento_datos,
        "numero_quipux": t.quipux,
        "oficina": t.oficina.nombre if t.oficina else None,
        "ingresado_el": _fecha(t.creado_en),
        "enrutado_el": _fecha(t.enrutado_en),
        "plazo_de_respuesta": _dia(t.vence_el),
        "finalizado_el": _fecha(t.finalizado_en),
        "historial": [
            {
                "fecha": _fecha(h.creado_en),
                "estado_anterior": h.get_estado_anterior_display() if h.estado_anterior else None,
                "estado_nuevo": h.get_estado_nuevo_display(),
                "actor": h.actor,
                "nota": h.nota,
                "visible_para_el_ciudadano": h.visible_ciudadano,
            }
            for h in t.historial.order_by("creado_en", "id")
        ],
        "observaciones": [
            {
                "motivo": o.motivo,
                "creada_el": _fecha(o.creada_en),
                "plazo_para_subsanar": _dia(o.vence_el),
                "respondida_el": _fecha(o.respondida_en),
                "comentario_del_ciudadano": o.respuesta,
            }
            for o in t.observaciones.order_by("creada_en", "pk")
        ],
        "adjuntos": _adjuntos(t),
        "correos_enviados": _notificaciones(t.notificaciones.all()),
        "evaluacion_de_capacidad_remanente": _evaluacion(t),
        "resoluciones": _resoluciones(t),
        # Who looked at or changed the case, as actions and dates (staff identities are not the
        # holder's data; the institution can answer for them from the audit trail).
        "accesos_registrados": [
            {"fecha": _fecha(e.creado_en), "accion": e.accion}
            for e in EventoAuditoria.objects.filter(tramite_id=t.pk).order_by("creado_en", "id")
        ],
    }


def datos_del_titular(*, usuario, identificacion: str, solicitud: str) -> dict:
    """The export: the holder's cases and complaints (by number, or linked to their cases)."""
    numero = normalizar_identificacion(identificacion)
    tramites = list(
        tramites_visibles(usuario=usuario).filter(identificacion=numero).order_by("creado_en", "pk")
    )
    quejas = (
        quejas_visibles(usuario=usuario)
        .filter(Q(identificacion=numero) | Q(tramite__in=[t.pk for t in tramites]))
        .order_by("creada_en", "pk")
    )
    return {
        "documento": "Datos personales del titular (solicitud de acceso, Ley Orgánica de Protección "
        "de Datos Personales)",
        "responsable": "Instituto Ecuatoriano de Seguridad Social - Seguro General de Riesgos del Trabajo",
        "identificacion": numero,
        "solicitud": solicitud,
        "generado_el": _fecha(timezone.now()),
        "tramites": [_tramite(t) for t in tramites],
        "solicitudes_de_derechos": [
            {
                "tipo": d.get_tipo_display(),
                "detalle": d.detalle,
                "recibida_el": _dia(d.recibida_el),
                "debe_responderse_hasta": _dia(d.vence_el),
                "estado": d.get_resultado_display() if d.respondida_en else "Pendiente",
                "respuesta": d.respuesta,
                "respondida_el": _fecha(d.respondida_en),
                "datos_rectificados": [
                    {"tramite": c.tramite.referencia, "dato": c.campo, "antes": c.anterior, "despues": c.nuevo}
                    for c in d.cambios.select_related("tramite").order_by("creado_en", "pk")
                ],
            }
            for d in SolicitudDerecho.objects.filter(identificacion=numero).order_by("recibida_el", "pk")
        ],
        "quejas": [
            {
                "referencia": q.referencia,
                "nombres": q.nombres,
                "identificacion": q.identificacion,
                "correo": q.correo,
                "telefono": q.telefono,
                "provincia": {"codigo": q.provincia, "nombre": PROVINCIAS.get(q.provincia, q.provincia)},
                "tramite": q.tramite.referencia if q.tramite else None,
                "texto": q.texto,
                "estado": q.get_estado_display(),
                "respuesta": q.respuesta,
                "recibida_el": _fecha(q.creada_en),
                "respondida_el": _fecha(q.respondida_en),
                "correos_enviados": _notificaciones(q.notificaciones.all()),
            }
            for q in quejas
        ],
    }
