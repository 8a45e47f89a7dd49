"""Issue 15: the inbox as a work queue (Mis trámites, tabs, corrected cases first, filters kept, next
case), accent-insensitive search, the one saved checklist, directors' tools, standard texts, the
national direction's demo staff and the readable audit trail."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.casos import analista_nuevo
from tests.personal_ayudas import cliente, crear_tramite, en_estado
from tramites import auditoria
from tramites.estados import Estado
from tramites.models import (
    EventoAuditoria,
    Notificacion,
    Observacion,
    Oficina,
    TextoObservacion,
    Tramite,
)
from tramites.plazos import sumar_dias_habiles

pytestmark = pytest.mark.django_db

COMPLETA = {
    "revision-documento_legible": "on",
    "revision-solicitud_firmada": "on",
    "revision-solicitud_datos": "on",
    "revision-tipo_firma": "manuscrita",
}


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _refs(html: str) -> list[str]:
    return re.findall(r'href="/personal/tramites/([0-9A-Z-]+)/" data-abrir', html)


def _url(tramite, nombre="personal:tramite") -> str:
    return reverse(nombre, args=[tramite.referencia])


def _subsanado(tramite, analista):
    """A case observed and corrected by the citizen: back in review with a responded observation."""
    en_estado(tramite, Estado.EN_REVISION)
    Observacion.objects.create(
        tramite=tramite,
        motivo="Suba la cédula legible.",
        creada_por=analista,
        vence_el=timezone.localdate(),
        respondida_en=timezone.now(),
    )
    return tramite


# --- 1. the queue ---------------------------------------------------------------------------------


def test_la_bandeja_abre_en_mis_tramites_con_el_subsanado_primero(personal):
    analista = personal["analista.pichincha"]
    urgente = crear_tramite()
    Tramite.objects.filter(pk=urgente.pk).update(vence_el=sumar_dias_habiles(timezone.localdate(), 2))
    corregido = _subsanado(crear_tramite(), analista)
    ajeno = crear_tramite()
    otro = analista_nuevo("analista.dos", Oficina.objects.get(provincias__provincia="17"))
    Tramite.objects.filter(pk=ajeno.pk).update(analista=otro)
    en_evaluacion = en_estado(crear_tramite(), Estado.EN_EVALUACION)
    html = cliente(analista).get("/personal/").content.decode()
    assert "Mis trámites" in html and 'aria-current="page">Mis trámites' in html
    # Mine and waiting for me: the corrected one first, marked, then by legal days left.
    assert _refs(html) == [corregido.referencia, urgente.referencia]
    assert "subsanado — revisar" in html
    assert ajeno.referencia not in html and en_evaluacion.referencia not in html
    # The office's tab still lists every open case.
    oficina = cliente(analista).get("/personal/", {"vista": "oficina"}).content.decode()
    assert {corregido.referencia, urgente.referencia, ajeno.referencia, en_evaluacion.referencia} <= set(_refs(oficina))


def test_pestanas_observados_y_cerrados(personal):
    analista = personal["analista.pichincha"]
    observado = en_estado(crear_tramite(), Estado.OBSERVADO)
    archivado = en_estado(crear_tramite(), Estado.ARCHIVADO)
    abierto = crear_tramite()
    cache.clear()
    c = cliente(analista)
    assert _refs(c.get("/personal/", {"vista": "observados"}).content.decode()) == [observado.referencia]
    assert _refs(c.get("/personal/", {"vista": "cerrados"}).content.decode()) == [archivado.referencia]
    assert archivado.referencia not in c.get("/personal/", {"vista": "oficina"}).content.decode()
    assert abierto.referencia in c.get("/personal/", {"vista": "oficina"}).content.decode()


def test_filtros_y_pagina_se_conservan_al_volver_del_tramite(personal):
    analista = personal["analista.pichincha"]
    tramite = crear_tramite()
    c = cliente(analista)
    c.get("/personal/", {"vista": "oficina", "provincia": "17", "orden": "antiguos", "pagina": "1"})
    html = c.get(_url(tramite)).content.decode()
    volver = re.search(r'<a href="([^"]+)">Volver a la bandeja</a>', html).group(1)
    assert volver == "/personal/?vista=oficina&amp;provincia=17&amp;orden=antiguos&amp;pagina=1"


def test_siguiente_tramite_despues_de_enviar(personal):
    analista = personal["analista.pichincha"]
    primero, segundo = crear_tramite(), crear_tramite()
    c = cliente(analista)
    r = c.post(_url(primero, "personal:revision").replace("revision", "acciones/enviar_evaluacion"), COMPLETA)
    assert r.status_code == 302
    html = c.get(r["Location"]).content.decode()
    assert "El trámite se envió a evaluación médica." in html
    assert re.search(rf'href="/personal/tramites/{segundo.referencia}/" data-siguiente', html)
    # The last case of the queue has no next one.
    r = c.post(f"/personal/tramites/{segundo.referencia}/acciones/enviar_evaluacion/", COMPLETA)
    assert "data-siguiente" not in c.get(r["Location"]).content.decode()


def test_el_director_ve_casillas_de_seleccion_y_el_analista_no(personal):
    crear_tramite()
    assert 'name="tramites"' not in cliente(personal["analista.pichincha"]).get("/personal/").content.decode()
    director = cliente(personal["director.pichincha"]).get("/personal/", {"vista": "oficina"}).content.decode()
    assert 'name="tramites"' in director and "Reasignar los seleccionados" in director


# --- 2. search --------------------------------------------------------------------------------------


def test_la_busqueda_ignora_tildes_y_mayusculas(personal):
    analista = personal["analista.pichincha"]
    a = crear_tramite(nombres="María José", apellidos="Morán Ñauta")
    b = crear_tramite(nombres="Ángel", apellidos="Guamán")
    c = cliente(analista)
    for q, esperado in (
        ("maria", [a]),
        ("MORAN", [a]),
        ("moran nauta", [a]),
        ("María Morán", [a]),
        ("angel guaman", [b]),
        ("ÁNGEL", [b]),
        ("perez", []),
    ):
        html = c.get("/personal/", {"q": q}).content.decode()
        assert _refs(html) == [t.referencia for t in esperado], q


def test_la_busqueda_dice_donde_busco_y_amplia_a_los_cerrados_con_un_clic(personal):
    analista = personal["analista.pichincha"]
    abierto = crear_tramite(apellidos="Morán Uno")
    cerrado = en_estado(crear_tramite(apellidos="Morán Dos"), Estado.RESUELTO)
    c = cliente(analista)
    html = c.get("/personal/", {"q": "moran"}).content.decode()
    assert _refs(html) == [abierto.referencia]
    assert "solo en los trámites abiertos" in html
    enlace = re.search(r'<a href="([^"]+)">Buscar también en los cerrados</a>', html).group(1).replace("&amp;", "&")
    html = c.get("/personal/" + enlace).content.decode()
    assert set(_refs(html)) == {abierto.referencia, cerrado.referencia}
    assert "abiertos y cerrados" in html and "Buscar solo en los abiertos" in html


def test_busqueda_por_referencia_e_identificacion_tambien_en_cerrados(personal):
    cerrado = en_estado(crear_tramite(identificacion="1714307103"), Estado.ARCHIVADO)
    c = cliente(personal["analista.pichincha"])
    assert _refs(c.get("/personal/", {"q": cerrado.referencia}).content.decode()) == []
    assert _refs(c.get("/personal/", {"q": cerrado.referencia, "alcance": "todos"}).content.decode()) == [
        cerrado.referencia
    ]
    assert _refs(c.get("/personal/", {"q": "1714307103", "alcance": "todos"}).content.decode()) == [
        cerrado.referencia
    ]


# --- 3. the checklist -------------------------------------------------------------------------------


def test_las_marcas_se_guardan_y_vuelven_al_recargar(personal):
    analista = personal["analista.pichincha"]
    tramite = crear_tramite()
    c = cliente(analista)
    r = c.post(
        _url(tramite, "personal:revision"),
        {"revision-documento_legible": "on", "revision-tipo_firma": "electronica"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert r.status_code == 200 and "Revisión guardada" in r.json()["mensaje"]
    # The script posts the whole form: a standard text chosen in it does not stop the save.
    texto = TextoObservacion.objects.create(titulo="Cédula", texto="Suba la cédula.")
    r = c.post(
        _url(tramite, "personal:revision"),
        {"revision-documento_legible": "on", "revision-tipo_firma": "electronica", "revision-texto_estandar": texto.pk},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert r.status_code == 200
    html = c.get(_url(tramite)).content.decode()
    assert re.search(r'name="revision-documento_legible"[^>]*checked', html)
    assert not re.search(r'name="revision-solicitud_firmada"[^>]*checked', html)
    assert re.search(r'value="electronica" checked', html)
    # One checklist on the page, not one per action.
    assert html.count('name="revision-documento_legible"') == 1


def test_un_envio_con_errores_conserva_las_marcas(personal):
    tramite = crear_tramite()
    c = cliente(personal["analista.pichincha"])
    datos = dict(COMPLETA)
    del datos["revision-solicitud_datos"]
    r = c.post(f"/personal/tramites/{tramite.referencia}/acciones/enviar_evaluacion/", datos)
    assert r.status_code == 400
    tramite.refresh_from_db()
    assert tramite.estado == Estado.ASIGNADO
    assert tramite.revision.documento_legible and tramite.revision.solicitud_firmada
    assert not tramite.revision.solicitud_datos


def test_otro_analista_no_guarda_marcas(personal):
    tramite = crear_tramite()
    otro = analista_nuevo("analista.tres", Oficina.objects.get(provincias__provincia="17"))
    r = cliente(otro).post(_url(tramite, "personal:revision"), COMPLETA, HTTP_X_REQUESTED_WITH="fetch")
    assert r.status_code == 403
    from tramites.models import RevisionRequisitos

    assert not RevisionRequisitos.objects.filter(tramite=tramite).exists()


def test_el_documento_corregido_se_muestra_junto_al_que_reemplaza(personal):
    from tests import files
    from tests.personal_ayudas import archivo
    from tramites.subsanacion.services import tramite_subsanar
    from tramites.tramitacion import services as tramitacion
    from tramites.validators import validar_adjunto

    analista = personal["analista.pichincha"]
    tramite = crear_tramite()
    tramitacion.tramite_observar(
        tramite=tramite,
        usuario=analista,
        motivo="La cédula no se lee.",
        marcas={"documento_legible": False, "solicitud_firmada": True, "solicitud_datos": True},
    )
    nuevo = archivo(files.jpeg_documento(), "cedula nueva.jpg")
    tramite_subsanar(tramite=tramite, archivos=[(nuevo, validar_adjunto(nuevo))])
    html = cliente(analista).get(_url(tramite)).content.decode()
    cedula = tramite.adjuntos.get(tipo="documento_identidad")
    correccion = tramite.adjuntos.get(tipo="subsanacion")
    bloque = html.split('class="comparacion"', 1)[1].split("</section>", 1)[0]
    # The ID card (the requirement left unticked) beside its correction, in that order.
    assert bloque.index(f"/adjuntos/{cedula.pk}/") < bloque.index(f"/adjuntos/{correccion.pk}/")
    assert "subsanado — revisar" in html


def test_el_pdf_se_sirve_para_verse_dentro_de_la_pagina(personal):
    tramite = crear_tramite()
    pdf = tramite.adjuntos.get(tipo="solicitud_firmada")
    r = cliente(personal["analista.pichincha"]).get(f"/personal/tramites/{tramite.referencia}/adjuntos/{pdf.pk}/")
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    assert r["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in r["Content-Security-Policy"]


# --- 4. directors ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reasignacion_en_lote(personal):
    director = personal["director.pichincha"]
    casos = [crear_tramite() for _ in range(3)]
    nuevo = analista_nuevo("analista.cuatro", Oficina.objects.get(provincias__provincia="17"))
    c = cliente(director)
    r = c.post(
        reverse("personal:reasignar_lote"),
        {"tramites": [t.referencia for t in casos[:2]], "lote-analista": nuevo.pk, "volver": "vista=oficina"},
    )
    assert r.status_code == 302 and r["Location"] == "/personal/?vista=oficina"
    assert "2 trámites reasignados" in c.get(r["Location"]).content.decode()
    assert [Tramite.objects.get(pk=t.pk).analista_id for t in casos] == [nuevo.pk, nuevo.pk, casos[2].analista_id]
    auditoria.flush()
    assert EventoAuditoria.objects.filter(accion="reasignacion").count() == 2


def test_reasignacion_en_lote_todo_o_nada(personal):
    director = personal["director.pichincha"]
    bueno = crear_tramite()
    cerrado = en_estado(crear_tramite(), Estado.ARCHIVADO)
    guayas = crear_tramite(provincia="09")
    nuevo = analista_nuevo("analista.cinco", Oficina.objects.get(provincias__provincia="17"))
    c = cliente(director)
    for intruso in (cerrado, guayas):
        r = c.post(
            reverse("personal:reasignar_lote"),
            {"tramites": [bueno.referencia, intruso.referencia], "lote-analista": nuevo.pk},
        )
        assert r.status_code == 302
        assert "No se reasignó ninguno" in c.get(r["Location"]).content.decode()
    assert Tramite.objects.get(pk=bueno.pk).analista_id != nuevo.pk
    # Nothing ticked, or an analyst of another office: a message, nothing changed.
    r = c.post(reverse("personal:reasignar_lote"), {"lote-analista": nuevo.pk})
    assert "Seleccione al menos un trámite" in c.get(r["Location"]).content.decode()
    r = c.post(
        reverse("personal:reasignar_lote"),
        {"tramites": [bueno.referencia], "lote-analista": personal["analista.guayas"].pk},
    )
    assert "Elija un analista de su oficina." in c.get(r["Location"]).content.decode()
    # Not a director: refused.
    assert cliente(personal["analista.pichincha"]).post(reverse("personal:reasignar_lote"), {}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_trasladar_a_otra_oficina(personal, mailoutbox):
    director = personal["director.pichincha"]
    tramite = en_estado(crear_tramite(), Estado.EN_REVISION)
    vence = tramite.vence_el
    guayas = Oficina.objects.get(provincias__provincia="09")
    c = cliente(director)
    cliente(personal["analista.guayas"]).get("/personal/", {"vista": "oficina"})  # caches Guayas' counts
    r = c.post(
        _url(tramite, "personal:trasladar"),
        {"trasladar-oficina": guayas.pk, "trasladar-motivo": "El ciudadano vive en Guayaquil."},
    )
    assert r.status_code == 302
    tramite.refresh_from_db()
    assert tramite.oficina == guayas and tramite.analista == personal["analista.guayas"]
    assert tramite.vence_el == vence and tramite.estado == Estado.EN_REVISION  # the legal clock is untouched
    historia = tramite.historial.last()
    assert "Trasladado de" in historia.nota and "Guayaquil" in historia.nota and not historia.visible_ciudadano
    auditoria.flush()
    evento = EventoAuditoria.objects.get(accion="traslado", tramite_id=tramite.pk)
    assert evento.detalle["oficina_a"] == guayas.nombre
    aviso = Notificacion.objects.get(tramite=tramite, destinatario=guayas.correo)
    assert tramite.referencia in aviso.asunto and "no cambia con el traslado" in aviso.texto
    # Guayas sees it at once (its cached counts were cleared); Pichincha no longer does.
    assert tramite.referencia in cliente(personal["analista.guayas"]).get("/personal/").content.decode()
    assert c.get(_url(tramite)).status_code == 404


def test_trasladar_exige_motivo_y_estado_previo_a_la_evaluacion(personal):
    director = personal["director.pichincha"]
    guayas = Oficina.objects.get(provincias__provincia="09")
    tramite = crear_tramite()
    c = cliente(director)
    r = c.post(_url(tramite, "personal:trasladar"), {"trasladar-oficina": guayas.pk, "trasladar-motivo": " "})
    assert r.status_code == 400 and "Escriba el motivo del traslado." in r.content.decode()
    evaluado = en_estado(crear_tramite(), Estado.EN_EVALUACION)
    r = c.post(_url(evaluado, "personal:trasladar"), {"trasladar-oficina": guayas.pk, "trasladar-motivo": "x"})
    assert "antes de la evaluación médica" in c.get(r["Location"]).content.decode()
    assert Tramite.objects.get(pk=evaluado.pk).oficina_id != guayas.pk
    r = cliente(personal["analista.pichincha"]).post(
        _url(tramite, "personal:trasladar"), {"trasladar-oficina": guayas.pk, "trasladar-motivo": "x"}
    )
    assert r.status_code == 403


def test_carga_de_trabajo_por_analista(personal):
    analista = personal["analista.pichincha"]
    hoy = timezone.localdate()
    riesgo = crear_tramite()
    Tramite.objects.filter(pk=riesgo.pk).update(vence_el=sumar_dias_habiles(hoy, 2))
    vencido = crear_tramite()
    Tramite.objects.filter(pk=vencido.pk).update(vence_el=hoy - timezone.timedelta(days=20))
    crear_tramite()
    en_estado(crear_tramite(), Estado.OBSERVADO)
    html = cliente(personal["director.pichincha"]).get(reverse("personal:carga")).content.decode()
    fila = html.split(analista.get_full_name(), 1)[1].split("</tr>", 1)[0]
    assert [int(n) for n in re.findall(r">(\d+)<", fila)] == [4, 1, 1, 1]
    assert cliente(analista).get(reverse("personal:carga")).status_code == 403


# --- 5. standard texts -------------------------------------------------------------------------------


def test_texto_estandar_se_envia_tal_como_quedo(personal):
    analista = personal["analista.pichincha"]
    texto = TextoObservacion.objects.create(titulo="Cédula ilegible", texto="Suba una foto nítida de su cédula.")
    otra_oficina = TextoObservacion.objects.create(
        titulo="Solo Guayas", texto="x", oficina=Oficina.objects.get(provincias__provincia="09")
    )
    tramite = crear_tramite()
    c = cliente(analista)
    html = c.get(_url(tramite)).content.decode()
    assert "Cédula ilegible" in html and "Solo Guayas" not in html
    editado = texto.texto + " Debe verse el número completo."
    r = c.post(
        f"/personal/tramites/{tramite.referencia}/acciones/observar/",
        {"revision-motivo": editado, "revision-texto_estandar": texto.pk},
    )
    assert r.status_code == 302
    texto.texto = "Cambiado después"
    texto.save()
    assert Observacion.objects.get(tramite=tramite).motivo == editado
    # Without JavaScript: the chosen text with an empty reason is sent as it is.
    otro = crear_tramite()
    c.post(f"/personal/tramites/{otro.referencia}/acciones/observar/", {"revision-texto_estandar": texto.pk})
    assert Observacion.objects.get(tramite=otro).motivo == "Cambiado después"
    # Another office's text cannot be used.
    tercero = crear_tramite()
    r = c.post(f"/personal/tramites/{tercero.referencia}/acciones/observar/", {"revision-texto_estandar": otra_oficina.pk})
    assert r.status_code == 400 and "Elija uno de los textos estándar de su oficina." in r.content.decode()


# --- 6. demo data and staff without an office --------------------------------------------------------


def test_la_direccion_nacional_tiene_quien_trabaje_los_casos_del_exterior(personal):
    tramite = crear_tramite(provincia="30")
    assert tramite.analista == personal["analista.nacional"]
    c = cliente(personal["analista.nacional"])
    assert tramite.referencia in c.get("/personal/").content.decode()
    r = c.post(f"/personal/tramites/{tramite.referencia}/acciones/enviar_evaluacion/", COMPLETA)
    assert r.status_code == 302 and Tramite.objects.get(pk=tramite.pk).estado == Estado.EN_EVALUACION
    assert {"evaluador.nacional", "director.nacional"} <= set(personal)


def test_rol_sin_oficina_se_explica_al_usuario_y_al_administrador(personal, admin_client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    huerfano = get_user_model().objects.create_user("analista.sin.oficina", password="x-no-importa-123")
    huerfano.groups.add(Group.objects.get(name="analista"))
    html = cliente(huerfano).get("/personal/").content.decode()
    assert "ninguna oficina asignada" in html
    lista = admin_client.get("/admin/auth/user/").content.decode()
    assert "Usuarios con rol pero sin oficina" in lista and "analista.sin.oficina" in lista
    ficha = admin_client.get(f"/admin/auth/user/{huerfano.pk}/change/").content.decode()
    assert "no verá ningún trámite" in ficha


# --- 7. audit trail -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_auditoria_legible_y_filtrable(personal):
    tramite = crear_tramite()
    analista = cliente(personal["analista.pichincha"])
    analista.get(_url(tramite))
    analista.post(f"/personal/tramites/{tramite.referencia}/acciones/tomar/")
    director = cliente(personal["director.pichincha"])
    director.get(_url(tramite))
    auditoria.flush()
    url = _url(tramite, "personal:auditoria_tramite")
    html = director.get(url).content.decode()
    assert "Consultó el trámite" in html and "de «Asignado» a «En revisión»" in html and "{" not in html.split("<tbody>")[1]
    solo = director.get(url, {"usuario": "analista.pichincha"}).content.decode()
    cuerpo = solo.split("<tbody>")[1].split("</tbody>")[0]
    assert "analista.pichincha" in cuerpo and "director.pichincha" not in cuerpo
    evento = director.get(url, {"evento": "cambio_estado"}).content.decode().split("<tbody>")[1]
    assert "Consultó el trámite" not in evento and "Cambio de estado" in evento
    manana = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    assert "No hay eventos con esos criterios." in director.get(url, {"desde": manana}).content.decode()
    malo = director.get(url, {"desde": "2026-02-31"})
    assert malo.status_code == 200 and "Escriba una fecha válida" in malo.content.decode()
    assert cliente(personal["analista.pichincha"]).get(url).status_code == 403
