"""The authorization document: numbering, issuing (render + PAdES signature), correction, verification.

A number is taken from the office's per-year sequence under a row lock, in the same transaction
that renders, signs and records the document: a failure anywhere rolls the number back, so numbers
are never reused and have no gaps. The signed PDF is immutable (its SHA-256 is recorded); a
correction revokes it with a reason and issues a new one that names the one it replaces."""

import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import auditoria, firma, services
from ..crypto import decrypt_bytes, encrypt_bytes
from ..estados import Estado
from ..models import (
    ConfiguracionDocumento,
    Evaluacion,
    Resolucion,
    SecuenciaResolucion,
    Tramite,
)
from ..notificaciones import notificar
from ..pdf import qr_svg_data_uri, render_pdf
from ..referencias import ALFABETO
from ..roles import Rol
from ..selectors import oficina_de, roles_de

logger = logging.getLogger(__name__)

# 16 characters of a 31-symbol alphabet: about 79 bits, far beyond guessing at any request rate.
CODIGO_LARGO = 16
_CODIGO = re.compile(rf"^[{ALFABETO}]{{{CODIGO_LARGO}}}$")
CACHE_FIRMA_SEGUNDOS = 24 * 3600


# --- numbers and codes ---------------------------------------------------------------------------


def formatear_numero(*, siglas: str, anio: int, secuencia: int) -> str:
    return f"IESS-{siglas}-{anio}-{secuencia:05d}-RL"


def codigo_nuevo() -> str:
    crudo = "".join(secrets.choice(ALFABETO) for _ in range(CODIGO_LARGO))
    return "-".join(crudo[i : i + 4] for i in range(0, CODIGO_LARGO, 4))


def normalizar_codigo(texto: str) -> str | None:
    """The stored form of a typed or scanned code (any case, spaces or dashes), or None if malformed."""
    limpio = re.sub(r"[\s\-_.]", "", (texto or "").upper())
    if not _CODIGO.match(limpio):
        return None
    return "-".join(limpio[i : i + 4] for i in range(0, CODIGO_LARGO, 4))


