"""The Celery app: configured from Django's settings (CELERY_* names), tasks found in the apps."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reinsercion.settings")

app = Celery("reinsercion")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
