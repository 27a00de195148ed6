"""Who has reported what: every city against every quarter, with late and corrected ones marked.

One rule for lateness, read by this matrix, its Excel export, the PDF summaries, the
reminders and the home pages: a quarter is late when its first submission came after the
due date, or when it has never been submitted and the due date has passed. A quarter the
province reopened after it was submitted is shown as corrected, with when and why, and
never made late by the correction.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import Prefecture, ReportingPeriod, Submission, SubmissionEvent
from targets.workbooks import table_workbook

Status = Submission.Status
NOT_STARTED = "not_started"


def state_label(state: str) -> str:
    return _("not started") if state == NOT_STARTED else Status(state).label


@dataclass(frozen=True)
class Correction:
    """The province reopened a submitted quarter: when, and the reason it gave."""

    at: datetime
    reason: str
    resubmitted: bool

    @property
    def label(self) -> str:
        words = _("corrected") if self.resubmitted else _("being corrected")
        return _("%(state)s (reopened %(day)s: %(reason)s)") % {
            "state": words,
            "day": timezone.localdate(self.at).isoformat(),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Cell:
    state: str
    late: bool
    correction: Correction | None = None

    @property
    def state_label(self) -> str:
        """The state, and the correction if there was one; lateness apart."""
        parts = [str(state_label(self.state))]
        if self.correction:
            parts.append(self.correction.label)
        return " · ".join(parts)

    @property
    def label(self) -> str:
        return self.state_label + (" · " + _("late") if self.late else "")


@dataclass
class Matrix:
    periods: list
    rows: list = field(default_factory=list)  # (prefecture, cells, Counter of states, late count)
    column_totals: list = field(default_factory=list)  # (Counter of states, late count)
    year: int | None = None
    state: str | None = None

    @property
    def states(self):
        return [(NOT_STARTED, state_label(NOT_STARTED)), *Status.choices]


def is_late(submission: Submission | None, period: ReportingPeriod, today: date) -> bool:
    """Late: first submitted after the due date, or never submitted and the due date passed.
    Nothing to report counts as reported, like any other value; a return, a withdrawal
    resubmitted or a correction the province asked for does not make a quarter late."""
    if period.due_date is None:
        return False
    # Rows written outside the workflow (fixtures, old imports) may hold only submitted_at.
    first = submission and (submission.first_submitted_at or submission.submitted_at)
    if not first:
        return today > period.due_date
    return timezone.localdate(first) > period.due_date


def corrections(submissions) -> dict[int, Correction]:
    """{submission id: its latest correction} for those reopened after being submitted;
    one query whatever their number."""
    by_pk = {submission.pk: submission for submission in submissions}
    found = {}
    reopenings = SubmissionEvent.objects.filter(
        submission__in=list(by_pk), action=SubmissionEvent.Action.REOPENED
    ).exclude(from_status=Status.DRAFT)
    for submission_id, at, reason in reopenings.order_by("at", "pk").values_list(
        "submission_id", "at", "comment"
    ):
        resubmitted = by_pk[submission_id].status in (Status.SUBMITTED, Status.APPROVED)
        found[submission_id] = Correction(at, reason, resubmitted)
    return found


def standing(
    submission: Submission | None, period: ReportingPeriod, today: date, found: dict
) -> Cell:
    """Where one city's quarter stands; `found` is what `corrections` returned."""
    return Cell(
        submission.status if submission else NOT_STARTED,
        is_late(submission, period, today),
        found.get(submission.pk) if submission else None,
    )


def completeness_matrix(*, year=None, state=None, today: date) -> Matrix:
    periods = ReportingPeriod.objects.all()
    if year:
        periods = periods.filter(year=year)
    periods = list(periods)
    submissions = {
        (s.prefecture_id, s.period_id): s
        for s in Submission.objects.filter(prefecture__isnull=False, period__in=periods)
    }
    found = corrections(submissions.values())
    matrix = Matrix(periods=periods, year=year, state=state)
    columns = [(Counter(), 0) for _ in periods]
    for prefecture in Prefecture.objects.all():
        cells = [
            standing(submissions.get((prefecture.pk, period.pk)), period, today, found)
            for period in periods
        ]
        if state and not any(
            cell.state == state or (state == "late" and cell.late) for cell in cells
        ):
            continue
        matrix.rows.append(
            (prefecture, cells, Counter(c.state for c in cells), sum(c.late for c in cells))
        )
        for index, cell in enumerate(cells):
            counter, late = columns[index]
            counter[cell.state] += 1
            columns[index] = (counter, late + cell.late)
    matrix.column_totals = columns
    return matrix


def matrix_workbook(matrix: Matrix) -> bytes:
    """The matrix as people keep it in Excel: cities down, quarters across."""
    title = _("Reporting completeness")
    if matrix.year:
        title += f" · {matrix.year}"
    rows = [
        [prefecture.name, *(cell.label for cell in cells), counts[Status.APPROVED], late]
        for prefecture, cells, counts, late in matrix.rows
    ]
    rows.append(
        [_("Approved"), *(counts[Status.APPROVED] for counts, _late in matrix.column_totals)]
    )
    rows.append([_("Late"), *(late for _counts, late in matrix.column_totals)])
    return table_workbook(
        title=title,
        name=_("Completeness"),
        headers=[
            _("Prefecture"),
            *(p.as_quarter.label for p in matrix.periods),
            _("Approved"),
            _("Late"),
        ],
        rows=rows,
        note=_("Made on %(date)s.") % {"date": timezone.localdate().isoformat()},
        widths=[12, *(16 for _period in matrix.periods)],
    )
