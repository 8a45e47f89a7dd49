"""JPEG: the structure is walked before decoding, then photo quality is judged.

Photo quality (JPEG) is judged on a grayscale copy decoded at reduced scale (libjpeg's DCT scaling
via `Image.draft`, so the shorter side lands between 450 and 900 pixels):

- brightness: mean gray level (0-255);
- contrast: spread of the gray levels, from the 0.5th to the 99.5th percentile (ink against paper).
  The standard deviation was measured too and rejected: a sharp, readable photo of a page with little
  text in indoor light has a deviation of 10, below a washed-out photo's 11.5, while their spreads are
  82 and 39;
- sharpness: how steep the strongest edges are, i.e. the 99.5th percentile of the largest difference
  between neighbouring pixels divided by the gray-level spread (0.5th to 99.5th percentile). Printed
  text photographed in focus changes from ink to paper within a pixel (about 0.8-1.0); out of focus
  the change spreads over several pixels (under 0.4). The ratio ignores how much text the page has
  and how bright it is, unlike the variance of a Laplacian, which on these images swung with noise
  and exposure by more than the gap between sharp and blurred photos.

Thresholds (settings JPEG_*), measured with `medir_jpeg` on the generators of tests/files.py: 675
variants (letter, ID card, page with little text, flatbed scan, each sharp or blurred; 1200-4000 px
wide; sensor noise sigma 1-8; JPEG quality 50 and 85; normal and half exposure), and
`python -m bench.validate_jpeg`:
- sharpness: in focus 0.778 lowest (ID card, noise 8), 0.86 median, jpeg_documento 0.88; blur of
  2 px per 1600 px 0.18-0.57 (the ambiguous zone); blur >= 3 px 0.366 highest, jpeg_borroso 0.135.
  JPEG_MIN_SHARPNESS = 0.5: no sharp variant refused, no blurred (>= 3 px) accepted.
- brightness: jpeg_documento 162, flatbed scans 237-246, darkest sharp variant 58 (ID card at half
  exposure), jpeg_oscuro 32. JPEG_MIN_BRIGHTNESS = 45. JPEG_MAX_BRIGHTNESS = 252: only a nearly
  all-white frame, since clean scans of a sparse page reach 246-250; washed-out photos fail contrast.
- contrast (spread): jpeg_documento 195, lowest sharp variant 82 (sparse page, half exposure);
  jpeg_lavado 39, jpeg_poco_contraste 30. JPEG_MIN_CONTRAST = 55."""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .base import COLA_JPEG_TOLERADA, FIRMAS_ZIP, Adjunto, numero_legible

# --------------------------------------------------------------------------- JPEG

_JPEG_DANADO = _(
    "La imagen está dañada o incompleta y no se puede abrir. Vuelva a tomar la foto o a copiarla "
    "desde el teléfono e inténtelo de nuevo."
)
_JPEG_EXTRA = _(
    "La imagen contiene datos ocultos añadidos que no forman parte de la foto. Ábrala y guárdela de nuevo "
    "como JPG (o tome una captura de pantalla) e inténtelo otra vez."
)


class _Danado(Exception):
    pass


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


