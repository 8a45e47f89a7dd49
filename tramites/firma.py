"""PAdES signing of the authorization documents, validation of uploaded PDFs, and the demo certificate.

Validation trusts every certificate of SIGNING_TRUST_ROOTS (PEM bundles of roots AND intermediates:
some FirmaEC chains end at a sub-CA whose root is not published), judges an expired certificate at
the signing time the signature claims, and reads the signer's identification number (IDCEC-/PASEC-
subject serialNumber, or the per-CA extensions of ../shared/firmaec/README.md).

Signing uses the PKCS#12 of SIGNING_P12_PATH. When that setting is empty the embedded demo creates a
self-signed demo CA and a signer certificate under STORAGE_DIR/certificados; documents signed with it
say so (`demo=True`) and are trusted only by an installation that still uses that same demo CA.
"""

import contextlib
import datetime as dt
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from asn1crypto import core as asn1_core
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, validation
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

try:  # POSIX only; elsewhere two processes creating the demo certificate at once is not guarded
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

logger = logging.getLogger(__name__)

# The demo PKCS#12 is protected with SIGNING_P12_PASSWORD when set, otherwise with this fixed password.
# It protects nothing: the demo certificate has no legal value and its CA is trusted only locally.
DEMO_P12_PASSWORD = "demo-reinsercion-no-valido"
DEMO_SIGNER_CN = "DEMO - Director de Riesgos del Trabajo (NO VÁLIDO)"
DEMO_CA_CN = "DEMO - Autoridad certificadora de pruebas (NO VÁLIDA)"
DEMO_ORG = "IESS (demostración)"
DEMO_DIR = "certificados"
DEMO_P12_NAME = "demo-firma.p12"
DEMO_CA_NAME = "demo-ca.pem"
DEMO_VALIDITY_DAYS = 5 * 365 + 1


@dataclass(frozen=True)
class FirmaResultado:
    """What the verification page needs to know about the signature of one PDF."""

    signed: bool
    intact: bool = False  # digest matches and the signature covers the whole file
    trusted: bool = False  # chain reaches a configured trust root (implies intact)
    signer_cn: str = ""
    signed_at: dt.datetime | None = None  # time claimed by the signer (no timestamp authority)
    demo: bool = False
    error: str = ""  # Spanish, for the user; empty when the signature is fully valid
    # Trusted only when judged at signed_at: the certificate expired after the signature was made.
    expired_since: bool = False
    signer_id: str = ""  # identification number read from the certificate ("" when it carries none)

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted

    @property
    def altered(self) -> bool:
        return self.signed and not self.intact


# --- demo certificate -------------------------------------------------------------------------------


def uses_demo_certificate() -> bool:
    return not settings.SIGNING_P12_PATH


def demo_dir() -> Path:
    return Path(settings.STORAGE_DIR) / DEMO_DIR


def demo_ca_path() -> Path:
    return demo_dir() / DEMO_CA_NAME


def _p12_path() -> Path:
    return Path(settings.SIGNING_P12_PATH) if settings.SIGNING_P12_PATH else demo_dir() / DEMO_P12_NAME


def _p12_password() -> bytes | None:
    if settings.SIGNING_P12_PASSWORD:
        return settings.SIGNING_P12_PASSWORD.encode()
    return DEMO_P12_PASSWORD.encode() if uses_demo_certificate() else None


