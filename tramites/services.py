"""Writes. Every change to a case goes through a function here; views, forms and tasks stay thin."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from . import auditoria, referencias
from .crypto import encrypt_bytes
from .estados import ABIERTOS, FINALES, Estado, transicion
from .models import Adjunto, HistorialEstado, Observacion, Oficina, ProvinciaOficina, Tramite
from .notificaciones import notificar, notificar_varias, renderizar
from .plazos import dias_habiles_entre, sumar_dias_habiles
from .roles import SISTEMA, Rol
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


def adjuntos_retenidos_purgar(*, antes_de=None) -> int:
    """Delete held files that no request claimed (older than HELD_FILES_HOURS)."""
    limite = antes_de or timezone.now() - timedelta(hours=settings.HELD_FILES_HOURS)
    n = 0
    for adjunto in Adjunto.objects.filter(tramite__isnull=True, creado_en__lt=limite).exclude(sesion=""):
        adjunto.archivo.delete(save=False)
        adjunto.delete()
        n += 1
    return n


# --- intake --------------------------------------------------------------------------------------


def _fecha_local(momento) -> "timezone.datetime.date":
    return timezone.localtime(momento).date()


def tramite_create(
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
            vence_el=sumar_dias_habiles(_fecha_local(ahora), settings.PLAZO_RESPUESTA_DIAS),
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

        _conteos_invalidar()  # the national view counts the new case

        from .tasks import encolar_tras_commit, enrutar_tramite

        encolar_tras_commit(enrutar_tramite, tramite.pk)
    return tramite


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


def tramite_transition(
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
        if anterior == Estado.OBSERVADO and t.hacia == Estado.EN_REVISION and actual.vence_el:
            # The legal clock was paused while observed: move the due date by the business days lost.
            observado_desde = (
                actual.historial.filter(estado_nuevo=Estado.OBSERVADO).order_by("-creado_en").first()
            )
            if observado_desde:
                pausa = dias_habiles_entre(_fecha_local(observado_desde.creado_en), _fecha_local(ahora))
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
        _conteos_invalidar(oficina_anterior, actual.oficina_id)
    if not ya_bloqueado:
        tramite.refresh_from_db()
    return tramite


def tramites_transition_en_lote(
    *,
    cambios: list[tuple[Tramite, str, dict]],
    accion: str,
    actor: str,
    usuario=None,
    visible_ciudadano: bool = True,
) -> None:
    """tramite_transition for many cases at once (routing a batch): the same table, checks, history
    row and audit event per case, written with one UPDATE and one INSERT.

    `cambios` holds (case, note, fields to set) for rows the caller has just read with
    select_for_update inside its open transaction. Only for changes without side rules: the end of an
    observation (the paused clock) and final states go through tramite_transition.
    """
    t = transicion(accion)
    if Estado.OBSERVADO in t.desde or t.hacia in FINALES:
        raise ValueError(f"«{accion}» no se aplica en lote: use tramite_transition.")
    if actor not in t.actores:
        raise TransicionNoPermitida(_("Su rol no permite esta acción."))
    if t.requiere_nota and any(not nota.strip() for _t, nota, _c in cambios):
        raise TransicionNoPermitida(_("Debe indicar el motivo."))
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "tramites_transition_en_lote exige una transacción abierta con las filas bloqueadas."
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
    _conteos_invalidar(*oficinas, *(actual.oficina_id for actual, _nota, _valores in cambios))


def _conteos_invalidar(*oficina_ids) -> None:
    """The inbox caches the counts per state (selectors.tramites_conteo_por_estado)."""
    from django.core.cache import cache

    from .selectors import claves_conteo

    claves = claves_conteo(*oficina_ids)
    cache.delete_many(claves)
    # Again after commit: a page computed between this moment and the commit saw the old figure.
    transaction.on_commit(lambda: cache.delete_many(claves))


# --- routing -------------------------------------------------------------------------------------


def oficina_para_provincia(provincia: str) -> Oficina:
    mapa = ProvinciaOficina.objects.select_related("oficina").filter(provincia=provincia).first()
    if mapa and mapa.oficina.activa:
        return mapa.oficina
    return oficina_nacional()


def oficina_nacional() -> Oficina:
    nacional = Oficina.objects.filter(tipo=Oficina.Tipo.NACIONAL, activa=True).order_by("pk").first()
    if nacional is None:
        nacional, _creada = Oficina.objects.get_or_create(
            codigo="dsgrt",
            defaults={
                "nombre": "Dirección del Seguro General de Riesgos del Trabajo",
                "tipo": Oficina.Tipo.NACIONAL,
                "siglas": "DSGRT",
                "correo": "dsgrt@iess.gob.ec",
            },
        )
    return nacional


def _oficinas_por_provincia(provincias) -> dict[str, Oficina]:
    """oficina_para_provincia for several provinces with one read of the map (one object per office)."""
    provincias = set(provincias)
    oficinas: dict[int, Oficina] = {}
    mapa = {}
    for fila in ProvinciaOficina.objects.select_related("oficina").filter(provincia__in=provincias):
        mapa[fila.provincia] = oficinas.setdefault(fila.oficina_id, fila.oficina)
    nacional = None
    resultado = {}
    for provincia in provincias:
        oficina = mapa.get(provincia)
        if oficina is None or not oficina.activa:
            nacional = nacional or oficina_nacional()
            oficina = oficinas.setdefault(nacional.pk, nacional)
        resultado[provincia] = oficina
    return resultado


def _analistas_por_carga(oficinas_ids) -> dict[int, list[list]]:
    """The active analysts of each office as [open cases, pk, user], fewest open cases first, ties by pk."""
    from django.contrib.auth import get_user_model
    from django.db.models import F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    # A correlated count (not a join) so that group or profile rows can never multiply the load.
    abiertos = (
        Tramite.objects.filter(analista=OuterRef("pk"), estado__in=sorted(ABIERTOS))
        .order_by()
        .values("analista")
        .annotate(n=Count("pk"))
        .values("n")
    )
    analistas = (
        get_user_model()
        .objects.filter(is_active=True, perfil__oficina__in=list(oficinas_ids), groups__name=Rol.ANALISTA)
        .annotate(abiertos=Coalesce(Subquery(abiertos), 0), oficina_de_perfil=F("perfil__oficina_id"))
        .order_by("abiertos", "pk")
    )
    por_oficina: dict[int, list[list]] = {}
    for u in analistas:
        por_oficina.setdefault(u.oficina_de_perfil, []).append([u.abiertos, u.pk, u])
    return por_oficina


def analista_con_menos_carga(oficina: Oficina):
    """The active analyst of `oficina` with the fewest open cases; ties go to the oldest account (pk)."""
    candidatos = _analistas_por_carga([oficina.pk]).get(oficina.pk)
    return candidatos[0][2] if candidatos else None


def tramite_enrutar(*, tramite_id: int, lote: int = 1) -> bool:
    """Assign a new case to its office and least-loaded analyst. Idempotent: True only if this call
    routed `tramite_id`.

    With `lote` > 1 (the routing task) the same transaction also routes up to `lote - 1` other cases
    waiting INGRESADO, oldest first, that no other transaction holds (SKIP LOCKED): a burst of cases
    is routed in batches, and the tasks of the cases a batch took find them ASIGNADO and do nothing.

    Safe when run twice at once: the case's own row is locked first and waited for, so the second run
    waits and then sees ASIGNADO; the other cases are only taken if free, never waited for. Then the
    offices' rows are locked, always in pk order (so two batches never deadlock), so that two batches
    with cases of one office choose analysts on committed counts, one after the other. A queued task
    that outlives its case is a no-op.
    """
    # A case never goes back to INGRESADO: a plain read settles a repeated delivery without a lock.
    if not Tramite.objects.filter(pk=tramite_id, estado=Estado.INGRESADO).exists():
        return False
    with transaction.atomic():
        propio = Tramite.objects.select_for_update().filter(pk=tramite_id).first()
        if propio is None or propio.estado != Estado.INGRESADO:
            return False
        casos = [propio]
        if lote > 1:
            casos += (
                Tramite.objects.select_for_update(skip_locked=True)
                .filter(estado=Estado.INGRESADO)
                .exclude(pk=tramite_id)
                .order_by("creado_en", "pk")[: lote - 1]
            )
        casos.sort(key=lambda t: (t.creado_en, t.pk))
        _enrutar_bloqueados(casos)
    return True


def _enrutar_bloqueados(casos: list[Tramite]) -> None:
    """Route cases INGRESADO that this transaction holds locked, in the given order: each goes to the
    analyst of its office with the fewest open cases at that moment (counting the ones assigned just
    before it), ties to the oldest account; with no analyst, to the office's queue."""
    destino = _oficinas_por_provincia(t.provincia for t in casos)
    oficinas = {o.pk: o for o in destino.values()}
    # Serialise the choice of analyst inside each office so two workers don't pick on stale counts.
    list(Oficina.objects.select_for_update().filter(pk__in=sorted(oficinas)).order_by("pk").values_list("pk"))
    cargas = _analistas_por_carga(oficinas)
    ahora = timezone.now()
    cambios, avisos = [], []
    for tramite in casos:
        oficina = destino[tramite.provincia]
        analista = None
        if candidatos := cargas.get(oficina.pk):
            fila = min(candidatos, key=lambda c: (c[0], c[1]))
            fila[0] += 1  # it now has one more open case
            analista = fila[2]
        nota = (
            _("Asignado a %(oficina)s, analista %(analista)s")
            % {"oficina": oficina.nombre, "analista": analista.get_full_name() or analista.get_username()}
            if analista
            else _("Asignado a %(oficina)s; en la cola de la oficina") % {"oficina": oficina.nombre}
        )
        cambios.append((tramite, nota, {"oficina": oficina, "analista": analista, "enrutado_en": ahora}))
        avisos.append(
            {
                "destinatario": oficina.correo,
                "asunto": _("Nuevo trámite de reinserción laboral: %(ref)s") % {"ref": tramite.referencia},
                "plantilla": "nuevo_caso_oficina",
                "contexto": {
                    "tramite": tramite,
                    "oficina": oficina,
                    "analista": analista,
                    "base_url": settings.PUBLIC_BASE_URL,
                },
                "tramite": tramite,
            }
        )
    tramites_transition_en_lote(cambios=cambios, accion="asignar", actor=SISTEMA)
    notificar_varias(avisos)


