"""Which cédulas the request accepts (docs/adr/0001): foreign residents' cédulas (third digit 6) are
accepted; 7–9, province 50 and a wrong check digit are refused, each with its own words. Every number
is built from the check-digit rule: no real person's number."""

import pytest
from django.core.exceptions import ValidationError

from tramites.identificacion import validar_cedula


def con_control(nueve: str) -> str:
    suma = 0
    for i, d in enumerate(nueve):
        p = int(d) * (2 if i % 2 == 0 else 1)
        suma += p - 9 if p > 9 else p
    return nueve + str((10 - suma % 10) % 10)


@pytest.mark.parametrize(
    "nueve",
    [
        "175003406",  # third digit 5: Ecuadorian citizen
        "176003406",  # third digit 6: foreign resident with a cédula
        "240003406",  # Santa Elena, the last province
        "300003406",  # registered abroad
        "096003406",  # a foreign resident registered in Guayas
    ],
)
def test_se_aceptan(nueve):
    numero = con_control(nueve)
    assert validar_cedula(numero) == numero


@pytest.mark.parametrize(
    ("nueve", "palabras"),
    [
        ("177003406", "el tercer dígito de una cédula es de 0 a 6"),
        ("179003406", "el tercer dígito de una cédula es de 0 a 6"),
        ("500003406", "no corresponden a una provincia"),  # stdnum accepts 50: no province
        ("250003406", "no corresponden a una provincia"),
        ("000003406", "no corresponden a una provincia"),
    ],
)
def test_se_rechazan_con_su_motivo(nueve, palabras):
    with pytest.raises(ValidationError) as error:
        validar_cedula(con_control(nueve))
    assert palabras in error.value.messages[0]


def test_digito_verificador_equivocado():
    numero = con_control("176003406")
    malo = numero[:9] + str((int(numero[9]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        validar_cedula(malo)
    assert "revise que esté bien escrito" in error.value.messages[0]


def test_espacios_y_guiones_se_quitan():
    numero = con_control("176003406")
    assert validar_cedula(f"{numero[:5]} {numero[5:9]}-{numero[9]}") == numero
