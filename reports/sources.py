"""Where a stored result comes from: the city figures, populations, approvals and revisions
behind one indicator, scope and quarter, as published now or at any earlier moment.

The result is computed again by the engine's own `progress.explain` from the figures as
published at that moment (`targets.published`), loaded as `recompute.load_inputs` loads them
for the stored results, so the page and the stored result cannot disagree: when they do, the
stored result is out of date and says so.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence.models import EvidenceFile
from targets import progress
from targets.formatting import entry_text
from targets.models import (
    Figure,
    Indicator,
    PopulationFigure,
    Prefecture,
    Progress,
    Submission,
    SubmissionEvent,
)
from targets.models import _number as json_number
from targets.published import Published, history, state_at
from targets.recompute import indicator_spec, is_current, load_inputs

Kind = Indicator.Kind


def link_points(trace: dict, urls: list) -> dict:
    """Marks each point of a chart trace with its sources page, for the chart's data table:
    `urls` follows the trace's x (for a heat map, its rows of x)."""
    trace.setdefault("meta", {})["sources"] = urls
    return trace


def parse_moment(text: str) -> datetime:
    """A moment as an ISO date and time (`2022-11-25T10:30`, with seconds and an offset if
    wished); without an offset, in the site's time zone. ValueError with a sentence."""
    try:
        moment = parse_datetime(text.strip())
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(
            _("“%(text)s” is not a date and time like 2022-11-25T10:30.") % {"text": text}
        )
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(timezone.get_default_timezone())
    except (OverflowError, ValueError):
        raise ValueError(_("“%(text)s” is out of range.") % {"text": text}) from None
    return moment


@dataclass(frozen=True)
class Row:
    """One city (or, for the province's own figure, None) and what it contributed."""

    prefecture: Prefecture | None
    amount: progress.Amount | None  # None: missing, counted nowhere
    published: Published | None
    state: str | None  # the submission's state at the moment; None: not started
    population_source: str = ""
    evidence: tuple = ()  # the files attached to the figure (or its quarter) when published

    @property
    def missing(self) -> bool:
        return self.amount is None

    @property
    def scope(self) -> str:
        return self.prefecture.code if self.prefecture else "province"


@dataclass(frozen=True)
class Sources:
    indicator: Indicator
    prefecture: Prefecture | None
    quarter: progress.Quarter
    at: datetime
    live: bool  # the moment is now: the stored result is what it explains
    explanation: progress.Explanation
    rows: list[Row]
    stored: Progress | None

    @property
    def result(self) -> progress.Result:
        return self.explanation.result

    @property
    def stored_is_current(self) -> bool:
        return self.stored is not None and is_current(self.stored, self.result)

    @property
    def reported(self) -> list[Row]:
        return [row for row in self.rows if not row.missing]

    @property
    def total(self) -> Decimal:
        """Σ of the amounts reported (the numerators, for a ratio)."""
        return sum((row.amount.value for row in self.reported), Decimal(0))

    @property
    def denominator_total(self) -> Decimal:
        return sum((row.amount.denominator or 0 for row in self.reported), Decimal(0))

    @property
    def covered(self) -> list[Row]:
        return [row for row in self.reported if row.amount.value > 0]

    @property
    def uncovered(self) -> list[Row]:
        return [row for row in self.rows if row.missing or row.amount.value <= 0]

    @property
    def path(self) -> progress.Segment | None:
        """The stretch of the expected path the expected value lies on, by the engine's
        rule."""
        target = self.applied.target_period
        if self.result.target is None or target is None:
            return None
        return progress.path_segment(
            self.applied, self.quarter, self.result.target, target, self.result.baseline
        )

    @property
    def remaining_quarters(self) -> int | None:
        """The quarters the pace needed is spread over, by the engine's rule."""
        target = self.applied.target_period
        if target is None:
            return None
        return progress.quarters_remaining(self.applied, self.quarter, target)

    @cached_property
    def spec(self) -> progress.IndicatorSpec:
        return indicator_spec(self.indicator)

    @cached_property
    def applied(self) -> progress.IndicatorSpec:
        """The spec with the target in force at this quarter (see targets.adjustments)."""
        return self.spec.in_force(self.quarter)

    @cached_property
    def adjustments(self) -> list:
        """The mid-term adjustments (TargetChange) of the plan's target, in order."""
        target = self.indicator.plan_target
        return list(target.changes.select_related("by")) if target else []

    @property
    def adjusted_later(self):
        """The adjustment that replaced the target this quarter is judged against, if any."""
        return next((c for c in self.adjustments if self.quarter < c.effective), None)


