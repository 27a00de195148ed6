"""The quarterly reporting workflow: saving, submitting, reviewing and reopening.

Every write goes through these functions. Each checks the submission's state under a row
lock, keeps a revision for every changed figure and an event for every step, and refuses
a save made from a stale copy instead of overwriting what someone else saved meanwhile.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import Figure, FigureRevision, Submission, SubmissionEvent

Status = Submission.Status
Action = SubmissionEvent.Action


@dataclass(frozen=True)
class Entry:
    """What was entered for one indicator: a value, or an explicit nothing to report."""

    value: Decimal | None = None
    denominator: Decimal | None = None
    nothing_to_report: bool = False
    note: str = ""

    @property
    def is_blank(self) -> bool:
        return self.value is None and not self.nothing_to_report

    @classmethod
    def of(cls, figure: Figure) -> "Entry":
        return cls(figure.value, figure.denominator, figure.nothing_to_report, figure.note)


class WorkflowError(Exception):
    """A step that the submission's state does not allow; the message says why."""


class StaleCopy(WorkflowError):
    """Someone saved the quarter after this copy was loaded."""

    def __init__(self, revisions):
        super().__init__(_("Someone else saved this quarter after you opened it."))
        self.revisions = revisions


def lock_reasons(submission: Submission | None, period) -> list[str]:
    """Why the reporter cannot change this quarter now; empty when they can."""
    reasons = []
    if submission and submission.status == Status.SUBMITTED:
        reasons.append(_("It has been submitted and is waiting for review."))
    if submission and submission.status == Status.APPROVED:
        reasons.append(_("It has been approved."))
    if not period.is_open and not (submission and submission.reopened):
        reasons.append(_("The quarter is closed for reporting."))
    return reasons


def _record(submission, action, user, from_status, comment=""):
    SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        from_status=from_status,
        to_status=submission.status,
        by=user,
        comment=comment,
    )


def _locked_submission(prefecture, period, user) -> tuple[Submission, bool]:
    """The quarter's submission, row-locked until the transaction ends, and whether it is new."""
    created = False
    try:
        with transaction.atomic():
            created = Submission.objects.get_or_create(
                prefecture=prefecture, period=period, defaults={"created_by": user}
            )[1]
    except IntegrityError:  # someone else created it between our look and our insert
        pass
    submission = Submission.objects.select_for_update().get(prefecture=prefecture, period=period)
    return submission, created


@transaction.atomic
def save_quarter(
    *,
    prefecture,
    period,
    user,
    entries: dict,
    seen_version: int,
    reason: str = "",
    past_locks: bool = False,
    resubmit: bool = False,
) -> tuple[Submission, list[FigureRevision]]:
    """Save what the reporter entered, keeping a revision of every figure that changes.

    `seen_version` is the version the reporter's copy was loaded at (0 before the first
    save); a save from any older copy is refused with what changed since. Provincial
    imports go `past_locks`: a changed submitted or approved quarter then needs review again,
    as a draft of the reporter's or, with `resubmit`, back in the review queue (submitted).
    """
    submission, created = _locked_submission(prefecture, period, user)
    if seen_version != (0 if created else submission.version):
        raise StaleCopy(
            FigureRevision.objects.filter(figure__submission=submission, version__gt=seen_version)
            .select_related("figure__indicator", "by")
            .order_by("at", "pk")
        )
    if (reasons := lock_reasons(submission, period)) and not past_locks:
        raise WorkflowError(" ".join(reasons))
    version = 1 if created else submission.version + 1
    figures = {figure.indicator_id: figure for figure in submission.figures.all()}
    revisions, added = [], []
    for indicator, entry in entries.items():
        figure = figures.get(indicator.pk) or Figure(submission=submission, indicator=indicator)
        before = Entry.of(figure)
        if figure.pk and before == entry:
            continue
        if figure.pk is None and entry.is_blank and not entry.note:
            continue
        if figure.approved_at and not reason.strip():
            raise WorkflowError(
                _("“%(indicator)s” was approved before: give a reason for changing it.")
                % {"indicator": indicator.name}
            )
        figure.value, figure.denominator = entry.value, entry.denominator
        figure.nothing_to_report, figure.note = entry.nothing_to_report, entry.note
        if figure.pk:
            figure.save(update_fields=["value", "denominator", "nothing_to_report", "note"])
        else:
            added.append(figure)
        revisions.append(
            FigureRevision(
                figure=figure,
                version=version,
                by=user,
                old_value=before.value,
                new_value=entry.value,
                old_denominator=before.denominator,
                new_denominator=entry.denominator,
                old_nothing_to_report=before.nothing_to_report,
                new_nothing_to_report=entry.nothing_to_report,
                old_note=before.note,
                new_note=entry.note,
                reason=reason.strip(),
            )
        )
    # New figures in one statement, however many a save brings (an import of a plan's
    # history adds thousands).
    Figure.objects.bulk_create(added)
    if revisions:
        FigureRevision.objects.bulk_create(revisions)
        before = submission.status
        if before in (Status.SUBMITTED, Status.APPROVED):
            submission.status = Status.SUBMITTED if resubmit else Status.DRAFT
        submission.version = version
        submission.save(update_fields=["version", "status"])
        _record(submission, Action.SAVED, user, before, reason.strip())
    return submission, revisions


