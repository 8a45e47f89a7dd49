"""Directors' pages: bulk reassign from the inbox, moving a case to another office, the workload per
analyst; and the case's full audit trail (directors and supervisors), readable and filterable."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..permisos import personal_requerido
from ..roles import Rol
from ..selectors import oficina_de
from ..services import TransicionNoPermitida
from ..views import tramite_visible
from . import auditoria_legible, direccion
from .forms import ReasignarLoteForm, TrasladarForm
from .selectors import analistas_de_oficina, auditoria_de_tramite, carga_por_analista
from .views import exigir_actuar, re_mostrar, url_bandeja


def _oficina_o_bandeja(request):
    oficina = oficina_de(request.user)
    if oficina is None:
        messages.error(request, _("Su usuario no tiene oficina asignada."))
    return oficina


@personal_requerido(Rol.DIRECTOR)
def reasignar_lote(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    oficina = _oficina_o_bandeja(request)
    volver = reverse("personal:bandeja") + (f"?{request.POST.get('volver', '')}" if request.POST.get("volver") else "")
    if oficina is None:
        return redirect(volver)
    form = ReasignarLoteForm(request.POST, analistas=analistas_de_oficina(oficina=oficina), prefix="lote")
    form.referencias = request.POST.getlist("tramites")
    if not form.is_valid():
        for errores in form.errors.values():
            for error in errores:
                messages.error(request, error)
        return redirect(volver)
    analista = form.cleaned_data["analista"]
    try:
        resultado = direccion.tramites_reasignar_en_lote(
            referencias=form.referencias, usuario=request.user, analista=analista
        )
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
        return redirect(volver)
    nombre = analista.get_full_name() or analista.get_username()
    texto = ngettext(
        "%(n)s trámite reasignado a %(nombre)s.", "%(n)s trámites reasignados a %(nombre)s.", resultado["reasignados"]
    ) % {"n": resultado["reasignados"], "nombre": nombre}
    if resultado["sin_cambio"]:
        texto += " " + ngettext(
            "%(n)s ya lo tenía asignado.", "%(n)s ya los tenía asignados.", resultado["sin_cambio"]
        ) % {"n": resultado["sin_cambio"]}
    messages.success(request, texto)
    return redirect(volver)


@personal_requerido(Rol.DIRECTOR)
def tramite_trasladar(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    exigir_actuar(request, tramite)
    form = TrasladarForm(request.POST, oficinas=direccion.oficinas_destino(tramite=tramite), prefix="trasladar")
    if not form.is_valid():
        return re_mostrar(request, tramite, "trasladar", form)
    try:
        direccion.tramite_trasladar(
            tramite=tramite, usuario=request.user, oficina=form.cleaned_data["oficina"], motivo=form.cleaned_data["motivo"]
        )
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
        return redirect("personal:tramite", referencia=tramite.referencia)
    messages.success(
        request,
        _("El trámite %(ref)s se trasladó a %(oficina)s, que recibió un aviso por correo. El plazo legal no cambió.")
        % {"ref": tramite.referencia, "oficina": form.cleaned_data["oficina"].nombre},
    )
    # The case is no longer this office's: back to the inbox.
    return redirect(url_bandeja(request))


@personal_requerido(Rol.DIRECTOR)
def carga(request):
    from django.conf import settings

    oficina = _oficina_o_bandeja(request)
    if oficina is None:
        return redirect("personal:bandeja")
    filas = []
    total = {"abiertos": 0, "observados": 0, "en_riesgo": 0, "vencidos": 0}
    base = reverse("personal:bandeja")
    for f in carga_por_analista(oficina=oficina):
        u = f["usuario"]
        filas.append(
            {
                **f,
                "nombre": (u.get_full_name() or u.get_username()) if u else _("Sin analista (cola de la oficina)"),
                "activo": u.is_active if u else True,
                "url": f"{base}?{urlencode({'vista': 'oficina', 'analista': u.pk if u else 'sin'})}",
            }
        )
        for k in total:
            total[k] += f[k]
    return render(
        request,
        "personal/carga.html",
        {"oficina": oficina, "filas": filas, "total": total, "riesgo": settings.PLAZO_RIESGO_DIAS},
    )


@personal_requerido(Rol.DIRECTOR, Rol.SUPERVISOR)
def auditoria_tramite(request, referencia: str):
    tramite = tramite_visible(request, referencia)
    eventos = auditoria_de_tramite(tramite=tramite)
    form = auditoria_legible.FiltroAuditoriaForm(request.GET or None, eventos=eventos)
    filtrados = form.filtrar(eventos)
    pagina = Paginator(filtrados, 50).get_page(request.GET.get("pagina"))
    consulta = request.GET.copy()
    consulta.pop("pagina", None)
    return render(
        request,
        "personal/auditoria_tramite.html",
        {
            "tramite": tramite,
            "form": form,
            "pagina": pagina,
            "eventos": auditoria_legible.filas(pagina.object_list),
            "consulta": consulta.urlencode(),
        },
    )
