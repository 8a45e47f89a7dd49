"""The citizen's receipt of a request (PDF). All PDFs go through tramites.pdf (the one WeasyPrint pipeline)."""
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ..identificacion import mostrar_telefono
from ..models import ARCHIVOS_SOLICITUD, Tramite
from ..pdf import render_pdf


def comprobante_pdf(tramite: Tramite) -> bytes:
    adjuntos = list(tramite.adjuntos.filter(tipo__in=ARCHIVOS_SOLICITUD.values()))
    contexto = {
        "tramite": tramite,
        "adjuntos": adjuntos,
        "telefono": mostrar_telefono(tramite.telefono),
        "telefono_alterno": mostrar_telefono(tramite.telefono_alterno),
        "ingresado": timezone.localtime(tramite.creado_en),
        "emitido": timezone.localtime(),
        "base_url": settings.PUBLIC_BASE_URL,
    }
    return render_pdf(
        "pdf/comprobante.html",
        contexto,
        title=_("Comprobante de solicitud %(ref)s") % {"ref": tramite.referencia},
    )