def build_certificate_pair(
    *,
    signer_cn: str = DEMO_SIGNER_CN,
    ca_cn: str = DEMO_CA_CN,
    organization: str = DEMO_ORG,
    days: int = DEMO_VALIDITY_DAYS,
) -> tuple[x509.Certificate, rsa.RSAPrivateKey, x509.Certificate]:
    """A self-signed root CA and a signing certificate it issued: (ca_cert, signer_key, signer_cert)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate clock skew between machines
    until = now + dt.timedelta(days=days)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name(ca_cn)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    signer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(name(signer_cn))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_cert, signer_key, signer_cert


def p12_bytes(
    key: rsa.RSAPrivateKey, cert: x509.Certificate, ca_cert: x509.Certificate, password: bytes
) -> bytes:
    # The CA travels inside the PKCS#12 so the signature embeds the whole chain.
    return pkcs12.serialize_key_and_certificates(
        b"firma", key, cert, [ca_cert], serialization.BestAvailableEncryption(password)
    )


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _demo_lock(directory: Path):
    # Several web workers may sign their first document at the same moment; without the lock two of
    # them could each write a CA and a PKCS#12 and leave a pair that does not match.
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(directory / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_demo_certificate() -> Path:
    """The PKCS#12 path to sign with; creates the demo CA and certificate once if none is configured.

    Idempotent: existing files are never regenerated (that would make every document signed so far
    untrusted). With SIGNING_P12_PATH set, it only returns that path.
    """
    if not uses_demo_certificate():
        return _p12_path()
    directory = demo_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    p12_path, ca_path = directory / DEMO_P12_NAME, directory / DEMO_CA_NAME
    if p12_path.exists() and ca_path.exists():
        return p12_path
    with _demo_lock(directory):
        if p12_path.exists():
            if not ca_path.exists():
                _write_atomic(ca_path, _ca_pem_from_p12(p12_path), 0o644)
            return p12_path
        ca_cert, key, cert = build_certificate_pair()
        _write_atomic(ca_path, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
        # The PKCS#12 is written last: its presence means the pair is complete.
        _write_atomic(p12_path, p12_bytes(key, cert, ca_cert, _p12_password()), 0o600)
        logger.warning("Certificado de firma de DEMOSTRACIÓN creado en %s (sin validez legal).", p12_path)
    return p12_path


def _ca_pem_from_p12(p12_path: Path) -> bytes:
    _key, _cert, extra = pkcs12.load_key_and_certificates(p12_path.read_bytes(), _p12_password())
    if not extra:
        raise ImproperlyConfigured(f"{p12_path} no contiene el certificado de la CA de demostración.")
    return extra[0].public_bytes(serialization.Encoding.PEM)


# --- signing ----------------------------------------------------------------------------------------


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner that keeps the parsed private key.

    pyHanko's SimpleSigner re-parses the DER key on every signature, and cryptography validates an
    RSA key on each load (~35 ms, twice per document because pyHanko signs once more to size the
    container). Reusing the parsed key keeps issuing a document well under the latency target.
    """

    def __init__(self, *, private_key, **kwargs):
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)  # PSS, EdDSA, DSA: pyHanko's own path


def _load_signer(data: bytes, password: bytes | None) -> signers.SimpleSigner:
    key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    if key is None or cert is None:
        raise ValueError("El PKCS#12 no contiene clave privada y certificado.")
    registry = SimpleCertificateStore()
    registry.register_multiple(translate_pyca_cryptography_cert_to_asn1(c) for c in extra)
    return _LoadedKeySigner(
        private_key=key,
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
        cert_registry=registry,
    )


_signer_lock = threading.Lock()
_signer_cache: dict[tuple, signers.SimpleSigner] = {}


def _signer() -> signers.SimpleSigner:
    """The loaded signer, kept per process (reloaded when the file or password changes)."""
    path = ensure_demo_certificate()
    password = _p12_password()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ImproperlyConfigured(f"No se puede leer el certificado de firma {path}: {exc}") from exc
    key = (str(path), stat.st_mtime_ns, stat.st_size, password)
    with _signer_lock:
        signer = _signer_cache.get(key)
        if signer is None:
            try:
                signer = _load_signer(path.read_bytes(), password)
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"No se pudo abrir el certificado de firma {path}: ¿SIGNING_P12_PASSWORD es correcta?"
                ) from exc
            _signer_cache.clear()
            _signer_cache[key] = signer
    return signer


def _cn(cert: asn1_x509.Certificate) -> str:
    return cert.subject.native.get("common_name", "") or ""


def _is_demo_cert(cert: asn1_x509.Certificate) -> bool:
    if cert.subject.native.get("organization_name") == DEMO_ORG:
        return True
    ca = _demo_ca_cert()
    return ca is not None and cert.issuer == ca.subject and cert.authority_key_identifier == ca.key_identifier


def signer_info() -> dict:
    """Who signs the documents: {"subject_cn", "is_demo", "valid_until", "sha256"}."""
    cert = _signer().signing_cert
    return {
        "subject_cn": _cn(cert),
        "is_demo": uses_demo_certificate() or _is_demo_cert(cert),
        "valid_until": cert.not_valid_after,
        "sha256": cert.sha256.hex(),
    }


