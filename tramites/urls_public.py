"""Public URLs (Spanish paths; the names are stable)."""
from django.urls import path

from . import views_public as v
from . import views_subsanacion
from .cifras import views_publico as cifras_publico
from .quejas import views_publico as quejas_publico
from .resoluciones import views_publico as resoluciones_publico

app_name = "publico"

urlpatterns = [
    path("", v.inicio, name="inicio"),
    path("privacidad/", v.privacidad, name="privacidad"),
    path("solicitud/", v.solicitud, name="solicitud"),
    path("solicitud/<str:referencia>/enviada/", v.confirmacion, name="confirmacion"),
    path("solicitud/<str:referencia>/comprobante.pdf", v.comprobante, name="comprobante"),
    path("consulta/", v.consulta, name="consulta"),
    path("consulta/<str:referencia>/", v.consulta_detalle, name="consulta_detalle"),
    path("consulta/<str:referencia>/subsanar/", views_subsanacion.subsanar, name="subsanar"),
    path(
        "consulta/<str:referencia>/resolucion.pdf",
        resoluciones_publico.resolucion_descarga,
        name="resolucion_descarga",
    ),
    path("verificar/", resoluciones_publico.verificar, name="verificar"),
    path("verificar/<str:codigo>/", resoluciones_publico.verificar_codigo, name="verificar_codigo"),
    path("quejas/nueva/", quejas_publico.queja_nueva, name="queja_nueva"),
    path("quejas/<str:referencia>/enviada/", quejas_publico.queja_enviada, name="queja_enviada"),
    path("transparencia/", cifras_publico.transparencia, name="transparencia"),
    path("transparencia/transparencia.csv", cifras_publico.transparencia_csv, name="transparencia_csv"),
]
