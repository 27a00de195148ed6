"""What changed since a moment (a PDF summary's making): every approval after it that changed a
published figure the summary covers, and what that did to the results it printed.

Both sides come from the same record (`targets.published`) and the same engine run as the
sources page: the figures as published at that moment, and as published now.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from reports.dashboards import periods_until
from reports.summaries import Scope
from targets import progress
from targets.models import Figure, Indicator, ReportingPeriod
from targets.published import Publication, history
from targets.recompute import load_inputs
from targets.reporting import Entry


@dataclass(frozen=True)
class Change:
    """One approval that changed a figure: what was published before it (None: nothing)."""

    figure: Figure
    before: Entry | None
    after: Publication

    @property
    def changed_by(self) -> list:
        return list(dict.fromkeys(revision.by for revision in self.after.revisions))

    @property
    def reasons(self) -> list[str]:
        reasons = [revision.reason for revision in self.after.revisions]
        return [reason for reason in dict.fromkeys(reasons) if reason]


@dataclass(frozen=True)
class ResultChange:
    """A result the summary printed, then and now."""

    indicator: Indicator
    before: progress.Result
    after: progress.Result


@dataclass(frozen=True)
class Changes:
    since: datetime
    now: datetime
    figures: list[Change]
    results: list[ResultChange]


def _value(entry: Entry | None):
    return None if entry is None else (entry.value, entry.denominator, entry.nothing_to_report)


def changes_since(since: datetime, scope: Scope, period: ReportingPeriod) -> Changes:
    """The approvals after `since` that changed figures of `scope`'s indicators (of its city,
    for a city) in `period` or before, oldest first; and every result of the scope in
    `period` they changed."""
    now = timezone.now()
    indicators = {indicator.code: indicator for indicator in scope.indicators()}
    quarters = {p.pk for p in periods_until(period, ReportingPeriod.objects.all())}
    record = history(Figure.objects.filter(indicator__in=indicators.values()))
    changes = []
    for figure in record.figures:
        submission = figure.submission
        if submission.period_id not in quarters:
            continue
        if scope.prefecture and submission.prefecture_id != scope.prefecture.pk:
            continue
        before = None
        for publication in record.publications[figure.pk]:
            if publication.at > since and _value(before) != _value(publication.entry):
                changes.append(Change(figure, before, publication))
            before = publication.entry
    changes.sort(key=lambda change: (change.after.at, change.figure.pk))
    codes = {change.figure.indicator.code for change in changes}
    touched = {code: indicator for code, indicator in indicators.items() if code in codes}
    return Changes(since, now, changes, _results(touched, record, since, now, scope, period))


def _results(indicators, record, since, now, scope, period) -> list[ResultChange]:
    """The scope's result in `period` for each indicator, from the figures published at
    `since` and at `now`: what the summary printed, and what it would print now."""
    if not indicators:
        return []
    inputs = load_inputs(indicators, figures=[])
    quarter = period.as_quarter
    key = scope.prefecture.code if scope.prefecture else None

    def results_at(moment):
        figures = [p.as_approved() for p in record.published(moment)]
        computed = progress.compute_progress(
            inputs.specs,
            figures,
            inputs.populations,
            inputs.allocations,
            list(inputs.cities.values()),
            list(inputs.periods.values()),
        )
        return {
            code: next(r for r in results if r.prefecture == key and r.period == quarter)
            for code, results in computed
        }

    before, after = results_at(since), results_at(now)
    return [
        ResultChange(indicator, before[code], after[code]) for code, indicator in indicators.items()
    ]
