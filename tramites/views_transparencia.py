"""/transparencia/: the public monthly table (seed's shape), an accessible SVG chart and a CSV download."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import statistics


@require_GET
def transparencia(request):
    filas = statistics.tabla_transparencia_en_cache()
    importadas = [f for f in filas if f.importada]
    resumen = (
        {
            "n": len(importadas),
            "desde": f"{importadas[-1].anio}-{importadas[-1].mes_2d}",
            "hasta": f"{importadas[0].anio}-{importadas[0].mes_2d}",
        }
        if importadas
        else None
    )
    return render(
        request,
        "tramites/transparencia.html",
        {
            "filas": filas,
            "importadas": resumen,
            "grafico": statistics.grafico(filas),
            "meses_grafico": statistics.MESES_GRAFICO,
        },
    )


@require_GET
def transparencia_csv(request):
    filas = statistics.tabla_transparencia_en_cache()
    # UTF-8 with BOM so spreadsheet programs read "Año" correctly; importar_transparencia accepts it back.
    response = HttpResponse(
        "\ufeff" + statistics.csv_transparencia(filas), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="transparencia.csv"'
    response["Cache-Control"] = f"public, max-age={statistics.CACHE_SEGUNDOS}"
    return response
