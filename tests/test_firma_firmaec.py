"""Real FirmaEC signatures: a trust bundle of roots AND intermediates, a certificate that expired after
signing judged at its signing time, and the signer's identification number read from the certificate
and compared with the applicant's. Certificates are built like FirmaEC's (tests/firmaec.py); the
accredited CAs' bundle in ../shared/firmaec/ is used when present, and those tests skip without it."""

import datetime as dt
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from tests import files, firmaec
from tests.test_firma_solicitud import _pagina_del_analista, solicitud_con  # noqa: F401 - fixture
from tests.test_solicitud import enviar  # noqa: F401 - fixture that solicitud_con uses
from tramites import firma
from tramites.models import Adjunto

BUNDLE = Path(__file__).resolve().parents[2] / "shared" / "firmaec" / "ca-bundle.pem"
if not BUNDLE.exists():  # the worktree sits two levels below /work; the main clone one
    BUNDLE = Path(__file__).resolve().parents[3] / "shared" / "firmaec" / "ca-bundle.pem"
con_bundle = pytest.mark.skipif(not BUNDLE.exists(), reason="../shared/firmaec/ no está disponible")


def _asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _confiar(settings, tmp_path, *certs, nombre="confianza.pem", extra=()):
    """SIGNING_TRUST_ROOTS = one PEM bundle with `certs` (plus other files in `extra`)."""
    archivo = tmp_path / nombre
    archivo.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs))
    settings.SIGNING_TRUST_ROOTS = [*map(str, extra), str(archivo)]
    settings.SIGNING_P12_PATH = "/no/se/usa.p12"  # no demo CA in the trust list


@pytest.mark.parametrize(
    ("estilo", "numero"),
    [
        ("idcec", "1710034065"),  # after ARCOTEL-2024-0176: subject serialNumber IDCEC-<cédula>
        ("pasec", "AB1234567"),  # a passport: PASEC-<passport>
        ("security_data", "1760034064"),  # older Security Data: extension 1.3.6.1.4.1.37746.3.1
        ("uanataca", "0960034069"),  # Uanataca: an otherName in the SubjectAlternativeName
    ],
)
def test_se_lee_la_identificacion_del_firmante(estilo, numero):
    cadena = firmaec.cadena(estilo=estilo, identificacion=numero)
    assert firma.signer_identification(_asn1(cadena.firmante)) == numero


def test_un_certificado_sin_identificacion_no_inventa_una():
    # serialNumber 0000123456 is the certificate's, not an IDCEC-/PASEC- identity
    assert firma.signer_identification(_asn1(firmaec.cadena(estilo="ninguno").firmante)) == ""


def test_una_cadena_que_termina_en_una_intermedia_del_bundle_es_valida(settings, tmp_path):
    """Like Security Data's sub-CA 2: its root is not published, the sub-CA is trusted directly."""
    cadena = firmaec.cadena(identificacion="1710034065")
    _confiar(settings, tmp_path, cadena.intermedia)
    resultado = firma.validate_pdf_signature(firmaec.firmar_pdf(files.pdf_solicitud(), cadena))
    assert resultado.valid and not resultado.expired_since
    assert resultado.signer_id == "1710034065"
    assert resultado.signer_cn == "MARIA ELENA QUISHPE TOAPANTA"


def test_solo_con_raices_una_cadena_sin_su_intermedia_no_se_reconoce(settings, tmp_path):
    cadena = firmaec.cadena()
    otra = firmaec.cadena()
    _confiar(settings, tmp_path, otra.raiz)
    resultado = firma.validate_pdf_signature(firmaec.firmar_pdf(files.pdf_solicitud(), cadena))
    assert resultado.intact and not resultado.trusted


def test_certificado_vencido_despues_de_firmar_se_juzga_a_la_fecha_de_firma(settings, tmp_path):
    ahora = dt.datetime.now(dt.UTC)
    # A short-lived certificate (3 days) used 39 days ago, expired 37 days ago.
    cadena = firmaec.cadena(desde=ahora - dt.timedelta(days=40), dias=3)
    _confiar(settings, tmp_path, cadena.raiz, cadena.intermedia)
    firmado = firmaec.firmar_pdf(files.pdf_solicitud(), cadena, momento=ahora - dt.timedelta(days=39))
    resultado = firma.validate_pdf_signature(firmado)
    assert resultado.valid and resultado.expired_since
    assert resultado.signed_at.date() == (ahora - dt.timedelta(days=39)).date()


def test_una_fecha_de_firma_posterior_al_vencimiento_no_se_acepta(settings, tmp_path):
    ahora = dt.datetime.now(dt.UTC)
    cadena = firmaec.cadena(desde=ahora - dt.timedelta(days=40), dias=3)
    _confiar(settings, tmp_path, cadena.raiz, cadena.intermedia)
    firmado = firmaec.firmar_pdf(files.pdf_solicitud(), cadena, momento=ahora - dt.timedelta(days=30))
    resultado = firma.validate_pdf_signature(firmado)
    assert resultado.intact and not resultado.trusted and not resultado.expired_since