# In entropy-coded data 0xFF is followed by 00 (stuffing), D0-D7 (restart) or FF (fill): anything else
# is the next marker. A regex without repetition runs at C speed over a megabyte (under 1 ms).
_MARCADOR = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _fin_jpeg(datos: bytes, pos: int, medidas: list | None = None) -> int:
    """Walk a JPEG's segments from `pos` (just after SOI) to its EOI; return the offset after EOI.

    The frame size (width, height) of the first SOF header is appended to `medidas` when given.

    Raises _Danado when the structure breaks or ends early, ValidationError for a ZIP hidden in a
    metadata segment.
    """
    n = len(datos)
    while True:
        if pos + 1 >= n or datos[pos] != 0xFF:
            raise _Danado
        while pos + 1 < n and datos[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= n:
            raise _Danado
        marcador = datos[pos + 1]
        if marcador == 0xD9:
            return pos + 2
        if marcador == 0x01 or 0xD0 <= marcador <= 0xD7:
            pos += 2
            continue
        if marcador in (0x00, 0xD8) or pos + 4 > n:
            raise _Danado
        (longitud,) = struct.unpack_from(">H", datos, pos + 2)
        fin = pos + 2 + longitud
        if longitud < 2 or fin > n:
            raise _Danado
        if (0xE0 <= marcador <= 0xEF or marcador == 0xFE) and any(
            firma in datos[pos + 4 : fin] for firma in FIRMAS_ZIP
        ):
            raise ValidationError(_JPEG_EXTRA, code="jpeg_datos_extra")
        if marcador in _SOF and medidas is not None and not medidas and longitud >= 7:
            alto, ancho = struct.unpack_from(">HH", datos, pos + 5)
            medidas.append((ancho, alto))
        if marcador != 0xDA:
            pos = fin
            continue
        siguiente = _MARCADOR.search(datos, fin)
        if siguiente is None:
            raise _Danado
        pos = siguiente.start()


def _revisar_estructura_jpeg(datos: bytes) -> tuple[int, int]:
    """Check the segments up to EOI and what follows; return the frame size declared in the header."""
    medidas: list = []
    try:
        fin = _fin_jpeg(datos, 2, medidas)
        if not medidas:
            raise _Danado
        # Multi-picture JPEGs (MPF: Ultra HDR gain maps, MPO) append whole JPEGs after the first EOI.
        while datos.startswith(b"\xff\xd8\xff", fin):
            fin = _fin_jpeg(datos, fin + 2)
    except _Danado:
        raise ValidationError(_JPEG_DANADO, code="jpeg_danado") from None
    cola = datos[fin:]
    relleno = not cola.strip(b"\x00\xff")
    samsung = cola.endswith(b"SEFT") and b"SEFH" in cola  # Samsung camera trailer
    if any(firma in cola for firma in FIRMAS_ZIP) or not (
        relleno or samsung or len(cola) <= COLA_JPEG_TOLERADA
    ):
        raise ValidationError(_JPEG_EXTRA, code="jpeg_datos_extra")
    return medidas[0]


def _escala_de_trabajo(ancho: int, alto: int) -> int:
    """Largest DCT scale (1, 2, 4, 8) that keeps the shorter side at 450 pixels or more."""
    escala = 1
    while escala < 8 and min(ancho, alto) // (escala * 2) >= 450:
        escala *= 2
    return escala


def imagen_jpeg(adjunto: Adjunto) -> None:
    """Real parse: structure to EOI, pixel guard from the header, full decode at reduced scale."""
    datos = adjunto.datos
    ancho, alto = _revisar_estructura_jpeg(datos)
    if ancho * alto > settings.JPEG_MAX_PIXELS:  # before Pillow allocates anything
        raise ValidationError(
            _(
                "La imagen tiene demasiados píxeles (%(megapixeles)s megapíxeles; el máximo es %(maximo)s). "
                "Redúzcala o tome la foto con menor resolución e inténtelo de nuevo."
            ),
            code="jpeg_pixeles",
            params={
                "megapixeles": numero_legible(round(ancho * alto / 1e6)),
                "maximo": numero_legible(round(settings.JPEG_MAX_PIXELS / 1e6)),
            },
        )
    if min(ancho, alto) < settings.JPEG_MIN_SIDE:
        raise ValidationError(
            _(
                "La imagen es demasiado pequeña (%(ancho)s × %(alto)s píxeles) para leer el documento: su "
                "lado menor debe tener al menos %(minimo)s píxeles. Tome la foto más de cerca o con mayor "
                "resolución, sin recortarla ni reducirla."
            ),
            code="jpeg_resolucion",
            params={"ancho": ancho, "alto": alto, "minimo": settings.JPEG_MIN_SIDE},
        )
    try:
        imagen = Image.open(io.BytesIO(datos), formats=("JPEG", "MPO"))
        if imagen.size != (ancho, alto):
            raise _Danado
        escala = _escala_de_trabajo(ancho, alto)
        imagen.draft("L", (ancho // escala, alto // escala))
        # The whole file in one decoder call: fed in 64 KB blocks (Pillow's default), libjpeg suspends
        # and resumes at every block, about 0.2 ms more for a 1 MB photo.
        imagen.decodermaxblock = max(len(datos), 65536)
        imagen.load()  # decodes every scan: a cut file fails here too
        adjunto.gris = imagen if imagen.mode == "L" else imagen.convert("L")
    except (_Danado, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise ValidationError(_JPEG_DANADO, code="jpeg_danado") from None


@dataclass(frozen=True)
class MedidasFoto:
    brillo: float  # mean gray level, 0-255
    contraste: int  # spread of gray levels, 0.5th to 99.5th percentile
    desviacion: float  # standard deviation of the gray level (reported, not judged)
    nitidez: float  # steepness of the strongest edges, see the module docstring


def _percentil(histograma: list[int], fraccion: float) -> int:
    objetivo, acumulado = fraccion * sum(histograma), 0
    for nivel, cuenta in enumerate(histograma):
        acumulado += cuenta
        if acumulado >= objetivo:
            return nivel
    return len(histograma) - 1


def medir(gris: Image.Image) -> MedidasFoto:
    """Brightness, contrast and sharpness of a grayscale image (see the module docstring)."""
    from PIL import ImageChops, ImageStat

    estadistica = ImageStat.Stat(gris)
    ancho, alto = gris.size
    base = gris.crop((0, 0, ancho - 1, alto - 1))
    dx = ImageChops.difference(gris.crop((1, 0, ancho, alto - 1)), base)
    dy = ImageChops.difference(gris.crop((0, 1, ancho - 1, alto)), base)
    borde = ImageChops.lighter(dx, dy)
    niveles = gris.histogram()
    rango = _percentil(niveles, 0.995) - _percentil(niveles, 0.005)
    return MedidasFoto(
        brillo=estadistica.mean[0],
        contraste=rango,
        desviacion=estadistica.stddev[0],
        nitidez=_percentil(borde.histogram(), 0.995) / max(1, rango),
    )


def medir_jpeg(datos: bytes) -> MedidasFoto:
    """The measures of a JPEG as the chain sees them (for tuning thresholds and for tests)."""
    adjunto = Adjunto(nombre="foto.jpg", datos=datos, max_bytes=len(datos))
    imagen_jpeg(adjunto)
    return medir(adjunto.gris)


def calidad_foto(adjunto: Adjunto) -> None:
    """Refuse photos an analyst could not read: dark, burnt white, blurred, without contrast."""
    medidas = medir(adjunto.gris)
    if medidas.brillo < settings.JPEG_MIN_BRIGHTNESS:
        raise ValidationError(
            _(
                "La imagen está demasiado oscura. Tome la foto de nuevo con más luz (cerca de una ventana o "
                "de una lámpara), sin sombras sobre el documento."
            ),
            code="jpeg_oscura",
        )
    if medidas.brillo > settings.JPEG_MAX_BRIGHTNESS:
        raise ValidationError(
            _(
                "La imagen está casi completamente blanca (sobreexpuesta). Tome la foto de nuevo sin flash "
                "directo y evitando reflejos sobre el documento."
            ),
            code="jpeg_clara",
        )
    if medidas.nitidez < settings.JPEG_MIN_SHARPNESS:
        raise ValidationError(
            _(
                "La imagen está borrosa. Tome la foto de nuevo con el documento quieto, bien enfocado y con "
                "buena luz."
            ),
            code="jpeg_borrosa",
        )
    if medidas.contraste < settings.JPEG_MIN_CONTRAST:
        raise ValidationError(
            _(
                "La imagen se ve deslavada, con muy poco contraste, y el texto no se distingue bien. Tome la "
                "foto de nuevo con buena luz pareja, sin flash directo ni reflejos, sobre un fondo oscuro."
            ),
            code="jpeg_contraste",
        )