@transaction.atomic
def submit_quarter(*, submission: Submission, user, indicators, comment: str = "") -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if reasons := lock_reasons(submission, submission.period):
        raise WorkflowError(" ".join(reasons))
    entered = {
        figure.indicator_id for figure in submission.figures.all() if not Entry.of(figure).is_blank
    }
    if blank := [indicator.name for indicator in indicators if indicator.pk not in entered]:
        raise WorkflowError(
            _("Enter a value or tick “nothing to report” for: %(names)s.")
            % {"names": "、".join(blank)}
        )
    before = submission.status
    submission.status = Status.SUBMITTED
    submission.submitted_at, submission.submitted_by = timezone.now(), user
    submission.reopened = False
    submission.save(update_fields=["status", "submitted_at", "submitted_by", "reopened"])
    _record(submission, Action.SUBMITTED, user, before, comment)
    return submission


def _review(submission_pk, user, to_status, action, comment, allowed_from):
    submission = Submission.objects.select_for_update().get(pk=submission_pk)
    if submission.status not in allowed_from:
        raise WorkflowError(
            _("This quarter is “%(status)s”; it cannot be %(action)s now.")
            % {"status": submission.get_status_display(), "action": Action(action).label}
        )
    before = submission.status
    submission.status = to_status
    submission.reviewed_at, submission.reviewed_by = timezone.now(), user
    submission.review_comment = comment
    submission.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comment"])
    _record(submission, action, user, before, comment)
    return submission


@transaction.atomic
def approve_submission(
    *, submission: Submission, user, comment: str = "", imported: bool = False
) -> Submission:
    """Publish the submitted figures: from now on they are what progress and charts read.

    An import approves whatever it loaded, whether or not it was submitted first.
    """
    allowed_from = Status.values if imported else [Status.SUBMITTED]
    submission = _review(
        submission.pk, user, Status.APPROVED, Action.APPROVED, comment, allowed_from
    )
    submission.figures.update(
        approved_value=F("value"),
        approved_denominator=F("denominator"),
        approved_nothing_to_report=F("nothing_to_report"),
        approved_at=submission.reviewed_at,
    )
    return submission


@transaction.atomic
def return_submission(*, submission: Submission, user, comment: str) -> Submission:
    if not comment.strip():
        raise WorkflowError(_("Say what the city should correct: a comment is required."))
    return _review(
        submission.pk, user, Status.RETURNED, Action.RETURNED, comment.strip(), [Status.SUBMITTED]
    )


@transaction.atomic
def reopen_quarter(*, prefecture, period, user, reason: str) -> Submission:
    """Let the reporter change a quarter again, whatever locked it; approved figures stay
    published until the reopened quarter is approved again."""
    if not reason.strip():
        raise WorkflowError(_("Give the reason for reopening."))
    submission = _locked_submission(prefecture, period, user)[0]
    before = submission.status
    submission.status = Status.RETURNED if before != Status.DRAFT else Status.DRAFT
    submission.reopened = True
    submission.review_comment = reason.strip()
    submission.reviewed_at, submission.reviewed_by = timezone.now(), user
    submission.save(
        update_fields=["status", "reopened", "review_comment", "reviewed_at", "reviewed_by"]
    )
    _record(submission, Action.REOPENED, user, before, reason.strip())
    return submission


@dataclass(frozen=True)
class Change:
    """What saving an entry would do to its figure: "add", "change" or "same"."""

    indicator: object
    effect: str
    before: Entry | None
    after: Entry
    line: int | None = None
    reporter: str = ""
    quarter: str = ""


def preview_changes(entries: dict, figures: dict) -> list[Change]:
    """What saving `entries` would do, `figures` being the current ones by indicator id."""
    preview = []
    for indicator, entry in entries.items():
        figure = figures.get(indicator.pk)
        before = Entry.of(figure) if figure else None
        if before is None or before.is_blank:
            effect = "same" if entry == (before or Entry()) else "add"
        else:
            effect = "same" if before == entry else "change"
        preview.append(Change(indicator, effect, before, entry))
    return preview


def entries_to_session(entries: dict) -> dict:
    return {
        indicator.code: [
            None if entry.value is None else str(entry.value),
            None if entry.denominator is None else str(entry.denominator),
            entry.nothing_to_report,
            entry.note,
        ]
        for indicator, entry in entries.items()
    }


def entries_from_session(stored: dict, indicators) -> dict:
    by_code = {indicator.code: indicator for indicator in indicators}
    return {
        by_code[code]: Entry(
            None if value is None else Decimal(value),
            None if denominator is None else Decimal(denominator),
            nothing,
            note,
        )
        for code, (value, denominator, nothing, note) in stored.items()
    }