@con_bundle
def test_el_bundle_de_las_ca_acreditadas_se_carga_entero(settings):
    settings.SIGNING_TRUST_ROOTS = [str(BUNDLE)]
    settings.SIGNING_P12_PATH = "/no/se/usa.p12"
    certificados = firma.trust_roots()
    assert len(certificados) == 65
    nombres = " ".join(c.subject.human_friendly for c in certificados).upper()
    assert "SECURITY DATA" in nombres and "BANCO CENTRAL" in nombres


@con_bundle
def test_con_el_bundle_real_y_la_intermedia_de_la_ca_se_reconoce_la_firma(settings, tmp_path):
    """The accredited bundle listed as shipped, plus one more file: several files and bundles combine."""
    cadena = firmaec.cadena(identificacion="1710034065")
    _confiar(settings, tmp_path, cadena.intermedia, extra=[BUNDLE])
    assert len(firma.trust_roots()) == 66
    resultado = firma.validate_pdf_signature(firmaec.firmar_pdf(files.pdf_solicitud(), cadena))
    assert resultado.valid


@con_bundle
def test_con_el_bundle_real_una_ca_ajena_no_se_reconoce(settings):
    settings.SIGNING_TRUST_ROOTS = [str(BUNDLE)]
    settings.SIGNING_P12_PATH = "/no/se/usa.p12"
    resultado = firma.validate_pdf_signature(firmaec.firmar_pdf(files.pdf_solicitud(), firmaec.cadena()))
    assert resultado.intact and not resultado.trusted
    assert "no es de confianza" in resultado.error


# --- through the request form: what the analyst reads on the case page -----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("numero", "estilo", "palabras"),
    [
        ("1710034065", "idcec", "firmada por el solicitante: <strong>sí</strong>"),
        ("1710034065", "security_data", "firmada por el solicitante: <strong>sí</strong>"),
        ("0960034069", "idcec", "firmada por el solicitante: <strong class=\"text-danger\">no</strong>"),
        ("", "ninguno", "firmada por el solicitante: <strong>no se pudo leer</strong>"),
    ],
)
def test_la_pagina_del_caso_dice_si_la_firmo_el_solicitante(
    settings,
    tmp_path,
    solicitud_con,  # noqa: F811 - the fixture
    client,
    personal,
    numero,
    estilo,
    palabras,
):
    cadena = firmaec.cadena(identificacion=numero or "1710034065", estilo=estilo)
    _confiar(settings, tmp_path, cadena.raiz, cadena.intermedia)
    carta = solicitud_con(firmaec.firmar_pdf(files.pdf_solicitud(), cadena))  # applicant: 1710034065
    assert carta.firma_verificacion == Adjunto.VerificacionFirma.VALIDA
    assert carta.firma_identificacion == numero
    pagina = _pagina_del_analista(client, carta.tramite)
    assert palabras in pagina
    if numero == "0960034069":
        assert "el certificado es de 0960034069" in pagina


@pytest.mark.django_db
def test_carta_con_certificado_ya_vencido_se_etiqueta_asi(
    settings,
    tmp_path,
    solicitud_con,  # noqa: F811 - the fixture
    client,
    personal,
):
    ahora = dt.datetime.now(dt.UTC)
    cadena = firmaec.cadena(desde=ahora - dt.timedelta(days=20), dias=2)
    _confiar(settings, tmp_path, cadena.raiz, cadena.intermedia)
    firmado = firmaec.firmar_pdf(files.pdf_solicitud(), cadena, momento=ahora - dt.timedelta(days=19))
    carta = solicitud_con(firmado)
    assert carta.firma_verificacion == Adjunto.VerificacionFirma.VALIDA_VENCIDO
    pagina = _pagina_del_analista(client, carta.tramite)
    assert "válida a la fecha de firma; el certificado ya venció" in pagina
    assert "firmada por el solicitante: <strong>sí</strong>" in pagina


@pytest.mark.django_db
def test_la_revision_de_requisitos_registra_si_la_firmo_el_solicitante(
    settings,
    tmp_path,
    solicitud_con,  # noqa: F811 - the fixture
    client,
    personal,
):
    cadena = firmaec.cadena(identificacion="0960034069")  # someone else's certificate
    _confiar(settings, tmp_path, cadena.raiz, cadena.intermedia)
    carta = solicitud_con(firmaec.firmar_pdf(files.pdf_solicitud(), cadena))
    _pagina_del_analista(client, carta.tramite)  # the analyst has taken the case
    r = client.post(
        f"/personal/tramites/{carta.tramite.referencia}/acciones/observar/",
        {
            "revision-motivo": "La solicitud está firmada con el certificado de otra persona.",
            "revision-tipo_firma": "electronica",
        },
    )
    assert r.status_code == 302
    nota = carta.tramite.historial.order_by("-creado_en", "-pk").first().nota
    assert "Firmada por el solicitante: no" in nota
