from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """A reminder that was sent: the record that keeps the daily job from sending it twice."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("quarter due soon")
        LATE = "late", _("quarter late")
        LATE_DIGEST = "late_digest", _("late cities digest")
        RETURNED = "returned", _("returned form not resubmitted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reminders", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    period = models.ForeignKey(
        "targets.ReportingPeriod", models.CASCADE, related_name="+", verbose_name=_("period")
    )
    # Tells apart reminders of one kind for one period: the return they are about.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "period", "reference"], name="one_reminder_per_occasion"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()} · {self.period}"
