"""Routing: every new case reaches the office of its province (admin-editable map, national direction
as fallback) and the analyst with the fewest open cases, exactly once, even when run twice at once."""
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count

from tests.casos import analista_nuevo, broker_en, grupos_de_roles, tramite_nuevo
from tramites import services
from tramites.estados import Estado
from tramites.models import HistorialEstado, Notificacion, Oficina, ProvinciaOficina, Tramite
from tramites.solicitud import services as solicitud
from tramites.tasks import enrutar_tramite, reencolar_ingresados
from tramites.tramitacion import enrutamiento


def oficina_de(provincia: str) -> Oficina:
    return ProvinciaOficina.objects.get(provincia=provincia).oficina


def asignaciones(tramite) -> list[HistorialEstado]:
    return list(HistorialEstado.objects.filter(tramite=tramite, estado_nuevo=Estado.ASIGNADO))


def test_caso_de_pichincha_va_a_su_oficina_y_a_su_analista(personal):
    tramite = tramite_nuevo(provincia="17")

    assert enrutamiento.tramite_enrutar(tramite_id=tramite.pk) is True

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

    enrutamiento.tramite_enrutar(tramite_id=tramite.pk)

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

    enrutamiento.tramite_enrutar(tramite_id=tramite.pk)

    tramite.refresh_from_db()
    assert tramite.oficina.tipo == Oficina.Tipo.NACIONAL
    assert tramite.estado == Estado.ASIGNADO
    assert Notificacion.objects.filter(tramite=tramite, destinatario="dsgrt@iess.gob.ec").count() == 1


def test_oficina_sin_analistas_deja_el_caso_en_su_cola(personal):
    # Azuay has no staff in the demo data.
    tramite = tramite_nuevo(provincia="01")

    enrutamiento.tramite_enrutar(tramite_id=tramite.pk)

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
    enrutamiento.tramite_enrutar(tramite_id=primero.pk)
    primero.refresh_from_db()
    assert primero.analista == beatriz

    segundo = tramite_nuevo(provincia="17")
    enrutamiento.tramite_enrutar(tramite_id=segundo.pk)
    segundo.refresh_from_db()
    assert segundo.analista == carlos


def test_enrutar_dos_veces_asigna_una_sola_vez(personal):
    tramite = tramite_nuevo(provincia="09")

    assert enrutamiento.tramite_enrutar(tramite_id=tramite.pk) is True
    assert enrutamiento.tramite_enrutar(tramite_id=tramite.pk) is False
    assert enrutar_tramite.delay(tramite.pk).get() is False

    assert len(asignaciones(tramite)) == 1
    assert Notificacion.objects.filter(tramite=tramite, destinatario=oficina_de("09").correo).count() == 1


def test_un_caso_que_ya_no_esta_ingresado_o_no_existe_no_se_toca(personal):
    tramite = tramite_nuevo(provincia="17", estado=Estado.ARCHIVADO)
    assert enrutamiento.tramite_enrutar(tramite_id=tramite.pk) is False
    assert enrutamiento.tramite_enrutar(tramite_id=999_999) is False
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ARCHIVADO and tramite.oficina is None


