"""The check-your-answers step of the online request: what the citizen wrote and, for each held file,
a small first-page thumbnail, its page count and size, before the request is sent."""

import base64
import io
import logging

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from ..identificacion import mostrar_telefono
from ..models import Adjunto
from ..services import adjunto_leer

logger = logging.getLogger(__name__)

LADO_MINIATURA = 240  # px, the longer side
CAMPOS_DATOS = (
    "tipo_identificacion",
    "identificacion",
    "nombres",
    "apellidos",
    "correo",
    "telefono",
    "telefono_alterno",
    "provincia",
    "mensaje",
)


def _miniatura(imagen: Image.Image) -> str:
    imagen = imagen.convert("RGB")
    imagen.thumbnail((LADO_MINIATURA, LADO_MINIATURA))
    salida = io.BytesIO()
    imagen.save(salida, "JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(salida.getvalue()).decode()


def resumen_archivo(adjunto: Adjunto) -> dict:
    """Name, size, pages and a data: URI thumbnail of a held file (no thumbnail if it can't be drawn)."""
    datos = adjunto_leer(adjunto)
    es_pdf = datos[:5] == b"%PDF-"
    paginas, miniatura = 1, None
    try:
        if es_pdf:
            import pypdfium2

            pdf = pypdfium2.PdfDocument(datos)
            try:
                paginas = len(pdf)
                pagina = pdf[0]
                ancho, alto = pagina.get_size()
                escala = LADO_MINIATURA / max(ancho, alto, 1)
                miniatura = _miniatura(pagina.render(scale=escala).to_pil())
            finally:
                pdf.close()
        else:
            with Image.open(io.BytesIO(datos)) as imagen:
                imagen.draft("RGB", (LADO_MINIATURA, LADO_MINIATURA))  # decode a JPEG at reduced size
                miniatura = _miniatura(ImageOps.exif_transpose(imagen))
    except Exception:  # the file passed the upload checks; a drawing failure only loses the picture
        logger.warning("miniatura no disponible para el adjunto %s", adjunto.pk, exc_info=True)
    return {
        "adjunto": adjunto,
        "nombre": adjunto.nombre_original,
        "tamano": adjunto.tamano,
        "formato": "PDF" if es_pdf else "JPG",
        "paginas": paginas,
        "miniatura": miniatura,
    }


def filas_datos(form) -> list[dict]:
    """The citizen's answers as label / value rows, in the order of the form."""
    c = form.cleaned_data
    filas = []
    for nombre in CAMPOS_DATOS:
        campo = form[nombre]
        valor = c.get(nombre, "")
        if nombre in ("tipo_identificacion", "provincia"):
            valor = dict(campo.field.choices).get(valor, valor)
        elif nombre in ("telefono", "telefono_alterno"):
            valor = mostrar_telefono(valor) if valor else ""
        ancla = f"{campo.auto_id}_0" if campo.widget_type == "radioselect" else campo.auto_id
        filas.append(
            {"etiqueta": campo.label, "valor": str(valor), "ancla": ancla, "vacio": _("No lo indicó")}
        )
    filas.append(
        {
            "etiqueta": _("Tratamiento de datos personales"),
            "valor": _("Aceptado"),
            "ancla": form["acepta_tratamiento_datos"].auto_id,
            "vacio": "",
        }
    )
    return filas


def archivos(form, retenidos: dict) -> list[dict]:
    filas = []
    for nombre in form.archivos:
        fila = resumen_archivo(retenidos[nombre])
        fila.update(etiqueta=form[nombre].label, ancla=form[nombre].auto_id)
        filas.append(fila)
    return filas
