"""/transparencia/: the public monthly table (seed's shape), an accessible SVG chart and a CSV download."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from .transparencia import (
    CACHE_SEGUNDOS,
    MESES_GRAFICO,
    clave_cache,
    csv_transparencia,
    grafico,
    tabla_transparencia_en_cache,
)


class _Pagina:
    """The page's data, read only if the cached page fragment is missing (see the template)."""

    @cached_property
    def filas(self):
        return tabla_transparencia_en_cache()

    @cached_property
    def grafico(self):
        return grafico(self.filas)

    @cached_property
    def importadas(self):
        importadas = [f for f in self.filas if f.importada]
        if not importadas:
            return None
        return {
            "n": len(importadas),
            "desde": f"{importadas[-1].anio}-{importadas[-1].mes_2d}",
            "hasta": f"{importadas[0].anio}-{importadas[0].mes_2d}",
        }


@require_GET
def transparencia(request):
    return render(
        request,
        "tramites/transparencia.html",
        {
            "pagina": _Pagina(),
            "clave": clave_cache(),
            "segundos": CACHE_SEGUNDOS,
            "meses_grafico": MESES_GRAFICO,
        },
    )


@require_GET
def transparencia_csv(request):
    filas = tabla_transparencia_en_cache()
    # UTF-8 with BOM so spreadsheet programs read "Año" correctly; importar_transparencia accepts it back.
    response = HttpResponse(
        "\ufeff" + csv_transparencia(filas), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="transparencia.csv"'
    response["Cache-Control"] = f"public, max-age={CACHE_SEGUNDOS}"
    return response
