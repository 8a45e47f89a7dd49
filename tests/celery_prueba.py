"""The Celery app of the worker that tests/test_servicios_celery.py starts: the project's own app and
tasks, with broker timers short enough for a test (a message held by a killed worker is handed out
again after PRUEBA_VISIBILITY_TIMEOUT seconds instead of five minutes; e-mail retries after seconds)."""
import os

from reinsercion.celery import app

opciones = dict(app.conf.broker_transport_options or {})
opciones.update(
    visibility_timeout=int(os.environ.get("PRUEBA_VISIBILITY_TIMEOUT", "300")),
    unacked_restore_interval=1,
    unacked_restore_throttle=1,
)
app.conf.broker_transport_options = opciones

if os.environ.get("PRUEBA_REINTENTO_SEGUNDOS"):
    from celery.signals import worker_init

    @worker_init.connect
    def _reintentos_cortos(**kwargs):
        from tramites import tasks

        tasks.REINTENTO_CORREO_SEGUNDOS = int(os.environ["PRUEBA_REINTENTO_SEGUNDOS"])


__all__ = ["app"]
