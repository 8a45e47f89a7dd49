"""The audit trail: who viewed or changed what, kept even when the request's transaction rolls back.

An event recorded outside a transaction is written at once. One recorded inside a transaction is
held in a per-request buffer and written after the transaction ends, committed or not (by
AuditFlushMiddleware for requests, by `flush()` in tasks and commands). Each event also goes to the
log as one JSON line.
"""
import contextvars
import json
import logging

from django.db import connection, transaction

from .models import EventoAuditoria

logger = logging.getLogger("auditoria")
_pendientes: contextvars.ContextVar[list | None] = contextvars.ContextVar("auditoria_pendientes", default=None)


def _ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def registrar(
    accion: str,
    *,
    usuario=None,
    request=None,
    tramite=None,
    objeto: str = "",
    detalle: dict | None = None,
) -> None:
    if usuario is None and request is not None:
        usuario = getattr(request, "user", None)
    if usuario is not None and not getattr(usuario, "is_authenticated", False):
        usuario = None
    datos = {
        "usuario_id": usuario.pk if usuario else None,
        "usuario": usuario.get_username() if usuario else "",
        "accion": accion,
        "tramite_id": tramite.pk if tramite is not None else None,
        "objeto": objeto[:200],
        "detalle": detalle or {},
        "ip": _ip(request),
    }
    logger.info(json.dumps({"evento": "auditoria", **datos}, default=str, ensure_ascii=False))
    if connection.in_atomic_block:
        pendientes = _pendientes.get()
        if pendientes is None:
            pendientes = []
            _pendientes.set(pendientes)
        pendientes.append(datos)
        return
    EventoAuditoria.objects.create(**datos)


def flush() -> None:
    """Write the held events; call only outside any transaction."""
    pendientes = _pendientes.get()
    if not pendientes:
        return
    _pendientes.set(None)
    if len(pendientes) == 1:  # the usual case in a task: one INSERT, no BEGIN/COMMIT round trips
        EventoAuditoria.objects.create(**pendientes[0])
        return
    with transaction.atomic():
        EventoAuditoria.objects.bulk_create([EventoAuditoria(**d) for d in pendientes])


class AuditFlushMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _pendientes.set(None)
        try:
            return self.get_response(request)
        finally:
            if not connection.in_atomic_block:
                flush()
