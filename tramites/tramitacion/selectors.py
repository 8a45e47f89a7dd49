"""Reads of the staff inbox: filters, search, the office's analysts, a case's audit trail."""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet

from ..models import Tramite
from ..roles import Rol
from ..selectors import tramites_visibles

# --- the staff inbox (issue 3) -----------------------------------------------------------------------

PLAZO_EN_RIESGO = "en_riesgo"
PLAZO_VENCIDOS = "vencidos"
ESTADO_ABIERTOS = ""  # the inbox's default: every case still open
ESTADO_TODOS = "todos"


def _ultimo_dia_habil(hoy):
    from ..plazos import es_habil

    dia = hoy
    while not es_habil(dia):
        dia -= timedelta(days=1)
    return dia


def _filtro_busqueda(q: str) -> Q:
    from .. import referencias

    texto = " ".join(q.split())
    referencia = referencias.normalizar(texto)
    if referencia:
        return Q(referencia=referencia)
    compacto = texto.replace(" ", "").replace("-", "").upper()
    if compacto.isalnum() and any(c.isdigit() for c in compacto) and 4 <= len(compacto) <= 20:
        return Q(identificacion=compacto)
    filtro = Q()
    for palabra in texto.split()[:5]:
        filtro &= Q(nombres__icontains=palabra) | Q(apellidos__icontains=palabra)
    return filtro


# The inbox shows the analyst's name only.
_USUARIO_NO_MOSTRADO = ("password", "last_login", "is_superuser", "email", "is_staff", "date_joined")


def tramites_bandeja(
    *,
    usuario,
    estado: str | None = None,
    provincia: str | None = None,
    canal: str | None = None,
    plazo: str | None = None,
    q: str | None = None,
    hoy=None,
) -> QuerySet[Tramite]:
    """The inbox: visible cases, filtered, most urgent legal clock first (no clock last).

    Days left are business days, so `plazo` is turned into date bounds here and the days themselves
    are computed per row in Python (services.dias_restantes) only for the page shown.
    """
    from django.utils import timezone

    from ..estados import ABIERTOS, RELOJ_DETENIDO
    from ..plazos import sumar_dias_habiles

    qs = tramites_visibles(usuario=usuario)
    if estado == ESTADO_TODOS:
        pass
    elif estado:
        qs = qs.filter(estado=estado)
    else:
        qs = qs.filter(estado__in=list(ABIERTOS))
    if provincia:
        qs = qs.filter(provincia=provincia)
    if canal:
        qs = qs.filter(canal=canal)
    if plazo in (PLAZO_EN_RIESGO, PLAZO_VENCIDOS):
        hoy = hoy or timezone.localdate()
        qs = qs.filter(estado__in=list(ABIERTOS - RELOJ_DETENIDO), vence_el__isnull=False)
        ultimo_habil = _ultimo_dia_habil(hoy)
        if plazo == PLAZO_VENCIDOS:
            qs = qs.filter(vence_el__lt=ultimo_habil)
        else:
            limite = sumar_dias_habiles(hoy, settings.PLAZO_RIESGO_DIAS + 1)
            qs = qs.filter(vence_el__gte=ultimo_habil, vence_el__lt=limite)
    if q and q.strip():
        qs = qs.filter(_filtro_busqueda(q))
    # The date each observed case was observed, so that the page's paused clocks cost no query per row.
    from django.db.models import OuterRef, Subquery

    from ..estados import PAUSAN_EL_RELOJ
    from ..models import HistorialEstado

    observado = HistorialEstado.objects.filter(tramite=OuterRef("pk"), estado_nuevo__in=PAUSAN_EL_RELOJ)
    qs = qs.annotate(observado_en=Subquery(observado.order_by("-creado_en", "-id").values("creado_en")[:1]))
    # The page shows neither the citizen's message nor the confirmation e-mail: not read for 25 rows.
    qs = qs.select_related(None).select_related("analista").defer(
        "mensaje", "correo_confirmacion", *(f"analista__{c}" for c in _USUARIO_NO_MOSTRADO)
    )
    return qs.order_by(F("vence_el").asc(nulls_last=True), "creado_en", "id")


def analistas_de_oficina(*, oficina):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, perfil__oficina=oficina, groups__name=Rol.ANALISTA)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def auditoria_de_tramite(*, tramite: Tramite):
    from ..models import EventoAuditoria

    return EventoAuditoria.objects.filter(tramite_id=tramite.pk).order_by("-creado_en", "-id")