def sign_pdf(
    pdf_bytes: bytes, *, reason: str, location: str = "Ecuador", field_name: str = "FirmaDirector"
) -> bytes:
    """Sign with PAdES baseline B-B (SHA-256, no timestamp: the system works offline)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    # Invisible widget, hidden and out of the page: PDF/UA forbids untagged visible annotations.
    field_spec = fields.SigFieldSpec(
        sig_field_name=field_name,
        invis_sig_settings=fields.InvisSigSettings(
            set_print_flag=False, set_hidden_flag=True, box_out_of_bounds=True
        ),
    )
    output = BytesIO()
    signers.PdfSigner(metadata, signer=_signer(), new_field_spec=field_spec).sign_pdf(writer, output=output)
    return output.getvalue()


# --- validation -------------------------------------------------------------------------------------

_roots_lock = threading.Lock()
_roots_cache: dict[tuple, list[asn1_x509.Certificate]] = {}


def _load_certs(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in asn1_pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def _cached_certs(paths: list[Path]) -> list[asn1_x509.Certificate]:
    stamps = []
    for path in paths:
        with contextlib.suppress(OSError):  # a missing file is logged by trust_roots()
            stamps.append((str(path), path.stat().st_mtime_ns))
    key = tuple(stamps)
    with _roots_lock:
        if key not in _roots_cache:
            certs, seen = [], set()
            for path_str, _mtime in key:
                try:
                    loaded = _load_certs(Path(path_str))
                except Exception:
                    logger.exception("No se pudo leer el certificado %s", path_str)
                    continue
                for cert in loaded:
                    if cert.sha256 not in seen:  # the same CA in two bundles counts once
                        seen.add(cert.sha256)
                        certs.append(cert)
            if len(_roots_cache) > 8:  # keys change only when settings or files change
                _roots_cache.clear()
            _roots_cache[key] = certs
        return _roots_cache[key]


def _demo_ca_cert() -> asn1_x509.Certificate | None:
    certs = _cached_certs([demo_ca_path()])
    return certs[0] if certs else None


def trust_roots() -> list[asn1_x509.Certificate]:
    """Every certificate of SIGNING_TRUST_ROOTS (files or PEM bundles of roots and intermediates), plus
    the demo CA while the demo certificate is the one in use.

    Each one is a trust anchor: FirmaEC itself trusts Security Data's sub-CA 2 directly, because the
    root that issued it is not published, so a chain that ends at a listed intermediate is trusted.
    """
    paths = [Path(p) for p in settings.SIGNING_TRUST_ROOTS]
    if uses_demo_certificate():
        paths.append(demo_ca_path())
    missing = [str(p) for p in paths if not p.exists()]
    if missing and not (uses_demo_certificate() and missing == [str(demo_ca_path())]):
        logger.error("Certificados de SIGNING_TRUST_ROOTS no encontrados: %s", ", ".join(missing))
    return _cached_certs(paths)


# --- the signer's identification number ----------------------------------------------------------

# Where the accredited Ecuadorian CAs put the holder's ID (../shared/firmaec/README.md). Certificates
# issued after Resolución ARCOTEL-2024-0176 carry it in the subject serialNumber as IDCEC-/PASEC-.
OIDS_IDENTIFICACION_EXTENSION = frozenset(
    {
        "1.3.6.1.4.1.37947.3.1",  # Banco Central del Ecuador
        "1.3.6.1.4.1.37746.3.1",  # Security Data
        "1.3.6.1.4.1.18332.3.1",  # ANF AC
        "1.3.6.1.4.1.37442.3.1",  # ANF AC
        "1.3.6.1.4.1.52643.3.1",  # Datil
        "1.3.6.1.4.1.59198.3.1",  # ArgosData
        "1.3.6.1.4.1.59382.3.1",  # Lazzate
        "1.3.6.1.4.1.56105.3.1",  # Alpha Technologies
        "1.3.6.1.4.1.34380.3.1",  # CorpNewBest
        "1.3.6.1.4.1.61305.3.1",  # FirmaSegura
        "1.3.6.1.4.1.55519.1.1.1.5.2.1",  # DIGERCIC
    }
)
OIDS_IDENTIFICACION_SAN = frozenset(
    {
        "1.3.6.1.4.1.47286.102.3.1",  # Uanataca
        "1.3.6.1.4.1.43745.1.3.1",  # Consejo de la Judicatura
        "1.3.6.1.4.1.57153.102.3.1",  # Eclipsoft
    }
)
_PREFIJO_ID = re.compile(r"^(?:IDCEC|PASEC)-(.+)$")
_ID = re.compile(r"^[A-Z0-9]{4,20}$")


def _texto_der(der: bytes) -> str:
    """A string value however a CA encoded it: a DER string (possibly inside an OCTET STRING) or bytes."""
    try:
        valor = asn1_core.Asn1Value.load(der, strict=True)
        if isinstance(valor, asn1_core.OctetString):
            valor = asn1_core.Asn1Value.load(valor.native, strict=True)
        nativo = valor.native
        if isinstance(nativo, bytes):
            nativo = nativo.decode("utf-8", "replace")
        if isinstance(nativo, str):
            return nativo
    except Exception:  # noqa: S110 - not DER: some CAs store the bare characters
        pass
    return der.decode("utf-8", "replace")


def _id_limpio(texto: str) -> str:
    texto = re.sub(
        r"[\s\-\x00-\x1f]", "", str(texto or "").upper().replace("IDCEC-", "").replace("PASEC-", "")
    )
    return texto if _ID.match(texto) else ""


def signer_identification(cert: asn1_x509.Certificate) -> str:
    """The holder's identification number (cédula or passport) from a FirmaEC certificate, or ""."""
    try:
        for rdn in cert.subject.chosen:
            for atributo in rdn:
                if atributo["type"].dotted == "2.5.4.5":  # serialNumber
                    valor = str(atributo["value"].native or "").strip().upper()
                    if _PREFIJO_ID.match(valor) and _id_limpio(valor):
                        return _id_limpio(valor)
        for ext in cert["tbs_certificate"]["extensions"] or []:
            if ext["extn_id"].dotted in OIDS_IDENTIFICACION_EXTENSION:
                numero = _id_limpio(_texto_der(ext["extn_value"].contents))
                if numero:
                    return numero
        for nombre in cert.subject_alt_name_value or []:
            if nombre.name == "other_name" and nombre.chosen["type_id"].dotted in OIDS_IDENTIFICACION_SAN:
                numero = _id_limpio(_texto_der(nombre.chosen["value"].contents))
                if numero:
                    return numero
            elif nombre.name == "directory_name":
                for rdn in nombre.chosen.chosen:
                    for atributo in rdn:
                        if atributo["type"].dotted in OIDS_IDENTIFICACION_SAN:
                            numero = _id_limpio(atributo["value"].native)
                            if numero:
                                return numero
    except Exception:  # a malformed certificate has no readable number; never an error page
        logger.info("No se pudo leer la identificación del certificado", exc_info=True)
    return ""


