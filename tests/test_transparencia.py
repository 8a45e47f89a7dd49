"""The public monthly table: Ecuador's months, the import of historic figures, the page, chart and CSV."""

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tramites import referencias, services
from tramites.cifras import transparencia
from tramites.estados import Estado
from tramites.models import CifraMensualHistorica, EventoAuditoria, Queja, Tramite
from tramites.roles import Rol

EC = ZoneInfo("America/Guayaquil")
SEMILLA = Path(__file__).resolve().parent.parent / "data" / "transparencia_2024_2025.csv"
HOJA = Path("/work/shared/seed/000_47e750e006d98eb9.txt")
CABECERA = "Año,Mes,Volumen de Quejas,Volumen de Atenciones"


def filas_de_la_hoja() -> list[list[str]]:
    """The seed sheet's Transparencia rows (both of its tables), newest first."""
    if HOJA.exists():
        texto = HOJA.read_text(encoding="utf-8")
        filas = re.findall(r"^(\d{4})\t(\d{2})\t(\d+)\t(\d+)\s*$", texto, re.M)
    else:  # the repository's copy of the same figures
        filas = [tuple(f) for f in csv.reader(io.StringIO(SEMILLA.read_text(encoding="utf-8")))][1:]
    return sorted(([*f] for f in filas), reverse=True)


def tramite(**campos) -> Tramite:
    datos = {
        "referencia": referencias.generar(2026),
        "tipo_identificacion": "cedula",
        "identificacion": "1714307103",
        "nombres": "Rosa",
        "apellidos": "Guamán",
        "correo": "rosa@example.com",
        "telefono": "+593987654321",
        "provincia": "17",
        **campos,
    }
    return Tramite.objects.create(**datos)


def queja(creada_en: datetime, **campos) -> Queja:
    datos = {
        "referencia": referencias.generar(2026, prefijo="Q-"),
        "nombres": "Rosa Guamán",
        "correo": "rosa@example.com",
        "provincia": "17",
        "texto": "No me atendieron en la ventanilla.",
        "creada_en": creada_en,
        **campos,
    }
    return Queja.objects.create(**datos)


def tabla_html(contenido: str) -> list[list[str]]:
    cuerpo = re.search(
        r'<table class="[^"]*tabla-transparencia.*?<tbody>(.*?)</tbody>', contenido, re.S
    ).group(1)
    return [re.findall(r"<td>(.*?)</td>", fila) for fila in re.findall(r"<tr>(.*?)</tr>", cuerpo, re.S)]


# --- months in Ecuador's time zone -------------------------------------------------------------


@pytest.mark.django_db
def test_un_caso_resuelto_a_las_2330_del_ultimo_dia_cuenta_en_ese_mes(personal):
    """23:30 of 31 January in Ecuador is already 1 February in UTC: it is January's attention."""
    caso = tramite(estado=Estado.EVALUADO)
    momento = datetime(2026, 1, 31, 23, 30, tzinfo=EC)
    assert momento.astimezone(ZoneInfo("UTC")).month == 2
    with mock.patch("django.utils.timezone.now", return_value=momento):
        services.tramite_transicionar(
            tramite=caso,
            accion="resolver",
            actor=Rol.DIRECTOR,
            usuario=personal["director.pichincha"],
            resultado=Tramite.Resultado.FAVORABLE,
        )
    caso.refresh_from_db()
    assert caso.finalizado_en == momento
    cifras = transparencia.cifras_calculadas([(2026, 1), (2026, 2)])
    assert cifras[(2026, 1)] == (0, 1)
    assert cifras[(2026, 2)] == (0, 0)


@pytest.mark.django_db
def test_quejas_y_atenciones_por_mes_en_hora_de_ecuador():
    # Complaint at 00:10 of 1 March in Ecuador (05:10 UTC) and one at 23:59 of 28 February.
    queja(datetime(2026, 3, 1, 0, 10, tzinfo=EC))
    queja(datetime(2026, 2, 28, 23, 59, tzinfo=EC))
    # 19:30 of 31 March in Ecuador is 00:30 of 1 April in UTC.
    tramite(estado=Estado.DESISTIDO, finalizado_en=datetime(2026, 3, 31, 19, 30, tzinfo=EC))
    tramite(estado=Estado.RESUELTO, finalizado_en=datetime(2026, 4, 1, 0, 0, tzinfo=EC))
    # An archived case is not an attention (no final answer), nor is an open one.
    tramite(estado=Estado.ARCHIVADO)
    tramite(estado=Estado.EN_REVISION)
    cifras = transparencia.cifras_calculadas([(2026, 2), (2026, 3), (2026, 4)])
    assert cifras == {(2026, 2): (1, 0), (2026, 3): (1, 1), (2026, 4): (0, 1)}


