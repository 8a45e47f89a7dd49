"""Encryption at rest of medical free text and reports (Fernet keys from FIELD_ENCRYPTION_KEYS).

The first key encrypts; every key listed decrypts, so a key is rotated by putting the new one first,
running `manage.py rotar_claves`, then removing the old one (README, "Rotating the encryption key").
"""
import base64
import hashlib
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS es obligatorio en producción.")
        # Development only: a key derived from SECRET_KEY, so the demo works with no configuration.
        derived = base64.urlsafe_b64encode(hashlib.sha256(("campos:" + settings.SECRET_KEY).encode()).digest())
        keys = (derived.decode(),)
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    return fernet().decrypt(token)


def rotate_token(token: bytes) -> bytes:
    return fernet().rotate(token)


class EncryptedTextField(models.TextField):
    """A text column whose database value is a Fernet token; Python sees the plain text."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_bytes(value.encode("utf-8")).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return decrypt_bytes(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return "[no se pudo descifrar: clave desconocida]"


def es_token(valor: str) -> bool:
    """Whether a stored value is already a token that one of the listed keys opens."""
    try:
        decrypt_bytes(valor.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError, TypeError):
        return False
    return True


class EncryptedDecimalField(EncryptedTextField):
    """A decimal (the remaining-capacity percentage) stored as a Fernet token; Python sees a Decimal.

    Nothing filters or aggregates on it: the statistics count decisions, never health data."""

    def __init__(self, *args, max_digits=None, decimal_places=None, **kwargs):
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_digits"], kwargs["decimal_places"] = self.max_digits, self.decimal_places
        return name, path, args, kwargs

    def to_python(self, value):
        if value in (None, ""):
            return value
        try:
            numero = value if isinstance(value, Decimal) else Decimal(str(value))
            if self.decimal_places is not None:  # as a DecimalField column would return it: 62.50
                numero = numero.quantize(Decimal(1).scaleb(-self.decimal_places))
        except InvalidOperation as exc:
            raise ValidationError(_("Escriba un número."), code="invalid") from exc
        return numero

    def get_prep_value(self, value):
        if value in (None, ""):
            return value
        return encrypt_bytes(str(self.to_python(value)).encode("utf-8")).decode("ascii")

    def from_db_value(self, value, expression, connection):
        texto = super().from_db_value(value, expression, connection)
        try:
            return self.to_python(texto)
        except ValidationError:
            return None  # a token no listed key opens: shown as missing, never as a wrong number
