"""URL map: the citizen's public pages, the staff pages under /personal/, and the admin."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from tramites import urls

handler400 = "tramites.views.error_400"
handler403 = "tramites.views.error_403"
handler404 = "tramites.views.error_404"
handler500 = "tramites.views.error_500"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("personal/", include(urls.personal)),
    path("", include(urls.publico)),
]

if settings.BENCHMARK_VIEWS:
    from tramites.solicitud.views_bench import almacenar

    urlpatterns.insert(0, path("__bench__/almacenar/", almacenar))
