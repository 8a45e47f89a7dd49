"""The Celery app: configured from Django's settings (CELERY_* names), tasks found in the apps."""
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reinsercion.settings")

app = Celery("reinsercion")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _conexiones_como_en_una_peticion(task=None, **kwargs) -> None:
    """Around each task, what Django does around each request: close the database connections that
    had an error or are older than CONN_MAX_AGE, and re-arm the health check. Celery's own fix-up
    would close every connection after every task (a new PostgreSQL connection per task, most of the
    cost of a short task); settings.CELERY_DB_REUSE_MAX leaves that to this handler. Never for a task
    run in-process (eager), which may be inside the caller's transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