def url_verificacion(codigo: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/verificar/{codigo}/"


def _reservar_secuencia(*, oficina, anio: int) -> int:
    """The next number of the office's year. Call inside the issuing transaction: the row stays locked
    until it commits, so concurrent issuers of one office wait, and a rollback returns the number."""
    SecuenciaResolucion.objects.get_or_create(oficina=oficina, anio=anio)
    secuencia = SecuenciaResolucion.objects.select_for_update().get(oficina=oficina, anio=anio)
    secuencia.ultimo += 1
    secuencia.save(update_fields=["ultimo"])
    return secuencia.ultimo


# --- who may do what -----------------------------------------------------------------------------


def _director_de_la_oficina(usuario, tramite: Tramite) -> bool:
    oficina = oficina_de(usuario)
    return Rol.DIRECTOR in roles_de(usuario) and oficina is not None and tramite.oficina_id == oficina.pk


def puede_resolver(*, usuario, tramite: Tramite) -> bool:
    return (
        _director_de_la_oficina(usuario, tramite)
        and tramite.estado == Estado.EVALUADO
        and Evaluacion.objects.filter(tramite=tramite).exists()
    )


def puede_corregir(*, usuario, resolucion: Resolucion) -> bool:
    return (
        _director_de_la_oficina(usuario, resolucion.tramite)
        and resolucion.estado == Resolucion.EstadoDocumento.VIGENTE
    )


def vigente(*, tramite: Tramite) -> Resolucion | None:
    return (
        Resolucion.objects.filter(tramite=tramite, estado=Resolucion.EstadoDocumento.VIGENTE)
        .order_by("-emitida_en", "-pk")
        .first()
    )


# --- issuing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatosResolucion:
    decision: str
    motivacion: str = ""
    actividades_compatibles: str = ""
    restricciones: str = ""
    condiciones: str = ""
    vigencia_hasta: date | None = None


def motivacion_propuesta(*, evaluacion: Evaluacion, base_legal: str) -> str:
    """A starting text for the reasons: the facts of the assessment and the rule; the director edits it."""
    favorable = evaluacion.conclusion in (Evaluacion.Conclusion.APTO, Evaluacion.Conclusion.APTO_RESTRICCIONES)
    hechos = _(
        "Hechos: la evaluación de capacidad remanente del %(fecha)s concluyó «%(conclusion)s», con una "
        "capacidad de trabajo remanente del %(porcentaje)s %%. Limitaciones funcionales: %(limitaciones)s."
    ) % {
        "fecha": evaluacion.fecha.strftime("%d/%m/%Y"),
        "conclusion": evaluacion.get_conclusion_display(),
        "porcentaje": f"{evaluacion.porcentaje_capacidad}".replace(".", ","),
        "limitaciones": evaluacion.limitaciones.strip().rstrip("."),
    }
    if evaluacion.actividades_compatibles.strip():
        hechos += " " + _("Actividades compatibles: %(a)s.") % {"a": evaluacion.actividades_compatibles.strip().rstrip(".")}
    norma = _("Norma aplicada: %(base)s") % {"base": base_legal.strip()}
    if favorable:
        razon = _(
            "Por qué se aplica: la capacidad remanente permite realizar trabajos distintos de los habituales, "
            "compatibles con las limitaciones descritas; por ello se autoriza la reinserción en las "
            "actividades y con las restricciones que se indican."
        )
    else:
        razon = _(
            "Por qué se aplica: la capacidad remanente no permite realizar con seguridad un trabajo "
            "remunerado sin agravar la incapacidad; por ello no se autoriza la reinserción laboral."
        )
    return "\n\n".join([hechos, norma, razon])


def propuesta(*, evaluacion: Evaluacion) -> dict:
    """The director's starting point: the evaluator's conclusion and conditions, and reasons drafted
    from the assessment (the director decides and edits)."""
    favorable = evaluacion.conclusion in (
        Evaluacion.Conclusion.APTO,
        Evaluacion.Conclusion.APTO_RESTRICCIONES,
    )
    return {
        "decision": Resolucion.Decision.FAVORABLE if favorable else Resolucion.Decision.DESFAVORABLE,
        "motivacion": motivacion_propuesta(
            evaluacion=evaluacion, base_legal=ConfiguracionDocumento.actual().base_legal
        ),
        "actividades_compatibles": evaluacion.actividades_compatibles,
        "restricciones": evaluacion.restricciones,
    }


def nombre_firmante(usuario) -> str:
    return usuario.get_full_name() or usuario.get_username()


def documento_pdf(resolucion: Resolucion, *, demo: bool, vista_previa: bool = False) -> bytes:
    """The unsigned PDF of a resolution (templates/pdf/resolucion.html), tagged and titled in Spanish."""
    tramite = resolucion.tramite
    url = url_verificacion(resolucion.codigo_verificacion)
    titulo = _("Resolución de reinserción laboral %(numero)s") % {"numero": resolucion.numero}
    contexto = {
        "resolucion": resolucion,
        "tramite": tramite,
        "titulo": titulo,
        "favorable": resolucion.decision == Resolucion.Decision.FAVORABLE,
        "emitida": timezone.localtime(resolucion.emitida_en),
        "firmante": nombre_firmante(resolucion.firmante),
        "oficina": resolucion.oficina,
        "url_verificacion": url,
        "qr": qr_svg_data_uri(url),
        "demo": demo,
        "vista_previa": vista_previa,
    }
    return render_pdf("pdf/resolucion.html", contexto, title=titulo)


def vista_previa_pdf(*, tramite: Tramite, usuario, datos: DatosResolucion) -> bytes:
    """What the director is about to sign, unsigned and marked as a preview: nothing is numbered,
    recorded or sent (the number and code are placeholders)."""
    if not puede_resolver(usuario=usuario, tramite=tramite):
        raise services.TransicionNoPermitida(
            _("Solo el director de la oficina puede emitir la resolución de un trámite evaluado.")
        )
    ahora = timezone.now()
    configuracion = ConfiguracionDocumento.actual()
    borrador = Resolucion(
        tramite=tramite,
        oficina=tramite.oficina,
        anio=timezone.localtime(ahora).year,
        secuencia=0,
        numero=_("(se asigna al firmar)"),
        codigo_verificacion="XXXX-XXXX-XXXX-XXXX",
        decision=datos.decision,
        motivacion=datos.motivacion,
        actividades_compatibles=datos.actividades_compatibles,
        restricciones=datos.restricciones,
        condiciones=datos.condiciones,
        vigencia_hasta=datos.vigencia_hasta,
        base_legal=configuracion.base_legal,
        recursos=configuracion.recursos,
        firmante=usuario,
        certificado_firmante=firma.signer_info()["subject_cn"][:200],
        emitida_en=ahora,
    )
    with translation.override("es"):
        return documento_pdf(borrador, demo=firma.signer_info()["is_demo"], vista_previa=True)


def _documento_pdf_es(resolucion: Resolucion, *, demo: bool) -> bytes:
    # The document is in Spanish whatever language the director's page is shown in.
    with translation.override("es"):
        return documento_pdf(resolucion, demo=demo)


def cache_firma_clave(sha256: str) -> str:
    # The verdict depends on the trust configuration too: a new root or certificate is a new key.
    config = "|".join([settings.SIGNING_P12_PATH, *settings.SIGNING_TRUST_ROOTS])
    return "firma:v1:" + sha256 + ":" + hashlib.sha256(config.encode()).hexdigest()[:16]


def _emitir_documento(
    *, tramite: Tramite, usuario, datos: DatosResolucion, reemplaza: Resolucion | None, archivos: list
) -> Resolucion:
    """Number, render, sign and record one document. Runs inside the caller's transaction."""
    ahora = timezone.now()
    anio = timezone.localtime(ahora).year
    oficina = tramite.oficina
    secuencia = _reservar_secuencia(oficina=oficina, anio=anio)
    firmante = firma.signer_info()
    configuracion = ConfiguracionDocumento.actual()
    resolucion = Resolucion(
        tramite=tramite,
        oficina=oficina,
        anio=anio,
        secuencia=secuencia,
        numero=formatear_numero(siglas=oficina.siglas, anio=anio, secuencia=secuencia),
        codigo_verificacion=codigo_nuevo(),
        decision=datos.decision,
        motivacion=datos.motivacion,
        actividades_compatibles=datos.actividades_compatibles,
        restricciones=datos.restricciones,
        condiciones=datos.condiciones,
        vigencia_hasta=datos.vigencia_hasta,
        base_legal=configuracion.base_legal,
        recursos=configuracion.recursos,
        firmante=usuario,
        certificado_firmante=firmante["subject_cn"][:200],
        emitida_en=ahora,
        certificado_demo=firmante["is_demo"],
        reemplaza=reemplaza,
    )
    sin_firma = _documento_pdf_es(resolucion, demo=firmante["is_demo"])
    firmado = firma.sign_pdf(
        sin_firma,
        reason=_("Resolución de reinserción laboral %(numero)s") % {"numero": resolucion.numero},
        location=oficina.nombre[:120],
    )
    # Check what we are about to hand out; the verdict also primes the verification cache.
    comprobacion = firma.validate_pdf_signature(firmado, at=ahora)
    if not comprobacion.intact:
        raise RuntimeError(f"La firma recién aplicada no valida: {comprobacion.error}")
    if not comprobacion.trusted:
        logger.error("El certificado de firma no está entre SIGNING_TRUST_ROOTS: %s", comprobacion.error)
    resolucion.sha256 = hashlib.sha256(firmado).hexdigest()
    cache.set(cache_firma_clave(resolucion.sha256), comprobacion, CACHE_FIRMA_SEGUNDOS)
    # Encrypted at rest like the assessment it comes from; served decrypted after a permission check.
    resolucion.archivo.save(f"{uuid.uuid4().hex}.pdf", ContentFile(encrypt_bytes(firmado)), save=False)
    archivos.append(resolucion.archivo.name)
    resolucion.save()
    return resolucion


def _borrar_archivos(nombres: list[str]) -> None:
    from django.core.files.storage import default_storage

    for nombre in nombres:
        try:
            default_storage.delete(nombre)
        except Exception:  # pragma: no cover - clean-up must not hide the original error
            logger.warning("No se pudo borrar %s", nombre, exc_info=True)


def _notificar(*, resolucion: Resolucion, plantilla: str, asunto: str) -> None:
    tramite = resolucion.tramite
    notificar(
        destinatario=tramite.correo,
        asunto=asunto,
        plantilla=plantilla,
        contexto={"tramite": tramite, "resolucion": resolucion, "base_url": settings.PUBLIC_BASE_URL},
        tramite=tramite,
    )


def resolucion_emitir(*, tramite: Tramite, usuario, datos: DatosResolucion, request=None) -> Resolucion:
    """The director's decision on an EVALUADO case: the signed document, the case RESUELTO, the e-mail."""
    if not puede_resolver(usuario=usuario, tramite=tramite):
        raise services.TransicionNoPermitida(
            _("Solo el director de la oficina puede emitir la resolución de un trámite evaluado.")
        )
    archivos: list[str] = []
    try:
        with transaction.atomic():
            # The transition locks the case and checks EVALUADO before a number is taken.
            services.tramite_transicionar(
                tramite=tramite,
                accion="resolver",
                actor=Rol.DIRECTOR,
                usuario=usuario,
                nota=_("Resolución emitida."),
                resultado=datos.decision,
            )
            resolucion = _emitir_documento(
                tramite=tramite, usuario=usuario, datos=datos, reemplaza=None, archivos=archivos
            )
            _notificar(
                resolucion=resolucion,
                plantilla="resolucion",
                asunto=_("Su trámite de reinserción laboral fue resuelto: %(ref)s")
                % {"ref": tramite.referencia},
            )
            auditoria.registrar(
                "resolucion_emitida",
                usuario=usuario,
                request=request,
                tramite=tramite,
                objeto=resolucion.numero,
                detalle={"decision": resolucion.decision, "sha256": resolucion.sha256},
            )
    except Exception:
        _borrar_archivos(archivos)
        raise
    return resolucion


def resolucion_corregir(
    *,
    resolucion: Resolucion,
    usuario,
    datos: DatosResolucion,
    motivo: str,
    causa: str = Resolucion.CausaRevocatoria.ERROR_MATERIAL,
    request=None,
) -> Resolucion:
    """Revoke a document with a reason and issue its replacement (new number and code), atomically."""
    if not motivo.strip():
        raise services.TransicionNoPermitida(_("Debe indicar el motivo de la corrección."))
    if not puede_corregir(usuario=usuario, resolucion=resolucion):
        raise services.TransicionNoPermitida(
            _("Solo el director de la oficina puede corregir una resolución vigente.")
        )
    archivos: list[str] = []
    try:
        with transaction.atomic():
            tramite = Tramite.objects.select_for_update().get(pk=resolucion.tramite_id)
            anterior = Resolucion.objects.select_for_update().get(pk=resolucion.pk)
            if anterior.estado != Resolucion.EstadoDocumento.VIGENTE:
                raise services.TransicionNoPermitida(_("Esta resolución ya fue revocada."))
            _revocar(anterior, causa=causa, motivo=motivo)
            nueva = _emitir_documento(
                tramite=tramite, usuario=usuario, datos=datos, reemplaza=anterior, archivos=archivos
            )
            if tramite.resultado != datos.decision:
                Tramite.objects.filter(pk=tramite.pk).update(
                    resultado=datos.decision, actualizado_en=timezone.now()
                )
            _notificar(
                resolucion=nueva,
                plantilla="resolucion_corregida",
                asunto=_("Su resolución de reinserción laboral fue corregida: %(ref)s")
                % {"ref": tramite.referencia},
            )
            auditoria.registrar(
                "resolucion_revocada",
                usuario=usuario,
                request=request,
                tramite=tramite,
                objeto=anterior.numero,
                detalle={"reemplazada_por": nueva.numero},
            )
            auditoria.registrar(
                "resolucion_emitida",
                usuario=usuario,
                request=request,
                tramite=tramite,
                objeto=nueva.numero,
                detalle={"decision": nueva.decision, "sha256": nueva.sha256, "reemplaza": anterior.numero},
            )
    except Exception:
        _borrar_archivos(archivos)
        raise
    return nueva


def _revocar(resolucion: Resolucion, *, causa: str, motivo: str) -> None:
    if causa not in Resolucion.CausaRevocatoria.values:
        raise services.TransicionNoPermitida(_("Elija la causa de la revocatoria."))
    resolucion.estado = Resolucion.EstadoDocumento.REVOCADA
    resolucion.revocada_en = timezone.now()
    resolucion.causa_revocatoria = causa
    resolucion.motivo_revocatoria = motivo.strip()
    resolucion.save(update_fields=["estado", "revocada_en", "causa_revocatoria", "motivo_revocatoria"])


def resolucion_revocar(*, resolucion: Resolucion, usuario, causa: str, motivo: str, request=None) -> Resolucion:
    """Revoke a document without issuing another: from now on /verificar/ says it is revoked (with the
    public cause, never medical detail); the citizen is told the reason and the remedies."""
    if not (motivo or "").strip():
        raise services.TransicionNoPermitida(_("Debe indicar el motivo de la revocatoria."))
    if not puede_corregir(usuario=usuario, resolucion=resolucion):
        raise services.TransicionNoPermitida(
            _("Solo el director de la oficina puede revocar una resolución vigente.")
        )
    with transaction.atomic():
        Tramite.objects.select_for_update().get(pk=resolucion.tramite_id)
        actual = Resolucion.objects.select_for_update().select_related("tramite").get(pk=resolucion.pk)
        if actual.estado != Resolucion.EstadoDocumento.VIGENTE:
            raise services.TransicionNoPermitida(_("Esta resolución ya fue revocada."))
        _revocar(actual, causa=causa, motivo=motivo)
        tramite = actual.tramite
        notificar(
            destinatario=tramite.correo,
            asunto=_("Su resolución de reinserción laboral fue revocada: %(ref)s") % {"ref": tramite.referencia},
            plantilla="resolucion_revocada",
            contexto={
                "tramite": tramite,
                "resolucion": actual,
                "recursos": ConfiguracionDocumento.actual().recursos,
                "base_url": settings.PUBLIC_BASE_URL,
            },
            tramite=tramite,
        )
        auditoria.registrar(
            "resolucion_revocada",
            usuario=usuario,
            request=request,
            tramite=tramite,
            objeto=actual.numero,
            detalle={"causa": actual.causa_revocatoria, "sin_reemplazo": True},
        )
    return actual


def documento_leer(resolucion: Resolucion) -> bytes:
    """The signed PDF exactly as issued (decrypted); its SHA-256 is the recorded one."""
    with resolucion.archivo.open("rb") as fh:
        return decrypt_bytes(fh.read())
