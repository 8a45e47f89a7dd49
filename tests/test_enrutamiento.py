"""Routing: every new case reaches the office of its province (admin-editable map, national direction
as fallback) and the analyst with the fewest open cases, exactly once, even when run twice at once."""
import threading
import time

import pytest
from django.db import connection, transaction

from tests.casos import analista_nuevo, broker_en, grupos_de_roles, tramite_nuevo
from tramites import services
from tramites.models import HistorialEstado, Notificacion, Oficina, ProvinciaOficina, Tramite
from tramites.states import Estado
from tramites.tasks import enrutar_tramite, reencolar_ingresados


def oficina_de(provincia: str) -> Oficina:
    return ProvinciaOficina.objects.get(provincia=provincia).oficina


def asignaciones(tramite) -> list[HistorialEstado]:
    return list(HistorialEstado.objects.filter(tramite=tramite, estado_nuevo=Estado.ASIGNADO))


def test_caso_de_pichincha_va_a_su_oficina_y_a_su_analista(personal):
    tramite = tramite_nuevo(provincia="17")

    assert services.tramite_enrutar(tramite_id=tramite.pk) is True

    tramite.refresh_from_db()
    oficina = oficina_de("17")
    assert tramite.estado == Estado.ASIGNADO
    assert tramite.oficina == oficina
    assert tramite.analista == personal["analista.pichincha"]
    assert tramite.enrutado_en is not None
    [fila] = asignaciones(tramite)
    assert fila.estado_anterior == Estado.INGRESADO and fila.actor == "sistema"
    assert "Andrés" in fila.nota
    aviso = Notificacion.objects.get(tramite=tramite, destinatario=oficina.correo)
    assert tramite.referencia in aviso.asunto and tramite.referencia in aviso.texto
    assert "Andrés Analista Pichincha" in aviso.texto


def test_el_mapa_editado_en_el_admin_manda(personal):
    # Imbabura is served from Pichincha after an administrator changes the map.
    ProvinciaOficina.objects.filter(provincia="10").update(oficina=oficina_de("17"))
    tramite = tramite_nuevo(provincia="10")

    services.tramite_enrutar(tramite_id=tramite.pk)

    tramite.refresh_from_db()
    assert tramite.oficina == oficina_de("17")
    assert tramite.analista == personal["analista.pichincha"]


@pytest.mark.parametrize("preparar", ["exterior", "sin_mapa", "oficina_inactiva"])
def test_casos_sin_oficina_provincial_van_a_la_direccion_nacional(oficinas, preparar):
    provincia = "30" if preparar == "exterior" else "20"
    if preparar == "sin_mapa":
        ProvinciaOficina.objects.filter(provincia="20").delete()
    if preparar == "oficina_inactiva":
        Oficina.objects.filter(pk=oficina_de("20").pk).update(activa=False)
    tramite = tramite_nuevo(provincia=provincia)

    services.tramite_enrutar(tramite_id=tramite.pk)

    tramite.refresh_from_db()
    assert tramite.oficina.tipo == Oficina.Tipo.NACIONAL
    assert tramite.estado == Estado.ASIGNADO
    assert Notificacion.objects.filter(tramite=tramite, destinatario="dsgrt@iess.gob.ec").count() == 1


def test_oficina_sin_analistas_deja_el_caso_en_su_cola(personal):
    # Azuay has no staff in the demo data.
    tramite = tramite_nuevo(provincia="01")

    services.tramite_enrutar(tramite_id=tramite.pk)

    tramite.refresh_from_db()
    assert tramite.estado == Estado.ASIGNADO
    assert tramite.oficina == oficina_de("01")
    assert tramite.analista is None
    assert "cola" in asignaciones(tramite)[0].nota
    assert "sin asignar" in Notificacion.objects.get(tramite=tramite).texto


