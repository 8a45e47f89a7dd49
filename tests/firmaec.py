"""FirmaEC-like certificates for tests: a root → intermediate → signer chain with the subject structure
and identity-number OIDs of the accredited Ecuadorian CAs (../shared/firmaec/README.md), built with
`cryptography`; and PDFs signed with them by pyHanko with a chosen signing time."""

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

SECURITY_DATA = "1.3.6.1.4.1.37746.3.1"  # per-CA extension
UANATACA = "1.3.6.1.4.1.47286.102.3.1"  # in the SubjectAlternativeName

_KEYS: list = []


def _clave():
    # RSA key generation dominates; a small pool keeps a test module fast.
    if len(_KEYS) < 6:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _KEYS[-1]
    _KEYS.append(_KEYS.pop(0))
    return _KEYS[-1]


def _utf8(texto: str) -> bytes:
    datos = texto.encode()
    return bytes([0x0C, len(datos)]) + datos


@dataclass
class Cadena:
    raiz: x509.Certificate
    intermedia: x509.Certificate
    firmante: x509.Certificate
    clave: object

    def pem(self, *certs) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def _ca(nombre, clave, emisor_nombre, emisor_clave, desde, hasta, emisor_ski=None):
    ski = x509.SubjectKeyIdentifier.from_public_key(clave.public_key())
    b = (
        x509.CertificateBuilder()
        .subject_name(nombre)
        .issuer_name(emisor_nombre)
        .public_key(clave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(desde)
        .not_valid_after(hasta)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(ski, critical=False)
    )
    if emisor_ski is not None:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(emisor_ski), critical=False
        )
    return b.sign(emisor_clave, hashes.SHA256())


def cadena(
    *,
    identificacion: str = "1710034065",
    nombre: str = "MARIA ELENA QUISHPE TOAPANTA",
    estilo: str = "idcec",  # idcec | pasec | security_data | uanataca | ninguno
    desde: dt.datetime | None = None,
    dias: int = 730,
    ca: str = "SECURITY DATA S.A. 2",
) -> Cadena:
    """root → intermediate → signer. `desde`/`dias` set the signer's validity (short-lived certificates:
    a few days)."""
    ahora = dt.datetime.now(dt.UTC)
    desde = desde or ahora - dt.timedelta(minutes=5)
    raiz_clave, inter_clave, clave = _clave(), _clave(), _clave()
    raiz_nombre = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"RAIZ {ca} PRUEBAS"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
        ]
    )
    inter_nombre = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"SUBCA {ca} PRUEBAS"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
        ]
    )
    ca_desde, ca_hasta = ahora - dt.timedelta(days=3650), ahora + dt.timedelta(days=3650)
    raiz = _ca(raiz_nombre, raiz_clave, raiz_nombre, raiz_clave, ca_desde, ca_hasta)
    raiz_ski = x509.SubjectKeyIdentifier.from_public_key(raiz_clave.public_key())
    intermedia = _ca(inter_nombre, inter_clave, raiz_nombre, raiz_clave, ca_desde, ca_hasta, raiz_ski)
    inter_ski = x509.SubjectKeyIdentifier.from_public_key(inter_clave.public_key())

    atributos = [x509.NameAttribute(NameOID.COMMON_NAME, nombre)]
    if estilo == "idcec":
        atributos.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDCEC-{identificacion}"))
    elif estilo == "pasec":
        atributos.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, f"PASEC-{identificacion}"))
    else:
        atributos.append(
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "0000123456")
        )  # a certificate serial, not an ID
    atributos += [
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "ENTIDAD DE CERTIFICACION DE INFORMACION"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "EC"),
    ]
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(atributos))
        .issuer_name(inter_nombre)
        .public_key(clave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(desde)
        .not_valid_after(desde + dt.timedelta(days=dias))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(inter_ski), critical=False
        )
    )
    if estilo == "security_data":
        b = b.add_extension(
            x509.UnrecognizedExtension(ObjectIdentifier(SECURITY_DATA), _utf8(identificacion)), critical=False
        )
    elif estilo == "uanataca":
        b = b.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.RFC822Name("maria.quishpe@example.com"),
                    x509.OtherName(ObjectIdentifier(UANATACA), _utf8(identificacion)),
                ]
            ),
            critical=False,
        )
    firmante = b.sign(inter_clave, hashes.SHA256())
    return Cadena(raiz=raiz, intermedia=intermedia, firmante=firmante, clave=clave)


def firmar_pdf(pdf: bytes, c: Cadena, *, momento: dt.datetime | None = None) -> bytes:
    """Sign `pdf` as FirmaEC does (PAdES, the chain embedded), claiming `momento` as the signing time."""
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    registro = SimpleCertificateStore()
    registro.register_multiple([translate_pyca_cryptography_cert_to_asn1(c.intermedia)])
    firmante = signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(c.firmante),
        signing_key=translate_pyca_cryptography_key_to_asn1(c.clave),
        cert_registry=registro,
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Firma1", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )

    class _Firmador(signers.PdfSigner):
        # The signing time FirmaEC writes is the signer's clock: here, whatever the test claims.
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            sesion = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            if momento is not None:
                sesion.system_time = momento
            return sesion

    salida = BytesIO()
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    _Firmador(meta, signer=firmante).sign_pdf(writer, output=salida)
    return salida.getvalue()