# --- checking a signature ------------------------------------------------------------------------


def validate_pdf_signature(pdf_bytes: bytes, *, at: dt.datetime | None = None) -> FirmaResultado:
    """Check the last signature of a PDF. Never raises: any failure is a result with a Spanish error.

    `at` is the moment the certificate chain is judged at (default: now). Without a timestamp
    authority the signing time is only the signer's claim, so a caller that has matched the file's
    SHA-256 to its own record may pass the recorded issue time, and keep documents verifiable after
    the signing certificate expires. Without `at`, a signature whose certificate has expired since is
    judged again at the signing time it claims, and the result says so (`expired_since`).
    """
    try:
        return _validate(pdf_bytes, at)
    except Exception:
        logger.info("PDF ilegible al validar la firma", exc_info=True)
        return FirmaResultado(signed=False, error=_("El archivo no es un PDF legible o está dañado."))


def _estado(embedded, momento: dt.datetime | None):
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False, moment=momento)
    return validation.validate_pdf_signature(embedded, signer_validation_context=context)


def _vencido_despues_de_firmar(cert: asn1_x509.Certificate, firmado: dt.datetime | None) -> bool:
    """The certificate has expired now, and was within its validity at the time the signer claims."""
    if firmado is None:
        return False
    return cert.not_valid_after < dt.datetime.now(dt.UTC) and (
        cert.not_valid_before <= firmado <= cert.not_valid_after
    )


def _validate(pdf_bytes: bytes, at: dt.datetime | None) -> FirmaResultado:
    if not pdf_bytes or not bytes(pdf_bytes[:1024]).lstrip().startswith(b"%PDF-"):
        return FirmaResultado(signed=False, error=_("El archivo no es un PDF."))
    reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return FirmaResultado(signed=False, error=_("El documento no tiene firma electrónica."))
    # The last signature is the only one that can cover the whole file; anything appended after
    # our signature makes it cover less and is reported as an alteration.
    embedded = signatures[-1]
    cert = embedded.signer_cert
    signer_cn, demo, signer_id = _cn(cert), _is_demo_cert(cert), signer_identification(cert)
    try:
        status = _estado(embedded, at)
    except Exception:
        logger.info("Firma no validable", exc_info=True)
        return FirmaResultado(
            signed=False, signer_cn=signer_cn, demo=demo, error=_("La firma del documento está dañada.")
        )
    intact = bool(status.intact and status.valid and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)
    trusted = bool(intact and status.trusted)
    expired_since = False
    if intact and not trusted and at is None and _vencido_despues_de_firmar(cert, status.signer_reported_dt):
        # Short-lived certificates (days, for some CAs) have expired by the time staff look: judge the
        # chain at the signing time the signature claims, and say so.
        try:
            trusted = expired_since = bool(_estado(embedded, status.signer_reported_dt).trusted)
        except Exception:
            logger.info("Firma no validable a la fecha de firma", exc_info=True)
    if not (status.intact and status.valid):
        error = _("El documento fue modificado después de firmarse: no es el original.")
    elif not intact:
        error = _("Se agregó contenido al documento después de firmarse: no es el original.")
    elif not trusted:
        error = _(
            "La firma está intacta, pero el certificado del firmante no es de confianza para este sistema."
        )
    else:
        error = ""
    return FirmaResultado(
        signed=True,
        intact=intact,
        trusted=trusted,
        signer_cn=signer_cn,
        signed_at=status.signer_reported_dt,
        demo=demo,
        error=error,
        expired_since=expired_since,
        signer_id=signer_id,
    )