@pytest.mark.django_db
def test_sin_cifras_importadas_la_tabla_va_del_primer_mes_con_datos_al_actual():
    queja(datetime(2026, 9, 15, 10, 0, tzinfo=EC))
    filas = transparencia.tabla_transparencia(hoy=date(2026, 11, 25))
    assert [(f.anio, f.mes_2d, f.quejas, f.atenciones) for f in filas] == [
        (2026, "11", 0, 0),
        (2026, "10", 0, 0),
        (2026, "09", 1, 0),
    ]


# --- import -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_el_csv_del_repositorio_tiene_las_filas_de_la_hoja_incluido_enero_2024():
    filas = [f for f in csv.reader(io.StringIO(SEMILLA.read_text(encoding="utf-8")))]
    assert filas[0] == transparencia.COLUMNAS
    assert filas[1:] == filas_de_la_hoja()
    assert ["2024", "01", "0", "0"] in filas[1:] and len(filas) == 25


@pytest.mark.django_db
def test_importar_es_idempotente(tmp_path):
    ruta = tmp_path / "cifras.csv"
    ruta.write_bytes(SEMILLA.read_bytes())
    call_command("importar_transparencia", str(ruta), stdout=io.StringIO())
    antes = list(
        CifraMensualHistorica.objects.order_by("anio", "mes").values_list(
            "anio", "mes", "quejas", "atenciones"
        )
    )
    salida = io.StringIO()
    call_command("importar_transparencia", str(ruta), stdout=salida)
    despues = list(
        CifraMensualHistorica.objects.order_by("anio", "mes").values_list(
            "anio", "mes", "quejas", "atenciones"
        )
    )
    assert antes == despues and len(despues) == 24
    assert "0 nuevos, 24 actualizados" in salida.getvalue()
    assert (2024, 10, 0, 179) in despues
    assert EventoAuditoria.objects.filter(accion="transparencia_importada").count() == 2