def observado_desde(tramite: Tramite):
    """The local date on which the case last entered OBSERVADO (None if it never did)."""
    paso = tramite.historial.filter(estado_nuevo=Estado.OBSERVADO).order_by("-creado_en", "-id").first()
    return _fecha_local(paso.creado_en) if paso else None


def dias_restantes(tramite: Tramite, *, hoy=None, observado_el=None) -> int | None:
    """Business days left to answer (negative when overdue); None once the case is closed.

    While OBSERVADO the clock is paused: the figure stays what it was on the day of the observation
    (tramite_transition moves `vence_el` forward by the paused business days when the citizen answers,
    so the count resumes from there). Lists may pass `observado_el` to spare one query per row.
    """
    if tramite.vence_el is None or tramite.estado not in ABIERTOS:
        return None
    hoy = hoy or timezone.localdate()
    if tramite.estado == Estado.OBSERVADO:
        desde = observado_el
        if desde is None and hasattr(tramite, "observado_en"):  # annotated by selectors.tramites_bandeja
            desde = _fecha_local(tramite.observado_en) if tramite.observado_en else None
        elif desde is None:
            desde = observado_desde(tramite)
        if desde is not None:
            hoy = min(hoy, desde)
    return dias_habiles_entre(hoy, tramite.vence_el)


