"""Staff URLs under /personal/ (login required)."""
from django.urls import path

from . import views_staff as v
from .cifras import views_personal as cifras_personal
from .datos_personales import views as datos_personales
from .evaluacion import views as evaluacion
from .quejas import views_personal as quejas_personal
from .resoluciones import views_personal as resoluciones_personal

app_name = "personal"

urlpatterns = [
    path("login/", v.IngresoView.as_view(), name="login"),
    path("login/totp/", v.totp, name="totp"),
    path("login/totp/registrar/", v.totp_registrar, name="totp_registrar"),
    path("salir/", v.salir, name="logout"),
    path("", v.bandeja, name="bandeja"),
    path("quejas/", quejas_personal.quejas_lista, name="quejas"),
    path("quejas/<str:referencia>/", quejas_personal.queja_detalle, name="queja_detalle"),
    path("quejas/<str:referencia>/tomar/", quejas_personal.queja_tomar, name="queja_tomar"),
    path("quejas/<str:referencia>/responder/", quejas_personal.queja_responder, name="queja_responder"),
    path("estadisticas/", cifras_personal.estadisticas, name="estadisticas"),
    path("estadisticas/estadisticas.csv", cifras_personal.estadisticas_csv, name="estadisticas_csv"),
    path("estadisticas/estadisticas.xlsx", cifras_personal.estadisticas_xlsx, name="estadisticas_xlsx"),
    path("titular/", datos_personales.titular, name="titular"),
    path("titular/derechos/", datos_personales.derechos, name="derechos"),
    path("titular/derechos/<int:pk>/", datos_personales.derecho, name="derecho"),
    path("presencial/nuevo/", v.presencial_nuevo, name="presencial_nuevo"),
    path("tramites/<str:referencia>/", v.tramite_detalle, name="tramite"),
    path("tramites/<str:referencia>/recibo/", v.recibo, name="recibo"),
    path("tramites/<str:referencia>/comprobante.pdf", v.comprobante, name="comprobante"),
    path("tramites/<str:referencia>/adjuntos/<int:adjunto_id>/", v.adjunto_ver, name="adjunto"),
    path("tramites/<str:referencia>/acciones/<slug:accion>/", v.tramite_accion, name="accion"),
    path("tramites/<str:referencia>/reasignar/", v.tramite_reasignar, name="reasignar"),
    path("tramites/<str:referencia>/subsanar/", v.tramite_subsanar, name="subsanar"),
    # Assessment and resolution (tramites.resoluciones.views_personal).
    path("tramites/<str:referencia>/evaluacion/", evaluacion.evaluacion, name="evaluacion"),
    path(
        "tramites/<str:referencia>/evaluacion/corregir/",
        evaluacion.evaluacion_corregir,
        name="evaluacion_corregir",
    ),
    path(
        "tramites/<str:referencia>/evaluacion/informes/<int:pk>/",
        evaluacion.informe,
        name="evaluacion_informe",
    ),
    path("tramites/<str:referencia>/resolucion/", resoluciones_personal.resolucion, name="resolucion"),
    path(
        "tramites/<str:referencia>/resoluciones/<str:numero>/revocar/",
        resoluciones_personal.resolucion_corregir,
        name="resolucion_corregir",
    ),
    path(
        "tramites/<str:referencia>/resoluciones/<str:numero>/revocar-sin-reemplazo/",
        resoluciones_personal.resolucion_revocar,
        name="resolucion_revocar",
    ),
    path(
        "tramites/<str:referencia>/resoluciones/<int:pk>/pdf",
        resoluciones_personal.resolucion_pdf,
        name="resolucion_pdf",
    ),
]
