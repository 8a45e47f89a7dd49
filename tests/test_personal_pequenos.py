"""Issue 15, point 7: the small things that cost staff time every day — the evaluator's held report
files, complaints' staff side (who may answer, the author, the response term, the address), the
statistics' total row and median, and counts that a bulk generation makes stale."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import files
from tests.fabricas_evaluacion import tramite_en_evaluacion
from tests.test_quejas import caso, entrar
from tramites.estados import Estado
from tramites.models import Adjunto, Queja, Tramite
from tramites.plazos import sumar_dias_habiles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the evaluator's held report files ---------------------------------------------------------------


def _evaluacion(**cambios) -> dict:
    datos = {
        "fecha": timezone.localdate().isoformat(),
        "porcentaje_capacidad": "62.5",
        "limitaciones": "Limitación para cargas pesadas.",
        "actividades_compatibles": "Trabajo de oficina.",
        "restricciones": "No levantar más de 10 kg",
        "conclusion": "apto_restricciones",
        "notas": "",
    }
    datos.update(cambios)
    return datos


def test_los_informes_se_retienen_tras_un_error_y_se_guardan_al_corregirlo(personal):
    tramite = tramite_en_evaluacion(personal)
    url = reverse("personal:evaluacion", args=[tramite.referencia])
    c = Client()
    c.force_login(personal["evaluador.pichincha"])
    r = c.post(
        url,
        {**_evaluacion(porcentaje_capacidad=""), "informe_1": SimpleUploadedFile("audiometria.pdf", files.pdf_solicitud())},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Archivo cargado:" in html and "audiometria.pdf" in html
    retenido = Adjunto.objects.get(tramite__isnull=True, tipo=Adjunto.Tipo.INFORME_MEDICO)
    assert retenido.cifrado and retenido.sesion
    # The form again, without choosing the file: the held report joins the case.
    r = c.post(url, _evaluacion())
    assert r.status_code == 302
    informes = list(tramite.adjuntos.filter(tipo=Adjunto.Tipo.INFORME_MEDICO))
    assert [a.nombre_original for a in informes] == ["audiometria.pdf"] and informes[0].cifrado
    assert not Adjunto.objects.filter(tramite__isnull=True, tipo=Adjunto.Tipo.INFORME_MEDICO).exists()


def test_un_informe_nuevo_reemplaza_al_retenido_de_su_campo(personal):
    tramite = tramite_en_evaluacion(personal)
    url = reverse("personal:evaluacion", args=[tramite.referencia])
    c = Client()
    c.force_login(personal["evaluador.pichincha"])
    c.post(url, {**_evaluacion(fecha=""), "informe_1": SimpleUploadedFile("viejo.pdf", files.pdf_solicitud())})
    r = c.post(url, {**_evaluacion(), "informe_1": SimpleUploadedFile("nuevo.jpg", files.jpeg_documento())})
    assert r.status_code == 302
    assert [a.nombre_original for a in tramite.adjuntos.filter(tipo=Adjunto.Tipo.INFORME_MEDICO)] == ["nuevo.jpg"]
    assert not Adjunto.objects.filter(tramite__isnull=True).exists()


# --- complaints -------------------------------------------------------------------------------------------


def _queja(tramite, **campos) -> Queja:
    return Queja.objects.create(
        referencia=f"Q-2026-TEST-{Queja.objects.count():04d}-X",
        nombres="Rosa Guamán",
        correo="rosa@example.com",
        provincia="17",
        tramite=tramite,
        texto="Nadie me responde.",
        **campos,
    )


def test_el_analista_nombrado_no_toma_ni_responde_la_queja(personal):
    tramite = caso(analista=personal["analista.pichincha"])
    queja = _queja(tramite)
    analista = entrar("analista.pichincha")
    html = analista.get(reverse("personal:queja_detalle", args=[queja.referencia])).content.decode()
    assert "no puede tomarla ni responderla" in html and "Tomar la queja" not in html
    r = analista.post(reverse("personal:queja_tomar", args=[queja.referencia]))
    assert "otra persona de su oficina" in analista.get(r["Location"]).content.decode()
    queja.refresh_from_db()
    assert queja.estado == Queja.EstadoQueja.RECIBIDA
    Queja.objects.filter(pk=queja.pk).update(estado=Queja.EstadoQueja.EN_PROCESO)
    r = analista.post(reverse("personal:queja_responder", args=[queja.referencia]), {"respuesta": "Ya lo reviso yo."})
    assert r.status_code == 400
    queja.refresh_from_db()
    assert queja.estado == Queja.EstadoQueja.EN_PROCESO and queja.respuesta == ""


def test_la_respuesta_registra_su_autor_y_el_correo_de_destino(personal):
    queja = _queja(caso(analista=personal["analista.pichincha"]), estado=Queja.EstadoQueja.EN_PROCESO)
    director = entrar("director.pichincha")
    r = director.post(reverse("personal:queja_responder", args=[queja.referencia]), {"respuesta": "Lo revisamos."})
    assert r.status_code == 302
    queja.refresh_from_db()
    assert queja.respondida_por == personal["director.pichincha"]
    html = director.get(r["Location"]).content.decode()
    assert "a rosa@example.com." in html and "Respondida por Diego Director Pichincha." in html
    assert "Respondida a tiempo" in html


def test_plazo_de_respuesta_de_las_quejas_con_insignias(personal, settings):
    settings.PLAZO_QUEJA_DIAS = 15
    hoy = timezone.localdate()
    ahora = timezone.now()
    nueva = _queja(None, creada_en=ahora)
    vieja = _queja(None, creada_en=ahora - timedelta(days=40))
    html = entrar("supervisor.nacional").get(reverse("personal:quejas")).content.decode()
    assert "Plazo de respuesta (15 días hábiles)" in html
    fila_nueva = html.split(nueva.referencia, 1)[1].split("</tr>", 1)[0]
    assert "quedan 15 días hábiles" in fila_nueva and sumar_dias_habiles(hoy, 15).strftime("%d/%m/%Y") in fila_nueva
    fila_vieja = html.split(vieja.referencia, 1)[1].split("</tr>", 1)[0]
    assert "Vencida" in fila_vieja and "badge-vencido" in fila_vieja
    settings.PLAZO_QUEJA_DIAS = 30
    detalle = entrar("supervisor.nacional").get(reverse("personal:queja_detalle", args=[nueva.referencia]))
    assert "Plazo de respuesta (30 días hábiles)" in detalle.content.decode()


# --- statistics -------------------------------------------------------------------------------------------


def _respondidos(provincia: str, dias_naturales: list[int], fin):
    """Cases answered (favourably) at `fin`, filed the given calendar days before."""
    for d in dias_naturales:
        Tramite.objects.filter(pk=caso(provincia=provincia).pk).update(
            estado=Estado.RESUELTO,
            resultado=Tramite.Resultado.FAVORABLE,
            creado_en=fin - timedelta(days=d),
            finalizado_en=fin,
        )


def test_mediana_total_y_fila_de_total_en_las_exportaciones(personal):
    from openpyxl import load_workbook

    from tramites.cifras import estadisticas

    hoy = timezone.localdate()
    desde, hasta = estadisticas.periodo_por_defecto(hoy)
    fin = timezone.make_aware(timezone.datetime.combine(hasta, timezone.datetime.min.time())) + timedelta(hours=12)
    _respondidos("17", [7, 14], fin)
    _respondidos("09", [28], fin)
    supervisor = entrar("supervisor.nacional")
    periodo = {"desde": desde.isoformat(), "hasta": hasta.isoformat()}
    filas = estadisticas.estadisticas(
        tramites=Tramite.objects.all(), quejas=Queja.objects.all(), desde=desde, hasta=hasta
    )
    medianas = sorted(f.valores["mediana_dias_habiles"] for f in filas)
    total = estadisticas.totales(filas)
    # The total's median is the median of the three answers, not "—" nor a median of the medians.
    todas = sorted(p for f in filas for p, n in f.dias_respuesta for _ in range(n))
    assert len(todas) == 3 and total["mediana_dias_habiles"] == todas[1]
    assert total["mediana_dias_habiles"] not in (None, sum(medianas) / 2)
    html = supervisor.get(reverse("personal:estadisticas"), periodo).content.decode()
    assert str(total["mediana_dias_habiles"]).replace(".", ",") in html or str(total["mediana_dias_habiles"]) in html
    contenido = supervisor.get(reverse("personal:estadisticas_csv"), periodo).content.decode("utf-8-sig")
    lineas = list(csv.reader(io.StringIO(contenido)))
    cabecera = lineas[0]
    assert lineas[-1][0] == "Total" and len(lineas) == len(filas) + 2
    assert lineas[-1][cabecera.index("Favorables")] == "3"
    assert lineas[-1][cabecera.index("Mediana de días hábiles hasta la respuesta")] == str(total["mediana_dias_habiles"])
    xlsx = supervisor.get(reverse("personal:estadisticas_xlsx"), periodo).content
    hoja = load_workbook(io.BytesIO(xlsx)).active
    ultima = [c.value for c in list(hoja.iter_rows())[-1]]
    assert ultima[0] == "Total" and ultima[-2] == total["mediana_dias_habiles"]


def test_la_generacion_masiva_invalida_los_conteos_de_la_bandeja(personal):
    analista = entrar("analista.pichincha")
    cache.clear()
    html = analista.get("/personal/", {"vista": "oficina"}).content.decode()
    assert "0 trámites" in html
    call_command("generar_casos", 300, anios=0.05, semilla=3, stdout=io.StringIO())
    from tramites.tramitacion.selectors import EN_CURSO

    # The office tab lists the open cases that wait on the office (observed ones have their own tab).
    abiertos = Tramite.objects.filter(oficina__provincias__provincia="17", estado__in=list(EN_CURSO)).count()
    assert abiertos > 0
    html = analista.get("/personal/", {"vista": "oficina"}).content.decode()
    assert f"{abiertos} trámites" in html or f"{abiertos} trámite" in html
