"""The quarterly reporting workflow: saving, submitting, reviewing and reopening.

Every write goes through these functions. Each checks the submission's state under a row
lock, keeps a revision for every changed figure and an event for every step, and refuses
a save made from a stale copy instead of overwriting what someone else saved meanwhile.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.entries import Entry, Merge, entries_before, merge_stale
from targets.formatting import join_names, join_sentences
from targets.models import Figure, FigureRevision, ReportingPeriod, Submission, SubmissionEvent

Status = Submission.Status
Action = SubmissionEvent.Action


class WorkflowError(Exception):
    """A step that the submission's state does not allow; the message says why."""


class StaleCopy(WorkflowError):
    """Someone saved the quarter after this copy was loaded: `revisions` lists what changed
    since, oldest first; for a refused save, `merge` is the save merged with them."""

    def __init__(self, revisions, merge: Merge | None = None):
        super().__init__(_("Someone else saved this quarter after you opened it."))
        self.revisions = revisions
        self.merge = merge


class ReasonMissing(WorkflowError):
    """Approved figures would change without a reason: `indicators` names them."""

    def __init__(self, indicators):
        super().__init__(join_sentences(self.message_for(indicator) for indicator in indicators))
        self.indicators = indicators

    @staticmethod
    def message_for(indicator) -> str:
        return _("“%(indicator)s” was approved before: give a reason for changing it.") % {
            "indicator": indicator.name
        }


def revisions_since(submission: Submission, version: int):
    """The revisions that made the submission's versions after `version`, oldest first."""
    return (
        FigureRevision.objects.filter(figure__submission=submission, version__gt=version)
        .select_related("figure__indicator", "by")
        .order_by("at", "pk")
    )


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


def _event(submission, action, user, from_status, comment="") -> SubmissionEvent:
    return SubmissionEvent(
        submission=submission,
        action=action,
        from_status=from_status,
        to_status=submission.status,
        by=user,
        comment=comment,
    )


def _record(submission, action, user, from_status, comment=""):
    _event(submission, action, user, from_status, comment).save()


def _is_repeat(submission, action, user, comment="") -> bool:
    """The submission's last step is this very step by this user: a double click, done."""
    last = submission.events.order_by("-at", "-pk").first()
    return bool(last and (last.action, last.by_id, last.comment) == (action, user.pk, comment))


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


def _changes(entries: dict, figures: dict, submission) -> list:
    """(indicator, figure, entry before, entry after) for each entry that changes its figure."""
    changes = []
    for indicator, entry in entries.items():
        figure = figures.get(indicator.pk) or Figure(submission=submission, indicator=indicator)
        before = Entry.of(figure)
        if figure.pk and before == entry:
            continue
        if figure.pk is None and entry.is_blank and not entry.note:
            continue
        changes.append((indicator, figure, before, entry))
    return changes


@transaction.atomic
def save_quarter(
    *,
    prefecture,
    period,
    user,
    entries: dict,
    seen_version: int,
    reason: str = "",
    reasons: dict | None = None,
    past_locks: bool = False,
    submitting: bool = False,
    resubmit: bool = False,
) -> tuple[Submission, list[FigureRevision]]:
    """Save what the reporter entered, keeping a revision of every figure that changes.

    `seen_version` is the version the reporter's copy was loaded at (0 before the first
    save); a save from any older copy is refused with what changed since and the save
    merged with it (StaleCopy), unless it is the same user's own save again (a double
    click: every change since is theirs and this one changes nothing), which is answered
    with the revisions made since, as done. So is a save `submitting` the quarter again
    that this user has just submitted, unchanged. Changing an approved figure needs a reason:
    the indicator's in `reasons` (by Indicator), else `reason`, else a note the reporter
    changed on that row; ReasonMissing names every row without one. Provincial imports go
    `past_locks`: a changed submitted or approved quarter then needs review again, as a draft
    of the reporter's or, with `resubmit`, back in the review queue (submitted).
    """
    submission, created = _locked_submission(prefecture, period, user)
    figures = {figure.indicator_id: figure for figure in submission.figures.all()}
    changes = _changes(entries, figures, submission)
    if seen_version != (0 if created else submission.version):
        since = list(revisions_since(submission, seen_version))
        if not changes and all(revision.by_id == user.pk for revision in since):
            return submission, since
        current = {indicator_id: Entry.of(figure) for indicator_id, figure in figures.items()}
        seen = entries_before(current, since)
        merge = merge_stale(entries, seen=seen, current=current, version=submission.version)
        raise StaleCopy(since, merge)
    resubmitting = submitting and submission.status == Status.SUBMITTED
    if not changes and resubmitting and _is_repeat(submission, Action.SUBMITTED, user):
        return submission, []
    if (locked := lock_reasons(submission, period)) and not past_locks:
        raise WorkflowError(join_sentences(locked))
    if not changes:
        return submission, []
    save = _Save(submission, created, changes, _why(changes, reason, reasons or {}))
    return submission, _write([save], user, resubmit)[0]


