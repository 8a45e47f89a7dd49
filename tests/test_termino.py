"""The 30-business-day term (COA art. 207: past it, silence may count as acceptance) is watched: at
PLAZO_ESCALAR_DIAS business days before it, and again when it passes, the case is escalated once to
the office's director and the national supervisor; staff pages say "término vencido"."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.personal_ayudas import crear_tramite
from tramites.models import EscalamientoTermino, Tramite
from tramites.plazos import sumar_dias_habiles
from tramites.resoluciones.termino import terminos_escalar
from tramites.tramitacion import services

pytestmark = pytest.mark.django_db


def _con_vencimiento(tramite: Tramite, dias: int) -> Tramite:
    hoy = timezone.localdate()
    vence = sumar_dias_habiles(hoy, dias) if dias >= 0 else _antes(hoy, -dias)
    Tramite.objects.filter(pk=tramite.pk).update(vence_el=vence)
    tramite.refresh_from_db()
    return tramite


def _antes(hoy, dias):
    from datetime import timedelta

    from tramites.plazos import es_habil

    dia, n = hoy, 0
    while n < dias:
        dia -= timedelta(days=1)
        n += es_habil(dia)
    return dia


def test_aviso_a_los_cinco_dias_y_otra_vez_al_vencer(personal, settings, django_capture_on_commit_callbacks):
    settings.PLAZO_ESCALAR_DIAS = 5
    tramite = _con_vencimiento(crear_tramite(), 6)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert terminos_escalar() == 0  # 6 business days left: not yet

    _con_vencimiento(tramite, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert terminos_escalar() == 1
        assert terminos_escalar() == 0  # once per threshold, however often the task runs
    destinatarios = sorted(m.to[0] for m in mail.outbox)
    assert destinatarios == ["director.pichincha@iess.gob.ec", "supervisor.nacional@iess.gob.ec"]
    assert "Término por vencer" in mail.outbox[0].subject
    assert "quedan 5 días hábiles" in mail.outbox[0].body
    assert "art. 207" in mail.outbox[0].body

    mail.outbox.clear()
    _con_vencimiento(tramite, -1)
    with django_capture_on_commit_callbacks(execute=True):
        assert terminos_escalar() == 1
    assert {m.to[0] for m in mail.outbox} == {"director.pichincha@iess.gob.ec", "supervisor.nacional@iess.gob.ec"}
    assert "TÉRMINO VENCIDO" in mail.outbox[0].body
    assert set(EscalamientoTermino.objects.values_list("tipo", flat=True)) == {"aviso", "vencido"}


def test_un_tramite_observado_no_se_escala(personal, django_capture_on_commit_callbacks):
    tramite = crear_tramite()
    services.tramite_tomar(tramite=tramite, usuario=tramite.analista)
    services.tramite_observar(tramite=tramite, usuario=tramite.analista, motivo="Foto cortada.")
    _con_vencimiento(tramite, -3)
    assert terminos_escalar() == 0


def test_las_paginas_del_personal_dicen_termino_vencido(personal):
    tramite = _con_vencimiento(crear_tramite(), -2)
    cliente = Client()
    cliente.force_login(personal["director.pichincha"])
    assert "Término vencido" in cliente.get("/personal/?vista=oficina").content.decode()
    assert "Término vencido" in cliente.get(f"/personal/tramites/{tramite.referencia}/").content.decode()


def test_las_estadisticas_cuentan_los_terminos_vencidos_por_oficina_y_mes(personal):
    vencido = _con_vencimiento(crear_tramite(), -2)
    _con_vencimiento(crear_tramite(), 10)  # still in time: not counted
    _con_vencimiento(crear_tramite(provincia="09"), -3)  # another office
    cliente = Client()
    cliente.force_login(personal["supervisor.nacional"])
    desde = vencido.vence_el.replace(day=1) - timezone.timedelta(days=40)
    pagina = cliente.get(f"/personal/estadisticas/?desde={desde.isoformat()}&hasta={timezone.localdate().isoformat()}")
    html = " ".join(pagina.content.decode().split())
    assert "Término vencido, por oficina y mes" in html
    tabla = html.split('id="terminos-vencidos"')[1].split("</table>")[0]
    assert tabla.count("<tr><th scope=\"row\">") == 2  # Pichincha and Guayas, one month each
    assert "<td>1</td>" in tabla
    # A director sees only their office.
    cliente.force_login(personal["director.guayas"])
    html = cliente.get(f"/personal/estadisticas/?desde={desde.isoformat()}&hasta={timezone.localdate().isoformat()}").content.decode()
    tabla = html.split('id="terminos-vencidos"')[1].split("</table>")[0]
    assert "Pichincha" not in tabla and "Guayas" in tabla
