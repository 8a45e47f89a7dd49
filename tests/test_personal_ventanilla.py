"""The window channel: a clerk registers a paper request with its Quipux number, what was checked at the
window and the scans; the citizen gets a printable receipt and the case enters the same routing."""

import pytest
from django.core.exceptions import ValidationError

from tests import files
from tests.personal_ayudas import archivo, cliente
from tramites.estados import Estado
from tramites.identificacion import validar_quipux
from tramites.models import Adjunto, Tramite


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


URL = "/personal/presencial/nuevo/"


def _datos(**cambios):
    datos = {
        "quipux": "IESS-DSGRT-2022-0409-M",
        "tipo_identificacion": "cedula",
        "identificacion": "0926687856",
        "nombres": "José Luis",
        "apellidos": "Mendoza Cedeño",
        "correo": "jose.mendoza@example.ec",
        "telefono": "0987654321",
        "telefono_alterno": "",
        "provincia": "09",
        "mensaje": "",
        "originales_vistos": "on",
        "firma_manuscrita_verificada": "on",
        "acepta_tratamiento_datos": "on",
        "documento_identidad": archivo(files.jpeg_documento(), "cedula.jpg"),
        "solicitud_firmada": archivo(files.pdf_solicitud(), "solicitud.pdf"),
    }
    datos.update(cambios)
    return {k: v for k, v in datos.items() if v is not None}


@pytest.mark.parametrize(
    "numero",
    [
        "IESS-DSGRT-2022-0409-M",
        "iess-dsgrt-2022-0409-m",
        "IESS-CPRT-PIC-2026-0012-OF",
        " IESS-DSGRT-2024-12-M ",
    ],
)
def test_numeros_quipux_aceptados(numero):
    assert validar_quipux(numero) == numero.strip().upper()


@pytest.mark.parametrize(
    "numero",
    [
        "",
        "0409",
        "IESS-2022-0409-M",
        "IESS-DSGRT-22-0409-M",
        "IESS-DSGRT-2022-0409",
        "IESS_DSGRT_2022_0409_M",
    ],
)
def test_numeros_quipux_rechazados(numero):
    with pytest.raises(ValidationError):
        validar_quipux(numero)


@pytest.mark.django_db
def test_solo_la_ventanilla_registra(personal):
    assert cliente(personal["ventanilla.pichincha"]).get(URL).status_code == 200
    assert cliente(personal["analista.pichincha"]).get(URL).status_code == 403


@pytest.mark.django_db
def test_registro_presencial_con_recibo_y_el_mismo_enrutamiento(personal, django_capture_on_commit_callbacks):
    clerk = personal["ventanilla.pichincha"]
    c = cliente(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(URL, _datos())
    assert r.status_code == 302
    tramite = Tramite.objects.get(identificacion="0926687856")
    assert r["Location"] == f"/personal/tramites/{tramite.referencia}/recibo/"
    assert tramite.canal == Tramite.Canal.PRESENCIAL
    assert (tramite.quipux, tramite.originales_vistos, tramite.firma_manuscrita_verificada) == (
        "IESS-DSGRT-2022-0409-M",
        True,
        True,
    )
    assert tramite.registrado_por == clerk
    assert tramite.telefono == "+593987654321"
    assert set(tramite.adjuntos.values_list("tipo", flat=True)) == {
        Adjunto.Tipo.DOCUMENTO_IDENTIDAD,
        Adjunto.Tipo.SOLICITUD_FIRMADA,
    }
    # Same routing as online: Guayas province → the Guayas office and its analyst.
    assert tramite.estado == Estado.ASIGNADO
    assert tramite.oficina.codigo == "guayas" and tramite.analista == personal["analista.guayas"]
    primera = tramite.historial.order_by("creado_en", "id").first()
    assert (primera.actor, primera.usuario) == ("ventanilla", clerk)
    # The clerk (of Pichincha) can still print the receipt of the case routed to Guayas.
    recibo = c.get(r["Location"]).content.decode()
    assert tramite.referencia in recibo and "IESS-DSGRT-2022-0409-M" in recibo
    pdf = c.get(f"/personal/tramites/{tramite.referencia}/comprobante.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    # ...but another clerk of Pichincha cannot.
    from tests.casos import analista_nuevo

    otro = analista_nuevo("ventanilla.dos", clerk.perfil.oficina, rol="ventanilla")
    assert cliente(otro).get(f"/personal/tramites/{tramite.referencia}/recibo/").status_code == 404


@pytest.mark.django_db
def test_verificaciones_y_quipux_obligatorios(personal):
    c = cliente(personal["ventanilla.pichincha"])
    r = c.post(URL, _datos(originales_vistos=None, firma_manuscrita_verificada=None, quipux="0409-2022"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Confirme que vio los documentos originales." in html
    assert "Confirme que verificó la firma manuscrita." in html
    assert "El número Quipux no tiene el formato esperado" in html
    assert not Tramite.objects.exists()
    # The scans accepted in that attempt are kept: the clerk does not choose them again.
    assert "Archivo cargado:" in html
    r = c.post(URL, _datos(documento_identidad=None, solicitud_firmada=None))
    assert r.status_code == 302
    assert Tramite.objects.get().adjuntos.count() == 2


@pytest.mark.django_db
def test_los_escaneos_pasan_por_la_cadena_de_validacion(personal):
    c = cliente(personal["ventanilla.pichincha"])
    r = c.post(URL, _datos(documento_identidad=archivo(files.exe_renombrado(), "cedula.jpg")))
    assert r.status_code == 200
    assert not Tramite.objects.exists()
    assert "Documento de identidad escaneado" in r.content.decode()


def test_un_escaneo_dudoso_de_ventanilla_se_registra_y_queda_marcado(
    personal, django_capture_on_commit_callbacks
):
    """The clerk is not asked to confirm a doubtful scan (issue 12): it is recorded and flagged."""
    c = cliente(personal["ventanilla.pichincha"])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(URL, _datos(documento_identidad=archivo(files.jpeg_borroso(1.5), "cedula.jpg")))
    assert r.status_code == 302
    cedula = Tramite.objects.get(identificacion="0926687856").adjuntos.get(
        tipo=Adjunto.Tipo.DOCUMENTO_IDENTIDAD
    )
    assert "borrosa" in cedula.advertencia_calidad
