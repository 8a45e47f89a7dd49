"""The PDF pipeline (tagged PDF/UA, QR) and PAdES signing/validation with the demo certificate."""

import base64
import datetime as dt
import threading
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader

from tramites import firma
from tramites.pdf import LocalOnlyFetcher, qr_svg_data_uri, render_pdf, render_pdf_from_string

TEMPLATES_DIR = Path(__file__).parent / "templates"
URL = "https://reinsercion.example/verificar/?codigo=ABCD-EFGH-JKMN"


@pytest.fixture(autouse=True)
def firma_settings(settings, tmp_path):
    settings.STORAGE_DIR = tmp_path / "var"
    settings.SIGNING_P12_PATH = ""
    settings.SIGNING_P12_PASSWORD = ""
    settings.SIGNING_TRUST_ROOTS = []
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = templates
    return settings


@pytest.fixture
def pdf_sin_firma():
    return render_pdf(
        "pdf_prueba.html",
        {"numero": "DSGRT-2026-0001", "nombre": "José Ñúñez Pérez", "qr": qr_svg_data_uri(URL)},
    )


@pytest.fixture
def pdf_firmado(pdf_sin_firma):
    return firma.sign_pdf(pdf_sin_firma, reason="Autorización de reinserción laboral")


@pytest.fixture
def otra_ca(tmp_path):
    """A signing certificate from an unrelated self-signed CA, as files: (p12 path, CA pem path)."""
    ca, key, cert = firma.build_certificate_pair(
        signer_cn="Firmante ajeno", ca_cn="CA ajena", organization="Otra entidad"
    )
    p12 = tmp_path / "ajena.p12"
    p12.write_bytes(firma.p12_bytes(key, cert, ca, b"clave-ajena"))
    ca_pem = tmp_path / "ajena-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return p12, ca_pem


def firmar_con(settings, p12: Path, pdf: bytes) -> bytes:
    settings.SIGNING_P12_PATH = str(p12)
    settings.SIGNING_P12_PASSWORD = "clave-ajena"
    firmado = firma.sign_pdf(pdf, reason="Prueba")
    settings.SIGNING_P12_PATH = ""
    settings.SIGNING_P12_PASSWORD = ""
    return firmado


# --- PDF --------------------------------------------------------------------------------------------


def test_pdf_has_text_title_language_and_tags_for_screen_readers(pdf_sin_firma):
    reader = PdfReader(BytesIO(pdf_sin_firma))
    text = reader.pages[0].extract_text()
    assert "Resolución DSGRT-2026-0001" in text
    assert "José Ñúñez Pérez" in text
    assert reader.metadata.title == "Autorización de reinserción laboral DSGRT-2026-0001"
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "es"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # declares PDF/UA-1


def test_explicit_title_wins_and_lang_fills_in_when_html_has_none():
    pdf = render_pdf_from_string(
        "<html><head><title>Otro</title></head><body><p>Hola</p></body></html>",
        title="Comprobante de solicitud",
        lang="en",
    )
    reader = PdfReader(BytesIO(pdf))
    assert reader.metadata.title == "Comprobante de solicitud"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_qr_is_an_svg_data_uri_about_3_cm_wide():
    uri = qr_svg_data_uri(URL)
    header, _, payload = uri.partition(",")
    assert header.startswith("data:image/svg+xml")
    svg = ET.fromstring(unquote(payload))
    assert svg.get("width") == svg.get("height")
    assert float(svg.get("width").removesuffix("mm")) == pytest.approx(30, abs=0.5)
    assert qr_svg_data_uri(URL) != qr_svg_data_uri(URL + "X")


