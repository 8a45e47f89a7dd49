"""Real test files (JPEG photos of a document, PDFs, impostors) built in memory, returned as bytes.

Every generator is deterministic and cached, so tests can call them freely. The quality thresholds
of `tramites.validators` were tuned on these images (see the comment there).
"""

from __future__ import annotations

import datetime
import functools
import io
import random
import zipfile

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageFont

SOI = b"\xff\xd8"
_PALABRAS = (
    "solicito respetuosamente autorización para reinsertarme laboralmente conforme al reglamento del "
    "seguro general de riesgos del trabajo en calidad de pensionista por incapacidad permanente total "
    "declaro que la información consignada es verdadera y adjunto los documentos de respaldo señor "
    "director provincial del instituto ecuatoriano de seguridad social atentamente quito"
).split()


# --------------------------------------------------------------------------- JPEG: photos of a document


def _fuente(tamano: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=tamano)


def _papel(ancho: int, alto: int, rng: random.Random, texto: float = 1.0) -> Image.Image:
    """A letter on slightly warm paper: heading, data lines, body text, a handwritten signature."""
    papel = Image.new("RGB", (ancho, alto), (236, 233, 226))
    dibujo = ImageDraw.Draw(papel)
    margen = ancho // 12
    cuerpo = max(12, alto // 42)
    y = alto // 14
    dibujo.text((margen, y), "SOLICITUD DE AUTORIZACIÓN", fill=(25, 25, 30), font=_fuente(cuerpo + 8))
    y += cuerpo * 3
    datos = (
        "Nombres: María Fernanda Quishpe Andrango",
        "Cédula: 1710034065",
        "Correo: maria.quishpe@example.ec",
        "Teléfonos: 0991234567 / 022345678",
    )
    for linea in datos:
        dibujo.text((margen, y), linea, fill=(30, 30, 35), font=_fuente(cuerpo))
        y += int(cuerpo * 1.6)
    y += cuerpo
    fuente = _fuente(cuerpo)
    while y < alto * (0.3 + 0.42 * texto):
        x = margen
        while True:
            palabra = rng.choice(_PALABRAS)
            w = dibujo.textlength(palabra + " ", font=fuente)
            if x + w > ancho - margen:
                break
            dibujo.text((x, y), palabra, fill=(35, 35, 40), font=fuente)
            x += w
        y += int(cuerpo * 1.5)
    # A signature: a random pen stroke above a line.
    base = int(alto * 0.86)
    dibujo.line((margen, base, margen + ancho // 3, base), fill=(40, 40, 40), width=2)
    puntos, x, yy = [], margen + 10, base - cuerpo
    while x < margen + ancho // 3.5:
        puntos.append((x, yy))
        x += rng.randint(4, 12)
        yy = base - cuerpo + rng.randint(-cuerpo, cuerpo // 2)
    dibujo.line(puntos, fill=(20, 30, 110), width=3, joint="curve")
    dibujo.text((margen, base + 8), "Firma del solicitante", fill=(40, 40, 45), font=_fuente(cuerpo - 2))
    return papel


def _cedula(ancho: int, alto: int, rng: random.Random) -> Image.Image:
    """An identity card: tinted background, photo, name and number, a barcode strip."""
    tarjeta = Image.new("RGB", (ancho, alto), (206, 222, 234))
    dibujo = ImageDraw.Draw(tarjeta)
    dibujo.rectangle((0, 0, ancho, alto // 7), fill=(24, 64, 128))
    dibujo.text(
        (ancho // 20, alto // 40), "REPÚBLICA DEL ECUADOR", fill=(250, 250, 250), font=_fuente(alto // 12)
    )
    foto = (ancho // 20, alto // 4, ancho // 20 + ancho // 4, alto // 4 + alto * 5 // 8)
    dibujo.rectangle(foto, fill=(150, 140, 130))
    dibujo.ellipse(
        (foto[0] + ancho // 20, foto[1] + alto // 12, foto[2] - ancho // 20, foto[3] - alto // 6),
        fill=(196, 160, 130),
    )
    x, y, cuerpo = ancho * 9 // 20, alto // 4, alto // 16
    for linea in (
        "APELLIDOS: QUISHPE ANDRANGO",
        "NOMBRES: MARÍA FERNANDA",
        "No. 1710034065",
        "NACIMIENTO: 12 MAR 1975",
        "LUGAR: QUITO PICHINCHA",
    ):
        dibujo.text((x, y), linea, fill=(20, 20, 30), font=_fuente(cuerpo))
        y += int(cuerpo * 1.7)
    for i in range(0, ancho * 9 // 20, 6):
        if rng.random() < 0.6:
            dibujo.rectangle(
                (x + i, alto * 7 // 8, x + i + rng.randint(1, 4), alto * 19 // 20), fill=(15, 15, 15)
            )
    return tarjeta


@functools.lru_cache(maxsize=32)
def _foto(
    ancho: int,
    alto: int,
    semilla: int,
    desenfoque: float = 0.0,
    ruido: float = 4.0,
    cedula: bool = False,
    texto: float = 1.0,
    escaneo: bool = False,
) -> Image.Image:
    """A phone photo of a letter (or an ID card) on a table: slightly turned, uneven light, sensor noise.

    Blur is applied to the scene before the noise, as a lens out of focus does.
    """
    rng = random.Random(semilla)
    if escaneo:  # a flatbed scan: the page fills the frame, even light, almost no noise
        pagina = _papel(ancho, alto, rng, texto).point(lambda v: min(255, v + 16))
        if ruido:
            pagina = ImageChops.add(
                pagina, Image.effect_noise((ancho, alto), ruido).convert("RGB"), offset=-128
            )
        return pagina.filter(ImageFilter.GaussianBlur(desenfoque)) if desenfoque else pagina
    mesa = (112, 104, 96)
    foto = Image.new("RGB", (ancho, alto), mesa)
    if cedula:
        documento = _cedula(int(ancho * 0.7), int(ancho * 0.7 / 1.58), rng)
    else:
        documento = _papel(int(ancho * 0.8), int(alto * 0.9), rng, texto)
    documento = documento.rotate(
        rng.uniform(-2.0, 2.0), resample=Image.Resampling.BICUBIC, expand=True, fillcolor=mesa
    )
    foto.paste(documento, ((ancho - documento.width) // 2, (alto - documento.height) // 2))
    if desenfoque:
        foto = foto.filter(ImageFilter.GaussianBlur(desenfoque))
    # Light falls off towards the corners.
    luz = Image.radial_gradient("L").resize((ancho, alto)).point(lambda v: 255 - v * 70 // 255)
    foto = ImageChops.multiply(foto, Image.merge("RGB", (luz, luz, luz)))
    if ruido:
        foto = ImageChops.add(foto, Image.effect_noise((ancho, alto), ruido).convert("RGB"), offset=-128)
    return foto


def _jpeg(imagen: Image.Image, **opciones) -> bytes:
    salida = io.BytesIO()
    imagen.save(salida, "JPEG", **{"quality": 85, **opciones})
    return salida.getvalue()


@functools.lru_cache(maxsize=64)
def jpeg_documento(
    ancho: int = 1600, alto: int = 1200, calidad: int = 85, progresivo: bool = False, semilla: int = 1
) -> bytes:
    """A sharp, well-lit phone photo of a signed request letter (the image every check must accept)."""
    return _jpeg(_foto(ancho, alto, semilla), quality=calidad, progressive=progresivo)


@functools.lru_cache(maxsize=4)
def jpeg_cedula(ancho: int = 1600, alto: int = 1200) -> bytes:
    """A sharp phone photo of an identity card lying on a table."""
    return _jpeg(_foto(ancho, alto, 1, cedula=True))


@functools.lru_cache(maxsize=4)
def jpeg_escaneo(texto: float = 1.0) -> bytes:
    """A flatbed scan of the letter: white page filling the frame (`texto` = share of the body written)."""
    return _jpeg(_foto(1700, 2200, 1, ruido=1, texto=texto, escaneo=True))


@functools.lru_cache(maxsize=4)
def jpeg_poco_texto_penumbra() -> bytes:
    """A sharp photo of a page with only a few lines, in dim indoor light (gray paper): must pass."""
    foto = _foto(1600, 1200, 1, ruido=1, texto=0.08, escaneo=True)
    return _jpeg(ImageEnhance.Brightness(foto).enhance(0.5))


@functools.lru_cache(maxsize=16)
def jpeg_borroso(radio: float = 4.0, ancho: int = 1600, alto: int = 1200) -> bytes:
    """The same photo out of focus (Gaussian blur of `radio` pixels)."""
    return _jpeg(_foto(ancho, alto, 1, desenfoque=radio))


@functools.lru_cache(maxsize=8)
def jpeg_oscuro(factor: float = 0.2) -> bytes:
    """The photo taken in a dark room (brightness scaled by `factor`)."""
    return _jpeg(ImageEnhance.Brightness(_foto(1600, 1200, 1)).enhance(factor))


@functools.lru_cache(maxsize=8)
def jpeg_lavado(velo: float = 0.8) -> bytes:
    """A washed-out photo (glare, a white veil of `velo` over everything): text faded towards white."""
    foto = _foto(1600, 1200, 1)
    return _jpeg(Image.blend(foto, Image.new("RGB", foto.size, (255, 255, 255)), velo))


@functools.lru_cache(maxsize=8)
def jpeg_poco_contraste(factor: float = 0.15) -> bytes:
    """A foggy photo whose text hardly stands out (contrast scaled by `factor`)."""
    return _jpeg(ImageEnhance.Contrast(_foto(1600, 1200, 1)).enhance(factor))


@functools.lru_cache(maxsize=4)
def jpeg_pequeno(ancho: int = 400, alto: int = 300) -> bytes:
    """A sharp photo at too low a resolution to read."""
    return _jpeg(_foto(ancho, alto, 1))


@functools.lru_cache(maxsize=4)
def jpeg_truncado() -> bytes:
    """A photo cut off two thirds of the way (an interrupted transfer)."""
    datos = jpeg_documento()
    return datos[: len(datos) * 2 // 3]


def jpeg_progresivo() -> bytes:
    """A progressive JPEG of the document (what many web tools export)."""
    return jpeg_documento(progresivo=True)


@functools.lru_cache(maxsize=2)
def jpeg_cmyk() -> bytes:
    """A CMYK JPEG (what some scanners and print software save)."""
    return _jpeg(_foto(1600, 1200, 1).convert("CMYK"), quality=70)


@functools.lru_cache(maxsize=2)
def jpeg_gris() -> bytes:
    """A grayscale JPEG (what document scanners often save)."""
    return _jpeg(_foto(1600, 1200, 1).convert("L"))


@functools.lru_cache(maxsize=2)
def jpeg_rotado_exif() -> bytes:
    """A portrait document stored sideways with EXIF Orientation 6 (how phones save it)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return _jpeg(_foto(1600, 1200, 2), exif=exif.tobytes())


@functools.lru_cache(maxsize=2)
def jpeg_mpo() -> bytes:
    """A multi-picture JPEG (MPF, like Ultra HDR phone photos): a second image follows the first EOI."""
    salida = io.BytesIO()
    foto = _foto(1600, 1200, 1)
    foto.save(salida, "MPO", quality=80, save_all=True, append_images=[foto.resize((400, 300))])
    return salida.getvalue()


def _segmento(marcador: int, carga: bytes) -> bytes:
    return bytes((0xFF, marcador)) + (len(carga) + 2).to_bytes(2, "big") + carga


def jpeg_exacto(tamano: int, base: bytes | None = None) -> bytes:
    """A valid document JPEG padded with COM segments to exactly `tamano` bytes."""
    base = base if base is not None else jpeg_documento()
    falta = tamano - len(base)
    if falta < 0 or 0 < falta < 4:
        raise ValueError(f"no se puede llevar {len(base)} bytes a {tamano}")
    segmentos = []
    while falta:
        total = min(falta, 65_537)  # marker + length + at most 65,533 bytes of comment
        if 0 < falta - total < 4:
            total -= 4
        segmentos.append(_segmento(0xFE, (b"relleno." * 8192)[: total - 4]))
        falta -= total
    return SOI + b"".join(segmentos) + base[2:]


@functools.lru_cache(maxsize=8)
def jpeg_cerca_de(tamano: int = 1_000_000, ancho: int = 2400, alto: int = 1800) -> bytes:
    """A genuine (unpadded) document photo whose quality is chosen so it weighs just under `tamano` bytes."""
    foto = _foto(ancho, alto, 3)
    bajo, alto_q, mejor = 30, 98, None
    while bajo <= alto_q:
        calidad = (bajo + alto_q) // 2
        datos = _jpeg(foto, quality=calidad)
        if len(datos) <= tamano:
            mejor, bajo = datos, calidad + 1
        else:
            alto_q = calidad - 1
    if mejor is None:
        raise ValueError(f"ni con calidad 30 baja de {tamano} bytes")
    return mejor


def jpeg_900kb() -> bytes:
    """A real photo of about 900 KB (under the limit, no padding)."""
    return jpeg_cerca_de(900_000)


def jpeg_bomba(lado: int = 30_000) -> bytes:
    """A small JPEG whose header claims `lado` x `lado` pixels (a decompression bomb)."""
    datos = bytearray(jpeg_pequeno())
    sof = datos.index(b"\xff\xc0")
    datos[sof + 5 : sof + 9] = lado.to_bytes(2, "big") + lado.to_bytes(2, "big")
    return bytes(datos)


def jpeg_con_zip() -> bytes:
    """A polyglot: a valid JPEG followed by a ZIP archive (opens as both)."""
    return jpeg_documento() + zip_archivo()


def jpeg_con_zip_en_comentario() -> bytes:
    """A polyglot: a ZIP archive hidden in a JPEG comment segment."""
    base = jpeg_documento()
    return SOI + _segmento(0xFE, zip_archivo()) + base[2:]


def jpeg_relleno_final(relleno: bytes = b"\x00" * 2048) -> bytes:
    """A JPEG followed by harmless padding after EOI (some cameras do this)."""
    return jpeg_documento() + relleno


# --------------------------------------------------------------------------- impostors


@functools.lru_cache(maxsize=2)
def png_documento() -> bytes:
    """The document photo saved as PNG."""
    salida = io.BytesIO()
    _foto(800, 600, 1).save(salida, "PNG")
    return salida.getvalue()


@functools.lru_cache(maxsize=2)
def gif_imagen() -> bytes:
    """A GIF image."""
    salida = io.BytesIO()
    _foto(400, 300, 1).convert("P").save(salida, "GIF")
    return salida.getvalue()


@functools.lru_cache(maxsize=2)
def webp_imagen() -> bytes:
    """A WebP image."""
    salida = io.BytesIO()
    _foto(800, 600, 1).save(salida, "WEBP")
    return salida.getvalue()


def heic_imagen() -> bytes:
    """The start of an iPhone HEIC photo (ISO-BMFF `ftyp` box with brand heic)."""
    caja = b"ftypheic\x00\x00\x00\x00mif1heicmiaf"
    return (len(caja) + 4).to_bytes(4, "big") + caja + b"\x00\x00\x00\x08free" * 64


def svg_imagen() -> bytes:
    """An SVG drawing carrying a script."""
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800">'
        b'<script>alert(document.cookie)</script><text x="10" y="20">Solicitud</text></svg>\n'
    )


def html_pagina() -> bytes:
    """An HTML page with a script."""
    return b"<!DOCTYPE html>\n<html><body><script>alert(1)</script>Solicitud</body></html>\n"


@functools.lru_cache(maxsize=2)
def zip_archivo() -> bytes:
    """A ZIP archive with one text file."""
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w") as archivo:
        archivo.writestr("leeme.txt", "contenido oculto")
    return salida.getvalue()


def exe_renombrado() -> bytes:
    """The start of a Windows executable (MZ/PE), as if renamed to .jpg."""
    cabecera = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    cabecera += b"\x80\x00\x00\x00"  # e_lfanew
    cabecera += b"\x00" * (0x80 - len(cabecera)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 300
    return bytes(cabecera)


def texto_plano() -> bytes:
    """A plain text file."""
    return "Solicitud de reinserción laboral\n".encode() * 20


# --------------------------------------------------------------------------- PDF


@functools.lru_cache(maxsize=16)
def pdf_solicitud(paginas: int = 1) -> bytes:
    """A request letter made with reportlab: name, ID number, e-mail, phones and a drawn signature."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    salida = io.BytesIO()
    hoja = canvas.Canvas(salida, pagesize=A4, invariant=1)
    hoja.setTitle("Solicitud de autorización de reinserción laboral")
    ancho, alto = A4
    for pagina in range(1, paginas + 1):
        hoja.setFont("Helvetica-Bold", 14)
        hoja.drawString(72, alto - 90, "Solicitud de autorización de reinserción laboral")
        hoja.setFont("Helvetica", 11)
        lineas = (
            "Señor Director Provincial del IESS:",
            "Yo, María Fernanda Quishpe Andrango, con cédula 1710034065, pensionista por",
            "incapacidad permanente total, solicito autorización para reinsertarme laboralmente.",
            "Correo: maria.quishpe@example.ec   Teléfonos: 0991234567 / 022345678",
            f"Página {pagina} de {paginas}",
        )
        for i, linea in enumerate(lineas):
            hoja.drawString(72, alto - 130 - i * 18, linea)
        trazo = hoja.beginPath()
        trazo.moveTo(90, 200)
        trazo.curveTo(120, 240, 140, 170, 170, 215)
        trazo.curveTo(190, 245, 210, 180, 240, 205)
        hoja.drawPath(trazo)
        hoja.line(72, 190, 260, 190)
        hoja.drawString(72, 175, "Firma")
        hoja.showPage()
    hoja.save()
    return salida.getvalue()


def _escritor(base: bytes | None = None):
    from pypdf import PdfReader, PdfWriter

    return PdfWriter(clone_from=PdfReader(io.BytesIO(base or pdf_solicitud())))


def _bytes(escritor) -> bytes:
    salida = io.BytesIO()
    escritor.write(salida)
    return salida.getvalue()


def pdf_paginas(n: int) -> bytes:
    """A request PDF with `n` pages."""
    return pdf_solicitud(paginas=n)


@functools.lru_cache(maxsize=2)
def pdf_cifrado() -> bytes:
    """The request PDF encrypted with a password."""
    escritor = _escritor()
    escritor.encrypt(user_password="clave", owner_password="dueno", algorithm="AES-128")
    return _bytes(escritor)


@functools.lru_cache(maxsize=2)
def pdf_javascript() -> bytes:
    """A PDF with document-level JavaScript (names tree /Names /JavaScript)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    escritor = _escritor()
    accion = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hola');"),
        }
    )
    arbol = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("inicio"), escritor._add_object(accion)])}
    )
    escritor._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): arbol})
    return _bytes(escritor)


def _accion_apertura(accion: dict) -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    escritor = _escritor()
    valor = DictionaryObject()
    for clave, dato in accion.items():
        valor[NameObject(clave)] = NameObject(dato) if dato.startswith("/") else TextStringObject(dato)
    escritor._root_object[NameObject("/OpenAction")] = valor
    return _bytes(escritor)


def pdf_javascript_apertura() -> bytes:
    """A PDF whose /OpenAction runs JavaScript."""
    return _accion_apertura({"/S": "/JavaScript", "/JS": "app.alert('abierto');"})


def pdf_launch() -> bytes:
    """A PDF whose /OpenAction launches a program (/Launch)."""
    return _accion_apertura({"/S": "/Launch", "/F": "C:\\Windows\\System32\\calc.exe"})


@functools.lru_cache(maxsize=2)
def pdf_adjunto() -> bytes:
    """A PDF carrying an embedded file (/EmbeddedFiles)."""
    escritor = _escritor()
    escritor.add_attachment("factura.exe", b"MZ\x90\x00contenido")
    return _bytes(escritor)


def _pdf_crudo(objetos: list[bytes], *, cabecera: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n") -> bytes:
    """Serialize numbered objects (1..n, 1 is the catalog) with a correct xref table."""
    salida = bytearray(cabecera)
    desplazamientos = []
    for numero, cuerpo in enumerate(objetos, start=1):
        desplazamientos.append(len(salida))
        salida += b"%d 0 obj\n" % numero + cuerpo + b"\nendobj\n"
    xref = len(salida)
    salida += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objetos) + 1)
    salida += b"".join(b"%010d 00000 n \n" % d for d in desplazamientos)
    salida += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objetos) + 1, xref)
    return bytes(salida)


def _pdf_paginas_crudas(kids: list[bytes], cuenta: int, extra_catalogo: bytes = b"", mas: tuple = ()):
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalogo + b" >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (cuenta, b" ".join(kids)),
        *mas,
    ]


def pdf_anotacion_adjunto() -> bytes:
    """A one-page PDF with a /FileAttachment annotation (a file pinned to the page)."""
    return _pdf_crudo(
        [
            *_pdf_paginas_crudas([b"3 0 R"], 1),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /FileAttachment /Rect [10 10 30 30] /FS << /Type /Filespec "
            b"/F (x.txt) /EF << /F 5 0 R >> >> >>",
            b"<< /Type /EmbeddedFile /Length 4 >>\nstream\nhola\nendstream",
        ]
    )


def pdf_javascript_oculto() -> bytes:
    """A PDF whose page link runs JavaScript, with the name hex-escaped (/J#61vaScript) to dodge greps."""
    return _pdf_crudo(
        [
            *_pdf_paginas_crudas([b"3 0 R"], 1),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [<< /Type /Annot /Subtype /Link "
            b"/Rect [0 0 100 100] /A << /S /J#61vaScript /J#53 (app.alert(1)) >> >>] >>",
        ]
    )


def pdf_miles_de_paginas(n: int = 5000) -> bytes:
    """A PDF with `n` blank pages (a page-count bomb)."""
    kids = [b"%d 0 R" % (i + 3) for i in range(n)]
    paginas = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    return _pdf_crudo(_pdf_paginas_crudas(kids, n, mas=tuple(paginas)))


def pdf_cuenta_falsa(reales: int = 40) -> bytes:
    """A PDF whose page tree claims /Count 1 but holds `reales` pages."""
    kids = [b"%d 0 R" % (i + 3) for i in range(reales)]
    paginas = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * reales
    return _pdf_crudo(_pdf_paginas_crudas(kids, 1, mas=tuple(paginas)))


def pdf_sin_paginas() -> bytes:
    """A well-formed PDF with an empty page tree."""
    return _pdf_crudo(_pdf_paginas_crudas([], 0))


def pdf_anidado(profundidad: int = 20_000) -> bytes:
    """A PDF whose catalog holds arrays nested `profundidad` deep (a parser stack bomb)."""
    return _pdf_crudo(
        _pdf_paginas_crudas(
            [b"3 0 R"],
            1,
            extra_catalogo=b"/X " + b"[" * profundidad + b"]" * profundidad,
            mas=(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",),
        )
    )


def pdf_truncado() -> bytes:
    """The request PDF cut in half."""
    datos = pdf_solicitud()
    return datos[: len(datos) // 2]


def pdf_html_antes() -> bytes:
    """A polyglot: an HTML page placed before the %PDF- header (readers still open it)."""
    return b"<html><script>alert(1)</script></html>\n" + pdf_solicitud()


def pdf_con_zip() -> bytes:
    """A polyglot: the request PDF with a ZIP archive appended after %%EOF."""
    return pdf_solicitud() + zip_archivo()


@functools.lru_cache(maxsize=2)
def pdf_campo_firma_vacio() -> bytes:
    """A PDF with an empty signature field (/FT /Sig without /V): not signed."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    escritor = IncrementalPdfFileWriter(io.BytesIO(pdf_solicitud()))
    append_signature_field(escritor, SigFieldSpec(sig_field_name="Firma", box=(72, 100, 260, 160)))
    salida = io.BytesIO()
    escritor.write(salida)
    return salida.getvalue()


@functools.lru_cache(maxsize=1)
def certificado_autofirmado():
    """A throwaway self-signed RSA certificate and key (cryptography objects) for test signatures."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    clave = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nombre = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "María Quishpe (pruebas)")])
    ahora = datetime.datetime.now(datetime.UTC)
    certificado = (
        x509.CertificateBuilder()
        .subject_name(nombre)
        .issuer_name(nombre)
        .public_key(clave.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ahora - datetime.timedelta(days=1))
        .not_valid_after(ahora + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(clave, hashes.SHA256())
    )
    return certificado, clave


@functools.lru_cache(maxsize=2)
def pdf_firmado() -> bytes:
    """The request PDF digitally signed with pyHanko (PAdES-style, self-signed certificate)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificado, clave = certificado_autofirmado()
    cert = asn1_x509.Certificate.load(certificado.public_bytes(serialization.Encoding.DER))
    llave = asn1_keys.PrivateKeyInfo.load(
        clave.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    firmante = signers.SimpleSigner(
        signing_cert=cert, signing_key=llave, cert_registry=SimpleCertificateStore.from_certs([cert])
    )
    escritor = IncrementalPdfFileWriter(io.BytesIO(pdf_solicitud()))
    salida = signers.sign_pdf(
        escritor, signers.PdfSignatureMetadata(field_name="FirmaSolicitante"), signer=firmante
    )
    return salida.getvalue()


def pdf_firmado_y_modificado() -> bytes:
    """pdf_firmado with one character of the signed letter changed afterwards (same length, so the file
    still parses): the signature no longer matches the content."""
    datos = pdf_firmado()
    inicio = datos.index(b"/Producer (") + len(b"/Producer (")
    cambiado = b"X" if datos[inicio : inicio + 1] != b"X" else b"Y"
    return datos[:inicio] + cambiado + datos[inicio + 1 :]


def pdf_firmado_con_agregado() -> bytes:
    """pdf_firmado with a revision appended after the signature (the document's language changed):
    the signature covers only the first revision, not what the file shows now."""
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    escritor = IncrementalPdfFileWriter(io.BytesIO(pdf_firmado()))
    escritor.root[NameObject("/Lang")] = TextStringObject("en")
    escritor.update_root()
    salida = io.BytesIO()
    escritor.write(salida)
    return salida.getvalue()


def pdf_firma_falsa() -> bytes:
    """A PDF whose signature field holds a signature dictionary with a byte range and random bytes
    instead of a CMS signature: it looks signed to a quick scan, and is not."""
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, NumberObject

    escritor = _escritor(pdf_solicitud())
    firma = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Sig"),
            NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
            NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
            NameObject("/ByteRange"): ArrayObject([NumberObject(n) for n in (0, 100, 200, 50)]),
            NameObject("/Contents"): ByteStringObject(bytes(range(256)) * 4),
        }
    )
    campo = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): ByteStringObject(b"Firma"),
            NameObject("/V"): escritor._add_object(firma),
        }
    )
    escritor._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject([escritor._add_object(campo)]),
            NameObject("/SigFlags"): NumberObject(3),
        }
    )
    return _bytes(escritor)


# --------------------------------------------------------------------------- PDF 1.7 as office suites save it
# No office suite is installed where the tests run, so these rebuild the traits that matter to a parser:
# the 1.7 header, a tagged structure (/MarkInfo, /StructTreeRoot, /Lang), an XMP metadata stream and
# the Info dictionary of the suite, and for Word a cross-reference stream instead of an xref table.

_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<pdf:Producer>{productor}</pdf:Producer><xmp:CreatorTool>{creador}</xmp:CreatorTool>
<xmp:CreateDate>2026-03-02T10:15:00-05:00</xmp:CreateDate>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Solicitud de reinserción laboral</rdf:li></rdf:Alt></dc:title>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def _pdf_de_oficina(productor: str, creador: str):
    """The request letter as a tagged PDF 1.7 with the office suite's Info dictionary and XMP."""
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        TextStringObject,
    )

    escritor = _escritor()
    escritor.pdf_header = b"%PDF-1.7"
    escritor.add_metadata(
        {
            "/Producer": productor,
            "/Creator": creador,
            "/Title": "Solicitud de reinserción laboral",
            "/CreationDate": "D:20260302101500-05'00'",
        }
    )
    xmp = DecodedStreamObject()
    xmp.set_data(_XMP.format(productor=productor, creador=creador).encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    raiz = escritor._root_object
    raiz[NameObject("/Metadata")] = escritor._add_object(xmp)
    raiz[NameObject("/Lang")] = TextStringObject("es-EC")
    raiz[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    raiz[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    estructura = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructTreeRoot"), NameObject("/K"): ArrayObject()}
    )
    raiz[NameObject("/StructTreeRoot")] = escritor._add_object(estructura)
    return escritor


@functools.lru_cache(maxsize=1)
def pdf_libreoffice() -> bytes:
    """A PDF 1.7 as LibreOffice Writer exports it (classic xref table, tagged, XMP, LibreOffice producer)."""
    return _bytes(_pdf_de_oficina("LibreOffice 7.4", "Writer"))


@functools.lru_cache(maxsize=1)
def pdf_word() -> bytes:
    """A PDF 1.7 as Microsoft Word saves it: tagged, XMP, Word producer, cross-reference stream."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    base = _bytes(_pdf_de_oficina("Microsoft® Word para Microsoft 365", "Microsoft® Word para Microsoft 365"))
    escritor = copy_into_new_writer(PdfFileReader(io.BytesIO(base)), writer_kwargs={"stream_xrefs": True})
    escritor.output_version = (1, 7)
    salida = io.BytesIO()
    escritor.write(salida)
    return salida.getvalue()


@functools.lru_cache(maxsize=1)
def pdf_bomba_flate(descomprimido: int = 80_000_000) -> bytes:
    """A PDF whose object stream (referenced through a cross-reference stream) is about 80 KB compressed
    and inflates to `descomprimido` bytes: a decompression bomb for whoever parses the objects."""
    import zlib

    compresor, bloque = zlib.compressobj(9), b" " * 1_048_576
    partes = [compresor.compress(b"5 0 << /A 1 >>")]
    partes += [compresor.compress(bloque) for _ in range(descomprimido // len(bloque))]
    contenido = b"".join(partes) + compresor.flush()
    cuerpos = [
        b"<< /Type /Catalog /Pages 2 0 R /X 5 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(contenido)
        + contenido
        + b"\nendstream",
    ]
    salida = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    desplazamientos = []
    for numero, cuerpo in enumerate(cuerpos, start=1):
        desplazamientos.append(len(salida))
        salida += b"%d 0 obj\n" % numero + cuerpo + b"\nendobj\n"
    xref = len(salida)
    entradas = b"\x00" + (0).to_bytes(4, "big") + b"\xff\xff"  # 0: free
    entradas += b"".join(b"\x01" + d.to_bytes(4, "big") + b"\x00\x00" for d in desplazamientos)
    entradas += b"\x02" + (4).to_bytes(4, "big") + b"\x00\x00"  # 5: first object inside stream 4
    entradas += b"\x01" + xref.to_bytes(4, "big") + b"\x00\x00"  # 6: this cross-reference stream
    salida += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(entradas)
        + entradas
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return bytes(salida)