def sha256_bytes(datos: bytes) -> str:
    return hashlib.sha256(datos).hexdigest()


# --- the staff workflow: take, observe, correct, send to evaluation, archive, reassign -------------


def _actor_para(*, usuario, accion: str) -> str:
    """The role in which `usuario` applies `accion` (from the one transition table)."""
    from .selectors import roles_de

    posibles = sorted(roles_de(usuario) & {str(a) for a in transicion(accion).actores})
    if not posibles:
        raise TransicionNoPermitida(_("Su rol no permite esta acción."))
    return posibles[0]


def _exigir_responsable(*, tramite: Tramite, usuario, actor: str) -> None:
    # A case lands with one analyst: another analyst of the office may not work it unless reassigned.
    if actor == Rol.ANALISTA and tramite.analista_id and tramite.analista_id != usuario.pk:
        raise TransicionNoPermitida(_("Este trámite está asignado a otro analista."))


def tramite_tomar(*, tramite: Tramite, usuario) -> Tramite:
    actor = _actor_para(usuario=usuario, accion="tomar")
    _exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    return tramite_transition(
        tramite=tramite,
        accion="tomar",
        actor=actor,
        usuario=usuario,
        nota=_("El analista tomó el caso para revisarlo."),
        analista=usuario,
    )


