from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class TramitesConfig(AppConfig):
    name = "tramites"
    verbose_name = _("Trámites de reinserción laboral")

    def ready(self):
        # Project checks of `manage.py check --deploy` (production refuses to be unsafe).
        from .acceso import checks  # noqa: F401


class AdministracionConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the admin site under the staff login policy (acceso.sitio_admin)."""

    default = False  # "tramites" itself still loads TramitesConfig

    default_site = "tramites.acceso.sitio_admin.SitioAdministracion"