@dataclass
class _Save:
    """One quarter's checked changes, ready to write: (indicator, figure, entry before,
    entry after) each, and the reason each indicator's revision records."""

    submission: Submission
    created: bool
    changes: list
    why: dict


def _why(changes: list, reason: str, reasons: dict) -> dict:
    """The reason each change records (see save_quarter); ReasonMissing names every
    approved figure that would change without one."""
    why = {
        indicator: (reasons.get(indicator) or reason).strip()
        or (entry.note if figure.approved_at and entry.note != before.note else "")
        for indicator, figure, before, entry in changes
    }
    if missing := [
        indicator for indicator, figure, *_ in changes if figure.approved_at and not why[indicator]
    ]:
        raise ReasonMissing(missing)
    return why


def _write(saves: list[_Save], user, resubmit: bool) -> list[list[FigureRevision]]:
    """Write each save's figures, a revision of every change, the submission's next version
    and a saved event; a submitted or approved quarter needs review again (a draft, or with
    `resubmit` submitted). The same few statements for one quarter or a plan's history.
    Returns each save's revisions."""
    changed, added, revisions, events = [], [], [], []
    for save in saves:
        submission = save.submission
        version = 1 if save.created else submission.version + 1
        made = []
        for indicator, figure, before, entry in save.changes:
            figure.value, figure.denominator = entry.value, entry.denominator
            figure.nothing_to_report, figure.note = entry.nothing_to_report, entry.note
            (changed if figure.pk else added).append(figure)
            made.append(
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
                    reason=save.why[indicator],
                )
            )
        revisions.append(made)
        before = submission.status
        if before in (Status.SUBMITTED, Status.APPROVED):
            submission.status = Status.SUBMITTED if resubmit else Status.DRAFT
        if before == Status.APPROVED and resubmit:
            # Back in the review queue, which shows who put it there and when.
            submission.submitted_at, submission.submitted_by = timezone.now(), user
            submission.review_started_at = submission.review_started_by = None
        submission.version = version
        reasons = "; ".join(dict.fromkeys(filter(None, save.why.values())))
        events.append(_event(submission, Action.SAVED, user, before, reasons))
    _store(changed, ["value", "denominator", "nothing_to_report", "note"])
    Figure.objects.bulk_create(added)
    FigureRevision.objects.bulk_create(revision for made in revisions for revision in made)
    _store(
        [save.submission for save in saves],
        [
            "version",
            "status",
            "submitted_at",
            "submitted_by",
            "review_started_at",
            "review_started_by",
        ],
    )
    SubmissionEvent.objects.bulk_create(events)
    return revisions


def _store(objects: list, fields: list[str]) -> None:
    """UPDATE these fields of every object (all of one model) from its attributes.

    One prepared statement run for all: Django's bulk_update builds a CASE expression per
    row and field, 1.5 ms of Python a row (11.6 s for a plan's 7,560 figures)."""
    if not objects:
        return
    meta, quote = objects[0]._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns]
        + [row.pk]
        for row in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def import_quarters(*, user, quarters: dict, resubmit: bool) -> dict:
    """A provincial import's save of many quarters, past every lock: `quarters` maps
    (Prefecture, or None for the province; ReportingPeriod) to (entries by Indicator, the
    reason its revisions record). Each quarter is saved as save_quarter(past_locks=True)
    would save it at the version it has now, in a few statements for all of them.
    Returns (submission, revisions) by the same keys.

    Concurrent imports queue instead of failing on each other's saves: the periods and
    then the submissions are locked, in key order, before anything is read.
    """
    periods = {period.pk for _prefecture, period in quarters}
    list(
        ReportingPeriod.objects.filter(pk__in=periods).order_by("pk").select_for_update(no_key=True)
    )
    found = {
        (submission.prefecture_id, submission.period_id): submission
        for submission in Submission.objects.filter(period__in=periods)
        .order_by("pk")
        .select_for_update(of=("self",))
    }
    keys = {key: (key[0] and key[0].pk, key[1].pk) for key in quarters}
    missing = [key for key in quarters if keys[key] not in found]
    created = _create_submissions(missing, user)
    submissions = {key: created.get(key) or found[keys[key]] for key in quarters}
    figures = defaultdict(dict)
    for figure in Figure.objects.filter(submission__in=list(submissions.values())):
        figures[figure.submission_id][figure.indicator_id] = figure
    saves = {}
    for key, (entries, reason) in quarters.items():
        submission = submissions[key]
        if changes := _changes(entries, figures[submission.pk], submission):
            saves[key] = _Save(submission, key in created, changes, _why(changes, reason, {}))
    written = dict(zip(saves, _write(list(saves.values()), user, resubmit), strict=True))
    return {key: (submissions[key], written.get(key, [])) for key in quarters}


