import unicodedata

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


def sin_tildes(texto: str | None) -> str | None:
    """Lower case without accents or diacritics ("Morán Ñauta" -> "moran nauta"): what PostgreSQL's
    sin_tildes() (lower(unaccent(…)), migration 0010) returns for the names people type."""
    if texto is None:
        return None
    descompuesto = unicodedata.normalize("NFKD", texto)
    return "".join(c for c in descompuesto if not unicodedata.combining(c)).lower()


def _registrar_sin_tildes(sender, connection, **kwargs) -> None:
    # SQLite has no unaccent: the same function, in Python, on every new connection.
    if connection.vendor == "sqlite":
        connection.connection.create_function("sin_tildes", 1, sin_tildes, deterministic=True)


class TramitesConfig(AppConfig):
    name = "tramites"
    verbose_name = _("Trámites de reinserción laboral")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        # Project checks of `manage.py check --deploy` (production refuses to be unsafe).
        from .acceso import checks  # noqa: F401

        connection_created.connect(_registrar_sin_tildes, dispatch_uid="tramites_sin_tildes")


class AdministracionConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the admin site under the staff login policy (acceso.sitio_admin)."""

    default = False  # "tramites" itself still loads TramitesConfig

    default_site = "tramites.acceso.sitio_admin.SitioAdministracion"
