"""The one transition table: every allowed change and every forbidden one, by state and by actor,
through the service (tramite_transicionar) and through the staff views."""

import pytest
from django.urls import reverse

from tests.casos import tramite_nuevo
from tests.personal_ayudas import cliente, crear_tramite, en_estado
from tramites import services
from tramites.estados import TRANSICIONES, Estado
from tramites.models import HistorialEstado, Tramite
from tramites.roles import CIUDADANO, SISTEMA, Rol
from tramites.services import TransicionNoPermitida
from tramites.tramitacion import services as tramitacion


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ACTORES = [SISTEMA, CIUDADANO, *[r.value for r in Rol]]
ANTES_DE_RESOLVER = {
    Estado.INGRESADO,
    Estado.ASIGNADO,
    Estado.EN_REVISION,
    Estado.OBSERVADO,
    Estado.EN_EVALUACION,
    Estado.EVALUADO,
}
# Written from docs/dominio.md (the journey), not read from the table, so a wrong table fails here.
ESPERADO = {
    "asignar": ({Estado.INGRESADO}, {SISTEMA}, Estado.ASIGNADO),
    "tomar": ({Estado.ASIGNADO}, {Rol.ANALISTA}, Estado.EN_REVISION),
    "observar": ({Estado.EN_REVISION}, {Rol.ANALISTA}, Estado.OBSERVADO),
    "subsanar": ({Estado.OBSERVADO}, {CIUDADANO, Rol.VENTANILLA}, Estado.EN_REVISION),
    "desistir": ({Estado.OBSERVADO}, {SISTEMA}, Estado.DESISTIDO),
    "enviar_evaluacion": ({Estado.EN_REVISION}, {Rol.ANALISTA}, Estado.EN_EVALUACION),
    "evaluar": ({Estado.EN_EVALUACION}, {Rol.EVALUADOR}, Estado.EVALUADO),
    "resolver": ({Estado.EVALUADO}, {Rol.DIRECTOR}, Estado.RESUELTO),
    "archivar": (ANTES_DE_RESOLVER, {Rol.ANALISTA, Rol.DIRECTOR}, Estado.ARCHIVADO),
}


def test_la_tabla_tiene_exactamente_las_acciones_del_producto():
    assert {t.accion for t in TRANSICIONES} == set(ESPERADO)


@pytest.mark.django_db
@pytest.mark.parametrize("accion", sorted(ESPERADO))
def test_cada_cambio_permitido_y_prohibido_por_estado_y_actor(accion):
    desde, actores, hacia = ESPERADO[accion]
    tramite = tramite_nuevo()
    for estado in Estado:
        for actor in ACTORES:
            en_estado(tramite, estado)
            filas = HistorialEstado.objects.filter(tramite=tramite).count()
            permitido = estado in desde and actor in actores
            if permitido:
                services.tramite_transicionar(
                    tramite=tramite, accion=accion, actor=actor, nota="motivo de prueba"
                )
                tramite.refresh_from_db()
                assert tramite.estado == hacia, (accion, estado, actor)
                ultima = HistorialEstado.objects.filter(tramite=tramite).last()
                assert (ultima.estado_anterior, ultima.estado_nuevo, ultima.actor) == (estado, hacia, actor)
            else:
                with pytest.raises(TransicionNoPermitida):
                    services.tramite_transicionar(tramite=tramite, accion=accion, actor=actor, nota="motivo")
                tramite.refresh_from_db()
                assert tramite.estado == estado, (accion, estado, actor)
                assert HistorialEstado.objects.filter(tramite=tramite).count() == filas


@pytest.mark.django_db
def test_observar_y_archivar_exigen_motivo():
    tramite = en_estado(tramite_nuevo(), Estado.EN_REVISION)
    for accion in ("observar", "archivar"):
        with pytest.raises(TransicionNoPermitida):
            services.tramite_transicionar(tramite=tramite, accion=accion, actor=Rol.ANALISTA, nota="   ")
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_REVISION


# --- through the staff views --------------------------------------------------------------------


def _accion(c, tramite, accion, datos=None):
    return c.post(reverse("personal:accion", args=[tramite.referencia, accion]), datos or {})


