from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TramitesConfig(AppConfig):
    name = "tramites"
    verbose_name = _("Trámites de reinserción laboral")
