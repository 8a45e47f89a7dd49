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


# --- LOOETA art. 23: the identity-document scan from cédula holders is the institution's choice -----

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from tests import files  # noqa: E402
from tests.test_solicitud import datos_validos, enviar  # noqa: E402, F401 - enviar is a fixture
from tramites.models import Adjunto, Tramite  # noqa: E402


def _solo_carta() -> dict:
    return {"solicitud_firmada": SimpleUploadedFile("solicitud.pdf", files.pdf_solicitud(), "application/pdf")}


@pytest.mark.django_db
def test_por_omision_se_sigue_pidiendo_la_copia_de_la_cedula(enviar):  # noqa: F811
    respuesta = enviar(archivos=_solo_carta())
    assert not Tramite.objects.exists()
    assert "Adjunte su documento de identidad" in respuesta.content.decode()


@pytest.mark.django_db
def test_sin_exigir_copia_la_cedula_basta(enviar, settings):  # noqa: F811
    settings.EXIGIR_COPIA_CEDULA = False
    respuesta = enviar(datos=datos_validos(identificacion=con_control("176003406")), archivos=_solo_carta())
    assert respuesta.status_code == 302
    tramite = Tramite.objects.get()
    assert list(tramite.adjuntos.values_list("tipo", flat=True)) == [Adjunto.Tipo.SOLICITUD_FIRMADA]


@pytest.mark.django_db
def test_sin_exigir_copia_el_extranjero_con_codigo_adjunta_su_documento(enviar, settings, client):  # noqa: F811
    settings.EXIGIR_COPIA_CEDULA = False
    assert "opcional con cédula" in client.get("/solicitud/").content.decode()
    respuesta = enviar(
        datos=datos_validos(tipo_identificacion="extranjero", identificacion="AB12345X"), archivos=_solo_carta()
    )
    assert not Tramite.objects.exists()
    assert "Adjunte su documento de identidad" in respuesta.content.decode()