@pytest.mark.django_db
def test_reimportar_un_mes_corrige_su_cifra(tmp_path):
    transparencia.importar_csv(f"{CABECERA}\n2025,03,0,3\n".encode())
    transparencia.importar_csv(f"{CABECERA}\n2025,03,1,4\n".encode())
    assert CifraMensualHistorica.objects.values_list("quejas", "atenciones").get(anio=2025, mes=3) == (1, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contenido",
    [
        "Año\tMes\tVolumen de Quejas\tVolumen de Atenciones\n2024\t10\t0\t179\n2024\t09\t0\t2\n",
        "\ufeffAño;Mes;Volumen de Quejas;Volumen de Atenciones\r\n2024;10;0;179\r\n2024;9;0;2\r\n",
        "\ufeffAño,Mes,Volumen de Quejas,Volumen de Atenciones\n2024,10,0,179\n\n2024,09,0,2\n",
    ],
    ids=["tabulador", "punto-y-coma-con-BOM", "coma-con-BOM-y-linea-vacia"],
)
def test_acepta_coma_punto_y_coma_o_tabulador(contenido):
    assert transparencia.importar_csv(contenido.encode("utf-8")) == (2, 0)
    assert CifraMensualHistorica.objects.values_list("quejas", "atenciones").get(anio=2024, mes=10) == (
        0,
        179,
    )
    assert CifraMensualHistorica.objects.get(anio=2024, mes=9).atenciones == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("contenido", "mensaje"),
    [
        (f"{CABECERA}\n2025,01,0,0\n2025,02,0,1\n2025,13,0,2\n", "Fila 4, columna «Mes»"),
        (f"{CABECERA}\n2025,01,0,0\n2025,02,0,uno\n", "Fila 3, columna «Volumen de Atenciones»: «uno»"),
        (f"{CABECERA}\n2025,01,0,0\n2025,02,0,-1\n", "Fila 3, columna «Volumen de Atenciones»"),
        (f"{CABECERA}\n2025,01,0,0\n2025,01,0,5\n", "Fila 3: el mes 2025-01 ya aparece en la fila 2"),
        (f"{CABECERA}\n2025,01,0,0\n2025,02,0\n", "Fila 3: tiene 3 columnas"),
        ("Año,Mes,Quejas,Atenciones\n2025,01,0,0\n", "Fila 1: la cabecera"),
        (f"{CABECERA}\n2099,01,0,0\n", "Fila 2: el mes 2099-01 todavía no ha llegado"),
    ],
    ids=["mes-13", "texto", "negativo", "mes-repetido", "columnas", "cabecera", "futuro"],
)
def test_un_archivo_con_una_fila_mala_se_rechaza_entero(tmp_path, contenido, mensaje):
    CifraMensualHistorica.objects.create(anio=2025, mes=1, quejas=7, atenciones=7)
    ruta = tmp_path / "malo.csv"
    ruta.write_text(contenido, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("importar_transparencia", str(ruta), stdout=io.StringIO())
    assert "No se importó nada" in str(exc.value)
    assert mensaje in str(exc.value)
    # Nothing changed: the good rows before the bad one were not loaded either.
    assert list(CifraMensualHistorica.objects.values_list("anio", "mes", "quejas", "atenciones")) == [
        (2025, 1, 7, 7)
    ]


@pytest.mark.django_db
def test_un_archivo_que_no_es_utf8_se_rechaza():
    with pytest.raises(transparencia.ErrorImportacion, match="UTF-8"):
        transparencia.importar_csv(f"{CABECERA}\n2025,01,0,0\n".encode("latin-1"))
    assert not CifraMensualHistorica.objects.exists()


@pytest.mark.django_db
def test_cargar_demo_carga_la_semilla():
    salida = io.StringIO()
    call_command("cargar_demo", stdout=salida)
    assert "Cifras históricas de transparencia: 24 meses" in salida.getvalue()
    assert CifraMensualHistorica.objects.count() == 24


# --- the public page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_la_tabla_publica_muestra_las_cifras_de_la_hoja_digito_a_digito():
    transparencia.importar_csv_semilla()
    respuesta = Client().get(reverse("publico:transparencia"))
    assert respuesta.status_code == 200
    contenido = respuesta.content.decode()
    cabecera = re.findall(r'<th scope="col">(.*?)</th>', contenido)
    assert cabecera[:4] == ["Año", "Mes", "Volumen de Quejas", "Volumen de Atenciones"]
    filas = tabla_html(contenido)
    # Newest first, from the current month back to January 2024; every seed row as published.
    hoy = timezone.localdate()
    assert filas[0][:2] == [str(hoy.year), f"{hoy.month:02d}"]
    historicas = [f for f in filas if f[0] in ("2024", "2025")]
    assert historicas == filas_de_la_hoja()
    assert filas[-1] == ["2024", "01", "0", "0"]
    meses = [(int(a), int(m)) for a, m, _q, _at in filas]
    assert meses == sorted(meses, reverse=True) and len(set(meses)) == len(meses)
    assert "Volumen de Atenciones" in contenido and "RESUELTO" not in contenido
    assert "respuesta final" in contenido  # the definitions are written on the page
    assert "Cifras históricas: 24 meses, de 2024-01 a 2025-12." in contenido


@pytest.mark.django_db
def test_un_mes_importado_se_muestra_en_vez_del_calculado():
    transparencia.importar_csv_semilla()
    # System data inside an imported month does not change the published figure.
    queja(datetime(2025, 3, 10, 9, 0, tzinfo=EC))
    tramite(estado=Estado.RESUELTO, finalizado_en=datetime(2025, 3, 12, 9, 0, tzinfo=EC))
    # ...but a month after the imported ones is computed.
    queja(datetime(2026, 1, 5, 9, 0, tzinfo=EC))
    filas = {(f.anio, f.mes): f for f in transparencia.tabla_transparencia(hoy=date(2026, 2, 10))}
    assert (filas[(2025, 3)].quejas, filas[(2025, 3)].atenciones, filas[(2025, 3)].importada) == (0, 3, True)
    assert (filas[(2026, 1)].quejas, filas[(2026, 1)].importada) == (1, False)
    assert max(filas) == (2026, 2)


@pytest.mark.django_db
def test_el_csv_publico_tiene_las_mismas_columnas_y_filas():
    transparencia.importar_csv_semilla()
    cliente = Client()
    pagina = tabla_html(cliente.get(reverse("publico:transparencia")).content.decode())
    respuesta = cliente.get(reverse("publico:transparencia_csv"))
    assert respuesta.status_code == 200
    assert respuesta["Content-Type"].startswith("text/csv")
    assert "attachment" in respuesta["Content-Disposition"]
    filas = list(csv.reader(io.StringIO(respuesta.content.decode("utf-8-sig"))))
    assert filas[0] == ["Año", "Mes", "Volumen de Quejas", "Volumen de Atenciones"]
    assert filas[1:] == pagina
    # The download can be imported back as it is.
    assert transparencia.importar_csv(respuesta.content)[0] == len(pagina) - 24


@pytest.mark.django_db
def test_el_grafico_es_svg_accesible_de_24_meses_sin_estilos_en_linea():
    transparencia.importar_csv_semilla()
    contenido = Client().get(reverse("publico:transparencia")).content.decode()
    svg = re.search(r"<svg.*?</svg>", contenido, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="grafico-titulo grafico-desc"' in svg
    assert '<title id="grafico-titulo">' in svg and '<desc id="grafico-desc">' in svg
    assert len(re.findall(r'text-anchor="middle" font-size="11" fill="#333333">\d\d/\d\d<', svg)) == 24
    assert "style=" not in contenido and "<style" not in contenido
    assert "<script>" not in contenido


@pytest.mark.django_db
def test_la_tabla_publica_sale_de_la_cache_y_una_importacion_la_renueva(django_assert_num_queries):
    transparencia.importar_csv_semilla()
    primera = transparencia.tabla_transparencia_en_cache()
    with django_assert_num_queries(0):
        assert transparencia.tabla_transparencia_en_cache() == primera
    transparencia.importar_csv(f"{CABECERA}\n2024,10,5,180\n".encode())
    fila = next(f for f in transparencia.tabla_transparencia_en_cache() if (f.anio, f.mes) == (2024, 10))
    assert (fila.quejas, fila.atenciones) == (5, 180)


@pytest.mark.django_db
def test_un_mes_cerrado_se_cuenta_una_vez_y_el_mes_en_curso_siempre():
    hoy = date(2026, 3, 10)
    queja(datetime(2026, 1, 20, 9, 0, tzinfo=EC))
    queja(datetime(2026, 3, 2, 9, 0, tzinfo=EC))
    filas = {(f.anio, f.mes): f.quejas for f in transparencia.tabla_transparencia(hoy=hoy)}
    assert filas == {(2026, 3): 1, (2026, 2): 0, (2026, 1): 1}
    # A complaint filed now appears on the next rebuild; closed months come from their cache.
    queja(datetime(2026, 3, 9, 9, 0, tzinfo=EC))
    # (A row written straight into a closed month, which the application never does, is not recounted.)
    queja(datetime(2026, 1, 25, 9, 0, tzinfo=EC))
    filas = {(f.anio, f.mes): f.quejas for f in transparencia.tabla_transparencia(hoy=hoy)}
    assert filas[(2026, 3)] == 2 and filas[(2026, 1)] == 1


@pytest.mark.django_db
def test_una_importacion_se_ve_enseguida_en_la_pagina_publica():
    transparencia.importar_csv_semilla()
    cliente = Client()
    antes = tabla_html(cliente.get(reverse("publico:transparencia")).content.decode())
    assert ["2024", "10", "0", "179"] in antes
    transparencia.importar_csv(f"{CABECERA}\n2024,10,5,180\n".encode())
    despues = tabla_html(cliente.get(reverse("publico:transparencia")).content.decode())
    assert ["2024", "10", "5", "180"] in despues and ["2024", "10", "0", "179"] not in despues


def test_las_lineas_del_grafico_llevan_su_valor_exacto():
    filas = [
        transparencia.FilaTransparencia(2024, m, 0, a, True) for m, a in [(12, 0), (11, 2), (10, 179), (9, 2)]
    ]
    g = transparencia.grafico(filas)
    assert [m["valor"] for m in g["marcas"]] == [0, 50, 100, 150, 200]
    alto_area = g["base_y"] - g["marcas"][-1]["y"]
    for marca in g["marcas"]:
        assert marca["y"] == pytest.approx(g["base_y"] - alto_area * marca["valor"] / 200, abs=0.1)
    octubre = next(x for x in g["grupos"] if x["fila"].mes == 10)
    assert octubre["atenciones"]["h"] == pytest.approx(alto_area * 179 / 200, abs=0.1)
    assert [x["etiqueta"] for x in g["grupos"]] == ["09/24", "10/24", "11/24", "12/24"]  # oldest on the left
