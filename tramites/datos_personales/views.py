"""/personal/titular/: the national supervisor exports everything held about one person as JSON,
to answer an access request under the data-protection law (ADR 0002). Every export is audited."""

import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from .. import auditoria
from ..models import Tramite
from ..permisos import personal_requerido
from ..roles import Rol
from .titular import datos_del_titular, enmascarar, normalizar_identificacion


class TitularForm(forms.Form):
    identificacion = forms.CharField(
        label=_lazy("Número de identificación del titular"),
        max_length=40,
        help_text=_lazy("Cédula de 10 dígitos o código del IESS para extranjeros."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    solicitud = forms.CharField(
        label=_lazy("Referencia de la solicitud de acceso"),
        max_length=100,
        help_text=_lazy(
            "Número Quipux, oficio o correo con el que el titular pidió sus datos. Queda en la auditoría."
        ),
    )

    def clean_identificacion(self) -> str:
        numero = normalizar_identificacion(self.cleaned_data["identificacion"])
        if not (4 <= len(numero) <= 20 and numero.isalnum()):
            raise forms.ValidationError(
                _("Escriba un número de identificación válido (4 a 20 letras o dígitos).")
            )
        return numero


@personal_requerido(Rol.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def titular(request):
    form = TitularForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        numero = form.cleaned_data["identificacion"]
        solicitud = form.cleaned_data["solicitud"].strip()
        datos = datos_del_titular(usuario=request.user, identificacion=numero, solicitud=solicitud)
        referencias = [t["referencia"] for t in datos["tramites"]]
        detalle = {
            "solicitud": solicitud,
            "tramites": referencias,
            "quejas": [q["referencia"] for q in datos["quejas"]],
        }
        auditoria.registrar(
            "titular_exportado" if referencias or datos["quejas"] else "titular_sin_datos",
            request=request,
            objeto=f"titular:{enmascarar(numero)}",
            detalle=detalle,
        )
        if not referencias and not datos["quejas"]:
            form.add_error(None, _("No hay trámites ni quejas con ese número de identificación."))
        else:
            # Also on each case, so the case's own audit list shows that its data left in an export.
            for tramite in Tramite.objects.filter(referencia__in=referencias):
                auditoria.registrar(
                    "titular_exportado",
                    request=request,
                    tramite=tramite,
                    objeto=tramite.referencia,
                    detalle={"solicitud": solicitud},
                )
            contenido = json.dumps(datos, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            response = HttpResponse(contenido, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="titular-{numero}.json"'
            response["Cache-Control"] = "private, no-store"
            return response
    return render(request, "personal/titular.html", {"form": form}, status=400 if form.errors else 200)
