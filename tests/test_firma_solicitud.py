"""An electronically signed request letter is checked when it is uploaded, and staff, the receipt and the
citizen are told what the check found: never "verified" for a signature that is not."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests import files
from tests.test_solicitud import adjuntos, enviar  # noqa: F401 - enviar: test_solicitud's fixture
from tramites import firma
from tramites.models import Adjunto, Tramite

pytestmark = pytest.mark.django_db


@pytest.fixture
def solicitud_con(request):
    """Submit the online form (test_solicitud's `enviar`) with `carta` as the request letter; return
    the stored letter."""
    enviar_formulario = request.getfixturevalue("enviar")

    def _enviar(carta: bytes) -> Adjunto:
        respuesta = enviar_formulario(archivos=adjuntos(carta=carta))
        assert respuesta.status_code == 302
        return Tramite.objects.get().adjuntos.get(tipo=Adjunto.Tipo.SOLICITUD_FIRMADA)

    return _enviar


def _pagina_del_analista(client, tramite: Tramite) -> str:
    """The case page of the analyst who took the case for review (where the requirements are checked)."""
    from django.contrib.auth.models import User

    from tramites import services
    from tramites.roles import Rol

    analista = User.objects.get(username="analista.pichincha")
    services.tramite_transicionar(tramite=tramite, accion="tomar", actor=Rol.ANALISTA, usuario=analista)
    client.force_login(analista)
    return client.get(reverse("personal:tramite", args=[tramite.referencia])).content.decode()


def _texto_del_comprobante(client, tramite: Tramite) -> str:
    pdf = client.get(reverse("publico:comprobante", args=[tramite.referencia]))
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())


def test_firma_del_sistema_es_valida_y_se_nombra_al_firmante(
    solicitud_con, certificado_demo, client, personal
):
    carta = solicitud_con(firma.sign_pdf(files.pdf_solicitud(), reason="Solicitud"))
    assert carta.firma_digital is True
    assert carta.firma_verificacion == Adjunto.VerificacionFirma.VALIDA
    assert carta.firma_firmante == firma.signer_info()["subject_cn"]

    tramite = carta.tramite
    assert "con firma electrónica válida" in _texto_del_comprobante(client, tramite)
    assert (
        "no es válida"
        not in client.get(reverse("publico:confirmacion", args=[tramite.referencia])).content.decode()
    )
    pagina = _pagina_del_analista(client, tramite)
    assert "Firma electrónica válida" in pagina
    assert f"firma electrónica válida de {carta.firma_firmante}" in pagina


def test_firma_integra_de_un_certificado_desconocido_no_se_da_por_valida(solicitud_con, client, personal):
    carta = solicitud_con(files.pdf_firmado())  # self-signed: no configured root reaches it
    assert carta.firma_verificacion == Adjunto.VerificacionFirma.NO_RECONOCIDA
    assert carta.firma_firmante == "María Quishpe (pruebas)"

    pagina = _pagina_del_analista(client, carta.tramite)
    assert "Firma electrónica íntegra, certificado no reconocido" in pagina
    assert "compruebe la firma con el validador de FirmaEC" in pagina
    assert "Firma electrónica válida" not in pagina
    assert "verificada" not in pagina
    assert "certificado no reconocido" in _texto_del_comprobante(client, carta.tramite)


@pytest.mark.parametrize(
    "generador",
    [files.pdf_firmado_y_modificado, files.pdf_firmado_con_agregado, files.pdf_firma_falsa],
    ids=["modificado-despues", "revision-agregada", "firma-falsa"],
)
def test_firma_alterada_o_falsa_se_registra_como_no_valida(solicitud_con, generador, client, personal):
    carta = solicitud_con(generador())
    assert carta.firma_digital is True  # it carries a signature dictionary...
    assert carta.firma_verificacion == Adjunto.VerificacionFirma.NO_VALIDA  # ...that proves nothing
    tramite = carta.tramite

    confirmacion = client.get(reverse("publico:confirmacion", args=[tramite.referencia])).content.decode()
    assert "La firma electrónica de su solicitud no es válida" in confirmacion
    assert "con firma electrónica no válida" in _texto_del_comprobante(client, tramite)
    pagina = _pagina_del_analista(client, tramite)
    assert "Firma electrónica no válida" in pagina
    assert "No la dé por firmada" in pagina
    assert "Firma electrónica válida" not in pagina


def test_pdf_escaneado_sin_firma_no_pasa_por_la_comprobacion(solicitud_con, monkeypatch):
    def no_llamar(*args, **kwargs):  # pragma: no cover - the test fails if it runs
        raise AssertionError("a PDF without a signature must not be sent to pyHanko")

    monkeypatch.setattr(firma, "validate_pdf_signature", no_llamar)
    carta = solicitud_con(files.pdf_solicitud())
    assert carta.firma_digital is False
    assert (carta.firma_verificacion, carta.firma_firmante) == ("", "")


def test_pdf_con_firma_subido_antes_de_la_comprobacion_se_muestra_sin_comprobar(
    solicitud_con, client, personal
):
    carta = solicitud_con(files.pdf_firmado())
    Adjunto.objects.filter(pk=carta.pk).update(firma_verificacion="", firma_firmante="")  # an older row
    pagina = _pagina_del_analista(client, carta.tramite)
    assert "PDF con firma electrónica, sin comprobar" in pagina
    assert "no se comprobó al subirla" in pagina


@pytest.mark.parametrize(
    ("generador", "veredicto"),
    [
        (files.pdf_firmado, Adjunto.VerificacionFirma.NO_RECONOCIDA),
        (files.pdf_firma_falsa, Adjunto.VerificacionFirma.NO_VALIDA),
        (files.pdf_solicitud, ""),
    ],
)
def test_cada_subida_guardada_comprueba_la_firma(generador, veredicto):
    """Held files, corrections, window scans and medical reports are stored by services.adjunto_guardar:
    the check is there, not only in the online form."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tramites import services
    from tramites.validators import validar_adjunto

    archivo = SimpleUploadedFile("documento.pdf", generador(), "application/pdf")
    guardado = services.adjunto_guardar(
        archivo=archivo, validado=validar_adjunto(archivo), tipo=Adjunto.Tipo.SUBSANACION
    )
    guardado.refresh_from_db()
    assert guardado.firma_verificacion == veredicto
    assert guardado.archivo.storage.exists(guardado.archivo.name)
