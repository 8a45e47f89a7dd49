"""The staff inbox: own office only, counts per state, filters, search, legal-clock order, pages, badges."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.casos import tramite_nuevo
from tests.personal_ayudas import cliente
from tramites.estados import Estado
from tramites.models import Oficina, Tramite
from tramites.plazos import sumar_dias_habiles


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pichincha(personal):
    return Oficina.objects.get(codigo="pichincha")


@pytest.fixture
def guayas(personal):
    return Oficina.objects.get(codigo="guayas")


def _caso(oficina, *, dias=None, estado=Estado.ASIGNADO, **campos):
    hoy = timezone.localdate()
    if dias is not None:
        campos["vence_el"] = (
            sumar_dias_habiles(hoy, dias) if dias >= 0 else hoy - timedelta(days=-dias * 2 + 3)
        )
    provincia = campos.pop("provincia", "17" if oficina.codigo == "pichincha" else "09")
    return tramite_nuevo(provincia=provincia, estado=estado, oficina=oficina, **campos)


def _referencias(html: str) -> list[str]:
    return re.findall(r'href="/personal/tramites/([0-9A-Z-]+)/"', html)


@pytest.mark.django_db
def test_solo_los_casos_de_la_oficina_ordenados_por_plazo_sin_plazo_al_final(personal, pichincha, guayas):
    tarde = _caso(pichincha, dias=20)
    urgente = _caso(pichincha, dias=2)
    sin_reloj = _caso(pichincha, vence_el=None)
    medio = _caso(pichincha, dias=10)
    ajeno = _caso(guayas, dias=1)
    html = cliente(personal["analista.pichincha"]).get("/personal/", {"vista": "oficina"}).content.decode()
    assert _referencias(html) == [
        urgente.referencia,
        medio.referencia,
        tarde.referencia,
        sin_reloj.referencia,
    ]
    assert ajeno.referencia not in html


@pytest.mark.django_db
def test_conteos_por_estado_y_finalizados_ocultos_por_defecto(personal, pichincha):
    for _ in range(3):
        _caso(pichincha, dias=9)
    _caso(pichincha, dias=9, estado=Estado.EN_REVISION)
    archivado = _caso(pichincha, dias=9, estado=Estado.ARCHIVADO)
    c = cliente(personal["analista.pichincha"])
    html = c.get("/personal/", {"vista": "oficina"}).content.decode()
    assert re.search(r"Asignado: <strong>3</strong>", html)
    assert re.search(r"En revisión: <strong>1</strong>", html)
    assert re.search(r"Archivado: <strong>1</strong>", html)
    assert archivado.referencia not in _referencias(html)
    assert "4 trámites" in html
    html = c.get("/personal/", {"vista": "oficina", "estado": "todos"}).content.decode()
    assert archivado.referencia in _referencias(html)
    html = c.get("/personal/", {"vista": "oficina", "estado": Estado.EN_REVISION}).content.decode()
    assert len(_referencias(html)) == 1


@pytest.mark.django_db
def test_insignias_en_riesgo_y_vencido_con_texto(personal, pichincha, settings):
    settings.PLAZO_RIESGO_DIAS = 5
    riesgo = _caso(pichincha, dias=3)
    vencido = _caso(pichincha, dias=-4)
    holgado = _caso(pichincha, dias=25)
    c = cliente(personal["analista.pichincha"])
    html = c.get("/personal/", {"vista": "oficina"}).content.decode()
    fila = {
        ref: html.split(f'/personal/tramites/{ref}/"', 1)[1].split("</tr>", 1)[0]
        for ref in _referencias(html)
    }
    assert "En riesgo" in fila[riesgo.referencia] and "3 días" in fila[riesgo.referencia]
    assert "Término vencido" in fila[vencido.referencia]
    assert "En riesgo" not in fila[holgado.referencia] and "Término vencido" not in fila[holgado.referencia]

    assert _referencias(c.get("/personal/", {"vista": "oficina", "plazo": "en_riesgo"}).content.decode()) == [riesgo.referencia]
    assert _referencias(c.get("/personal/", {"vista": "oficina", "plazo": "vencidos"}).content.decode()) == [vencido.referencia]


@pytest.mark.django_db
def test_los_limites_del_filtro_de_plazo_coinciden_con_los_dias_mostrados(personal, pichincha, settings):
    """The date bounds of the filter agree with plazos.dias_restantes on every day around the edges."""
    from tramites import plazos
    from tramites.tramitacion import selectors as tramitacion

    settings.PLAZO_RIESGO_DIAS = 5
    hoy = timezone.localdate()
    casos = [_caso(pichincha, vence_el=hoy + timedelta(days=d)) for d in range(-6, 12)]
    riesgo = set(
        tramitacion.tramites_bandeja(usuario=personal["analista.pichincha"], plazo="en_riesgo").values_list(
            "pk", flat=True
        )
    )
    vencidos = set(
        tramitacion.tramites_bandeja(usuario=personal["analista.pichincha"], plazo="vencidos").values_list(
            "pk", flat=True
        )
    )
    for t in casos:
        dias = plazos.dias_restantes(t, hoy=hoy)
        assert (t.pk in vencidos) == (dias < 0), (t.vence_el, dias)
        assert (t.pk in riesgo) == (0 <= dias <= 5), (t.vence_el, dias)


@pytest.mark.django_db
def test_busqueda_por_referencia_identificacion_y_nombre(personal, pichincha):
    a = _caso(
        pichincha, dias=9, identificacion="0926687856", nombres="Rosa Elena", apellidos="Chiriboga Vera"
    )
    b = _caso(pichincha, dias=9, identificacion="1714307103", nombres="Luis", apellidos="Andrade Paz")
    c = cliente(personal["analista.pichincha"])
    assert _referencias(c.get("/personal/", {"vista": "oficina", "q": a.referencia.lower()}).content.decode()) == [a.referencia]
    assert _referencias(c.get("/personal/", {"vista": "oficina", "q": "1714307103"}).content.decode()) == [b.referencia]
    assert _referencias(c.get("/personal/", {"vista": "oficina", "q": "chiriboga rosa"}).content.decode()) == [a.referencia]
    assert _referencias(c.get("/personal/", {"vista": "oficina", "q": "nadie"}).content.decode()) == []


@pytest.mark.django_db
def test_filtros_de_provincia_y_canal_para_el_supervisor(personal, pichincha, guayas):
    presencial = _caso(guayas, dias=9, canal=Tramite.Canal.PRESENCIAL)
    virtual = _caso(pichincha, dias=9)
    c = cliente(personal["supervisor.nacional"])
    html = c.get("/personal/", {"vista": "oficina"}).content.decode()
    assert {presencial.referencia, virtual.referencia} <= set(_referencias(html))
    assert _referencias(c.get("/personal/", {"vista": "oficina", "provincia": "09"}).content.decode()) == [presencial.referencia]
    assert _referencias(c.get("/personal/", {"vista": "oficina", "canal": "presencial"}).content.decode()) == [
        presencial.referencia
    ]
    assert "solo en lectura" in html


@pytest.mark.django_db
def test_paginas_de_25(personal, pichincha):
    for i in range(27):
        _caso(pichincha, dias=i % 20 + 1)
    c = cliente(personal["analista.pichincha"])
    html = c.get("/personal/", {"vista": "oficina"}).content.decode()
    assert len(_referencias(html)) == 25
    assert "Página 1 de 2" in html
    html2 = c.get("/personal/", {"vista": "oficina", "pagina": 2}).content.decode()
    assert len(_referencias(html2)) == 2
    assert not set(_referencias(html)) & set(_referencias(html2))
    # Filters are kept in the page links.
    html = c.get("/personal/", {"vista": "oficina", "estado": Estado.ASIGNADO}).content.decode()
    assert "estado=ASIGNADO&amp;pagina=2" in html


@pytest.mark.django_db
def test_la_primera_pagina_no_hace_consultas_por_fila(personal, pichincha):
    c = cliente(personal["analista.pichincha"])
    for _ in range(3):
        _caso(pichincha, dias=5, analista=personal["analista.pichincha"])
    cache.clear()  # the cases are made directly, not through services: no count was invalidated
    with CaptureQueriesContext(connection) as pocas:
        c.get("/personal/", {"vista": "oficina"})
    for _ in range(22):
        _caso(pichincha, dias=5, analista=personal["analista.pichincha"])
    cache.clear()
    with CaptureQueriesContext(connection) as muchas:
        c.get("/personal/", {"vista": "oficina"})
    assert len(muchas) == len(pocas)
    # Unfiltered, the total comes from the per-state counts: no separate COUNT(*) of the list (the one
    # COUNT is the "Mis trámites" tab's, over the analyst's own cases: index analista, estado).
    conteos = [
        q["sql"].upper()
        for q in muchas.captured_queries
        if "COUNT(*)" in q["sql"].upper() and "GROUP BY" not in q["sql"].upper()
    ]
    assert len(conteos) == 1 and '"ANALISTA_ID" =' in conteos[0]


@pytest.mark.django_db
def test_busqueda_por_nombre_en_paginas_con_su_total(personal, pichincha):
    """A name search takes its total from the page's own query; past the end it shows the last page."""
    for i in range(27):
        _caso(pichincha, dias=i % 20 + 1, apellidos="Quishpe Tituaña")
    for _ in range(3):
        _caso(pichincha, dias=3, apellidos="Andrade")
    c = cliente(personal["analista.pichincha"])
    with CaptureQueriesContext(connection) as consultas:
        html = c.get("/personal/", {"vista": "oficina", "q": "quishpe"}).content.decode()
    assert "27 trámites" in html and "Página 1 de 2" in html
    assert len(_referencias(html)) == 25
    assert not any(
        "COUNT(*) AS" in q["sql"].upper() and "GROUP BY" not in q["sql"].upper() and '"ANALISTA_ID" =' not in q["sql"].upper()
        for q in consultas.captured_queries
    )
    html2 = c.get("/personal/", {"vista": "oficina", "q": "quishpe", "pagina": 2}).content.decode()
    assert "27 trámites" in html2 and len(_referencias(html2)) == 2
    assert not set(_referencias(html)) & set(_referencias(html2))
    for pagina in (9, "x", -1, 10**30, "9" * 400):
        respuesta = c.get("/personal/", {"vista": "oficina", "q": "quishpe", "pagina": pagina})
        assert respuesta.status_code == 200
        html = respuesta.content.decode()
        assert "27 trámites" in html
        assert len(_referencias(html)) == (25 if pagina in ("x", -1) else 2)
    html = c.get("/personal/", {"vista": "oficina", "q": "Nadie Asi"}).content.decode()
    assert "0 trámites" in html and not _referencias(html)