def _create_submissions(keys: list, user) -> dict:
    """New submissions for these (prefecture, period) keys, in one insert; if a reporter
    created one of them meanwhile, each is made (or found) on its own instead."""
    try:
        with transaction.atomic():
            made = Submission.objects.bulk_create(
                [Submission(prefecture=p, period=period, created_by=user) for p, period in keys]
            )
            return dict(zip(keys, made, strict=True))
    except IntegrityError:
        made = {key: _locked_submission(*key, user) for key in keys}
        return {key: submission for key, (submission, new) in made.items() if new}


@transaction.atomic
def submit_quarter(*, submission: Submission, user, indicators, comment: str = "") -> Submission:
    """Send the quarter for review. The first submission is kept: lateness is judged on it.
    Submitting again what the same user has just submitted is answered as done."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status == Status.SUBMITTED and _is_repeat(
        submission, Action.SUBMITTED, user, comment
    ):
        return submission
    if reasons := lock_reasons(submission, submission.period):
        raise WorkflowError(join_sentences(reasons))
    entered = {
        figure.indicator_id for figure in submission.figures.all() if not Entry.of(figure).is_blank
    }
    if blank := [indicator.name for indicator in indicators if indicator.pk not in entered]:
        raise WorkflowError(
            _("Enter a value or tick “nothing to report” for: %(names)s.")
            % {"names": join_names(blank)}
        )
    before = submission.status
    submission.status = Status.SUBMITTED
    submission.submitted_at, submission.submitted_by = timezone.now(), user
    submission.first_submitted_at = submission.first_submitted_at or submission.submitted_at
    submission.review_started_at = submission.review_started_by = None
    submission.reopened = False
    submission.save(
        update_fields=[
            "status",
            "submitted_at",
            "submitted_by",
            "first_submitted_at",
            "review_started_at",
            "review_started_by",
            "reopened",
        ]
    )
    _record(submission, Action.SUBMITTED, user, before, comment)
    return submission


def _in_correction(submission) -> bool:
    """Reopened by the province since it was last approved (or ever, if never approved)."""
    last = (
        submission.events.filter(action__in=[Action.REOPENED, Action.APPROVED])
        .order_by("-at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return last == Action.REOPENED


def withdraw_refusal(submission: Submission | None) -> str | None:
    """Why the reporter cannot withdraw this submission now; None when they can: it is
    submitted, nobody has started reviewing it (see `start_review`), and the reporter could
    change and submit it again (the quarter is open, or reopened for correction)."""
    if submission is None or submission.status != Status.SUBMITTED:
        return _("Only a submitted quarter can be withdrawn.")
    if submission.review_started_at:
        return _(
            "Provincial staff started reviewing it on %(day)s, so it can no longer be "
            "withdrawn: ask them to return it."
        ) % {"day": timezone.localtime(submission.review_started_at).strftime("%Y-%m-%d %H:%M")}
    if not submission.period.is_open and not _in_correction(submission):
        return _(
            "The quarter is closed for reporting: once withdrawn it could not be submitted "
            "again. Ask provincial staff to return it instead."
        )
    return None


@transaction.atomic
def withdraw_submission(*, submission: Submission, user) -> Submission:
    """The reporter takes a submission back to draft (see `withdraw_refusal` for when).
    A withdrawn first submission no longer counts as one for lateness."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status == Status.DRAFT and _is_repeat(submission, Action.WITHDRAWN, user):
        return submission
    if refusal := withdraw_refusal(submission):
        raise WorkflowError(refusal)
    before = submission.status
    submission.status = Status.DRAFT
    # Withdrawn in a closed quarter reopened for correction: it stays open to its reporter.
    submission.reopened = not submission.period.is_open
    if submission.first_submitted_at == submission.submitted_at:
        submission.first_submitted_at = None
    submission.submitted_at = submission.submitted_by = None
    submission.save(
        update_fields=["status", "reopened", "first_submitted_at", "submitted_at", "submitted_by"]
    )
    _record(submission, Action.WITHDRAWN, user, before)
    return submission