def test_pdf_rendering_never_fetches_from_the_network_or_reads_other_files(settings, tmp_path):
    static = tmp_path / "static"
    (static / "img").mkdir(parents=True)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    (static / "img" / "logo.png").write_bytes(png)
    settings.STATICFILES_DIRS = [static]

    fetcher = LocalOnlyFetcher()
    assert fetcher.fetch("http://127.0.0.1:8000/static/img/logo.png").read() == png
    for url in (
        "http://192.0.2.1/imagen.png",
        "https://example.com/static/../../etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:8000/static/../settings.py",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)

    pdf = render_pdf_from_string(
        '<html lang="es"><title>Logo</title><body><img src="/static/img/logo.png" alt="Logo">'
        '<img src="http://192.0.2.1/externa.png" alt="Externa"></body></html>'
    )
    xobjects = PdfReader(BytesIO(pdf)).pages[0]["/Resources"]["/XObject"]
    assert len(xobjects) == 1  # the static logo only; the external image was refused


# --- demo certificate -------------------------------------------------------------------------------


def test_demo_certificate_is_created_once_with_the_expected_identity(settings):
    p12_path = firma.ensure_demo_certificate()
    ca_path = firma.demo_ca_path()
    assert p12_path == Path(settings.STORAGE_DIR) / "certificados" / "demo-firma.p12"
    assert ca_path.exists()
    assert p12_path.stat().st_mode & 0o077 == 0  # the private key is readable by its owner only
    before = (p12_path.read_bytes(), ca_path.read_bytes(), p12_path.stat().st_mtime_ns)

    assert firma.ensure_demo_certificate() == p12_path
    assert (p12_path.read_bytes(), ca_path.read_bytes(), p12_path.stat().st_mtime_ns) == before

    key, cert, _extra = pkcs12.load_key_and_certificates(before[0], firma.DEMO_P12_PASSWORD.encode())
    ca = x509.load_pem_x509_certificate(before[1])
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "DEMO - Director de Riesgos del Trabajo (NO VÁLIDO)"
    )
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "IESS (demostración)"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "EC"
    assert cert.issuer == ca.subject and ca.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    assert key.key_size == 2048
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    years = (cert.not_valid_after_utc - cert.not_valid_before_utc).days / 365
    assert 4.9 < years < 5.1


def test_demo_certificate_uses_the_configured_password(settings):
    settings.SIGNING_P12_PASSWORD = "otra-clave"
    data = firma.ensure_demo_certificate().read_bytes()
    key, _cert, _extra = pkcs12.load_key_and_certificates(data, b"otra-clave")
    assert key is not None


def test_concurrent_first_use_leaves_one_matching_pair():
    paths, errors = [], []

    def crear():
        try:
            paths.append(firma.ensure_demo_certificate())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    hilos = [threading.Thread(target=crear) for _ in range(4)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    assert not errors and len(set(paths)) == 1
    _key, cert, _extra = pkcs12.load_key_and_certificates(
        paths[0].read_bytes(), firma.DEMO_P12_PASSWORD.encode()
    )
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(firma.demo_ca_path().read_bytes()))


def test_management_command_prints_the_paths(settings, capsys):
    call_command("crear_certificado_demo")
    out = capsys.readouterr().out
    assert str(firma.demo_ca_path()) in out and "demo-firma.p12" in out and "DEMOSTRACIÓN" in out


def test_signer_info_reports_the_demo_certificate():
    info = firma.signer_info()
    assert info["subject_cn"] == firma.DEMO_SIGNER_CN
    assert info["is_demo"] is True


# --- signing and validation -------------------------------------------------------------------------


