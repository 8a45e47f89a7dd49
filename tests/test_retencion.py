"""Retention (issue 6, point 5; ADR 0002): what is due is deleted or anonymised, recorded in the audit
trail, nothing else is touched, a dry run changes nothing, and a second run finds nothing to do."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import archivos_en_disco
from tests.fabricas_evaluacion import NOTA_MEDICA, tramite_resuelto
from tests.personal_ayudas import crear_tramite
from tramites import tasks
from tramites.datos_personales import retencion
from tramites.estados import Estado
from tramites.models import (
    Adjunto,
    Evaluacion,
    EventoAuditoria,
    HistorialEstado,
    Notificacion,
    Queja,
    Resolucion,
    Tramite,
)
from tramites.tramitacion import services as tramitacion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certificado_demo")]

UN_ANIO = timedelta(days=366)


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def resuelto(personal, django_capture_on_commit_callbacks):
    """A resolved case with the citizen's two files, an encrypted medical report and its e-mails."""
    with django_capture_on_commit_callbacks(execute=True):
        tramite, resolucion = tramite_resuelto(personal)
    # The factory makes the case without the citizen's files: give it the two the form would have.
    hecho = crear_tramite()
    Adjunto.objects.filter(tramite=hecho).update(tramite=tramite)
    Tramite.objects.filter(pk=hecho.pk).delete()
    return tramite, resolucion


def _archivado(personal, django_capture_on_commit_callbacks) -> Tramite:
    with django_capture_on_commit_callbacks(execute=True):
        tramite = crear_tramite()
        tramitacion.tramite_archivar(tramite=tramite, usuario=personal["director.pichincha"], motivo="Duplicado", motivo_ciudadano="Solicitud duplicada")
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ARCHIVADO
    return tramite


def _eventos(accion: str):
    return EventoAuditoria.objects.filter(accion=accion)


def test_plazos_por_defecto_son_settings(settings):
    assert retencion.plazos() == {"adjuntos": 5, "datos_medicos": 5, "anonimizar": 10, "quejas": 5}
    settings.RETENCION_ADJUNTOS_ANIOS = 2
    assert retencion.plazos()["adjuntos"] == 2


def test_antes_del_plazo_no_se_toca_nada(resuelto, django_capture_on_commit_callbacks, tmp_path):
    tramite, _resolucion = resuelto
    en_disco = len(archivos_en_disco(tmp_path / "privado"))
    with django_capture_on_commit_callbacks(execute=True):
        resultado = retencion.purgar_datos(ahora=timezone.now() + 4 * UN_ANIO)
    assert resultado.total == 0
    assert tramite.adjuntos.count() == 3  # identity document, letter, medical report
    assert Evaluacion.objects.get(tramite=tramite).notas == NOTA_MEDICA
    assert len(archivos_en_disco(tmp_path / "privado")) == en_disco
    # The run itself is recorded, even when nothing was due.
    assert _eventos("retencion_ejecutada").count() == 1


