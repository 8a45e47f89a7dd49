"""The append-only audit trail (who saw or changed what). Written through tramites.auditoria."""

from django.db import models
from django.utils import timezone


class EventoAuditoria(models.Model):
    creado_en = models.DateTimeField(default=timezone.now, db_index=True)
    # Plain values, not foreign keys: the row must survive the deletion of what it names.
    usuario_id = models.BigIntegerField(null=True, blank=True)
    usuario = models.CharField(max_length=150, blank=True)
    accion = models.CharField(max_length=40, db_index=True)
    tramite_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    objeto = models.CharField(max_length=200, blank=True)
    detalle = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "evento de auditoría"
        verbose_name_plural = "auditoría"
        ordering = ["-creado_en", "-id"]

    def __str__(self) -> str:
        return f"{self.creado_en:%Y-%m-%d %H:%M} {self.accion} {self.objeto}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("La auditoría no se edita.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("La auditoría no se borra.")