def sources(indicator: Indicator, prefecture: Prefecture | None, period, at=None) -> Sources:
    """The sources of the result of `indicator` for `prefecture` (None: the province) in
    `period`, as published at `at` (default: now). KeyError when the scope has no such
    result (a city, for an indicator the province reports itself)."""
    now = timezone.now()
    live = at is None or at >= now
    at = now if at is None else at
    record = history(Figure.objects.filter(indicator=indicator))
    shown = record.published(at)
    inputs = load_inputs({indicator.code: indicator}, figures=[p.as_approved() for p in shown])
    explanation = progress.explain(
        inputs.specs[0],
        inputs.figures,
        inputs.populations,
        {city: value for (_code, city), value in inputs.allocations.items()},
        list(inputs.cities.values()),
        list(inputs.periods.values()),
        period.as_quarter,
        prefecture.code if prefecture else None,
    )
    published = {
        p.figure.submission.prefecture_id: p
        for p in shown
        if p.figure.submission.period_id == period.pk
    }
    prefectures = {p.code: p for p in Prefecture.objects.all()}
    states = _states(period, at)
    people = {
        (code, year): source
        for code, year, source in PopulationFigure.objects.values_list(
            "prefecture__code", "year", "source"
        )
    }
    files = defaultdict(list)
    for evidence in EvidenceFile.objects.of_submissions(
        Submission.objects.filter(period=period)
    ).filter(Q(indicator=indicator) | Q(indicator=None)):
        files[evidence.submission_id].append(evidence)
    rows = []
    for code, amount in explanation.contributions.items():
        place = prefectures.get(code) if code else None
        year = amount.population_year if amount else None
        figure = published.get(place.pk if place else None)
        rows.append(
            Row(
                prefecture=place,
                amount=amount,
                published=figure,
                state=states.get(place.pk if place else None),
                population_source=people.get((code, year), "") if year else "",
                evidence=_attached(files, figure),
            )
        )
    stored = None
    plan = indicator.plan_target and indicator.plan_target.plan_id
    if live and plan:
        stored = Progress.objects.filter(
            indicator=indicator, prefecture=prefecture, period=period, plan=plan
        ).first()
    return Sources(indicator, prefecture, period.as_quarter, at, live, explanation, rows, stored)


def _attached(files, figure: Published | None) -> tuple:
    """The files that were part of what was approved: uploaded by then, not yet replaced."""
    if figure is None:
        return ()
    moment = figure.publication.at
    return tuple(
        evidence
        for evidence in files[figure.figure.submission_id]
        if evidence.uploaded_at <= moment and not evidence.superseded_at(moment)
    )


def _states(period, at) -> dict:
    """{prefecture id (None: the province): state at `at`} of the quarter's submissions."""
    submissions = list(Submission.objects.filter(period=period))
    events = defaultdict(list)
    for event in SubmissionEvent.objects.filter(submission__period=period).order_by("at", "pk"):
        events[event.submission_id].append(event)
    return {s.prefecture_id: state_at(s, events[s.pk], at) for s in submissions}


def records(found: Sources) -> list[dict]:
    """One record per row, as the export and the API give them: numbers as numbers."""
    return [_record(found.indicator, row) for row in found.rows]


def _record(indicator, row: Row) -> dict:
    published, amount = row.published, row.amount
    publication = published.publication if published else None
    return {
        "scope": row.scope,
        "name": row.prefecture.name if row.prefecture else _("Province"),
        "entered": entry_text(indicator, published.entry if published else None),
        "value": json_number(amount.value) if amount else None,
        "denominator": json_number(amount.denominator) if amount and amount.denominator else None,
        "population_year": amount.population_year if amount else None,
        "population_source": row.population_source,
        "years": [
            {"year": year, "quarter": str(quarter), "value": json_number(value)}
            for year, quarter, value in (amount.years if amount else ())
        ],
        "missing": row.missing,
        "nothing_to_report": bool(published and published.entry.nothing_to_report),
        "state": row.state or "",
        "submitted_by": str(publication.submitted_by or "") if publication else "",
        "submitted_at": _moment(publication.submitted_at) if publication else None,
        "approved_by": str(publication.approved_by or "") if publication else "",
        "approved_at": _moment(publication.at) if publication else None,
        "revisions": publication.revision_count if publication else 0,
        "note": published.entry.note if published else "",
        "evidence": [
            {"name": evidence.name, "url": reverse("evidence_download", args=[evidence.pk])}
            for evidence in row.evidence
        ],
    }


def _moment(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def result_record(found: Sources) -> dict:
    """The result explained, in the API's terms (those of /api/progress/)."""
    result = found.result
    return {
        "actual": json_number(result.actual),
        "target": json_number(result.target),
        "gap": json_number(result.gap),
        "percent_of_target": json_number(result.percent_of_target),
        "expected": json_number(result.expected),
        "pace_needed": json_number(result.pace_needed),
        "projection": json_number(result.projection),
        "projection_reaches": str(result.projection_reaches or "") or None,
        "status": result.status,
        "complete": result.complete,
        "missing": list(result.missing),
        "uncovered": list(result.uncovered),
    }


STATUS_RULES = {
    Progress.Status.ACHIEVED: gettext_lazy(
        "The actual meets the target (a target worded 突破 or 超过 must be passed); with cities "
        "missing, the cities that reported already meet an “at least” target of a summed "
        "indicator."
    ),
    Progress.Status.ON_TRACK: gettext_lazy(
        "The projection meets the target, or the actual is at or beyond the expected line."
    ),
    Progress.Status.AT_RISK: gettext_lazy(
        "Short of the expected line by no more than %(band)s %% of it; or a milestone not yet "
        "done before its target date."
    ),
    Progress.Status.OFF_TRACK: gettext_lazy(
        "The target date has passed without the target met, or the actual is short of the "
        "expected line by more than %(band)s %% of it."
    ),
    Progress.Status.NO_DATA: gettext_lazy(
        "No approved figure, or no baseline from which to draw the expected line."
    ),
    Progress.Status.INCOMPLETE: gettext_lazy(
        "Cities are missing from a province total, so it is no real total yet, and the cities "
        "that reported do not already meet an “at least” target of a summed indicator."
    ),
    Progress.Status.NO_TARGET: gettext_lazy(
        "A value with nothing to judge it against: an indicator tracked without a target, or a "
        "city without an allocated share of one."
    ),
}


def status_rule(status: str) -> str:
    """The rule of the methodology that gives `status`."""
    return STATUS_RULES[status] % {"band": int(progress.AT_RISK_BAND * 100)}