def test_un_caso_abierto_nunca_se_purga(personal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tramite = crear_tramite()
    resultado = retencion.purgar_datos(ahora=timezone.now() + 50 * UN_ANIO)
    assert resultado.total == 0
    assert tramite.adjuntos.count() == 2


def test_vencidos_adjuntos_y_datos_medicos(resuelto, django_capture_on_commit_callbacks, tmp_path):
    tramite, resolucion = resuelto
    informe = tramite.adjuntos.get(tipo=Adjunto.Tipo.INFORME_MEDICO)
    with django_capture_on_commit_callbacks(execute=True):
        resultado = retencion.purgar_datos(ahora=timezone.now() + 6 * UN_ANIO)

    assert (resultado.adjuntos, resultado.informes_medicos, resultado.evaluaciones) == (2, 1, 1)
    assert resultado.tramites_anonimizados == 0
    assert not tramite.adjuntos.exists()
    # Only the signed authorization (an administrative act, kept: ADR 0002) is left on disk.
    restantes = archivos_en_disco(tmp_path / "privado")
    assert [p.name for p in restantes] == [resolucion.archivo.name.rsplit("/", 1)[-1]]
    assert not (tmp_path / "privado" / informe.archivo.name).exists()

    evaluacion = Evaluacion.objects.get(tramite=tramite)
    assert (evaluacion.limitaciones, evaluacion.notas, evaluacion.restricciones) == ("", "", "")
    assert evaluacion.porcentaje_capacidad is not None and evaluacion.conclusion
    # The case itself still names its holder until the anonymisation period.
    tramite.refresh_from_db()
    assert tramite.identificacion == "1710034065"
    assert Resolucion.objects.filter(pk=resolucion.pk, estado="vigente").exists()

    evento = _eventos("retencion_adjuntos_eliminados").get(tramite_id=tramite.pk)
    tipos = sorted(a["tipo"] for a in evento.detalle["adjuntos"])
    assert tipos == ["documento_identidad", "solicitud_firmada"]
    assert all(len(a["sha256"]) == 64 for a in evento.detalle["adjuntos"])
    assert _eventos("retencion_informes_medicos_eliminados").filter(tramite_id=tramite.pk).count() == 1
    assert _eventos("retencion_evaluacion_depurada").filter(tramite_id=tramite.pk).count() == 1
    # No medical text or personal data is copied into the audit trail.
    for e in EventoAuditoria.objects.filter(accion__startswith="retencion_"):
        assert NOTA_MEDICA not in str(e.detalle) and "María" not in str(e.detalle)


def test_anonimizacion_del_caso_y_sus_correos(resuelto, personal, django_capture_on_commit_callbacks):
    tramite, resolucion = resuelto
    archivado = _archivado(personal, django_capture_on_commit_callbacks)
    assert Notificacion.objects.filter(tramite=tramite).exists()
    with django_capture_on_commit_callbacks(execute=True):
        resultado = retencion.purgar_datos(ahora=timezone.now() + 11 * UN_ANIO)
    assert resultado.tramites_anonimizados == 2

    for caso in (tramite, archivado):
        caso.refresh_from_db()
        assert caso.identificacion == f"ANON-{caso.pk}"
        assert caso.nombres == retencion.NOMBRE_ANONIMO and caso.apellidos == ""
        assert caso.correo == retencion.CORREO_ANONIMO
        assert caso.telefono == caso.mensaje == caso.correo_confirmacion == ""
        assert not caso.adjuntos.exists()
        assert not Notificacion.objects.filter(tramite=caso).exists()
        # The history keeps its shape (states, dates) without its free-text notes.
        assert caso.historial.count() >= 2
        assert not caso.historial.exclude(nota="").exists()
        evento = _eventos("retencion_tramite_anonimizado").get(tramite_id=caso.pk)
        assert evento.detalle["plazo_anios"] == 10
    # Kept for the figures and the issued act: state, result, province, office, dates, resolution.
    assert (tramite.estado, tramite.provincia) == (Estado.RESUELTO, "17") and tramite.oficina_id
    assert tramite.finalizado_en is not None
    assert Resolucion.objects.get(pk=resolucion.pk).numero == resolucion.numero
    # The citizen's lookup no longer finds anyone by the old number.
    assert not Tramite.objects.filter(identificacion="1710034065").exists()


def test_segunda_ejecucion_no_encuentra_nada(resuelto, django_capture_on_commit_callbacks):
    futuro = timezone.now() + 11 * UN_ANIO
    with django_capture_on_commit_callbacks(execute=True):
        primera = retencion.purgar_datos(ahora=futuro)
        segunda = retencion.purgar_datos(ahora=futuro)
    assert primera.total > 0
    assert segunda.total == 0
    assert _eventos("retencion_tramite_anonimizado").count() == 1
    assert _eventos("retencion_ejecutada").count() == 2


def test_simulacion_no_cambia_nada_ni_audita(resuelto, django_capture_on_commit_callbacks, tmp_path):
    tramite, _r = resuelto
    en_disco = sorted(archivos_en_disco(tmp_path / "privado"))
    antes = EventoAuditoria.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        resultado = retencion.purgar_datos(simulacion=True, ahora=timezone.now() + 11 * UN_ANIO)
    assert resultado.simulacion and resultado.total == 5  # 2 files, 1 report, 1 assessment text, 1 case
    assert resultado.tramites_anonimizados == 1
    assert any(tramite.referencia in linea for linea in resultado.detalle)
    tramite.refresh_from_db()
    assert tramite.identificacion == "1710034065" and tramite.adjuntos.count() == 3
    assert sorted(archivos_en_disco(tmp_path / "privado")) == en_disco
    assert EventoAuditoria.objects.count() == antes


def test_quejas_respondidas_se_anonimizan_y_siguen_contando(oficinas, django_capture_on_commit_callbacks):
    ahora = timezone.now()
    vieja = Queja.objects.create(
        referencia="Q-2019-AAAA-BBBB-C",
        nombres="Rosa Guamán",
        identificacion="1714307103",
        correo="rosa@example.com",
        telefono="+593987654321",
        provincia="17",
        texto="Nadie me responde.",
        estado=Queja.EstadoQueja.RESPONDIDA,
        respuesta="Le atendimos.",
        respondida_en=ahora - 6 * UN_ANIO,
        creada_en=ahora - 6 * UN_ANIO,
    )
    pendiente = Queja.objects.create(
        referencia="Q-2019-CCCC-DDDD-E",
        nombres="Luis Tipán",
        correo="luis@example.com",
        provincia="17",
        texto="Sin respuesta todavía.",
        creada_en=ahora - 6 * UN_ANIO,
    )
    resultado = retencion.purgar_datos()
    assert resultado.quejas_anonimizadas == 1
    vieja.refresh_from_db()
    assert (vieja.nombres, vieja.identificacion, vieja.correo, vieja.texto, vieja.respuesta) == (
        retencion.NOMBRE_ANONIMO,
        "",
        retencion.CORREO_ANONIMO,
        "",
        "",
    )
    assert vieja.creada_en is not None and vieja.provincia == "17"  # still counted by month
    pendiente.refresh_from_db()
    assert pendiente.texto == "Sin respuesta todavía."  # an unanswered complaint is still work to do
    assert _eventos("retencion_queja_anonimizada").filter(objeto=vieja.referencia).count() == 1
    assert retencion.purgar_datos().quejas_anonimizadas == 0


def test_comando_con_dry_run_y_real(resuelto, settings):
    tramite, _r = resuelto
    settings.RETENCION_ADJUNTOS_ANIOS = 0
    settings.RETENCION_DATOS_MEDICOS_ANIOS = 0
    settings.RETENCION_ANONIMIZAR_ANIOS = 0
    HistorialEstado.objects.filter(tramite=tramite).update(creado_en=timezone.now() - timedelta(days=1))

    salida = StringIO()
    call_command("purgar_datos", "--dry-run", stdout=salida)
    texto = salida.getvalue()
    assert "Simulación" in texto and tramite.referencia in texto and "1 trámites" in texto
    tramite.refresh_from_db()
    assert tramite.identificacion == "1710034065"

    salida = StringIO()
    call_command("purgar_datos", stdout=salida)
    assert "Listo" in salida.getvalue() and "1 trámites" in salida.getvalue()
    tramite.refresh_from_db()
    assert tramite.identificacion.startswith("ANON-")


def test_la_tarea_periodica_esta_registrada_y_programada(settings):
    from reinsercion.celery import app

    programadas = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "tramites.retencion.purgar_datos_vencidos" in programadas
    app.loader.import_default_modules()
    assert "tramites.retencion.purgar_datos_vencidos" in app.tasks
    assert tasks.purgar_datos_vencidos.delay().get()["simulacion"] is False


def test_ningun_tipo_de_adjunto_escapa_de_la_retencion():
    """Every attachment type is either the citizen's or medical, never both: a type added to the model
    without a retention period fails here (docs/checklists.md)."""
    from tramites.models import TIPOS_CIUDADANO, TIPOS_MEDICOS

    assert TIPOS_CIUDADANO | TIPOS_MEDICOS == set(Adjunto.Tipo)
    assert not TIPOS_CIUDADANO & TIPOS_MEDICOS


def test_cinco_anios_despues_no_queda_ningun_archivo_de_ningun_tipo(
    resuelto, django_capture_on_commit_callbacks, tmp_path
):
    tramite, _resolucion = resuelto
    correccion = Adjunto.objects.filter(tramite=tramite, tipo=Adjunto.Tipo.DOCUMENTO_IDENTIDAD).first()
    Adjunto.objects.filter(pk=correccion.pk).update(tipo=Adjunto.Tipo.SUBSANACION)
    assert {a.tipo for a in tramite.adjuntos.all()} >= {Adjunto.Tipo.SUBSANACION, Adjunto.Tipo.INFORME_MEDICO}
    with django_capture_on_commit_callbacks(execute=True):
        retencion.purgar_datos(ahora=timezone.now() + 5 * UN_ANIO + timedelta(days=2))
    assert not tramite.adjuntos.exists()