REVISION_COMPLETA = {
    "revision-documento_legible": "on",
    "revision-solicitud_firmada": "on",
    "revision-solicitud_datos": "on",
    "revision-tipo_firma": "manuscrita",
}


@pytest.mark.django_db
def test_el_analista_toma_revisa_y_envia_a_evaluacion_por_la_pagina(personal):
    analista = personal["analista.pichincha"]
    tramite = crear_tramite(provincia="17")
    assert (tramite.estado, tramite.analista) == (Estado.ASIGNADO, analista)
    c = cliente(analista)

    pagina = c.get(reverse("personal:tramite", args=[tramite.referencia])).content.decode()
    # The checklist is there from ASIGNADO: the analyst may take the case first, or decide straight away.
    assert "Tomar el caso" in pagina and "Enviar a evaluación" in pagina

    assert _accion(c, tramite, "tomar").status_code == 302
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_REVISION

    pagina = c.get(reverse("personal:tramite", args=[tramite.referencia])).content.decode()
    assert "Enviar a evaluación" in pagina and "Observar" in pagina and "Tomar el caso" not in pagina

    r = _accion(c, tramite, "enviar_evaluacion", REVISION_COMPLETA)
    assert r.status_code == 302
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_EVALUACION
    nota = tramite.historial.last().nota
    assert "Documento de identidad legible: Cumple" in nota
    assert "Tipo de firma: Firma manuscrita" in nota


@pytest.mark.django_db
def test_enviar_desde_asignado_toma_el_caso_y_lo_envia_en_un_paso(personal):
    analista = personal["analista.pichincha"]
    tramite = crear_tramite(provincia="17")
    c = cliente(analista)
    assert _accion(c, tramite, "enviar_evaluacion", REVISION_COMPLETA).status_code == 302
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_EVALUACION
    # Both steps are in the history, in order, and the ticks were saved with the decision.
    estados = list(tramite.historial.values_list("estado_nuevo", flat=True))
    assert estados[-2:] == [Estado.EN_REVISION, Estado.EN_EVALUACION]
    assert tramite.revision.documento_legible and tramite.revision.tipo_firma == "manuscrita"


@pytest.mark.django_db
def test_enviar_a_evaluacion_sin_revision_completa_no_cambia_el_estado(personal):
    analista = personal["analista.pichincha"]
    tramite = en_estado(crear_tramite(provincia="17"), Estado.EN_REVISION)
    c = cliente(analista)
    datos = dict(REVISION_COMPLETA)
    del datos["revision-solicitud_firmada"]
    r = _accion(c, tramite, "enviar_evaluacion", datos)
    assert r.status_code == 400
    assert "Para enviar a evaluación, este requisito debe cumplirse." in r.content.decode()
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_REVISION


@pytest.mark.django_db
def test_accion_fuera_de_estado_es_un_mensaje_no_un_error(personal):
    analista = personal["analista.pichincha"]
    tramite = en_estado(crear_tramite(provincia="17"), Estado.EN_EVALUACION)  # already sent
    c = cliente(analista)
    r = _accion(c, tramite, "enviar_evaluacion", REVISION_COMPLETA)
    assert r.status_code == 302
    siguiente = c.get(r["Location"]).content.decode()
    assert "esta acción ya no es posible" in siguiente
    tramite.refresh_from_db()
    assert tramite.estado == Estado.EN_EVALUACION


@pytest.mark.django_db
@pytest.mark.parametrize("usuario", ["evaluador.pichincha", "ventanilla.pichincha", "supervisor.nacional"])
def test_roles_sin_esa_accion_reciben_403_y_el_estado_no_cambia(personal, usuario):
    tramite = crear_tramite(provincia="17")
    r = _accion(cliente(personal[usuario]), tramite, "tomar")
    assert r.status_code == 403
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ASIGNADO


