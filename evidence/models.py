import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.checks import EXTENSIONS
from targets.models import Indicator, Submission, SubmissionEvent


def evidence_storage():
    """Where evidence files are kept: STORAGES["evidence"] (a folder under MEDIA_ROOT, or an
    S3-compatible bucket), chosen by environment variables in the settings."""
    return storages["evidence"]


def generated_name(instance, filename) -> str:
    """A name of our own: the uploaded name never reaches the storage."""
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class EvidenceQuerySet(models.QuerySet):
    def of_submissions(self, submissions):
        return (
            self.filter(submission__in=submissions)
            .select_related("uploaded_by", "indicator", "replaced_by")
            .order_by("uploaded_at", "pk")
        )


class EvidenceFile(models.Model):
    """A file a reporter attached to a quarter's submission, or to one indicator's row of it
    (认定文件, 合同, 统计报表 scans). Never edited or deleted: a replacement points back at the
    file it supersedes."""

    submission = models.ForeignKey(
        Submission, models.PROTECT, related_name="evidence", verbose_name=_("submission")
    )
    indicator = models.ForeignKey(
        Indicator,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
        help_text=_("Empty for a file about the whole quarter."),
    )
    file = models.FileField(_("file"), upload_to=generated_name, storage=evidence_storage)
    name = models.CharField(_("file name as uploaded"), max_length=200)
    content_type = models.CharField(_("type, read from the content"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    replaces = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")

    @property
    def download_name(self) -> str:
        """The uploaded name with the extension of what the file really is."""
        stem = self.name.rsplit(".", 1)[0] if "." in self.name else self.name
        return f"{stem}{self.extension}"

    def superseded_at(self, moment=None) -> bool:
        """Whether a replacement had been uploaded by `moment` (default: now)."""
        replacement = getattr(self, "replaced_by", None)
        return replacement is not None and (moment is None or replacement.uploaded_at <= moment)


def published_until(submission):
    """The moment of the submission's last approval: files uploaded by then are part of what
    was published; later ones are a working copy until approved. None: never approved."""
    approved = SubmissionEvent.Action.APPROVED
    approvals = [event.at for event in submission.events.all() if event.action == approved]
    if approvals:
        return max(approvals)
    if submission.status == Submission.Status.APPROVED:  # loaded without the workflow
        return submission.reviewed_at
    return None
