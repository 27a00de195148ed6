"""Who has reported what: every city against every quarter, with late ones marked."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import Prefecture, ReportingPeriod, Submission
from targets.workbooks import table_workbook

Status = Submission.Status
NOT_STARTED = "not_started"


def state_label(state: str) -> str:
    return _("not started") if state == NOT_STARTED else Status(state).label


@dataclass(frozen=True)
class Cell:
    state: str
    late: bool

    @property
    def label(self) -> str:
        return state_label(self.state) + (" · " + _("late") if self.late else "")


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
    """Late: not submitted by the due date, or submitted after it. Nothing to report counts
    as reported, like any other value."""
    if period.due_date is None:
        return False
    if submission is None or submission.submitted_at is None:
        return today > period.due_date
    waiting = submission.status in (Status.DRAFT, Status.RETURNED)
    submitted_on = timezone.localdate(submission.submitted_at)
    return submitted_on > period.due_date or (waiting and today > period.due_date)


def completeness_matrix(*, year=None, state=None, today: date) -> Matrix:
    periods = ReportingPeriod.objects.all()
    if year:
        periods = periods.filter(year=year)
    periods = list(periods)
    submissions = {
        (s.prefecture_id, s.period_id): s
        for s in Submission.objects.filter(prefecture__isnull=False, period__in=periods)
    }
    matrix = Matrix(periods=periods, year=year, state=state)
    columns = [(Counter(), 0) for _ in periods]
    for prefecture in Prefecture.objects.all():
        cells = []
        for period in periods:
            submission = submissions.get((prefecture.pk, period.pk))
            cells.append(
                Cell(
                    submission.status if submission else NOT_STARTED,
                    is_late(submission, period, today),
                )
            )
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
