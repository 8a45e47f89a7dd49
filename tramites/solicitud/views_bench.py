"""Baseline for bench/solicitudes.py: store the two uploaded files and nothing else.

Mounted only when BENCHMARK_VIEWS=1; never in a real deployment."""
import uuid

from django.core.files.storage import default_storage
from django.http import HttpResponseRedirect

from ..models import ARCHIVOS_SOLICITUD


def almacenar(request):
    for campo in ARCHIVOS_SOLICITUD:
        archivo = request.FILES.get(campo)
        if archivo is not None:
            default_storage.save(f"bench/{uuid.uuid4().hex}", archivo)
    return HttpResponseRedirect("/")