def test_el_analista_activo_con_menos_casos_abiertos_recibe_el_caso(personal):
    pichincha = oficina_de("17")
    andres = personal["analista.pichincha"]
    beatriz = analista_nuevo("beatriz", pichincha)
    carlos = analista_nuevo("carlos", pichincha)
    analista_nuevo("inactivo", pichincha, activo=False)  # no cases, but may not receive any
    analista_nuevo("evaluador.extra", pichincha, rol="evaluador")  # not an analyst
    analista_nuevo("analista.guayas.2", oficina_de("09"))  # another office
    for _ in range(2):
        tramite_nuevo(estado=Estado.EN_REVISION, oficina=pichincha, analista=andres)
    # Closed cases do not count as load; OBSERVADO is still open.
    tramite_nuevo(estado=Estado.OBSERVADO, oficina=pichincha, analista=beatriz)
    for estado in (Estado.RESUELTO, Estado.ARCHIVADO, Estado.DESISTIDO):
        tramite_nuevo(estado=estado, oficina=pichincha, analista=carlos)
    tramite_nuevo(estado=Estado.ASIGNADO, oficina=pichincha, analista=carlos)

    # Beatriz and Carlos tie with one open case: the fixed order (oldest account first) decides.
    primero = tramite_nuevo(provincia="17")
    services.tramite_enrutar(tramite_id=primero.pk)
    primero.refresh_from_db()
    assert primero.analista == beatriz

    segundo = tramite_nuevo(provincia="17")
    services.tramite_enrutar(tramite_id=segundo.pk)
    segundo.refresh_from_db()
    assert segundo.analista == carlos


def test_enrutar_dos_veces_asigna_una_sola_vez(personal):
    tramite = tramite_nuevo(provincia="09")

    assert services.tramite_enrutar(tramite_id=tramite.pk) is True
    assert services.tramite_enrutar(tramite_id=tramite.pk) is False
    assert enrutar_tramite.delay(tramite.pk).get() is False

    assert len(asignaciones(tramite)) == 1
    assert Notificacion.objects.filter(tramite=tramite, destinatario=oficina_de("09").correo).count() == 1


def test_un_caso_que_ya_no_esta_ingresado_o_no_existe_no_se_toca(personal):
    tramite = tramite_nuevo(provincia="17", estado=Estado.ARCHIVADO)
    assert services.tramite_enrutar(tramite_id=tramite.pk) is False
    assert services.tramite_enrutar(tramite_id=999_999) is False
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ARCHIVADO and tramite.oficina is None