def test_signed_pdf_validates_as_signed_intact_trusted_and_demo(pdf_firmado):
    resultado = firma.validate_pdf_signature(pdf_firmado)
    assert resultado.signed and resultado.intact and resultado.trusted and resultado.valid
    assert resultado.demo is True
    assert resultado.signer_cn == firma.DEMO_SIGNER_CN
    assert abs(resultado.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert resultado.error == ""
    # Still an ordinary, readable and tagged PDF.
    reader = PdfReader(BytesIO(pdf_firmado))
    assert "José Ñúñez Pérez" in reader.pages[0].extract_text()
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    # The invisible signature widget is hidden, as PDF/UA requires of untagged annotations.
    (widget,) = [a.get_object() for a in reader.pages[0]["/Annots"]]
    assert widget["/FT"] == "/Sig" and widget["/F"] & 2


def test_one_changed_byte_inside_the_signed_range_is_reported_as_altered(pdf_firmado):
    posicion = pdf_firmado.index(b"WeasyPrint")  # the /Producer string, well inside the first range
    alterado = pdf_firmado[:posicion] + b"X" + pdf_firmado[posicion + 1 :]
    resultado = firma.validate_pdf_signature(alterado)
    assert resultado.signed and not resultado.intact and not resultado.trusted
    assert resultado.altered
    assert "modificado" in resultado.error


def test_an_incremental_update_saved_after_signing_is_reported_as_altered(pdf_firmado):
    # What a PDF editor does when someone changes a signed file and saves it.
    writer = IncrementalPdfFileWriter(BytesIO(pdf_firmado))
    writer.set_info(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Falso")})
    )
    salida = BytesIO()
    writer.write(salida)
    resultado = firma.validate_pdf_signature(salida.getvalue())
    assert resultado.signed and not resultado.intact and not resultado.valid
    assert "después de firmarse" in resultado.error


def test_unsigned_pdf_is_reported_as_not_signed(pdf_sin_firma):
    resultado = firma.validate_pdf_signature(pdf_sin_firma)
    assert not resultado.signed and not resultado.valid
    assert "no tiene firma" in resultado.error


@pytest.mark.parametrize(
    "contenido",
    [b"", b"no es un pdf", b"%PDF-1.7\n\x00\xff basura", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", None],
)
def test_garbage_never_raises(contenido, pdf_firmado):
    if contenido is None:  # a signed PDF cut in half
        contenido = pdf_firmado[: len(pdf_firmado) // 2]
    resultado = firma.validate_pdf_signature(contenido)
    assert not resultado.valid
    assert resultado.error


def test_signature_from_another_ca_is_not_trusted(settings, otra_ca, pdf_sin_firma):
    p12, _ca_pem = otra_ca
    firmado = firmar_con(settings, p12, pdf_sin_firma)
    resultado = firma.validate_pdf_signature(firmado)
    assert resultado.signed and resultado.intact
    assert not resultado.trusted and not resultado.valid
    assert resultado.demo is False and resultado.signer_cn == "Firmante ajeno"
    assert "confianza" in resultado.error


def test_configured_certificate_and_trust_roots(settings, otra_ca, pdf_sin_firma):
    demo_firmado = firma.sign_pdf(pdf_sin_firma, reason="Prueba")
    p12, ca_pem = otra_ca
    settings.SIGNING_P12_PATH = str(p12)
    settings.SIGNING_P12_PASSWORD = "clave-ajena"
    settings.SIGNING_TRUST_ROOTS = [str(ca_pem)]
    assert firma.signer_info() | {"valid_until": None, "sha256": None} == {
        "subject_cn": "Firmante ajeno",
        "is_demo": False,
        "valid_until": None,
        "sha256": None,
    }

    resultado = firma.validate_pdf_signature(firma.sign_pdf(pdf_sin_firma, reason="Prueba"))
    assert resultado.valid and not resultado.demo

    # Once a real certificate is configured, the demo CA is no longer trusted.
    antiguo = firma.validate_pdf_signature(demo_firmado)
    assert antiguo.signed and antiguo.intact and antiguo.demo and not antiguo.trusted


def test_wrong_p12_password_is_a_configuration_error(settings, otra_ca, pdf_sin_firma):
    settings.SIGNING_P12_PATH = str(otra_ca[0])
    settings.SIGNING_P12_PASSWORD = "equivocada"
    with pytest.raises(ImproperlyConfigured):
        firma.sign_pdf(pdf_sin_firma, reason="Prueba")


def test_chain_is_judged_at_the_given_moment(pdf_firmado):
    assert firma.validate_pdf_signature(pdf_firmado, at=dt.datetime.now(dt.UTC)).trusted
    futuro = dt.datetime.now(dt.UTC) + dt.timedelta(days=6 * 365)  # after the demo certificate expires
    assert not firma.validate_pdf_signature(pdf_firmado, at=futuro).trusted
