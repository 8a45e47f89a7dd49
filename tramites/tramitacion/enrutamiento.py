"""Routing: each case goes to the office that serves its province and, inside it, to the analyst
with the fewest open cases. Batches of waiting cases are routed in one transaction (SKIP LOCKED)."""

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..estados import ABIERTOS, Estado
from ..models import Oficina, ProvinciaOficina, Tramite
from ..notificaciones import notificar_varias
from ..roles import SISTEMA, Rol
from ..services import tramites_transicionar_en_lote

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
    tramites_transicionar_en_lote(cambios=cambios, accion="asignar", actor=SISTEMA)
    notificar_varias(avisos)
