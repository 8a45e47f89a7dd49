"""/personal/estadisticas/: figures by office and province for a date range, with CSV and XLSX exports.

Who: the national supervisor (every office) and directors (their own office only, because every query
starts from selectors.tramites_visibles and quejas_visibles). Each export is in the audit trail.
"""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import auditoria
from ..permisos import personal_requerido
from ..roles import Rol
from ..selectors import quejas_visibles, tramites_visibles
from . import estadisticas as cifras
from .forms import PeriodoForm

ROLES_ESTADISTICAS = (Rol.SUPERVISOR, Rol.DIRECTOR)
_PELIGROSOS = ("=", "+", "-", "@", "\t", "\r")


def celda_segura(valor):
    """Spreadsheet formula injection: a text cell starting with = + - @ tab or CR gets a leading quote."""
    if isinstance(valor, str) and valor.startswith(_PELIGROSOS):
        return "'" + valor
    return valor


def _periodo(request) -> tuple[PeriodoForm, tuple]:
    desde, hasta = cifras.periodo_por_defecto()
    if "desde" in request.GET or "hasta" in request.GET:
        form = PeriodoForm(request.GET)
        if form.is_valid():
            return form, (form.cleaned_data["desde"], form.cleaned_data["hasta"])
        return form, (desde, hasta)
    return PeriodoForm(initial={"desde": desde, "hasta": hasta}), (desde, hasta)


def _datos(request):
    form, (desde, hasta) = _periodo(request)
    filas = cifras.estadisticas(
        tramites=tramites_visibles(usuario=request.user),
        quejas=quejas_visibles(usuario=request.user),
        desde=desde,
        hasta=hasta,
    )
    return form, desde, hasta, filas


def _cabecera() -> list[str]:
    return [_("Oficina"), _("Código de provincia"), _("Provincia")] + [
        str(titulo) for _clave, titulo in cifras.INDICADORES
    ]


def _filas_planas(filas) -> list[list]:
    return [
        [celda_segura(f.oficina), f.provincia, celda_segura(f.provincia_nombre)] + f.lista() for f in filas
    ]


@personal_requerido(*ROLES_ESTADISTICAS)
def estadisticas(request):
    form, desde, hasta, filas = _datos(request)
    total = cifras.totales(filas)
    return render(
        request,
        "personal/estadisticas.html",
        {
            "form": form,
            "desde": desde,
            "hasta": hasta,
            "filas": filas,
            "total": [total.get(k) for k, _t in cifras.INDICADORES],
            "indicadores": cifras.INDICADORES,
            "consulta": f"desde={desde.isoformat()}&hasta={hasta.isoformat()}",
        },
    )


def _auditar(request, formato: str, desde, hasta, n: int) -> None:
    auditoria.registrar(
        "estadisticas_exportadas",
        request=request,
        objeto=f"estadisticas {desde.isoformat()}..{hasta.isoformat()}",
        detalle={"formato": formato, "desde": desde.isoformat(), "hasta": hasta.isoformat(), "filas": n},
    )


def _nombre(desde, hasta, ext: str) -> str:
    return f"estadisticas_{desde.isoformat()}_{hasta.isoformat()}.{ext}"


@personal_requerido(*ROLES_ESTADISTICAS)
def estadisticas_csv(request):
    _form, desde, hasta, filas = _datos(request)
    salida = io.StringIO()
    escritor = csv.writer(salida, lineterminator="\r\n")
    escritor.writerow(_cabecera())
    for fila in _filas_planas(filas):
        escritor.writerow(["" if v is None else v for v in fila])
    _auditar(request, "csv", desde, hasta, len(filas))
    response = HttpResponse("\ufeff" + salida.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_nombre(desde, hasta, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@personal_requerido(*ROLES_ESTADISTICAS)
def estadisticas_xlsx(request):
    from openpyxl import Workbook

    _form, desde, hasta, filas = _datos(request)
    libro = Workbook(write_only=True)
    hoja = libro.create_sheet(_("Estadísticas"))
    hoja.append([_("Período"), desde.isoformat(), hasta.isoformat()])
    hoja.append(_cabecera())
    for fila in _filas_planas(filas):
        hoja.append(fila)
    salida = io.BytesIO()
    libro.save(salida)
    _auditar(request, "xlsx", desde, hasta, len(filas))
    response = HttpResponse(
        salida.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_nombre(desde, hasta, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response
