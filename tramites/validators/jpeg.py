"""JPEG photos and scans: structure, bounded decoding, and whether a person could read the document.

Structure (before any pixel is decoded): every segment is walked to the end-of-image marker. The
walk counts the scans and the decoding work they declare (8×8 blocks of the components each scan
covers, summed over scans): a progressive JPEG can repeat cheap scans thousands of times, each one a
pass over every block of the picture, which took 87 s of CPU for one 1 MB file. More than
JPEG_MAX_SCANS scans, or more than MAX_BLOQUES_ESCANEO block-scans, is refused before decoding; a
progressive file also keeps every coefficient in memory, so its blocks are capped (MAX_BLOQUES_PROGRESIVO).
A ZIP archive anywhere in the file is refused (polyglotas.zip_oculto), and so is another format after
the end-of-image marker; anything else there (NUL padding, a camera's trailer) is tolerated, as
viewers ignore it and it can hold nothing an APP segment could not.

Legibility (ADR 0007): the picture is decoded in grayscale at a reduced scale (libjpeg DCT scaling),
cut into 32×32 tiles, and only tiles that contain ink against paper ("text tiles": a local spread of
at least 40 gray levels between the 2nd and 98th percentile) are judged. In each text tile the
steepness of edges is the 99th percentile of the difference between neighbouring pixels divided by
that tile's own spread, horizontally and vertically. The measure is the median over text tiles, in the
weaker direction (a shaken photo smears one direction only). Because each tile is normalised by its
own contrast, a dark scanner border or a pale background does not move it; because it is a median over
tiles with text, a page with little text is judged on its text, not on its margins.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .base import Adjunto, Aviso, numero_legible
from .polyglotas import cola_sospechosa, zip_oculto

MAX_ESCANEOS = 32  # "a few dozen": libjpeg writes 10 for a colour progressive file, 6 for gray
MAX_BLOQUES_ESCANEO = 4_000_000  # block-scans: ~50 ns each measured, so at most ~200 ms of decoding
MAX_BLOQUES_PROGRESIVO = 500_000  # 64 MB of coefficients (a 4:2:0 photo of about 21 megapixels)
MAX_BASURA = 1024  # stray bytes tolerated between segments (libjpeg skips them with a warning)
LADO_DE_TRABAJO = 700  # the shorter side of the decoded copy lands between 700 and 1400 pixels
PIXELES_DE_TRABAJO = 2_000_000  # and the copy has at most about this many pixels
TESELA = 32
RANGO_TEXTO = 40  # gray levels between ink and paper in a tile with text
RANGO_TENUE = 16  # a tile with faint marks (washed out, or a very light print)
MIN_TESELAS_TEXTO = 6
CONTRASTE_DUDOSO = 60  # median spread of the text tiles under which the print looks washed out

JPEG_DANADO = _(
    "La imagen está dañada o incompleta y no se puede abrir. Vuelva a tomar la foto o a copiarla "
    "desde el teléfono e inténtelo de nuevo."
)
JPEG_EXTRA = _(
    "La imagen contiene datos ocultos añadidos que no forman parte de la foto. Ábrala y guárdela de nuevo "
    "como JPG (o tome una captura de pantalla) e inténtelo otra vez."
)
CONSEJO = _(
    "Para una buena foto: ponga el documento sobre una mesa, con luz de día y sin sombras, sostenga el "
    "teléfono quieto y paralelo al papel, que el documento llene la pantalla, y toque la pantalla para "
    "enfocar antes de disparar."
)


class Danado(Exception):
    pass


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PROGRESIVO = frozenset({0xC2, 0xC6, 0xCA, 0xCE})

# In entropy-coded data 0xFF is followed by 00 (stuffing), D0-D7 (restart) or FF (fill): anything else
# is the next marker. A regex without repetition runs at C speed over a megabyte (under 1 ms).
_MARCADOR = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


@dataclass
class Estructura:
    ancho: int = 0
    alto: int = 0
    progresivo: bool = False
    escaneos: int = 0
    bloques_escaneo: int = 0  # blocks visited, summed over scans
    bloques: int = 0  # blocks of the picture, all components
    componentes: dict | None = None  # id -> blocks of that component
    max_pixeles: int | None = None


def _techo(a: int, b: int) -> int:
    return -(-a // b)


def _leer_sof(datos: bytes, pos: int, longitud: int, marcador: int, estructura: Estructura) -> None:
    if longitud < 8:
        raise Danado
    alto, ancho, n = struct.unpack_from(">HHB", datos, pos + 5)
    if n < 1 or longitud < 8 + 3 * n or not ancho or not alto:
        raise Danado
    muestreo = [
        (datos[pos + 10 + 3 * i], datos[pos + 11 + 3 * i] >> 4, datos[pos + 11 + 3 * i] & 15)
        for i in range(n)
    ]
    hmax = max(h for _c, h, _v in muestreo) or 1
    vmax = max(v for _c, _h, v in muestreo) or 1
    componentes = {}
    for ident, h, v in muestreo:
        if not h or not v:
            raise Danado
        columnas = _techo(_techo(ancho * h, hmax), 8)
        filas = _techo(_techo(alto * v, vmax), 8)
        componentes[ident] = columnas * filas
    estructura.ancho, estructura.alto = ancho, alto
    estructura.progresivo = marcador in _PROGRESIVO
    estructura.componentes = componentes
    estructura.bloques = sum(componentes.values())
    if estructura.max_pixeles is not None and ancho * alto > estructura.max_pixeles:
        raise DemasiadoGrande


def _fin_jpeg(datos: bytes, pos: int, estructura: Estructura | None = None) -> int:
    """Walk a JPEG's segments from `pos` (just after SOI) to its EOI; return the offset after EOI.

    With `estructura`, the first frame header and every scan are recorded there, and the scan limits
    are enforced as the walk goes (so a file of ten thousand scans costs one regex search per scan).
    """
    n = len(datos)
    basura = 0
    while True:
        if pos + 1 >= n:
            raise Danado
        if datos[pos] != 0xFF:  # stray bytes before a marker: libjpeg skips them, and so do we, a few
            siguiente = datos.find(b"\xff", pos, pos + MAX_BASURA - basura + 1)
            if siguiente < 0:
                raise Danado
            basura += siguiente - pos
            pos = siguiente
        while pos + 1 < n and datos[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= n:
            raise Danado
        marcador = datos[pos + 1]
        if marcador == 0xD9:
            return pos + 2
        if marcador == 0x01 or 0xD0 <= marcador <= 0xD7:
            pos += 2
            continue
        if marcador in (0x00, 0xD8) or pos + 4 > n:
            raise Danado
        (longitud,) = struct.unpack_from(">H", datos, pos + 2)
        fin = pos + 2 + longitud
        if longitud < 2 or fin > n:
            raise Danado
        if estructura is not None and marcador in _SOF and estructura.componentes is None:
            _leer_sof(datos, pos, longitud, marcador, estructura)
        if marcador != 0xDA:
            pos = fin
            continue
        if estructura is not None:
            _contar_escaneo(datos, pos, longitud, estructura)
        siguiente = _MARCADOR.search(datos, fin)
        if siguiente is None:
            raise Danado
        pos = siguiente.start()


class DemasiadoTrabajo(Exception):
    pass


class DemasiadoGrande(Exception):
    pass


def _contar_escaneo(datos: bytes, pos: int, longitud: int, estructura: Estructura) -> None:
    if estructura.componentes is None or longitud < 3:
        raise Danado  # a scan before the frame header
    cuantos = datos[pos + 4]
    if cuantos < 1 or longitud < 6 + 2 * cuantos:
        raise Danado
    estructura.escaneos += 1
    for i in range(cuantos):
        ident = datos[pos + 5 + 2 * i]
        estructura.bloques_escaneo += estructura.componentes.get(ident, 0)
    if estructura.escaneos > MAX_ESCANEOS or estructura.bloques_escaneo > MAX_BLOQUES_ESCANEO:
        raise DemasiadoTrabajo


_DEMASIADO_COMPLEJA = _(
    "La imagen está guardada de una forma demasiado compleja para revisarla (demasiadas pasadas o "
    "demasiado grande para su tipo). Ábrala y guárdela de nuevo como JPG, o envíe una foto normal de la "
    "cámara del teléfono."
)


def revisar_estructura(datos: bytes, max_pixeles: int | None = None) -> Estructura:
    """Check segments up to EOI, the scan budget and what follows; return the declared frame.

    A frame over `max_pixeles` stops the walk at its header: the caller refuses it by its size.
    """
    estructura = Estructura(max_pixeles=max_pixeles)
    try:
        fin = _fin_jpeg(datos, 2, estructura)
        if estructura.componentes is None:
            raise Danado
        # Multi-picture JPEGs (MPF: Ultra HDR gain maps, MPO) append whole JPEGs after the first EOI;
        # they are walked (not decoded) to find where the data really ends.
        otras = 0
        while datos.startswith(b"\xff\xd8\xff", fin) and otras < 8:
            fin = _fin_jpeg(datos, fin + 2)
            otras += 1
    except DemasiadoGrande:
        return estructura
    except DemasiadoTrabajo:
        raise ValidationError(_DEMASIADO_COMPLEJA, code="jpeg_compleja") from None
    except (Danado, struct.error, IndexError):
        raise ValidationError(JPEG_DANADO, code="jpeg_danado") from None
    if estructura.progresivo and estructura.bloques > MAX_BLOQUES_PROGRESIVO:
        raise ValidationError(_DEMASIADO_COMPLEJA, code="jpeg_compleja")
    if zip_oculto(datos) or cola_sospechosa(datos[fin:]):
        raise ValidationError(JPEG_EXTRA, code="jpeg_datos_extra")
    return estructura


def escala_de_trabajo(ancho: int, alto: int) -> int:
    """DCT scale (1, 2, 4, 8): the shorter side stays at LADO_DE_TRABAJO or more unless the copy would
    pass PIXELES_DE_TRABAJO, which bounds the measuring work of any picture."""
    escala = 1
    while escala < 8 and (
        min(ancho, alto) // (escala * 2) >= LADO_DE_TRABAJO
        or (ancho // escala) * (alto // escala) > PIXELES_DE_TRABAJO
    ):
        escala *= 2
    return escala


def decodificar(datos: bytes, estructura: Estructura) -> Image.Image:
    """A grayscale copy at reduced scale (every scan decoded, so a cut file fails here)."""
    try:
        imagen = Image.open(io.BytesIO(datos), formats=("JPEG", "MPO"))
        if imagen.size != (estructura.ancho, estructura.alto):
            raise Danado
        escala = escala_de_trabajo(estructura.ancho, estructura.alto)
        imagen.draft("L", (estructura.ancho // escala, estructura.alto // escala))
        # The whole file in one decoder call: fed in 64 KB blocks (Pillow's default), libjpeg suspends
        # and resumes at every block.
        imagen.decodermaxblock = max(len(datos), 65536)
        imagen.load()
        return imagen if imagen.mode == "L" else imagen.convert("L")
    except (Danado, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise ValidationError(JPEG_DANADO, code="jpeg_danado") from None


@dataclass(frozen=True)
class MedidasFoto:
    brillo: float  # mean gray level, 0-255
    teselas: int  # tiles judged
    teselas_texto: int  # tiles with ink against paper (spread >= RANGO_TEXTO)
    teselas_tenues: int  # tiles with faint marks (spread >= RANGO_TENUE)
    nitidez: float  # median edge steepness over text tiles, weaker direction (0 when no text)
    nitidez_h: float
    nitidez_v: float
    contraste: float  # median spread of the text tiles


def medir(gris: Image.Image) -> MedidasFoto:
    """The legibility measures of a grayscale picture (see the module docstring and ADR 0007)."""

    a = np.asarray(gris, dtype=np.int16)
    brillo = float(a.mean()) if a.size else 0.0
    filas, columnas = a.shape[0] // TESELA, a.shape[1] // TESELA
    if not filas or not columnas:
        return MedidasFoto(brillo, 0, 0, 0, 0.0, 0.0, 0.0, 0.0)
    a = a[: filas * TESELA, : columnas * TESELA]

    def teselas(m):
        return m.reshape(filas, TESELA, columnas, TESELA).swapaxes(1, 2).reshape(filas * columnas, -1)

    orden = np.sort(teselas(a), axis=1)
    k = orden.shape[1]
    rango = (orden[:, int(0.98 * (k - 1))] - orden[:, int(0.02 * (k - 1))]).astype(np.float32)
    texto = rango >= RANGO_TEXTO
    tenues = rango >= RANGO_TENUE
    n = int(texto.sum())
    if n == 0:
        return MedidasFoto(brillo, filas * columnas, 0, int(tenues.sum()), 0.0, 0.0, 0.0, 0.0)
    dx = np.zeros_like(a)
    dy = np.zeros_like(a)
    dx[:, :-1] = np.abs(np.diff(a, axis=1))
    dy[:-1, :] = np.abs(np.diff(a, axis=0))
    px = np.sort(teselas(dx), axis=1)[:, int(0.99 * (k - 1))].astype(np.float32)
    py = np.sort(teselas(dy), axis=1)[:, int(0.99 * (k - 1))].astype(np.float32)
    # Sensor noise makes steep steps everywhere: the floor is what flat tiles (paper, no ink) show.
    planas = rango < RANGO_TENUE
    ruido_x = float(np.median(px[planas])) if planas.any() else 0.0
    ruido_y = float(np.median(py[planas])) if planas.any() else 0.0
    tx = np.maximum(px[texto] - ruido_x, 0)
    ty = np.maximum(py[texto] - ruido_y, 0)
    nh = float(np.median(tx / rango[texto]))
    nv = float(np.median(ty / rango[texto]))
    return MedidasFoto(
        brillo=brillo,
        teselas=filas * columnas,
        teselas_texto=n,
        teselas_tenues=int(tenues.sum()),
        nitidez=min(nh, nv),
        nitidez_h=nh,
        nitidez_v=nv,
        contraste=float(np.median(rango[texto])),
    )


def juzgar(medidas: MedidasFoto, ancho: int, alto: int) -> Aviso | None:
    """Refuse (ValidationError) what nobody could read; return a warning when in doubt; None when fine."""
    if medidas.brillo < settings.JPEG_MIN_BRIGHTNESS:
        raise ValidationError(
            _(
                "La imagen está casi negra: no se ve el documento. Tome la foto de nuevo con más luz (cerca "
                "de una ventana o de una lámpara), sin sombras sobre el documento. %(consejo)s"
            ),
            code="jpeg_oscura",
            params={"consejo": CONSEJO},
        )
    if medidas.teselas_texto < MIN_TESELAS_TEXTO:
        if medidas.teselas_tenues >= MIN_TESELAS_TEXTO:
            return Aviso(
                "jpeg_contraste",
                _(
                    "La imagen se ve muy deslavada: el texto apenas se distingue del papel. Si no se lee "
                    "bien, tome la foto de nuevo con luz pareja, sin flash directo ni reflejos."
                ),
            )
        raise ValidationError(
            _(
                "En la imagen no se distingue ningún texto: está en blanco, sobreexpuesta o sin contraste. "
                "Revise que eligió la foto correcta y tómela de nuevo. %(consejo)s"
            ),
            code="jpeg_en_blanco",
            params={"consejo": CONSEJO},
        )
    if medidas.nitidez < settings.JPEG_MIN_SHARPNESS:
        raise ValidationError(
            _("La imagen está muy borrosa y el texto no se puede leer. %(consejo)s"),
            code="jpeg_borrosa",
            params={"consejo": CONSEJO},
        )
    if medidas.nitidez < settings.JPEG_WARN_SHARPNESS:
        return Aviso(
            "jpeg_borrosa",
            _(
                "La imagen parece algo borrosa o movida. Revise que cada palabra se lea; si no, tómela de "
                "nuevo con el teléfono quieto y bien enfocado."
            ),
        )
    if medidas.contraste < CONTRASTE_DUDOSO:
        return Aviso(
            "jpeg_contraste",
            _(
                "La imagen se ve deslavada: el texto se distingue poco del papel. Si no se lee bien, tome la "
                "foto de nuevo con luz pareja, sin flash directo ni reflejos."
            ),
        )
    if min(ancho, alto) < settings.JPEG_WARN_SIDE:
        return Aviso(
            "jpeg_pequena",
            _(
                "La imagen es pequeña (%(ancho)s × %(alto)s píxeles): puede que la letra menuda no se lea. "
                "Si es así, tómela de nuevo más de cerca."
            )
            % {"ancho": ancho, "alto": alto},
        )
    if medidas.brillo < settings.JPEG_WARN_BRIGHTNESS:
        return Aviso(
            "jpeg_oscura",
            _("La imagen está oscura. Revise que se lea bien; si no, tómela de nuevo con más luz."),
        )
    return None


def _numero_pixeles(n: int) -> str:
    return numero_legible(round(n / 1e6))


def imagen_jpeg(adjunto: Adjunto) -> None:
    """Structure and work budget, pixel guard and smallest legible size, bounded decode, legibility."""
    estructura = revisar_estructura(adjunto.datos, settings.JPEG_MAX_PIXELS)
    ancho, alto = estructura.ancho, estructura.alto
    if ancho * alto > settings.JPEG_MAX_PIXELS:  # before Pillow allocates anything
        raise ValidationError(
            _(
                "La imagen tiene demasiados píxeles (%(megapixeles)s megapíxeles; el máximo es %(maximo)s). "
                "Redúzcala o tome la foto con menor resolución e inténtelo de nuevo."
            ),
            code="jpeg_pixeles",
            params={
                "megapixeles": _numero_pixeles(ancho * alto),
                "maximo": _numero_pixeles(settings.JPEG_MAX_PIXELS),
            },
        )
    if min(ancho, alto) < settings.JPEG_MIN_SIDE:
        raise ValidationError(
            _(
                "La imagen es demasiado pequeña (%(ancho)s × %(alto)s píxeles) para leer el documento: su "
                "lado menor debe tener al menos %(minimo)s píxeles. Tome la foto más de cerca, que el "
                "documento llene la pantalla, sin recortarla ni reducirla."
            ),
            code="jpeg_resolucion",
            params={"ancho": ancho, "alto": alto, "minimo": settings.JPEG_MIN_SIDE},
        )
    gris = decodificar(adjunto.datos, estructura)
    adjunto.advertencia = juzgar(medir(gris), ancho, alto)


def medir_jpeg(datos: bytes) -> MedidasFoto:
    """The legibility measures of a JPEG as the chain sees them (for tuning thresholds and for tests)."""
    estructura = revisar_estructura(datos)
    return medir(decodificar(datos, estructura))


def miniatura(datos: bytes, lado: int = 480) -> bytes:
    """A small JPEG of a photo (EXIF orientation applied), to show it back to whoever sent it."""
    from PIL import ImageOps

    with Image.open(io.BytesIO(datos)) as imagen:
        imagen.draft("RGB", (lado * 2, lado * 2))
        copia = ImageOps.exif_transpose(imagen).convert("RGB")
    copia.thumbnail((lado, lado))
    salida = io.BytesIO()
    copia.save(salida, "JPEG", quality=80)
    return salida.getvalue()
