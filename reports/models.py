from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from targets.models import ReportingPeriod


class SummaryState(models.TextChoices):
    PREPARING = "preparing", _("being prepared")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


class Summary(models.Model):
    """A PDF summary, made once for a scope, quarter, language and data version and served
    again until the data changes (`reports.summaries`)."""

    State = SummaryState

    scope = models.CharField(
        _("scope"),
        max_length=80,
        help_text=_("province, indicator:<code> or prefecture:<code>, then @ and the plan's code"),
    )
    period = models.ForeignKey(
        ReportingPeriod, models.CASCADE, related_name="summaries", verbose_name=_("period")
    )
    language = models.CharField(_("language"), max_length=10)
    data_version = models.CharField(_("data version"), max_length=64)
    state = models.CharField(
        _("state"), max_length=9, choices=SummaryState, default=SummaryState.PREPARING
    )
    pdf = models.BinaryField(_("PDF"), null=True, editable=False)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True)
    seconds = models.FloatField(_("seconds to make"), null=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)

    class Meta:
        verbose_name = _("PDF summary")
        verbose_name_plural = _("PDF summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "period", "language", "data_version"],
                name="one_summary_per_version",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=SummaryState.values),
                name="summary_state_known",
            ),
        ]

    def __str__(self):
        return f"{self.scope} · {self.period} · {self.language}"