def _conteos_sql(consultas) -> int:
    return sum("GROUP BY" in q["sql"].upper() for q in consultas.captured_queries)


@pytest.mark.django_db
def test_los_conteos_se_guardan_y_cada_cambio_de_estado_los_renueva(
    personal, pichincha, django_capture_on_commit_callbacks
):
    """The per-state counts are cached per office; routing, a staff action and a new case renew them."""
    from tests.test_solicitud import adjuntos, datos_validos, enviar_y_confirmar
    from tramites.tramitacion import services as tramitacion

    analista = personal["analista.pichincha"]
    c = cliente(analista)
    supervisor = cliente(personal["supervisor.nacional"])
    _caso(pichincha, dias=5, analista=analista)
    with CaptureQueriesContext(connection) as primera:
        html = c.get("/personal/", {"vista": "oficina"}).content.decode()
    assert _conteos_sql(primera) == 1 and re.search(r"Asignado: <strong>1</strong>", html)
    with CaptureQueriesContext(connection) as segunda:
        c.get("/personal/", {"vista": "oficina"})
    assert _conteos_sql(segunda) == 0  # served from the cache
    assert re.search(r"Ingresado: <strong>0</strong>", supervisor.get("/personal/", {"vista": "oficina"}).content.decode())

    # A new online case: the national view counts it at once; routed, the office counts it.
    with django_capture_on_commit_callbacks(execute=False) as tras_commit:
        respuesta = enviar_y_confirmar(Client(), {**datos_validos(), **adjuntos()})
    assert respuesta.status_code == 302
    assert re.search(r"Ingresado: <strong>1</strong>", supervisor.get("/personal/", {"vista": "oficina"}).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        for llamada in tras_commit:
            llamada()
    nuevo = Tramite.objects.get(apellidos="Pérez Andrade")
    assert nuevo.estado == Estado.ASIGNADO and nuevo.oficina == pichincha
    assert re.search(r"Asignado: <strong>2</strong>", c.get("/personal/", {"vista": "oficina"}).content.decode())
    html = supervisor.get("/personal/", {"vista": "oficina"}).content.decode()
    assert re.search(r"Asignado: <strong>2</strong>", html) and re.search(r"Ingresado: <strong>0</strong>", html)

    # A staff action moves one case: both views show it.
    with django_capture_on_commit_callbacks(execute=True):
        tramitacion.tramite_tomar(tramite=nuevo, usuario=analista)
    html = c.get("/personal/", {"vista": "oficina"}).content.decode()
    assert re.search(r"Asignado: <strong>1</strong>", html)
    assert re.search(r"En revisión: <strong>1</strong>", html)
    assert re.search(r"En revisión: <strong>1</strong>", supervisor.get("/personal/", {"vista": "oficina"}).content.decode())