def test_la_solicitud_recien_creada_se_enruta_tras_el_commit(personal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tramite = services.tramite_create(
            datos={
                "tipo_identificacion": "cedula",
                "identificacion": "1714307103",
                "nombres": "Luis",
                "apellidos": "Guamán",
                "correo": "luis@example.com",
                "telefono": "+593991112233",
                "provincia": "17",
                "acepta_tratamiento_datos": True,
            },
            adjuntos=[],
        )
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ASIGNADO
    assert tramite.analista == personal["analista.pichincha"]
    assert [h.estado_nuevo for h in tramite.historial.all()] == [Estado.INGRESADO, Estado.ASIGNADO]


def test_reencolar_ingresados_enruta_solo_los_viejos(personal, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.REENCOLAR_MINUTOS = 5
    viejo = tramite_nuevo(provincia="17", creado_en=timezone.now() - timedelta(minutes=6))
    reciente = tramite_nuevo(provincia="17")

    assert reencolar_ingresados.delay().get() == 1

    viejo.refresh_from_db()
    reciente.refresh_from_db()
    assert viejo.estado == Estado.ASIGNADO
    assert reciente.estado == Estado.INGRESADO  # its own task is probably still on its way


def test_broker_caido_no_impide_la_solicitud_ni_tarda(personal, settings, django_capture_on_commit_callbacks):
    """The case is saved and the citizen answered at once; the case waits INGRESADO for the re-queue."""
    with broker_en("redis://127.0.0.1:6390/0"):  # nothing listens there
        inicio = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            tramite = services.tramite_create(
                datos={
                    "tipo_identificacion": "cedula",
                    "identificacion": "0926687856",
                    "nombres": "Rosa",
                    "apellidos": "Quishpe",
                    "correo": "rosa@example.com",
                    "telefono": "+593998887766",
                    "provincia": "09",
                    "acepta_tratamiento_datos": True,
                },
                adjuntos=[],
            )
        duracion = time.monotonic() - inicio
    assert duracion < 1.5, f"publicar con el broker caído tardó {duracion:.2f} s"
    tramite.refresh_from_db()
    assert tramite.estado == Estado.INGRESADO
    assert Notificacion.objects.get(tramite=tramite).estado == Notificacion.EstadoEnvio.PENDIENTE


# --- two at once: real concurrent transactions (PostgreSQL row locks) -------------------------------

solo_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks: concurrent routing is proven on PostgreSQL (CI's second run)",
)


def _en_hilo(fn, resultados, errores, *args):
    from django.db import connections

    try:
        resultados.append(fn(*args))
    except Exception as exc:  # surfaced by the test
        errores.append(exc)
    finally:
        connections.close_all()


def _esperando_bloqueo(minimo: int, timeout: float = 10.0) -> None:
    limite = time.monotonic() + timeout
    while time.monotonic() < limite:
        with connection.cursor() as cur:
            # Inside a transaction the statistics views are a snapshot unless it is cleared.
            cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0] >= minimo:
                return
        time.sleep(0.02)
    raise AssertionError(f"menos de {minimo} transacciones llegaron a esperar el bloqueo")


@pytest.fixture
def tareas_en_proceso():
    """Tasks queued from the threads (the e-mail to the office) run in-process, without a broker."""
    from reinsercion.celery import app

    anterior = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = anterior


@solo_postgres
@pytest.mark.services
def test_dos_enrutamientos_a_la_vez_asignan_una_sola_vez(transactional_db, tareas_en_proceso):
    from tramites import demo

    grupos_de_roles()
    demo.cargar_usuarios()
    tramite = tramite_nuevo(provincia="17")
    resultados, errores = [], []
    # Hold the case's row so that both runs are certainly inside their transaction at the same time.
    with transaction.atomic():
        Tramite.objects.select_for_update().get(pk=tramite.pk)
        def enrutar():
            return services.tramite_enrutar(tramite_id=tramite.pk)

        hilos = [threading.Thread(target=_en_hilo, args=(enrutar, resultados, errores)) for _ in range(2)]
        for h in hilos:
            h.start()
        _esperando_bloqueo(2)
    for h in hilos:
        h.join(20)

    assert not errores
    assert sorted(resultados) == [False, True]
    assert len(asignaciones(tramite)) == 1
    assert Notificacion.objects.filter(tramite=tramite, destinatario=oficina_de("17").correo).count() == 1


@solo_postgres
@pytest.mark.services
def test_enrutamientos_simultaneos_reparten_la_carga_por_igual(transactional_db, tareas_en_proceso):
    from tramites import demo

    grupos_de_roles()
    demo.cargar_usuarios()
    pichincha = oficina_de("17")
    analistas = [
        analista_nuevo("analista.b", pichincha),
        analista_nuevo("analista.c", pichincha),
    ]
    casos = [tramite_nuevo(provincia="17") for _ in range(24)]
    barrera = threading.Barrier(6)
    resultados, errores = [], []

    def trabajar(mios):
        barrera.wait()
        return [services.tramite_enrutar(tramite_id=t.pk) for t in mios]

    hilos = [
        threading.Thread(target=_en_hilo, args=(trabajar, resultados, errores, casos[i::6])) for i in range(6)
    ]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)

    assert not errores
    assert all(all(r) for r in resultados)
    carga = {u.username: Tramite.objects.filter(analista=u).count() for u in analistas}
    carga["analista.pichincha"] = Tramite.objects.filter(analista__username="analista.pichincha").count()
    assert sorted(carga.values()) == [8, 8, 8], carga
    assert HistorialEstado.objects.filter(estado_nuevo=Estado.ASIGNADO).count() == 24


def test_los_conteos_de_la_bandeja_siguen_al_tramite_que_se_cierra(
    personal, django_capture_on_commit_callbacks
):
    """The counts of finished cases are cached for the inbox; closing a case makes them current."""
    from tramites.selectors import tramites_conteo_por_estado

    analista = personal["analista.pichincha"]
    pichincha = oficina_de("17")
    tramite_nuevo(estado=Estado.ARCHIVADO, oficina=pichincha)
    abierto = tramite_nuevo(estado=Estado.EN_REVISION, oficina=pichincha, analista=analista)
    assert tramites_conteo_por_estado(usuario=analista) == {Estado.ARCHIVADO: 1, Estado.EN_REVISION: 1}
    assert tramites_conteo_por_estado(usuario=analista) == {Estado.ARCHIVADO: 1, Estado.EN_REVISION: 1}

    with django_capture_on_commit_callbacks(execute=True):
        services.tramite_transition(
            tramite=abierto, accion="archivar", actor="analista", usuario=analista, nota="Duplicado"
        )

    assert tramites_conteo_por_estado(usuario=analista) == {Estado.ARCHIVADO: 2}
    assert tramites_conteo_por_estado(usuario=personal["supervisor.nacional"]) == {Estado.ARCHIVADO: 2}
