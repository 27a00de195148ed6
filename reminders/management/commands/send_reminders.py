from django.core.management.base import BaseCommand
from django.utils import timezone

from reminders.notices import due_notices, send_notices


class Command(BaseCommand):
    help = "Send today's reminders now (Celery beat does this every morning)."

    def handle(self, *args, **options):
        sent = send_notices(due_notices(timezone.localdate()))
        self.stdout.write(f"send_reminders: {sent} sent.")
