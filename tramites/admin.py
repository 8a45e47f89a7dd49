"""Configuration in the Django admin: offices, the province map, staff, and read-only records.

The admin site itself is tramites.acceso.sitio_admin (django-otp's, behind the staff login). Staff
second factors are listed without their secrets (OTP_ADMIN_HIDE_SENSITIVE_DATA) and cannot be created
here: an administrator resets them and e-mails the enrolment link (an action on users)."""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import auditoria
from .acceso import services as acceso
from .models import (
    CifraMensualHistorica,
    ConfiguracionDocumento,
    EventoAuditoria,
    HistorialEstado,
    Oficina,
    PerfilPersonal,
    ProvinciaOficina,
    Queja,
    Resolucion,
    Tramite,
    Verificacion,
)


class ProvinciaOficinaInline(admin.TabularInline):
    model = ProvinciaOficina
    extra = 1


@admin.register(Oficina)
class OficinaAdmin(admin.ModelAdmin):
    list_display = ["nombre", "tipo", "siglas", "correo", "activa"]
    list_filter = ["tipo", "activa"]
    search_fields = ["nombre", "siglas"]
    inlines = [ProvinciaOficinaInline]


@admin.register(ProvinciaOficina)
class ProvinciaOficinaAdmin(admin.ModelAdmin):
    list_display = ["provincia", "oficina"]
    list_editable = ["oficina"]


class PerfilInline(admin.StackedInline):
    model = PerfilPersonal
    can_delete = False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonalAdmin(UserAdmin):
    inlines = [PerfilInline]
    list_display = ["username", "first_name", "last_name", "is_active", "oficina"]
    actions = ["enviar_enlace_registro", "enviar_enlace_contrasena"]

    # Changes to accounts (passwords set here, groups, activation) also go to the audit trail.
    def log_addition(self, request, obj, message):
        auditoria.registrar("admin_usuario_creado", request=request, objeto=obj.get_username())
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        auditoria.registrar("admin_usuario_modificado", request=request, objeto=obj.get_username(),
                            detalle={"cambios": str(message)[:500]})  # fmt: skip
        return super().log_change(request, obj, message)

    def _enviar(self, request, queryset, funcion, hecho: str) -> None:
        enviados, sin_correo = 0, []
        for usuario in queryset:
            try:
                funcion(usuario=usuario, por=request.user, request=request)
                enviados += 1
            except acceso.SinCorreo:
                sin_correo.append(usuario.get_username())
        if enviados:
            self.message_user(request, hecho % {"n": enviados}, messages.SUCCESS)
        if sin_correo:
            self.message_user(
                request,
                _("Sin correo electrónico, no se envió nada a: %(u)s. Escriba su correo y repita.")
                % {"u": ", ".join(sin_correo)},
                messages.ERROR,
            )

    @admin.action(description=_("Reiniciar el segundo factor y enviar el enlace de registro"))
    def enviar_enlace_registro(self, request, queryset):
        self._enviar(request, queryset, acceso.enlace_registro_enviar,
                     ngettext("Enlace de registro enviado a %(n)d usuario.",
                              "Enlace de registro enviado a %(n)d usuarios.", queryset.count()))  # fmt: skip

    @admin.action(description=_("Enviar enlace para restablecer la contraseña"))
    def enviar_enlace_contrasena(self, request, queryset):
        self._enviar(request, queryset, acceso.enlace_contrasena_enviar,
                     ngettext("Enlace de contraseña enviado a %(n)d usuario.",
                              "Enlace de contraseña enviado a %(n)d usuarios.", queryset.count()))  # fmt: skip

    @admin.display(description="oficina")
    def oficina(self, obj):
        perfil = getattr(obj, "perfil", None)
        return perfil.oficina if perfil else "—"


class SoloLecturaAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tramite)
class TramiteAdmin(SoloLecturaAdmin):
    list_display = ["referencia", "estado", "canal", "provincia", "oficina", "creado_en"]
    list_filter = ["estado", "canal", "oficina"]
    search_fields = ["referencia"]
    exclude = ["correo_confirmacion"]


@admin.register(HistorialEstado)
class HistorialAdmin(SoloLecturaAdmin):
    list_display = ["tramite", "estado_anterior", "estado_nuevo", "actor", "creado_en"]


@admin.register(EventoAuditoria)
class AuditoriaAdmin(SoloLecturaAdmin):
    list_display = ["creado_en", "usuario", "accion", "tramite_id", "objeto"]
    list_filter = ["accion"]


@admin.register(CifraMensualHistorica)
class CifraAdmin(admin.ModelAdmin):
    list_display = ["anio", "mes", "quejas", "atenciones", "importada_en"]


@admin.register(Queja)
class QuejaAdmin(SoloLecturaAdmin):
    list_display = ["referencia", "estado", "provincia", "creada_en"]


@admin.register(ConfiguracionDocumento)
class ConfiguracionDocumentoAdmin(admin.ModelAdmin):
    """The legal-basis text printed on new resolutions (one row; issued documents never change)."""

    list_display = ["__str__", "actualizada_en"]

    def has_add_permission(self, request):
        return not ConfiguracionDocumento.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resolucion)
class ResolucionAdmin(SoloLecturaAdmin):
    # Issued documents are immutable; the conditions (health-derived, encrypted) are not shown here.
    list_display = ["numero", "oficina", "decision", "estado", "emitida_en", "certificado_demo"]
    list_filter = ["estado", "decision", "oficina"]
    search_fields = ["numero"]
    fields = ["numero", "tramite", "oficina", "decision", "estado", "emitida_en", "revocada_en", "sha256",
              "certificado_firmante", "certificado_demo", "reemplaza"]


@admin.register(Verificacion)
class VerificacionAdmin(SoloLecturaAdmin):
    """Every check made on /verificar/ (counted; no personal data of the person who checked)."""

    list_display = ["creada_en", "metodo", "resultado", "resolucion"]
    list_filter = ["metodo", "resultado"]
    date_hierarchy = "creada_en"


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class DispositivoTotpAdmin(TOTPDeviceAdmin):
    """Listed and deletable, never created or edited here: a device an administrator made would be
    a secret the administrator knows. Enrolment goes through the e-mailed link."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def log_deletions(self, request, queryset):
        for dispositivo in queryset:
            auditoria.registrar("admin_totp_borrado", request=request, objeto=dispositivo.user.get_username())
        return super().log_deletions(request, queryset)