@pytest.mark.django_db
def test_el_director_no_toma_ni_observa_pero_archiva_con_motivo(personal):
    director = personal["director.pichincha"]
    tramite = crear_tramite(provincia="17")
    c = cliente(director)
    pagina = c.get(reverse("personal:tramite", args=[tramite.referencia])).content.decode()
    assert "Tomar el caso" not in pagina and "Archivar" in pagina

    _accion(c, tramite, "tomar")
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ASIGNADO

    r = _accion(c, tramite, "archivar", {"archivar-motivo": ""})
    assert r.status_code == 400 and "Escriba el motivo del archivo." in r.content.decode()
    _accion(
        c,
        tramite,
        "archivar",
        {"archivar-motivo": "Duplicado de otra solicitud", "archivar-motivo_ciudadano": "Ya tiene otra solicitud."},
    )
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ARCHIVADO
    assert tramite.historial.last().nota == "Duplicado de otra solicitud"


@pytest.mark.django_db
def test_otro_analista_de_la_oficina_no_trabaja_un_caso_ajeno(personal):
    from tests.casos import analista_nuevo

    tramite = crear_tramite(provincia="17")
    otro = analista_nuevo("analista.dos", personal["analista.pichincha"].perfil.oficina)
    c = cliente(otro)
    pagina = c.get(reverse("personal:tramite", args=[tramite.referencia])).content.decode()
    assert "Tomar el caso" not in pagina
    _accion(c, tramite, "tomar")
    tramite.refresh_from_db()
    assert (tramite.estado, tramite.analista) == (Estado.ASIGNADO, personal["analista.pichincha"])


@pytest.mark.django_db
def test_el_supervisor_ve_todo_sin_formularios_de_accion(personal):
    tramite = crear_tramite(provincia="09")
    r = cliente(personal["supervisor.nacional"]).get(reverse("personal:tramite", args=[tramite.referencia]))
    assert r.status_code == 200
    pagina = r.content.decode()
    assert "solo lectura" in pagina
    assert "/acciones/" not in pagina and "/reasignar/" not in pagina


@pytest.mark.django_db
def test_el_director_reasigna_a_otro_analista_de_su_oficina(personal):
    from tests.casos import analista_nuevo

    director = personal["director.pichincha"]
    tramite = crear_tramite(provincia="17")
    nuevo = analista_nuevo("analista.nuevo", director.perfil.oficina)
    ajeno = personal["analista.guayas"]
    c = cliente(director)

    r = c.post(reverse("personal:reasignar", args=[tramite.referencia]), {"reasignar-analista": ajeno.pk})
    assert r.status_code == 400
    tramite.refresh_from_db()
    assert tramite.analista == personal["analista.pichincha"]

    r = c.post(reverse("personal:reasignar", args=[tramite.referencia]), {"reasignar-analista": nuevo.pk})
    assert r.status_code == 302
    tramite.refresh_from_db()
    assert (tramite.analista, tramite.estado) == (nuevo, Estado.ASIGNADO)
    fila = tramite.historial.last()
    assert fila.estado_anterior == fila.estado_nuevo == Estado.ASIGNADO
    assert not fila.visible_ciudadano

    # The analyst is not a director: reassigning is refused.
    r = cliente(nuevo).post(
        reverse("personal:reasignar", args=[tramite.referencia]), {"reasignar-analista": nuevo.pk}
    )
    assert r.status_code == 403


@pytest.mark.django_db
def test_reasignar_servicio_rechaza_caso_finalizado(personal):
    director = personal["director.pichincha"]
    tramite = en_estado(crear_tramite(provincia="17"), Estado.ARCHIVADO)
    with pytest.raises(TransicionNoPermitida):
        tramitacion.tramite_reasignar(tramite=tramite, usuario=director, analista=personal["analista.pichincha"])
    assert Tramite.objects.get(pk=tramite.pk).estado == Estado.ARCHIVADO


def test_el_reloj_legal_se_detiene_solo_mientras_se_espera_al_ciudadano():
    """COA art. 207: the 30-day term runs while the request is in the institution's hands. The paused
    states are read off the transition table, and the citizen can leave each of them."""
    from tramites.estados import PAUSAN_EL_RELOJ, TRANSICIONES, pausa_el_reloj
    from tramites.roles import CIUDADANO

    assert PAUSAN_EL_RELOJ == {Estado.OBSERVADO}
    assert pausa_el_reloj(Estado.OBSERVADO) and not pausa_el_reloj(Estado.EN_REVISION)
    for estado in PAUSAN_EL_RELOJ:
        assert any(estado in t.desde and CIUDADANO in t.actores for t in TRANSICIONES)
