"""The legal clock: business days of Ecuador (holidays and weekends excluded), paused while observed,
the daily e-mail of cases at risk to each office, and observations that expire as DESISTIDO."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from tests.casos import tramite_nuevo
from tramites import plazos, services
from tramites.estados import Estado
from tramites.models import HistorialEstado, Notificacion, Observacion, ProvinciaOficina
from tramites.plazos import dias_habiles_entre, es_habil, sumar_dias_habiles
from tramites.solicitud import services as solicitud
from tramites.tasks import alertar_plazos, vencer_observaciones
from tramites.tramitacion import services as tramitacion

EC = ZoneInfo("America/Guayaquil")


# --- business days ------------------------------------------------------------------------------


def test_carnaval_no_cuenta():
    # Carnaval 2026 is Monday 16 and Tuesday 17 February.
    assert not es_habil(date(2026, 2, 16)) and not es_habil(date(2026, 2, 17))
    assert sumar_dias_habiles(date(2026, 2, 13), 1) == date(2026, 2, 18)


def test_24_de_mayo_en_domingo_se_traslada_al_lunes():
    # Batalla de Pichincha 2026 falls on a Sunday and is observed on Monday 25.
    assert sumar_dias_habiles(date(2026, 5, 22), 1) == date(2026, 5, 26)


def test_24_de_mayo_en_sabado_se_adelanta_al_viernes():
    # In 2025 it fell on a Saturday and was observed on Friday 23.
    assert sumar_dias_habiles(date(2025, 5, 22), 1) == date(2025, 5, 26)


def test_treinta_dias_habiles_cruzando_carnaval():
    # From Monday 2 February 2026: 30 business days end on 18 March, two days later than without Carnaval.
    assert sumar_dias_habiles(date(2026, 2, 2), 30) == date(2026, 3, 18)
    assert dias_habiles_entre(date(2026, 2, 2), date(2026, 3, 18)) == 30
    assert dias_habiles_entre(date(2026, 3, 18), date(2026, 2, 2)) == -30


def test_plazo_de_una_solicitud_presentada_antes_de_carnaval(personal, django_capture_on_commit_callbacks):
    from unittest import mock

    momento = datetime(2026, 2, 2, 10, 0, tzinfo=EC)
    with mock.patch("django.utils.timezone.now", return_value=momento):
        with django_capture_on_commit_callbacks(execute=True):
            tramite = solicitud.tramite_crear(
                datos={
                    "tipo_identificacion": "cedula",
                    "identificacion": "1710034065",
                    "nombres": "Ana",
                    "apellidos": "Toapanta",
                    "correo": "ana@example.com",
                    "telefono": "+593991234567",
                    "provincia": "17",
                    "acepta_tratamiento_datos": True,
                },
                adjuntos=[],
            )
    assert tramite.vence_el == date(2026, 3, 18)
    assert plazos.dias_restantes(tramite, hoy=date(2026, 2, 13)) == 21
    assert plazos.dias_restantes(tramite, hoy=date(2026, 2, 18)) == 20  # Carnaval did not count


# --- the clock is paused while observed ---------------------------------------------------------


def _observar(tramite, usuario, *, dia: date, plazo: date) -> Observacion:
    """Take the case through the table up to OBSERVADO on `dia` (history dated that day)."""
    services.tramite_transicionar(tramite=tramite, accion="tomar", actor="analista", usuario=usuario)
    services.tramite_transicionar(
        tramite=tramite, accion="observar", actor="analista", usuario=usuario, nota="Cédula ilegible"
    )
    momento = datetime.combine(dia, datetime.min.time(), tzinfo=EC).replace(hour=11)
    fila = HistorialEstado.objects.filter(tramite=tramite, estado_nuevo=Estado.OBSERVADO).get()
    HistorialEstado.objects.filter(pk=fila.pk).update(creado_en=momento)
    return Observacion.objects.create(
        tramite=tramite, motivo="Cédula ilegible", creada_por=usuario, creada_en=momento, vence_el=plazo
    )


def test_observado_congela_los_dias_restantes_y_subsanar_los_recupera(personal):
    hoy = date.today()
    analista = personal["analista.pichincha"]
    tramite = tramite_nuevo(
        estado=Estado.ASIGNADO,
        oficina=ProvinciaOficina.objects.get(provincia="17").oficina,
        analista=analista,
        vence_el=sumar_dias_habiles(hoy, 12),
    )
    # Observed 5 business days ago: it had 17 days left then, and keeps 17 while observed.
    hace_cinco = hoy
    while dias_habiles_entre(hace_cinco, hoy) < 5:
        hace_cinco -= timedelta(days=1)
    _observar(tramite, analista, dia=hace_cinco, plazo=sumar_dias_habiles(hace_cinco, 10))
    tramite.refresh_from_db()
    assert tramite.estado == Estado.OBSERVADO
    assert plazos.dias_restantes(tramite, hoy=hoy) == 17
    assert plazos.dias_restantes(tramite, hoy=sumar_dias_habiles(hoy, 3)) == 17

    services.tramite_transicionar(tramite=tramite, accion="subsanar", actor="ciudadano")
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_REVISION
    assert plazos.dias_restantes(tramite, hoy=hoy) == 17  # the clock resumes where it stopped
    assert plazos.dias_restantes(tramite, hoy=sumar_dias_habiles(hoy, 1)) == 16


def test_casos_cerrados_no_muestran_dias(personal):
    tramite = tramite_nuevo(estado=Estado.RESUELTO)
    assert plazos.dias_restantes(tramite) is None


# --- the daily alert --------------------------------------------------------------------------------


@pytest.fixture
def casos_con_plazos(personal):
    hoy = date(2026, 5, 20)  # Wednesday; Monday 25 May is a holiday
    pichincha = ProvinciaOficina.objects.get(provincia="17").oficina
    guayas = ProvinciaOficina.objects.get(provincia="09").oficina
    analista = personal["analista.pichincha"]
    c = {
        "vencido": tramite_nuevo(estado=Estado.EN_REVISION, oficina=pichincha, analista=analista,
                                 vence_el=date(2026, 5, 15)),
        "hoy": tramite_nuevo(estado=Estado.ASIGNADO, oficina=pichincha, vence_el=hoy),
        "riesgo": tramite_nuevo(estado=Estado.EN_EVALUACION, oficina=pichincha, analista=analista,
                                vence_el=date(2026, 5, 27)),
        "a_tiempo": tramite_nuevo(estado=Estado.EN_REVISION, oficina=pichincha, vence_el=date(2026, 6, 30)),
        "observado": tramite_nuevo(estado=Estado.OBSERVADO, oficina=pichincha, vence_el=date(2026, 5, 1)),
        "resuelto": tramite_nuevo(estado=Estado.RESUELTO, oficina=pichincha, vence_el=date(2026, 5, 1)),
        "guayas": tramite_nuevo(estado=Estado.EN_REVISION, oficina=guayas, vence_el=date(2026, 5, 22)),
        "quinto_dia": tramite_nuevo(estado=Estado.EN_REVISION, oficina=guayas, vence_el=date(2026, 5, 28)),
        "sexto_dia": tramite_nuevo(estado=Estado.EN_REVISION, oficina=guayas, vence_el=date(2026, 5, 29)),
    }
    return hoy, pichincha, guayas, c


def test_alerta_diaria_a_cada_oficina_con_sus_casos_en_riesgo(
    casos_con_plazos, django_capture_on_commit_callbacks
):
    hoy, pichincha, guayas, c = casos_con_plazos
    # 27 May is 4 business days after the 20th (the 25th is a holiday), 28 May is 5 and 29 May is 6:
    # with the default PLAZO_RIESGO_DIAS=5 the first two are at risk. 15 May is 3 business days overdue.
    with django_capture_on_commit_callbacks(execute=True):
        assert tramitacion.plazos_alertar(hoy=hoy) == 2

    por_destinatario = {m.to[0]: m for m in mail.outbox}
    assert set(por_destinatario) == {pichincha.correo, guayas.correo}
    texto = por_destinatario[pichincha.correo].body
    for clave in ("vencido", "hoy", "riesgo"):
        assert c[clave].referencia in texto
    for clave in ("a_tiempo", "observado", "resuelto", "guayas", "quinto_dia", "sexto_dia"):
        assert c[clave].referencia not in texto
    assert "VENCIDOS (1)" in texto and "3 días hábiles de retraso" in texto
    assert "quedan 4 días hábiles" in texto and "queda 0" not in texto
    texto_guayas = por_destinatario[guayas.correo].body
    assert c["guayas"].referencia in texto_guayas and c["quinto_dia"].referencia in texto_guayas
    assert c["sexto_dia"].referencia not in texto_guayas


def test_la_alerta_se_envia_una_vez_por_dia(casos_con_plazos, django_capture_on_commit_callbacks):
    hoy, *_ = casos_con_plazos
    with django_capture_on_commit_callbacks(execute=True):
        assert tramitacion.plazos_alertar(hoy=hoy) == 2
        assert tramitacion.plazos_alertar(hoy=hoy) == 0
    assert len(mail.outbox) == 2
    assert Notificacion.objects.filter(tramite__isnull=True).count() == 2


def test_la_tarea_diaria_usa_la_fecha_de_hoy(personal, django_capture_on_commit_callbacks):
    pichincha = ProvinciaOficina.objects.get(provincia="17").oficina
    tramite_nuevo(estado=Estado.EN_REVISION, oficina=pichincha, vence_el=date.today() - timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert alertar_plazos.delay().get() == 1
    assert mail.outbox[0].to == [pichincha.correo]


# --- expired observations -------------------------------------------------------------------------


def test_observacion_vencida_termina_en_desistido_y_se_avisa(personal, django_capture_on_commit_callbacks):
    hoy = date.today()
    analista = personal["analista.pichincha"]
    oficina = ProvinciaOficina.objects.get(provincia="17").oficina
    vencida = tramite_nuevo(estado=Estado.ASIGNADO, oficina=oficina, analista=analista)
    vence_hoy = tramite_nuevo(estado=Estado.ASIGNADO, oficina=oficina, analista=analista)
    _observar(vencida, analista, dia=hoy - timedelta(days=20), plazo=hoy - timedelta(days=1))
    _observar(vence_hoy, analista, dia=hoy - timedelta(days=14), plazo=hoy)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert vencer_observaciones.delay().get() == 1
        assert tramitacion.observaciones_vencidas_cerrar() == 0  # a second run changes nothing

    vencida.refresh_from_db()
    vence_hoy.refresh_from_db()
    assert vencida.estado == Estado.DESISTIDO and vencida.finalizado_en is not None
    assert vence_hoy.estado == Estado.OBSERVADO  # the citizen may still correct today
    ultimo = vencida.historial.last()
    assert (ultimo.estado_anterior, ultimo.estado_nuevo, ultimo.actor) == (
        Estado.OBSERVADO,
        Estado.DESISTIDO,
        "sistema",
    )
    assert ultimo.visible_ciudadano
    [correo] = mail.outbox
    assert correo.to == [vencida.correo]
    assert vencida.referencia in correo.subject and "desistida" in correo.body
    assert "Cédula ilegible" in correo.body


def test_observacion_respondida_no_se_cierra(personal):
    from django.utils import timezone

    hoy = date.today()
    analista = personal["analista.pichincha"]
    oficina = ProvinciaOficina.objects.get(provincia="17").oficina
    tramite = tramite_nuevo(estado=Estado.ASIGNADO, oficina=oficina, analista=analista)
    obs = _observar(tramite, analista, dia=hoy - timedelta(days=20), plazo=hoy - timedelta(days=1))
    Observacion.objects.filter(pk=obs.pk).update(respondida_en=timezone.now())
    assert tramitacion.observaciones_vencidas_cerrar() == 0
    tramite.refresh_from_db()
    assert tramite.estado == Estado.OBSERVADO