def tramite_enviar_evaluacion(*, tramite: Tramite, usuario, revision: str = "") -> Tramite:
    """Requirements met: on to the medical evaluation. `revision` is the checklist as text."""
    actor = _actor_para(usuario=usuario, accion="enviar_evaluacion")
    _exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    nota = _("Requisitos completos; enviado a evaluación médica.")
    if revision:
        nota = f"{nota}\n\n{revision}"
    return tramite_transition(
        tramite=tramite, accion="enviar_evaluacion", actor=actor, usuario=usuario, nota=nota
    )


def tramite_observar(*, tramite: Tramite, usuario, motivo: str, revision: str = "") -> Observacion:
    """Ask the citizen for a correction: an Observacion with its term, OBSERVADO, and an e-mail."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise TransicionNoPermitida(_("Debe indicar qué debe corregir el ciudadano."))
    actor = _actor_para(usuario=usuario, accion="observar")
    _exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    vence = sumar_dias_habiles(timezone.localdate(), settings.PLAZO_SUBSANACION_DIAS)
    nota = motivo if not revision else f"{motivo}\n\n{revision}"
    with transaction.atomic():
        tramite_transition(tramite=tramite, accion="observar", actor=actor, usuario=usuario, nota=nota)
        observacion = Observacion.objects.create(
            tramite=tramite, motivo=motivo, creada_por=usuario, vence_el=vence
        )
        notificar(
            destinatario=tramite.correo,
            asunto=_("Su solicitud %(ref)s tiene una observación") % {"ref": tramite.referencia},
            plantilla="observacion",
            contexto={"tramite": tramite, "observacion": observacion, "base_url": settings.PUBLIC_BASE_URL},
            tramite=tramite,
        )
    return observacion


def observacion_abierta(tramite: Tramite) -> Observacion | None:
    return tramite.observaciones.filter(respondida_en__isnull=True).order_by("-creada_en").first()


def tramite_subsanar(
    *,
    tramite: Tramite,
    archivos: list[tuple],
    comentario: str = "",
    usuario=None,
) -> Tramite:
    """The citizen (usuario=None) or a window clerk answers the open observation within its term.

    `archivos` are (uploaded file, ArchivoValidado) pairs already through the validator chain.
    """
    if usuario is None:
        actor = "ciudadano"
    else:
        actor = _actor_para(usuario=usuario, accion="subsanar")
    if not archivos:
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
            observacion.respondida_en = timezone.now()
            observacion.respuesta = (comentario or "").strip()[:2000]
            observacion.save(update_fields=["respondida_en", "respuesta"])
            nota = (
                _("El ciudadano subsanó la observación en línea.")
                if usuario is None
                else _("Subsanación entregada en ventanilla.")
            )
            tramite_transition(tramite=actual, accion="subsanar", actor=actor, usuario=usuario, nota=nota)
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
                        "adjuntos": guardados,
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


def tramite_archivar(*, tramite: Tramite, usuario, motivo: str) -> Tramite:
    actor = _actor_para(usuario=usuario, accion="archivar")
    _exigir_responsable(tramite=tramite, usuario=usuario, actor=actor)
    return tramite_transition(tramite=tramite, accion="archivar", actor=actor, usuario=usuario, nota=motivo)


def tramite_reasignar(*, tramite: Tramite, usuario, analista) -> Tramite:
    """The director moves a case to another analyst of the office. Not a state change: the history
    row keeps the state (hidden from the citizen) and the audit trail records the assignment."""
    from .selectors import oficina_de, roles_de

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

    from .estados import RELOJ_DETENIDO

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
            from .models import Notificacion

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
                tramite_transition(
                    tramite=tramite,
                    accion="desistir",
                    actor=SISTEMA,
                    nota=_(
                        "La observación no se subsanó dentro del plazo (hasta el %(fecha)s): "
                        "la solicitud se da por desistida."
                    )
                    % {"fecha": fecha},
                )
                notificar(
                    destinatario=tramite.correo,
                    asunto=_("Su solicitud %(ref)s se dio por desistida") % {"ref": tramite.referencia},
                    plantilla="desistimiento",
                    contexto={
                        "tramite": tramite,
                        "observacion": observacion,
                        "base_url": settings.PUBLIC_BASE_URL,
                    },
                    tramite=tramite,
                )
            cerrados += 1
        except TransicionNoPermitida:
            continue
    return cerrados
