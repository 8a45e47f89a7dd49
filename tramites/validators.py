"""TEMPORARY SHIM by the lead so the app loads; the validators engineer replaces this file."""
import hashlib
import os
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class ArchivoValidado:
    tipo_contenido: str
    extension: str
    tamano: int
    sha256: str
    nombre_original: str
    firma_digital: bool | None


def sanitize_filename(name: str) -> str:
    return os.path.basename(name or "archivo")[:120]


def validar_adjunto(archivo, *, max_bytes=None) -> ArchivoValidado:
    archivo.seek(0)
    datos = archivo.read()
    archivo.seek(0)
    if datos.startswith(b"\xff\xd8\xff"):
        tipo, ext, firma = "image/jpeg", "jpg", None
    elif datos.startswith(b"%PDF-"):
        tipo, ext, firma = "application/pdf", "pdf", False
    else:
        raise ValidationError("Solo se aceptan archivos JPG o PDF.", code="tipo")
    return ArchivoValidado(tipo, ext, len(datos), hashlib.sha256(datos).hexdigest(), sanitize_filename(archivo.name), firma)


class AdjuntoField(forms.FileField):
    def __init__(self, *args, max_bytes=None, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        archivo = super().clean(data, initial)
        if archivo:
            archivo.validado = validar_adjunto(archivo, max_bytes=self.max_bytes)
        return archivo
