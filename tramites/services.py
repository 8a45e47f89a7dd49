"""Writes. Every change to a case goes through a function here; views, forms and tasks stay thin."""

import contextlib
import logging
import os
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import auditoria
from .crypto import encrypt_bytes
from .estados import ABIERTOS, FINALES, PAUSAN_EL_RELOJ, Estado, pausa_el_reloj, transicion
from .models import Adjunto, HistorialEstado, Tramite
from .plazos import dias_habiles_entre, fecha_local, reloj_pausado_desde, sumar_dias_habiles
from .roles import Rol
from .validators import ArchivoValidado

logger = logging.getLogger(__name__)


class TransicionNoPermitida(Exception):
    """The state or the actor does not allow this change (shown to staff as a plain message)."""


# --- attachments -------------------------------------------------------------------------------


def _firma_comprobada(archivo) -> tuple[str, str, str]:
    """Check the electronic signature of an uploaded PDF that carries one (pyHanko, tramites.firma):
    the verdict for Adjunto.firma_verificacion and the signer's name from the certificate. A PDF
    changed after signing, a signature that covers only part of the file and a damaged or fake
    signature dictionary are all NO_VALIDA; an intact signature whose certificate does not reach a
    root of SIGNING_TRUST_ROOTS is NO_RECONOCIDA (FirmaEC's CAs are trusted once their roots are
    configured). A certificate that expired after the signature is VALIDA_VENCIDO (judged at the
    signing time it claims). The third value is the signer's ID number read from the certificate."""
    from .firma import validate_pdf_signature

    archivo.seek(0)
    resultado = validate_pdf_signature(archivo.read())
    if resultado.valid and resultado.expired_since:
        veredicto = Adjunto.VerificacionFirma.VALIDA_VENCIDO
    elif resultado.valid:
        veredicto = Adjunto.VerificacionFirma.VALIDA
    elif resultado.intact:  # only ever set on a signature pyHanko could read
        veredicto = Adjunto.VerificacionFirma.NO_RECONOCIDA
    else:
        veredicto = Adjunto.VerificacionFirma.NO_VALIDA
    return veredicto, resultado.signer_cn[:200], resultado.signer_id[:20]


def adjunto_preparar(
    *,
    archivo,
    validado: ArchivoValidado,
    tipo: str,
    tramite: Tramite | None = None,
    sesion: str = "",
    usuario=None,
    cifrar: bool = False,
) -> Adjunto:
    """Write a validated upload to private storage under a random name; return its row, unsaved."""
    verificacion, firmante, id_firmante = _firma_comprobada(archivo) if validado.firma_digital else ("", "", "")
    archivo.seek(0)
    # Unencrypted, the upload goes to storage as it is (a large upload's temporary file is moved).
    contenido = ContentFile(encrypt_bytes(archivo.read())) if cifrar else archivo
    adjunto = Adjunto(
        tramite=tramite,
        tipo=tipo,
        nombre_original=validado.nombre_original,
        tamano=validado.tamano,
        tipo_contenido=validado.tipo_contenido,
        sha256=validado.sha256,
        firma_digital=validado.firma_digital,
        firma_verificacion=verificacion,
        firma_firmante=firmante,
        firma_identificacion=id_firmante,
        cifrado=cifrar,
        advertencia_calidad=validado.advertencia[:600],
        paginas=validado.paginas,
        sesion=sesion,
        subido_por=usuario if getattr(usuario, "is_authenticated", False) else None,
    )
    adjunto.archivo.save("x." + validado.extension, contenido, save=False)
    return adjunto


def adjunto_guardar(**kwargs) -> Adjunto:
    """Store a validated upload in private storage under a random name and record it."""
    adjunto = adjunto_preparar(**kwargs)
    try:
        adjunto.save()
    except Exception:
        adjunto.archivo.delete(save=False)
        raise
    return adjunto


def adjunto_leer(adjunto: Adjunto) -> bytes:
    from .crypto import decrypt_bytes

    with adjunto.archivo.open("rb") as fh:
        datos = fh.read()
    return decrypt_bytes(datos) if adjunto.cifrado else datos


class AlmacenPrivado(FileSystemStorage):
    """The private files on local disk (settings.STORAGES["default"]): Django's FileSystemStorage, except
    that a write that fails midway (a full disk: ENOSPC) removes the partial file it created, so the
    volume never keeps half a file; the request then answers 503 (views.error_500)."""

    def _save(self, name, content):
        ruta = self.path(name)
        existia = os.path.lexists(ruta)
        try:
            return super()._save(name, content)
        except OSError:
            if not existia:
                with contextlib.suppress(OSError):
                    os.remove(ruta)
            raise


def archivos_referenciados() -> set[str]:
    """The storage names of every file a row points to (every FileField of every model)."""
    nombres: set[str] = set()
    for modelo in apps.get_models():
        for campo in modelo._meta.concrete_fields:
            if isinstance(campo, models.FileField):
                filas = modelo._default_manager.exclude(**{campo.name: ""}).values_list(campo.name, flat=True)
                nombres.update(n for n in filas.iterator() if n)
    return nombres


