"""Supervisors' statistics by office and province: the figures, the scope, and the CSV/XLSX exports."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tramites import auditoria, referencias
from tramites.cifras import estadisticas
from tramites.cifras.views_personal import celda_segura
from tramites.estados import Estado
from tramites.models import EventoAuditoria, HistorialEstado, Oficina, Queja, Tramite
from tramites.plazos import dias_habiles_entre
from tramites.selectors import quejas_visibles, tramites_visibles

EC = ZoneInfo("America/Guayaquil")
ENERO = {"desde": "2026-01-01", "hasta": "2026-01-31"}


def en_ec(*args) -> datetime:
    return datetime(*args, tzinfo=EC)


def caso(provincia: str, creado_en: datetime, **campos) -> Tramite:
    oficina = Oficina.objects.get(provincias__provincia=provincia)
    return Tramite.objects.create(
        referencia=referencias.generar(2026),
        tipo_identificacion="cedula",
        identificacion="1714307103",
        nombres="Rosa",
        apellidos="Guamán",
        correo="rosa@example.com",
        telefono="+593987654321",
        provincia=provincia,
        oficina=oficina,
        creado_en=creado_en,
        **campos,
    )


def paso(tramite: Tramite, estado: str, momento: datetime) -> None:
    if estado == Estado.ASIGNADO:  # as services.tramite_enrutar does
        Tramite.objects.filter(pk=tramite.pk).update(enrutado_en=momento)
    HistorialEstado.objects.create(
        tramite=tramite, estado_anterior="", estado_nuevo=estado, actor="sistema", creado_en=momento
    )


def queja(provincia: str, creada_en: datetime, tramite=None) -> Queja:
    return Queja.objects.create(
        referencia=referencias.generar(2026, prefijo="Q-"),
        nombres="Ana",
        correo="ana@example.com",
        provincia=provincia,
        texto="Demora",
        tramite=tramite,
        creada_en=creada_en,
    )


@pytest.fixture
def enero(personal):
    """January 2026 in Pichincha (17) and Guayas (09), with events just outside the month."""
    p1 = caso(
        "17",
        en_ec(2026, 1, 5, 10, 0),
        estado=Estado.RESUELTO,
        resultado="favorable",
        finalizado_en=en_ec(2026, 1, 31, 23, 30),
        vence_el=date(2026, 2, 17),
    )
    paso(p1, Estado.ASIGNADO, en_ec(2026, 1, 5, 10, 1))
    p2 = caso(
        "17",
        en_ec(2025, 12, 20, 9, 0),
        estado=Estado.DESISTIDO,
        finalizado_en=en_ec(2026, 1, 28, 8, 0),
        vence_el=date(2026, 2, 5),
    )
    paso(p2, Estado.ASIGNADO, en_ec(2025, 12, 20, 9, 1))
    paso(p2, Estado.OBSERVADO, en_ec(2026, 1, 10, 9, 0))
    paso(p2, Estado.OBSERVADO, en_ec(2026, 1, 20, 9, 0))  # observed twice: one case
    p3 = caso(
        "17",
        en_ec(2026, 1, 10, 9, 0),
        estado=Estado.RESUELTO,
        resultado="desfavorable",
        finalizado_en=en_ec(2026, 2, 1, 0, 30),
        vence_el=date(2026, 2, 24),
    )
    paso(p3, Estado.ASIGNADO, en_ec(2026, 1, 10, 9, 1))
    g1 = caso("09", en_ec(2026, 1, 2, 9, 0), estado=Estado.ARCHIVADO, vence_el=date(2026, 2, 13))
    paso(g1, Estado.ARCHIVADO, en_ec(2026, 1, 15, 9, 0))
    caso("09", en_ec(2025, 11, 3, 9, 0), estado=Estado.EN_REVISION, vence_el=date(2025, 12, 15))  # overdue
    caso("09", en_ec(2026, 1, 20, 9, 0), estado=Estado.EN_REVISION, vence_el=date(2026, 3, 4))  # on time
    # Answered in February, but on 31 January it was already past its term.
    caso(
        "09",
        en_ec(2025, 12, 1, 9, 0),
        estado=Estado.RESUELTO,
        resultado="favorable",
        finalizado_en=en_ec(2026, 2, 10, 9, 0),
        vence_el=date(2026, 1, 20),
    )
    queja("17", en_ec(2026, 1, 15, 9, 0), tramite=p1)
    queja("09", en_ec(2026, 1, 31, 23, 0))  # no case: the office serving Guayas
    queja("17", en_ec(2026, 2, 1, 0, 10))  # February in Ecuador
    return {"p1": p1, "p2": p2}


def filas_por_provincia(usuario, desde=date(2026, 1, 1), hasta=date(2026, 1, 31)) -> dict:
    filas = estadisticas.estadisticas(
        tramites=tramites_visibles(usuario=usuario),
        quejas=quejas_visibles(usuario=usuario),
        desde=desde,
        hasta=hasta,
    )
    return {f.provincia: f.valores for f in filas}


def entrar(usuario: str) -> Client:
    cliente = Client()
    cliente.force_login(get_user_model().objects.get(username=usuario))
    return cliente


@pytest.mark.django_db
def test_cifras_de_enero_por_oficina_y_provincia(personal, enero):
    filas = filas_por_provincia(personal["supervisor.nacional"])
    mediana = (
        dias_habiles_entre(date(2026, 1, 5), date(2026, 1, 31))
        + dias_habiles_entre(date(2025, 12, 20), date(2026, 1, 28))
    ) / 2
    assert dias_habiles_entre(date(2026, 1, 5), date(2026, 1, 31)) == 19
    assert filas["17"] == {
        "recibidos": 2,
        "enrutados": 2,
        "observados": 1,
        "favorables": 1,  # resolved 23:30 of 31 January in Ecuador: January, although UTC says February
        "desfavorables": 0,  # resolved 00:30 of 1 February: not January
        "desistidos": 1,
        "archivados": 0,
        "quejas": 1,
        "atenciones": 2,
        "mediana_dias_habiles": round(mediana, 1),
        "vencidos": 0,
    }
    assert filas["09"]["recibidos"] == 2
    assert filas["09"]["archivados"] == 1
    assert filas["09"]["quejas"] == 1
    assert filas["09"]["atenciones"] == 0 and filas["09"]["mediana_dias_habiles"] is None
    assert filas["09"]["vencidos"] == 2


@pytest.mark.django_db
def test_el_numero_de_consultas_no_crece_con_los_casos(personal, enero):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filas_por_provincia(personal["supervisor.nacional"])  # the user's roles are cached after this
    with CaptureQueriesContext(connection) as antes:
        filas_por_provincia(personal["supervisor.nacional"])
    for i in range(30):
        caso(
            "17",
            en_ec(2026, 1, 6, 9, i),
            estado=Estado.RESUELTO,
            resultado="favorable",
            finalizado_en=en_ec(2026, 1, 20, 9, i),
        )
    with CaptureQueriesContext(connection) as despues:
        assert filas_por_provincia(personal["supervisor.nacional"])["17"]["favorables"] == 31
    assert len(despues) == len(antes) <= 12


@pytest.mark.django_db
def test_un_director_solo_ve_su_oficina(personal, enero):
    filas = filas_por_provincia(personal["director.pichincha"])
    assert set(filas) == {"17"} and filas["17"]["quejas"] == 1
    contenido = entrar("director.guayas").get(reverse("personal:estadisticas"), ENERO).content.decode()
    assert "Guayas" in contenido and "Pichincha" not in contenido


@pytest.mark.django_db
@pytest.mark.parametrize("usuario", ["ventanilla.pichincha", "analista.pichincha", "evaluador.guayas"])
def test_otros_roles_no_entran(personal, usuario):
    cliente = entrar(usuario)
    for nombre in ["personal:estadisticas", "personal:estadisticas_csv", "personal:estadisticas_xlsx"]:
        assert cliente.get(reverse(nombre)).status_code == 403
    assert Client().get(reverse("personal:estadisticas")).status_code == 302


def test_el_periodo_por_defecto_es_el_mes_calendario_anterior():
    assert estadisticas.periodo_por_defecto(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert estadisticas.periodo_por_defecto(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.django_db
def test_la_pagina_muestra_el_periodo_y_rechaza_un_rango_al_reves(personal, enero):
    cliente = entrar("supervisor.nacional")
    desde, hasta = estadisticas.periodo_por_defecto()
    contenido = cliente.get(reverse("personal:estadisticas")).content.decode()
    assert f'value="{desde.isoformat()}"' in contenido and f'value="{hasta.isoformat()}"' in contenido
    r = cliente.get(reverse("personal:estadisticas"), {"desde": "2026-02-01", "hasta": "2026-01-01"})
    assert "debe ser anterior" in r.content.decode()


@pytest.mark.django_db
def test_exportar_csv(personal, enero):
    r = entrar("supervisor.nacional").get(reverse("personal:estadisticas_csv"), ENERO)
    auditoria.flush()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="estadisticas_2026-01-01_2026-01-31.csv"' in r["Content-Disposition"]
    filas = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert filas[0][:5] == ["Oficina", "Código de provincia", "Provincia", "Recibidos", "Enrutados"]
    assert filas[0][-2:] == ["Mediana de días hábiles hasta la respuesta", "Vencidos"]
    pichincha = next(f for f in filas[1:] if f[1] == "17")
    assert pichincha[2] == "Pichincha"
    assert pichincha[3:12] == ["2", "2", "1", "1", "0", "1", "0", "1", "2"]
    evento = EventoAuditoria.objects.get(accion="estadisticas_exportadas")
    assert evento.usuario == "supervisor.nacional"
    assert evento.detalle == {"formato": "csv", "desde": "2026-01-01", "hasta": "2026-01-31", "filas": 2}


@pytest.mark.django_db
def test_exportar_xlsx(personal, enero):
    from openpyxl import load_workbook

    r = entrar("supervisor.nacional").get(reverse("personal:estadisticas_xlsx"), ENERO)
    auditoria.flush()
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    hoja = load_workbook(io.BytesIO(r.content)).active
    filas = [list(f) for f in hoja.iter_rows(values_only=True)]
    assert filas[0][:3] == ["Período", "2026-01-01", "2026-01-31"]
    assert filas[1][3] == "Recibidos"
    guayas = next(f for f in filas[2:] if f[1] == "09")
    assert guayas[3] == 2 and guayas[9] == 1 and guayas[-1] == 2  # received, archived, overdue: numbers
    assert (
        EventoAuditoria.objects.filter(accion="estadisticas_exportadas", detalle__formato="xlsx").count() == 1
    )


@pytest.mark.django_db
def test_las_exportaciones_no_inyectan_formulas(personal, enero):
    from openpyxl import load_workbook

    Oficina.objects.filter(provincias__provincia="17").update(nombre='=HYPERLINK("http://x.example","clic")')
    cliente = entrar("supervisor.nacional")
    texto = cliente.get(reverse("personal:estadisticas_csv"), ENERO).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in texto and ",=HYPERLINK" not in texto and '"=HYPERLINK' not in texto
    hoja = load_workbook(io.BytesIO(cliente.get(reverse("personal:estadisticas_xlsx"), ENERO).content)).active
    nombres = [f[0] for f in hoja.iter_rows(min_row=3, values_only=True)]
    assert '\'=HYPERLINK("http://x.example","clic")' in nombres
    for valor in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert celda_segura(valor) == "'" + valor
    assert celda_segura("Pichincha") == "Pichincha" and celda_segura(5) == 5


def test_periodo_anterior_a_todos_los_casos_da_cifras_vacias(personal):
    """Every case was filed after the period asked for: the page shows zeros, never an error."""
    caso("17", en_ec(2026, 3, 2, 10))
    cliente = Client()
    cliente.force_login(personal["supervisor.nacional"])
    respuesta = cliente.get(reverse("personal:estadisticas"), ENERO)
    assert respuesta.status_code == 200
