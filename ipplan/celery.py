import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipplan.settings")

app = Celery("ipplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

if not app.conf.broker_url:
    # Tasks run in-process (settings: no CELERY_BROKER_URL), yet Celery still sets up a
    # producer, and kombu fills a missing host with "localhost" and a warning in every log.
    # Its in-memory transport, named with a host, never leaves the process and never warns.
    app.conf.broker_url = "memory://localhost/"
