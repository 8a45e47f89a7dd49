"""The remaining-capacity percentage is read as Ecuadorian Spanish whatever the browser's locale:
"4,5" and "4.5" are both 4.5, and an entry that could be read two ways is refused, never multiplied."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.fabricas_evaluacion import ACTIVIDADES, LIMITACIONES, tramite_en_evaluacion
from tramites.evaluacion.forms import EvaluacionForm
from tramites.models import Evaluacion


def _datos(porcentaje: str) -> dict:
    return {
        "fecha": timezone.localdate().isoformat(),
        "porcentaje_capacidad": porcentaje,
        "limitaciones": LIMITACIONES,
        "actividades_compatibles": ACTIVIDADES,
        "conclusion": "apto",
    }


@pytest.mark.parametrize(
    ("escrito", "valor"),
    [("4,5", "4.50"), ("4.5", "4.50"), ("45", "45.00"), (" 62,25 % ", "62.25"), ("100", "100.00"), ("0,5", "0.50")],
)
def test_coma_o_punto_decimal_dan_el_mismo_numero(escrito, valor):
    form = EvaluacionForm(data=_datos(escrito))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["porcentaje_capacidad"] == Decimal(valor)


@pytest.mark.parametrize(
    ("escrito", "palabras"),
    [
        ("4.500", "es ambiguo"),  # a thousands point would make it 4500: never guessed
        ("4,505", "es ambiguo"),
        ("1.234,5", "sin separador de miles"),
        ("4,5.1", "sin separador de miles"),
        ("cuatro", "Escriba un número como 45 o 4,5"),
        ("145", "menor o igual a 100"),
    ],
)
def test_lo_ambiguo_o_imposible_se_rechaza_con_su_motivo(escrito, palabras):
    form = EvaluacionForm(data=_datos(escrito))
    assert not form.is_valid()
    assert palabras in " ".join(form.errors["porcentaje_capacidad"])


def test_el_campo_es_texto_con_teclado_numerico():
    """A number input lets the browser's locale reinterpret the value; a text box sends what was typed."""
    html = str(EvaluacionForm()["porcentaje_capacidad"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html


@pytest.mark.django_db
@pytest.mark.usefixtures("certificado_demo")
def test_desde_un_navegador_en_ingles_4_coma_5_se_guarda_4_5(personal, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tramite = tramite_en_evaluacion(personal)
    cliente = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    cliente.force_login(personal["evaluador.pichincha"])
    respuesta = cliente.post(reverse("personal:evaluacion", args=[tramite.referencia]), _datos("4,5"))
    assert respuesta.status_code == 302
    assert Evaluacion.objects.get(tramite=tramite).porcentaje_capacidad == Decimal("4.50")