def test_la_solicitud_recien_creada_se_enruta_tras_el_commit(personal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tramite = solicitud.tramite_crear(
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


def test_reencolar_ingresados_encola_solo_los_viejos(personal, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from tramites import tasks

    settings.REENCOLAR_MINUTOS = 5
    viejo = tramite_nuevo(provincia="17", creado_en=timezone.now() - timedelta(minutes=6))
    reciente = tramite_nuevo(provincia="17")  # its own task is probably still on its way
    encolados = []
    monkeypatch.setattr(tasks, "encolar", lambda tarea, *args: encolados.append((tarea, args)) or True)

    assert reencolar_ingresados.delay().get() == 1
    assert encolados == [(enrutar_tramite, (viejo.pk,))]

    # Run for real, the old case's task routes it, and in the same batch the recent one that waits.
    monkeypatch.undo()
    assert reencolar_ingresados.delay().get() == 1
    viejo.refresh_from_db()
    reciente.refresh_from_db()
    assert viejo.estado == Estado.ASIGNADO and reciente.estado == Estado.ASIGNADO
    assert len(asignaciones(viejo)) == len(asignaciones(reciente)) == 1


def test_broker_caido_no_impide_la_solicitud_ni_tarda(personal, settings, django_capture_on_commit_callbacks):
    """The case is saved and the citizen answered at once; the case waits INGRESADO for the re-queue."""
    with broker_en("redis://127.0.0.1:6390/0"):  # nothing listens there
        inicio = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            tramite = solicitud.tramite_crear(
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
    from tramites.management import demo

    grupos_de_roles()
    demo.cargar_usuarios()
    tramite = tramite_nuevo(provincia="17")
    resultados, errores = [], []
    # Hold the case's row so that both runs are certainly inside their transaction at the same time.
    with transaction.atomic():
        Tramite.objects.select_for_update().get(pk=tramite.pk)
        def enrutar():
            return enrutamiento.tramite_enrutar(tramite_id=tramite.pk)

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
    from tramites.management import demo

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
        return [enrutamiento.tramite_enrutar(tramite_id=t.pk) for t in mios]

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


# --- batches: one routing task takes the other waiting cases too ---------------------------------


def test_la_tarea_enruta_en_lote_los_casos_que_esperan_como_uno_por_uno(personal):
    """One task routes every waiting case: each with its office, its analyst by the same rule as one at a
    time (oldest case first, the counts growing as it assigns), its history row, its audit event and
    its own notice to the office; the tasks of the other cases then find them routed and write nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from tramites.models import EventoAuditoria

    pichincha = oficina_de("17")
    andres = personal["analista.pichincha"]
    beatriz = analista_nuevo("beatriz", pichincha)
    tramite_nuevo(estado=Estado.EN_REVISION, oficina=pichincha, analista=andres)
    inicio = timezone.now() - timedelta(minutes=10)
    provincias = ["17", "09", "17", "01", "30", "17", "17", "09"]
    casos = [tramite_nuevo(provincia=p, creado_en=inicio + timedelta(seconds=i)) for i, p in enumerate(provincias)]

    assert enrutar_tramite.delay(casos[4].pk).get() is True

    for t in casos:
        t.refresh_from_db()
        assert t.estado == Estado.ASIGNADO
        assert t.oficina == enrutamiento.oficina_para_provincia(t.provincia)
        assert len(asignaciones(t)) == 1
        [aviso] = Notificacion.objects.filter(tramite=t, destinatario=t.oficina.correo)
        assert t.referencia in aviso.asunto and t.referencia in aviso.texto
        assert EventoAuditoria.objects.filter(tramite_id=t.pk, accion="cambio_estado").count() == 1
    # Pichincha, oldest first: Beatriz (0 open) < Andrés (1), then the tie 1-1 goes to the older account.
    assert [t.analista for t in casos if t.provincia == "17"] == [beatriz, andres, beatriz, andres]
    assert [t.analista.username for t in casos if t.provincia == "09"] == ["analista.guayas"] * 2
    assert [t.analista for t in casos if t.provincia in ("01", "30")] == [None, None]

    for t in casos:
        assert enrutar_tramite.delay(t.pk).get() is False
    assert HistorialEstado.objects.filter(estado_nuevo=Estado.ASIGNADO).count() == len(casos)
    assert Notificacion.objects.filter(tramite__in=casos).count() == len(casos)
    assert EventoAuditoria.objects.filter(accion="cambio_estado").count() == len(casos)


def test_el_lote_tiene_un_tope_y_toma_primero_los_mas_antiguos(personal, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from tramites import tasks

    monkeypatch.setattr(tasks, "LOTE_ENRUTAMIENTO", 3)
    inicio = timezone.now() - timedelta(minutes=10)
    casos = [tramite_nuevo(provincia="09", creado_en=inicio + timedelta(seconds=i)) for i in range(6)]

    assert enrutar_tramite.delay(casos[5].pk).get() is True

    estados = {t.pk: t.estado for t in Tramite.objects.filter(pk__in=[t.pk for t in casos])}
    assert [estados[t.pk] for t in casos] == [Estado.ASIGNADO] * 2 + [Estado.INGRESADO] * 3 + [Estado.ASIGNADO]


def test_el_correo_de_un_lote_sale_una_vez_por_aviso(personal, django_capture_on_commit_callbacks, monkeypatch):
    """The batch's notices are sent by one task, each as its own message; a repeated delivery of that
    task sends nothing more."""
    from django.core import mail

    from tramites import tasks
    from tramites.tasks import enviar_notificaciones

    encoladas = []
    encolar = tasks.encolar
    monkeypatch.setattr(tasks, "encolar", lambda task, *args: encoladas.append(task.name) or encolar(task, *args))
    casos = [tramite_nuevo(provincia=p) for p in ("17", "09", "17")]
    with django_capture_on_commit_callbacks(execute=True):
        assert enrutar_tramite.delay(casos[0].pk).get() is True
    assert encoladas == [enviar_notificaciones.name]  # one e-mail task for the whole batch

    avisos = list(Notificacion.objects.filter(tramite__in=casos).order_by("pk"))
    assert len(avisos) == 3
    assert all(n.estado == Notificacion.EstadoEnvio.ENVIADO and n.intentos == 1 for n in avisos)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted((n.destinatario, n.asunto) for n in avisos)
    assert [m.body for m in sorted(mail.outbox, key=lambda m: m.subject)] == [
        n.texto for n in sorted(avisos, key=lambda n: n.asunto)
    ]

    assert enviar_notificaciones.delay([n.pk for n in avisos]).get() == 0
    assert len(mail.outbox) == 3


def test_correo_de_un_lote_con_smtp_caido_queda_fallido_y_luego_sale_una_vez(personal, settings):
    from django.core import mail

    from tramites.tasks import enviar_notificaciones

    settings.EMAIL_BACKEND = "tests.test_notificaciones.ServidorCaido"
    casos = [tramite_nuevo(provincia=p) for p in ("17", "09")]
    enrutar_tramite.delay(casos[0].pk).get()
    ids = list(Notificacion.objects.filter(tramite__in=casos).values_list("pk", flat=True))

    assert enviar_notificaciones.delay(ids).get() == 0
    for n in Notificacion.objects.filter(pk__in=ids):
        assert n.estado == Notificacion.EstadoEnvio.FALLIDO and n.intentos == 1
        assert "SMTPServerDisconnected" in n.ultimo_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert enviar_notificaciones.delay(ids).get() == 2
    assert enviar_notificaciones.delay(ids).get() == 0
    assert len(mail.outbox) == 2
    assert all(
        n.estado == Notificacion.EstadoEnvio.ENVIADO and n.intentos == 2
        for n in Notificacion.objects.filter(pk__in=ids)
    )


@solo_postgres
@pytest.mark.services
def test_un_lote_salta_los_casos_que_otro_tiene_bloqueados_sin_esperarlos(transactional_db, tareas_en_proceso):
    from tramites.management import demo

    grupos_de_roles()
    demo.cargar_usuarios()
    ocupado, *libres = [tramite_nuevo(provincia="17") for _ in range(5)]
    resultados, errores = [], []
    with transaction.atomic():
        Tramite.objects.select_for_update().get(pk=ocupado.pk)  # another batch holds it
        hilo = threading.Thread(
            target=_en_hilo,
            args=(lambda: enrutamiento.tramite_enrutar(tramite_id=libres[0].pk, lote=50), resultados, errores),
        )
        hilo.start()
        hilo.join(20)
        assert not hilo.is_alive(), "the batch waited for a case another transaction holds"
    assert not errores and resultados == [True]
    assert Tramite.objects.get(pk=ocupado.pk).estado == Estado.INGRESADO  # left for its own task
    assert all(Tramite.objects.get(pk=t.pk).estado == Estado.ASIGNADO for t in libres)
    assert enrutamiento.tramite_enrutar(tramite_id=ocupado.pk, lote=50) is True
    assert HistorialEstado.objects.filter(estado_nuevo=Estado.ASIGNADO).count() == 5


@solo_postgres
@pytest.mark.services
def test_lotes_simultaneos_asignan_cada_caso_una_vez_y_reparten_por_igual(transactional_db, tareas_en_proceso):
    from tramites.management import demo
    from tramites.models import EventoAuditoria

    grupos_de_roles()
    demo.cargar_usuarios()
    pichincha = oficina_de("17")
    analista_nuevo("analista.b", pichincha)
    analista_nuevo("analista.c", pichincha)
    casos = [tramite_nuevo(provincia=p) for p in ["17", "17", "09", "17", "30", "17"] * 10]
    barrera = threading.Barrier(6)
    resultados, errores = [], []

    def trabajar(mios):
        barrera.wait()
        try:
            return [enrutamiento.tramite_enrutar(tramite_id=t.pk, lote=7) for t in mios]
        finally:
            from tramites import auditoria

            auditoria.flush()

    hilos = [
        threading.Thread(target=_en_hilo, args=(trabajar, resultados, errores, casos[i::6])) for i in range(6)
    ]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(60)

    assert not errores
    assert not Tramite.objects.filter(estado=Estado.INGRESADO).exists()
    assert sum(sum(r) for r in resultados) <= len(casos)  # a case taken by a batch: its own call is False
    for t in casos:
        assert len(asignaciones(t)) == 1
        assert Notificacion.objects.filter(tramite=t).count() == 1
    assert EventoAuditoria.objects.filter(accion="cambio_estado").count() == len(casos)
    carga = sorted(
        Tramite.objects.filter(oficina=pichincha, analista__isnull=False)
        .values("analista")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert carga == [13, 13, 14], carga


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
        services.tramite_transicionar(
            tramite=abierto, accion="archivar", actor="analista", usuario=analista, nota="Duplicado"
        )

    assert tramites_conteo_por_estado(usuario=analista) == {Estado.ARCHIVADO: 2}
    assert tramites_conteo_por_estado(usuario=personal["supervisor.nacional"]) == {Estado.ARCHIVADO: 2}