def _nombres_en(almacen, carpeta: str = ""):
    try:
        subcarpetas, archivos = almacen.listdir(carpeta)
    except FileNotFoundError:
        return
    for archivo in archivos:
        yield f"{carpeta}/{archivo}" if carpeta else archivo
    for sub in subcarpetas:
        yield from _nombres_en(almacen, f"{carpeta}/{sub}" if carpeta else sub)


def archivos_huerfanos_purgar(*, antes_de=None) -> int:
    """Delete what a web worker killed mid-request can leave behind: files in private storage that no
    row names (written, then the process died before the transaction committed) and temporary upload
    files (FILE_UPLOAD_TEMP_DIR), both older than ARCHIVOS_HUERFANOS_HORAS (a request lasts seconds,
    so nothing still in use is touched). Run hourly by beat. Returns how many files it deleted."""
    limite = antes_de or timezone.now() - timedelta(hours=settings.ARCHIVOS_HUERFANOS_HORAS)
    referenciados = archivos_referenciados()
    borrados = 0
    for nombre in list(_nombres_en(default_storage)):
        if nombre in referenciados:
            continue
        try:
            if default_storage.get_modified_time(nombre) >= limite:
                continue
            default_storage.delete(nombre)
        except OSError:
            continue
        borrados += 1
        logger.warning("Archivo sin caso borrado del almacenamiento privado: %s", nombre)
    carpeta = settings.FILE_UPLOAD_TEMP_DIR
    if carpeta and os.path.isdir(carpeta):
        for entrada in os.scandir(carpeta):
            with contextlib.suppress(OSError):
                if entrada.is_file() and entrada.stat().st_mtime < limite.timestamp():
                    os.remove(entrada.path)
                    borrados += 1
    return borrados


def adjuntos_retenidos_purgar(*, antes_de=None) -> int:
    """Delete held files that no request claimed (older than HELD_FILES_HOURS)."""
    limite = antes_de or timezone.now() - timedelta(hours=settings.HELD_FILES_HOURS)
    n = 0
    for adjunto in Adjunto.objects.filter(tramite__isnull=True, creado_en__lt=limite).exclude(sesion=""):
        adjunto.archivo.delete(save=False)
        adjunto.delete()
        n += 1
    return n


# --- transitions ---------------------------------------------------------------------------------


def _exigir_estado(actual: Tramite, t) -> None:
    if actual.estado not in t.desde:
        raise TransicionNoPermitida(
            _("El trámite está en estado «%(estado)s»; esta acción ya no es posible.")
            % {"estado": actual.get_estado_display()}
        )


def _cambio_registrar(
    actual: Tramite,
    *,
    anterior: str,
    accion: str,
    actor: str,
    usuario,
    nota: str,
    visible_ciudadano: bool,
    ahora,
) -> HistorialEstado:
    """The audit event of a change of state (written now, or after the transaction) and its history
    row, returned unsaved so that a batch inserts all of them at once."""
    auditoria.registrar(
        "cambio_estado",
        usuario=usuario,
        tramite=actual,
        objeto=actual.referencia,
        detalle={"accion": accion, "de": anterior, "a": actual.estado},
    )
    return HistorialEstado(
        tramite=actual,
        estado_anterior=anterior,
        estado_nuevo=actual.estado,
        usuario=usuario,
        actor=actor,
        nota=nota,
        visible_ciudadano=visible_ciudadano,
        creado_en=ahora,
    )


def tramite_transicionar(
    *,
    tramite: Tramite,
    accion: str,
    actor: str,
    usuario=None,
    nota: str = "",
    visible_ciudadano: bool = True,
    ya_bloqueado: bool = False,
    **cambios,
) -> Tramite:
    """The ONE place where a case changes state: checks the table, locks the row, appends history.

    `actor` is the role the user acts in (or SISTEMA / CIUDADANO). Extra keyword arguments are
    fields of the case to set in the same write (e.g. analista, oficina, resultado).
    `ya_bloqueado=True`: the caller is inside a transaction and `tramite` is the row it has just read
    with select_for_update (routing): the row is not read and locked a second time, nor reloaded.
    """
    t = transicion(accion)
    if actor not in t.actores:
        raise TransicionNoPermitida(_("Su rol no permite esta acción."))
    if t.requiere_nota and not nota.strip():
        raise TransicionNoPermitida(_("Debe indicar el motivo."))
    if ya_bloqueado and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ya_bloqueado exige una transacción abierta con la fila bloqueada.")
    with transaction.atomic(savepoint=not ya_bloqueado):
        actual = tramite if ya_bloqueado else Tramite.objects.select_for_update().get(pk=tramite.pk)
        _exigir_estado(actual, t)
        anterior = actual.estado
        oficina_anterior = actual.oficina_id
        ahora = timezone.now()
        actual.estado = t.hacia
        campos = {"estado", "actualizado_en"}
        for campo, valor in cambios.items():
            setattr(actual, campo, valor)
            campos.add(campo)
        if t.hacia in (Estado.RESUELTO, Estado.DESISTIDO):
            actual.finalizado_en = ahora
            campos.add("finalizado_en")
        if pausa_el_reloj(anterior) and t.hacia in ABIERTOS and not pausa_el_reloj(t.hacia) and actual.vence_el:
            # The legal clock was paused while the case waited on the citizen: move the due date by the
            # business days lost.
            desde = reloj_pausado_desde(actual)
            if desde:
                pausa = dias_habiles_entre(desde, fecha_local(ahora))
                if pausa > 0:
                    actual.vence_el = sumar_dias_habiles(actual.vence_el, pausa)
                    campos.add("vence_el")
        actual.save(update_fields=list(campos))
        _cambio_registrar(
            actual,
            anterior=anterior,
            accion=accion,
            actor=actor,
            usuario=usuario,
            nota=nota,
            visible_ciudadano=visible_ciudadano,
            ahora=ahora,
        ).save()
        conteos_invalidar(oficina_anterior, actual.oficina_id)
    if not ya_bloqueado:
        tramite.refresh_from_db()
    return tramite


