"""Encryption at rest of medical free text and reports (Fernet keys from FIELD_ENCRYPTION_KEYS).

The first key encrypts; every key listed decrypts, so a key is rotated by putting the new one first,
running `manage.py rotar_claves`, then removing the old one (README, "Rotating the encryption key").
"""
import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


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
