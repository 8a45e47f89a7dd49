"""Staff URLs under /personal/ (login required)."""
from django.urls import path

from . import views_staff as v

app_name = "personal"

urlpatterns = [
    path("login/", v.IngresoView.as_view(), name="login"),
    path("login/totp/", v.totp, name="totp"),
    path("login/totp/registrar/", v.totp_registrar, name="totp_registrar"),
    path("salir/", v.salir, name="logout"),
    path("", v.bandeja, name="bandeja"),
    path("presencial/nuevo/", v.presencial_nuevo, name="presencial_nuevo"),
    path("tramites/<str:referencia>/", v.tramite_detalle, name="tramite"),
    path("tramites/<str:referencia>/recibo/", v.recibo, name="recibo"),
    path("tramites/<str:referencia>/comprobante.pdf", v.comprobante, name="comprobante"),
    path("tramites/<str:referencia>/adjuntos/<int:adjunto_id>/", v.adjunto_ver, name="adjunto"),
    path("tramites/<str:referencia>/acciones/<slug:accion>/", v.tramite_accion, name="accion"),
    path("tramites/<str:referencia>/reasignar/", v.tramite_reasignar, name="reasignar"),
    path("tramites/<str:referencia>/subsanar/", v.tramite_subsanar, name="subsanar"),
]