@transaction.atomic
def start_review(*, submission: Submission, user) -> bool:
    """Record that provincial staff opened the submitted quarter to review it, the first time
    in this round of submission: from then on the reporter cannot withdraw it. Returns
    whether this call started the review."""
    return bool(
        Submission.objects.filter(
            pk=submission.pk, status=Status.SUBMITTED, review_started_at__isnull=True
        ).update(review_started_at=timezone.now(), review_started_by=user)
    )


def _review(submission_pk, user, to_status, action, comment, allowed_from, seen_version=None):
    submission = Submission.objects.select_for_update().get(pk=submission_pk)
    if submission.status == to_status and _is_repeat(submission, action, user, comment):
        return submission
    if seen_version is not None and seen_version != submission.version:
        raise StaleCopy(list(revisions_since(submission, seen_version)))
    if submission.status not in allowed_from:
        raise WorkflowError(
            _("This quarter is “%(status)s”; it cannot be %(action)s now.")
            % {"status": submission.get_status_display(), "action": Action(action).label}
        )
    _decide([(submission, comment)], to_status, action, user)
    return submission


def _decide(decisions: list, to_status, action, user):
    """Record a review decision, (submission, comment) each: the new status, who, when and
    why, and an event. Returns the time of the decision."""
    now, events = timezone.now(), []
    for submission, comment in decisions:
        before = submission.status
        submission.status = to_status
        submission.reviewed_at, submission.reviewed_by = now, user
        submission.review_comment = comment
        events.append(_event(submission, action, user, before, comment))
    _store(
        [submission for submission, _comment in decisions],
        ["status", "reviewed_at", "reviewed_by", "review_comment"],
    )
    SubmissionEvent.objects.bulk_create(events)
    return now


def _publish(submissions, at):
    """Make the submissions' working figures the published ones, approved `at`."""
    Figure.objects.filter(submission__in=submissions).update(
        approved_value=F("value"),
        approved_denominator=F("denominator"),
        approved_nothing_to_report=F("nothing_to_report"),
        approved_at=at,
    )


@transaction.atomic
def approve_submission(
    *,
    submission: Submission,
    user,
    comment: str = "",
    seen_version: int | None = None,
) -> Submission:
    """Publish the submitted figures: from now on they are what progress and charts read.

    `seen_version` is the version the reviewer's page showed: approving any other is
    refused (StaleCopy, with what changed since). Approving again what the same reviewer
    has just approved is answered as done. (An import approves with approve_imported.)
    """
    submission = _review(
        submission.pk,
        user,
        Status.APPROVED,
        Action.APPROVED,
        comment,
        [Status.SUBMITTED],
        seen_version,
    )
    _publish([submission], submission.reviewed_at)
    return submission


@transaction.atomic
def approve_imported(*, approvals: list, user) -> list[Submission]:
    """Publish what an import loaded, (submission, comment) each, whatever state each
    quarter was in; the submissions are those import_quarters returned, still locked.
    Returns the submissions."""
    submissions = [submission for submission, _comment in approvals]
    if approvals:
        _publish(submissions, _decide(approvals, Status.APPROVED, Action.APPROVED, user))
    return submissions


@transaction.atomic
def return_submission(
    *, submission: Submission, user, comment: str, seen_version: int | None = None
) -> Submission:
    """Send the quarter back to its reporter with a comment; `seen_version` as for approval."""
    if not comment.strip():
        raise WorkflowError(_("Say what the city should correct: a comment is required."))
    return _review(
        submission.pk,
        user,
        Status.RETURNED,
        Action.RETURNED,
        comment.strip(),
        [Status.SUBMITTED],
        seen_version,
    )


@transaction.atomic
def reopen_quarter(*, prefecture, period, user, reason: str) -> Submission:
    """Let the reporter change a quarter again, whatever locked it; approved figures stay
    published until the reopened quarter is approved again."""
    if not reason.strip():
        raise WorkflowError(_("Give the reason for reopening."))
    submission = _locked_submission(prefecture, period, user)[0]
    if submission.reopened and _is_repeat(submission, Action.REOPENED, user, reason.strip()):
        return submission
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
