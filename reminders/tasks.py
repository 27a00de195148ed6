from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reminders.notices import due_notices, send_notices


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True)
def send_reminders() -> int:
    return send_notices(due_notices(timezone.localdate()))
