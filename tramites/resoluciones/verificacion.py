"""The employer's check of a resolution: by its code, or by uploading the PDF (authentic and
unaltered / altered / unknown). Shows only what an employer needs; name and ID masked."""

import hashlib
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from .. import firma
from ..firma import FirmaResultado
from ..identificacion import enmascarar
from ..models import (
    Resolucion,
    Tramite,
    Verificacion,
)
from ..referencias import ALFABETO
from .services import CACHE_FIRMA_SEGUNDOS, cache_firma_clave, normalizar_codigo

# --- public verification -------------------------------------------------------------------------


class Veredicto:
    AUTENTICO = "autentico"
    ALTERADO = "alterado"
    DESCONOCIDO = "desconocido"
    NO_ENCONTRADO = "no_encontrado"


def nombre_enmascarado(tramite: Tramite) -> str:
    """`José Ñúñez Pérez` → `J*** Ñ*** P***`: enough to match a person in front of you, not to read it."""
    return " ".join(p[0] + "***" for p in tramite.nombre_completo.split() if p)


def datos_publicos(resolucion: Resolucion) -> dict:
    """Everything /verificar/ may show: no medical detail, no conditions, name and ID masked."""
    tramite = resolucion.tramite
    reemplazo = getattr(resolucion, "reemplazada_por", None) if resolucion.estado == "revocada" else None
    return {
        "numero": resolucion.numero,
        "emitida": timezone.localtime(resolucion.emitida_en),
        "decision": resolucion.get_decision_display(),
        "favorable": resolucion.decision == Resolucion.Decision.FAVORABLE,
        "oficina": resolucion.oficina.nombre,
        "vigencia_hasta": resolucion.vigencia_hasta,
        "vigente": resolucion.estado == Resolucion.EstadoDocumento.VIGENTE,
        "estado": resolucion.get_estado_display(),
        "revocada_en": timezone.localtime(resolucion.revocada_en) if resolucion.revocada_en else None,
        "reemplazada_por": reemplazo.numero if reemplazo else "",
        # The public cause only: the director's full reason may carry medical detail and stays private.
        "causa_revocatoria": resolucion.get_causa_revocatoria_display() if resolucion.causa_revocatoria else "",
        "nombre": nombre_enmascarado(tramite),
        "tipo_identificacion": tramite.get_tipo_identificacion_display(),
        "identificacion": enmascarar(tramite.identificacion),
        "firmante": resolucion.certificado_firmante,
        "demo": resolucion.certificado_demo,
    }


def verificar_codigo(*, codigo: str) -> Resolucion | None:
    """Look a document up by its verification code; every attempt is counted."""
    normalizado = normalizar_codigo(codigo)
    resolucion = None
    if normalizado:
        resolucion = (
            Resolucion.objects.select_related("tramite", "oficina")
            .filter(codigo_verificacion=normalizado)
            .first()
        )
    Verificacion.objects.create(
        resolucion=resolucion,
        metodo=Verificacion.Metodo.CODIGO,
        resultado=resolucion.estado if resolucion else Veredicto.NO_ENCONTRADO,
    )
    return resolucion


@dataclass(frozen=True)
class ResultadoVerificacion:
    veredicto: str
    resolucion: Resolucion | None = None
    firma: FirmaResultado | None = None
    # A document that is not byte-identical but names one of ours (its code is in the text).
    pretende_ser: Resolucion | None = None


def _firma(datos: bytes, sha256: str, *, at=None) -> FirmaResultado:
    clave = cache_firma_clave(sha256)
    resultado = cache.get(clave)
    if resultado is None:
        resultado = firma.validate_pdf_signature(datos, at=at)
        cache.set(clave, resultado, CACHE_FIRMA_SEGUNDOS)
    return resultado


def _codigo_en_texto(datos: bytes) -> str | None:
    """The verification code printed in a PDF, if its text can still be read (slow path only)."""
    try:
        from io import BytesIO

        from pypdf import PdfReader

        lector = PdfReader(BytesIO(datos), strict=False)
        texto = " ".join((pagina.extract_text() or "") for pagina in lector.pages[:3])
    except Exception:
        return None
    patron = r"([%s]{4}-[%s]{4}-[%s]{4}-[%s]{4})" % ((ALFABETO,) * 4)
    for candidato in re.findall(patron, texto):
        if Resolucion.objects.filter(codigo_verificacion=candidato).exists():
            return candidato
    return None


def verificar_pdf(*, datos: bytes) -> ResultadoVerificacion:
    """Is this file one of our documents, unaltered? SHA-256 against the record first, then the signature."""
    sha256 = hashlib.sha256(datos).hexdigest()
    resolucion = Resolucion.objects.select_related("tramite", "oficina").filter(sha256=sha256).first()
    if resolucion is not None:
        # Byte-identical to what was issued. The chain is judged at the recorded issue time, so an
        # expired signing certificate does not make an authentic document look doubtful.
        resultado = ResultadoVerificacion(
            Veredicto.AUTENTICO, resolucion=resolucion, firma=_firma(datos, sha256, at=resolucion.emitida_en)
        )
    else:
        firma_res = _firma(datos, sha256)
        codigo = _codigo_en_texto(datos)
        pretende = (
            Resolucion.objects.select_related("oficina").filter(codigo_verificacion=codigo).first()
            if codigo
            else None
        )
        if firma_res.altered or pretende is not None:
            resultado = ResultadoVerificacion(Veredicto.ALTERADO, firma=firma_res, pretende_ser=pretende)
        else:
            resultado = ResultadoVerificacion(Veredicto.DESCONOCIDO, firma=firma_res)
    Verificacion.objects.create(
        resolucion=resultado.resolucion or resultado.pretende_ser,
        metodo=Verificacion.Metodo.PDF,
        resultado=resultado.veredicto,
    )
    return resultado
