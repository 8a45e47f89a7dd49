"""Other formats hidden inside an accepted file (polyglots): a ZIP archive anywhere in the bytes.

A ZIP is recognised by a local file header or an end-of-central-directory record whose fields are
plausible, not by the bare four-byte signature: compressed image data and PDF streams hold
"PK\\x03\\x04" by chance about once in 4 GB, and a false match would refuse a genuine scan. A header
counts only when it is followed by a sane version, method and name length and a printable name, which
is what every archiver writes and what every extractor (which scans for these records) needs.
"""

from __future__ import annotations

import re
import struct

_LOCAL = re.compile(rb"PK\x03\x04")
_FIN = re.compile(rb"PK\x05\x06")
_METODOS = frozenset({0, 1, 6, 8, 9, 12, 14, 19, 93, 95, 98, 99})


def _local_plausible(datos: bytes, pos: int) -> bool:
    if pos + 30 > len(datos):
        return False
    version, _banderas, metodo = struct.unpack_from("<HHH", datos, pos + 4)
    largo_nombre, largo_extra = struct.unpack_from("<HH", datos, pos + 26)
    if version > 63 or metodo not in _METODOS or not 1 <= largo_nombre <= 1024:
        return False
    nombre = datos[pos + 30 : pos + 30 + largo_nombre]
    return len(nombre) == largo_nombre and all(32 <= b < 127 or b >= 128 for b in nombre)


def _fin_plausible(datos: bytes, pos: int) -> bool:
    if pos + 22 > len(datos):
        return False
    disco, disco_dir, en_disco, total, tamano, desplazamiento, comentario = struct.unpack_from(
        "<HHHHIIH", datos, pos + 4
    )
    return (
        disco == disco_dir == 0
        and en_disco == total
        and tamano < len(datos)
        and (pos + 22 + comentario <= len(datos))
    )


def zip_oculto(datos: bytes) -> bool:
    """True when the bytes hold a ZIP archive (local file header or end record), wherever it sits."""
    return any(_local_plausible(datos, m.start()) for m in _LOCAL.finditer(datos)) or any(
        _fin_plausible(datos, m.start()) for m in _FIN.finditer(datos)
    )


# Other formats that a tool could find and open after a file's end.
_FIRMAS_COLA = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"%PDF-",
    b"\x7fELF",
    b"<script",
    b"<html",
    b"<?php",
    b"<svg",
)


def cola_sospechosa(cola: bytes) -> bool:
    """True when bytes after a file's end hold another format (archive, PDF, program, web page)."""
    minusculas = cola.lower()
    if any(firma.lower() in minusculas for firma in _FIRMAS_COLA):
        return True
    # A Windows program: "MZ" with the PE header it points to.
    for m in re.finditer(rb"MZ", cola):
        if m.start() + 64 <= len(cola):
            (pe,) = struct.unpack_from("<I", cola, m.start() + 60)
            if cola[m.start() + pe : m.start() + pe + 4] == b"PE\x00\x00":
                return True
    return False
