"""The citizen's correction of an observed request, posted from /consulta/<ref>/."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from . import services
from .forms_staff import SubsanacionForm
from .services import TransicionNoPermitida
from .uploads import archivos_excedidos
from .views_public import render_consulta, tramite_de_sesion


@ratelimit(key="ip", rate=lambda g, r: settings.RATELIMIT_SOLICITUD, method="POST", block=True)
@require_POST
def subsanar(request, referencia: str):
    tramite = tramite_de_sesion(request, referencia)  # only a session that looked the case up
    form = SubsanacionForm(
        request.POST,
        request.FILES,
        max_bytes=settings.UPLOAD_MAX_BYTES,
        excedidos=archivos_excedidos(request),
    )
    if not form.is_valid():
        return render_consulta(request, tramite, form_subsanacion=form, status=400)
    try:
        services.tramite_subsanar(
            tramite=tramite, archivos=form.archivos(), comentario=form.cleaned_data["comentario"]
        )
    except TransicionNoPermitida as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Recibimos sus documentos corregidos. Su solicitud volvió a revisión; "
                "le avisaremos por correo."
            ),
        )
    return redirect("publico:consulta_detalle", referencia=tramite.referencia)
