"""/personal/titular/: the national supervisor exports everything held about one person as JSON or as a
readable PDF, to answer an access request under the data-protection law (ADR 0002), and registers and
answers rectification, deletion and opposition requests (/personal/titular/derechos/). Every export,
registration and answer is audited."""

import json

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from .. import auditoria
from ..models import SolicitudDerecho, Tramite
from ..pdf import render_pdf
from ..permisos import personal_requerido
from ..roles import Rol
from ..services import TransicionNoPermitida
from .derechos import solicitud_registrar, solicitud_responder, solicitudes_pendientes
from .forms import RespuestaDerechoForm, SolicitudDerechoForm
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
            if request.POST.get("formato") == "pdf":
                titulo = _("Datos personales del titular %(n)s") % {"n": numero}
                pdf = render_pdf(
                    "pdf/titular.html", {"datos": datos, "titulo": titulo, "generado": timezone.localtime()}, title=titulo
                )
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = f'attachment; filename="titular-{numero}.pdf"'
                response["Cache-Control"] = "private, no-store"
                return response
            contenido = json.dumps(datos, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            response = HttpResponse(contenido, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="titular-{numero}.json"'
            response["Cache-Control"] = "private, no-store"
            return response
    return render(request, "personal/titular.html", {"form": form}, status=400 if form.errors else 200)


# --- rectification, deletion and opposition ------------------------------------------------------


@personal_requerido(Rol.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def derechos(request):
    """The open requests by due date, the answered ones, and the form to register a new one."""
    form = SolicitudDerechoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        solicitud = solicitud_registrar(usuario=request.user, datos=form.datos(), request=request)
        messages.success(
            request,
            _("Solicitud registrada. Debe responderse hasta el %(fecha)s.")
            % {"fecha": solicitud.vence_el.strftime("%d/%m/%Y")},
        )
        return redirect("personal:derecho", pk=solicitud.pk)
    contexto = {
        "form": form,
        "pendientes": list(solicitudes_pendientes()),
        "respondidas": list(SolicitudDerecho.objects.filter(respondida_en__isnull=False).order_by("-respondida_en")[:50]),
        "hoy": timezone.localdate(),
    }
    return render(request, "personal/derechos.html", contexto, status=400 if form.errors else 200)


@personal_requerido(Rol.SUPERVISOR)
@require_http_methods(["GET", "POST"])
def derecho(request, pk: int):
    solicitud = get_object_or_404(SolicitudDerecho, pk=pk)
    form = RespuestaDerechoForm(request.POST or None, solicitud=solicitud) if solicitud.pendiente else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Esta solicitud ya fue respondida."))
            return redirect("personal:derecho", pk=pk)
        if form.is_valid():
            try:
                solicitud_responder(
                    solicitud=solicitud,
                    usuario=request.user,
                    resultado=form.cleaned_data["resultado"],
                    respuesta=form.cleaned_data["respuesta"],
                    contacto=form.contacto(),
                    request=request,
                )
            except TransicionNoPermitida as exc:
                messages.error(request, str(exc))
                return redirect("personal:derecho", pk=pk)
            messages.success(request, _("Respuesta registrada y enviada al titular por correo."))
            return redirect("personal:derecho", pk=pk)
    else:
        auditoria.registrar("derecho_titular_visto", request=request, objeto=f"derecho:{solicitud.pk}")
    contexto = {
        "solicitud": solicitud,
        "form": form,
        "cambios": list(solicitud.cambios.select_related("tramite")),
        "tramites": list(Tramite.objects.filter(identificacion=solicitud.identificacion).order_by("creado_en")),
        "hoy": timezone.localdate(),
    }
    estado = 400 if form is not None and form.errors else 200
    response = render(request, "personal/derecho.html", contexto, status=estado)
    response["Cache-Control"] = "private, no-store"
    return response