def tramites_transicionar_en_lote(
    *,
    cambios: list[tuple[Tramite, str, dict]],
    accion: str,
    actor: str,
    usuario=None,
    visible_ciudadano: bool = True,
) -> None:
    """tramite_transicionar for many cases at once (routing a batch): the same table, checks, history
    row and audit event per case, written with one UPDATE and one INSERT.

    `cambios` holds (case, note, fields to set) for rows the caller has just read with
    select_for_update inside its open transaction. Only for changes without side rules: the end of an
    observation (the paused clock) and final states go through tramite_transicionar.
    """
    t = transicion(accion)
    if t.desde & PAUSAN_EL_RELOJ or t.hacia in FINALES:
        raise ValueError(f"«{accion}» no se aplica en lote: use tramite_transicionar.")
    if actor not in t.actores:
        raise TransicionNoPermitida(_("Su rol no permite esta acción."))
    if t.requiere_nota and any(not nota.strip() for _t, nota, _c in cambios):
        raise TransicionNoPermitida(_("Debe indicar el motivo."))
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "tramites_transicionar_en_lote exige una transacción abierta con las filas bloqueadas."
        )
    if not cambios:
        return
    ahora = timezone.now()
    campos = {"estado", "actualizado_en"}
    historial = []
    oficinas = {actual.oficina_id for actual, _nota, _valores in cambios}
    for actual, nota, valores in cambios:
        _exigir_estado(actual, t)
        anterior = actual.estado
        actual.estado = t.hacia
        actual.actualizado_en = ahora  # bulk_update does not apply auto_now
        for campo, valor in valores.items():
            setattr(actual, campo, valor)
            campos.add(campo)
        historial.append(
            _cambio_registrar(
                actual,
                anterior=anterior,
                accion=accion,
                actor=actor,
                usuario=usuario,
                nota=nota,
                visible_ciudadano=visible_ciudadano,
                ahora=ahora,
            )
        )
    # One UPDATE per distinct set of new values (in routing: per office and analyst); bulk_update's
    # CASE per row and field costs more CPU than the round trips it saves. A row whose `valores` left a
    # field out writes back the value it was read with, under its lock.
    columnas = sorted(Tramite._meta.get_field(c).attname for c in campos)
    grupos: dict[tuple, list[int]] = {}
    for actual, _nota, _valores in cambios:
        grupos.setdefault(tuple(getattr(actual, c) for c in columnas), []).append(actual.pk)
    for valores, pks in grupos.items():
        Tramite.objects.filter(pk__in=pks).update(**dict(zip(columnas, valores, strict=True)))
    HistorialEstado.objects.bulk_create(historial)
    conteos_invalidar(*oficinas, *(actual.oficina_id for actual, _nota, _valores in cambios))


def conteos_invalidar(*oficina_ids) -> None:
    """The inbox caches the counts per state (selectors.tramites_conteo_por_estado)."""
    from django.core.cache import cache

    from .selectors import claves_conteo

    claves = claves_conteo(*oficina_ids)
    cache.delete_many(claves)
    # Again after commit: a page computed between this moment and the commit saw the old figure.
    transaction.on_commit(lambda: cache.delete_many(claves))


# --- the staff workflow: take, observe, correct, send to evaluation, archive, reassign -------------


def actor_para(*, usuario, accion: str) -> str:
    """The role in which `usuario` applies `accion` (from the one transition table)."""
    from .selectors import roles_de

    posibles = sorted(roles_de(usuario) & {str(a) for a in transicion(accion).actores})
    if not posibles:
        raise TransicionNoPermitida(_("Su rol no permite esta acción."))
    return posibles[0]


def exigir_responsable(*, tramite: Tramite, usuario, actor: str) -> None:
    # A case lands with one analyst: another analyst of the office may not work it unless reassigned.
    if actor == Rol.ANALISTA and tramite.analista_id and tramite.analista_id != usuario.pk:
        raise TransicionNoPermitida(_("Este trámite está asignado a otro analista."))
