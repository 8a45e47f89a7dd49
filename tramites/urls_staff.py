"""Staff URLs under /personal/ (login required)."""
from django.urls import path

from . import views_staff as v

app_name = "personal"

urlpatterns = [
    path("login/", v.IngresoView.as_view(), name="login"),
    path("salir/", v.salir, name="logout"),
    path("", v.bandeja, name="bandeja"),
]
