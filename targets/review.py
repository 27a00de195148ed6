"""What a reviewer reads for one submitted quarter.

Each row stands beside last quarter's approved figure; a correction of an approved quarter
also beside what was approved before, with the reason the reporter gave. Ratio indicators
read as rates in their unit, with the numerator and denominator (for per 10 000 residents,
the population on record) behind them, computed by the progress engine's own rule.
"""

from dataclasses import dataclass
from decimal import Decimal

from targets import progress
from targets.models import FigureRevision, Indicator, PopulationFigure
from targets.recompute import indicator_spec
from targets.reporting import Entry
from targets.validation import entry_warnings


@dataclass(frozen=True)
class Reading:
    """An entry as the review shows it. For a ratio, `denominator` is the one the rate
    divides by (the population on record for per 10 000 residents) and `rate` the rate."""

    value: Decimal | None = None
    denominator: Decimal | None = None
    nothing_to_report: bool = False
    rate: Decimal | None = None


@dataclass(frozen=True)
class ReviewRow:
    indicator: Indicator
    now: Reading
    previous: Reading | None  # last quarter's approved figure
    approved: Reading | None  # this quarter's figure as approved before, for a correction
    reason: str  # why the reporter changed the approved figure
    note: str
    warnings: list

    @property
    def corrected(self) -> bool:
        return self.approved is not None and self.approved != self.now


class Reader:
    """Reads the entries of one reporter's quarters, with the populations on record."""

    def __init__(self, prefecture):
        self.prefecture = prefecture
        self.populations = (
            {
                (prefecture.code, year): count
                for year, count in PopulationFigure.objects.filter(
                    prefecture=prefecture
                ).values_list("year", "population")
            }
            if prefecture
            else {}
        )

    def read(self, indicator, entry, quarter) -> Reading | None:
        if entry is None:
            return None
        if indicator.kind != Indicator.Kind.RATIO or self.prefecture is None:
            return Reading(entry.value, entry.denominator, entry.nothing_to_report)
        spec = indicator_spec(indicator)
        figure = progress.ApprovedFigure(
            self.prefecture.code,
            quarter,
            indicator.code,
            entry.value,
            entry.denominator,
            entry.nothing_to_report,
        )
        amount = progress.city_amount(spec, figure, self.populations)
        if amount is None:
            return Reading(entry.value, entry.denominator, entry.nothing_to_report)
        return Reading(
            entry.value, amount.denominator, entry.nothing_to_report, progress.rate(spec, amount)
        )


def review_rows(submission, previous: dict) -> list[ReviewRow]:
    """The rows of a submitted quarter, in the plan's order; `previous` holds last quarter's
    approved entries by indicator id."""
    quarter = submission.period.as_quarter
    reader = Reader(submission.prefecture)
    figures = list(
        submission.figures.select_related("indicator").order_by("indicator__display_order")
    )
    reasons = {}
    approved_at = {figure.pk: figure.approved_at for figure in figures}
    for figure_id, at, reason in (
        FigureRevision.objects.filter(figure__submission=submission)
        .exclude(reason="")
        .order_by("at", "pk")
        .values_list("figure_id", "at", "reason")
    ):
        if approved_at[figure_id] and at > approved_at[figure_id]:
            reasons[figure_id] = reason
    rows = []
    for figure in figures:
        indicator = figure.indicator
        entry, before = Entry.of(figure), previous.get(indicator.pk)
        approved = (
            Entry(
                figure.approved_value,
                figure.approved_denominator,
                figure.approved_nothing_to_report,
            )
            if figure.approved_at
            else None
        )
        rows.append(
            ReviewRow(
                indicator=indicator,
                now=reader.read(indicator, entry, quarter),
                previous=reader.read(indicator, before, quarter.shift(-1)),
                approved=reader.read(indicator, approved, quarter),
                reason=reasons.get(figure.pk, ""),
                note=figure.note,
                warnings=entry_warnings(indicator, entry, before, quarter),
            )
        )
    return rows
