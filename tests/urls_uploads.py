"""Test-only URLs for tests/test_uploads.py: a view that parses the body and stores every file it got,
mounted on a public path and under /personal/, in front of the real URLs (and their handler400)."""

from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from reinsercion import urls as urls_reales
from tramites.uploads import archivos_excedidos

handler400 = urls_reales.handler400


@csrf_exempt
def recibir(request):
    excedidos = archivos_excedidos(request)
    guardados = {
        campo: {"ruta": default_storage.save(f"subidas/{archivo.name}", archivo), "tamano": archivo.size}
        for campo, archivo in request.FILES.items()
    }
    return JsonResponse(
        {"archivos": guardados, "excedidos": sorted(excedidos), "campos": request.POST.dict()}
    )


urlpatterns = [
    path("prueba-subida/", recibir),
    path("personal/prueba-subida/", recibir),
    *urls_reales.urlpatterns,
]
