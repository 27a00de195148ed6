"""The final evaluation (终期评估) of a concluded plan: each target's result at its own
quarter, achieved or not, and how many cities met their allocations.

A plan has concluded once its target date has passed (`Plan.concluded`). Until provincial
staff conclude it (`conclude`), its evaluation is read from the stored results as they stand
and is provisional; concluding copies them into `FinalResult` rows, which nothing changes
afterwards. A later correction of a figure changes the stored results, not the frozen ones:
the evaluation then shows, beside the frozen result, what the figures say now.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
from django.db.models import Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports import display
from reports.dashboards import city_names
from targets.formatting import join_names
from targets.models import (
    FinalEvaluation,
    FinalResult,
    Indicator,
    Plan,
    Progress,
    StaleProgress,
    TargetAllocation,
)
from targets.periods import Quarter
from targets.plans import tracked_by
from targets.templatetags.indicators import judged_target

Status = Progress.Status


class FinalStatus(TextChoices):
    ACHIEVED = "achieved", gettext_lazy("achieved")
    NOT_ACHIEVED = "not_achieved", gettext_lazy("not achieved")
    INCOMPLETE = "incomplete", gettext_lazy("incomplete at the target date")
    NO_DATA = "no_data", gettext_lazy("no data at the target date")
    NO_TARGET = "no_target", gettext_lazy("tracked without a target")


FINAL_STATUS = {
    Status.ACHIEVED: FinalStatus.ACHIEVED,
    Status.INCOMPLETE: FinalStatus.INCOMPLETE,
    Status.NO_DATA: FinalStatus.NO_DATA,
    Status.NO_TARGET: FinalStatus.NO_TARGET,
}


def final_status(status: str, has_target: bool = True) -> FinalStatus:
    """The final status of the engine's status at the target quarter: achieved, or not
    (on track, at risk and off track alike: the time is up); incomplete, no data and no
    target stay what they are, never “not achieved”. A series the plan tracks without a
    target (`has_target` false) is that, whatever its data."""
    if not has_target:
        return FinalStatus.NO_TARGET
    return FINAL_STATUS.get(status, FinalStatus.NOT_ACHIEVED)


def evaluated_quarter(indicator: Indicator) -> Quarter:
    """The quarter a target is judged at: its own; for a series tracked without a target,
    the quarter of the plan's target date."""
    target = indicator.plan_target
    return target.period or Quarter.containing(target.plan.target_date)


@dataclass(frozen=True)
class Snapshot:
    """One target's result at its quarter, frozen or as stored now: what is compared, and
    what `display.reading` reads (as it reads a Progress row; no pace or projection)."""

    quarter: Quarter
    status: str
    actual: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    percent_of_target: Decimal | None
    complete: bool
    missing: tuple[str, ...]
    cities_met: int | None
    cities_allocated: int | None
    # When the engine wrote the result: every recompute stamps it anew, so it is kept, not
    # compared.
    computed_at: datetime | None = field(default=None, compare=False)

    pace_needed = None
    projection = None

    @classmethod
    def of_row(cls, quarter: Quarter, row: Progress | None, cities) -> "Snapshot":
        """A stored result (None: none at that quarter, no data); `cities`: (met, allocated)
        or (None, None)."""
        if row is None:
            return cls(quarter, Status.NO_DATA, None, None, None, None, False, (), *cities)
        return cls(
            quarter,
            row.status,
            row.actual,
            row.target,
            row.gap,
            row.percent_of_target,
            row.complete,
            tuple(row.missing),
            *cities,
            computed_at=row.computed_at,
        )

    @classmethod
    def of_frozen(cls, result: FinalResult) -> "Snapshot":
        return cls(
            Quarter(result.year, result.quarter),
            result.status,
            result.actual,
            result.target_value,
            result.gap,
            result.percent_of_target,
            result.complete,
            tuple(result.missing),
            result.cities_met,
            result.cities_allocated,
            computed_at=result.computed_at,
        )


@dataclass(frozen=True)
class Line:
    """One target as the evaluation prints it. `result` is the frozen result (or, before
    the plan is concluded, the stored one); `now` is what the stored results say now when
    they differ from the frozen ones (a later correction), else None."""

    indicator: Indicator
    result: Snapshot
    reading: display.Reading
    missing_names: list[str]
    now: Snapshot | None
    now_reading: display.Reading | None

    @property
    def final(self) -> FinalStatus:
        return final_status(self.result.status, self.indicator.has_target)

    @property
    def missing(self) -> str:
        """“2 cities missing at the target date: 云浮市、潮州市”, or ""."""
        count = len(self.missing_names)
        if not count:
            return ""
        return ngettext(
            "%(count)s city missing at the target date: %(names)s",
            "%(count)s cities missing at the target date: %(names)s",
            count,
        ) % {"count": count, "names": join_names(self.missing_names)}

    @property
    def cities(self) -> str:
        """“1 of 2 cities met their allocation”, or "" without allocations."""
        return cities_text(self.result)

    @property
    def notes(self) -> list[str]:
        """What the final status carries with it: the cities missing, the cities that met
        their allocations, a later correction."""
        return [text for text in (self.missing, self.cities, self.correction) if text]

    @property
    def correction(self) -> str:
        """“Since frozen, the figures were corrected: now …”, or ""."""
        if self.now is None:
            return ""
        final = final_status(self.now.status, self.indicator.has_target)
        now = [self.now_reading.value, final.label, cities_text(self.now)]
        return _("Since frozen, the figures were corrected: now %(now)s.") % {
            "now": join_names(text for text in now if text)
        }


def cities_text(result: Snapshot) -> str:
    if result.cities_allocated is None:
        return ""
    return _("%(met)s of %(allocated)s cities met their allocation") % {
        "met": result.cities_met,
        "allocated": result.cities_allocated,
    }


@dataclass(frozen=True)
class Evaluation:
    """A plan's final evaluation: `frozen` is None while it is provisional."""

    plan: Plan
    frozen: FinalEvaluation | None
    lines: list[Line]

    @property
    def provisional(self) -> bool:
        return self.frozen is None

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(final status, its label, how many targets have it), every status in order."""
        counts = Counter(line.final for line in self.lines)
        return [(status.value, status.label, counts[status]) for status in FinalStatus]

    @property
    def note(self) -> str:
        """“Frozen on 2023-03-01 09:30 by 张三.”, or that it is provisional."""
        if self.frozen is None:
            return _("Provisional, not yet frozen: the figures may still change.")
        by = self.frozen.evaluated_by
        return _("Frozen on %(date)s by %(user)s.") % {
            "date": f"{timezone.localtime(self.frozen.evaluated_at):%Y-%m-%d %H:%M}",
            "user": by.get_full_name() or by.get_username(),
        }

    @property
    def incomplete(self) -> int:
        """How many targets lack some cities' figures at their target quarter."""
        return sum(line.final == FinalStatus.INCOMPLETE for line in self.lines)

    @property
    def corrected(self) -> int:
        return sum(line.now is not None for line in self.lines)


def stored_results(plan: Plan, indicators: list[Indicator]) -> dict[int, Snapshot]:
    """{indicator id: its result at its evaluated quarter} from the stored progress rows, in
    three queries whatever the number of targets and cities."""
    quarters = {indicator.pk: evaluated_quarter(indicator) for indicator in indicators}
    if not quarters:
        return {}
    at_quarters = reduce(
        or_, (Q(period__year=q.year, period__quarter=q.quarter) for q in set(quarters.values()))
    )
    province = {
        (row.indicator_id, row.period.as_quarter): row
        for row in Progress.objects.filter(
            at_quarters, plan=plan, prefecture=None, indicator__in=list(quarters)
        ).select_related("period")
    }
    allocations = set(
        TargetAllocation.objects.filter(
            target__plan=plan, target__indicator__in=list(quarters)
        ).values_list("target__indicator", "prefecture")
    )
    allocated = Counter(indicator_id for indicator_id, _prefecture in allocations)
    met = Counter()
    if allocations:
        # A city's stored result is judged against its allocation: achieved means met.
        for indicator_id, prefecture_id, year, quarter in Progress.objects.filter(
            at_quarters,
            plan=plan,
            indicator__in=list(allocated),
            prefecture__isnull=False,
            status=Status.ACHIEVED,
        ).values_list("indicator_id", "prefecture_id", "period__year", "period__quarter"):
            at = Quarter(year, quarter)
            if at == quarters[indicator_id] and (indicator_id, prefecture_id) in allocations:
                met[indicator_id] += 1
    cities = {indicator_id: (met[indicator_id], count) for indicator_id, count in allocated.items()}
    return {
        indicator_id: Snapshot.of_row(
            quarter, province.get((indicator_id, quarter)), cities.get(indicator_id, (None, None))
        )
        for indicator_id, quarter in quarters.items()
    }


def evaluation(plan: Plan) -> Evaluation:
    """The plan's final evaluation: frozen if it has been concluded, each line with what the
    stored results say now where a correction changed them; else provisional, from the
    stored results."""
    indicators = tracked_by(plan)
    frozen = FinalEvaluation.objects.filter(plan=plan).select_related("evaluated_by").first()
    stored = stored_results(plan, indicators)
    kept = {}
    if frozen is not None:
        kept = {
            result.target_id: Snapshot.of_frozen(result)
            for result in FinalResult.objects.filter(evaluation=frozen)
        }
    results = {
        indicator.pk: kept.get(indicator.plan_target.pk, stored[indicator.pk])
        for indicator in indicators
    }
    names = city_names([*results.values(), *stored.values()])
    lines = []
    for indicator in indicators:
        result, now = results[indicator.pk], stored[indicator.pk]
        # Amounts compare as numbers: 1.50 frozen is 1.5 stored.
        changed = frozen is not None and result != now
        lines.append(
            Line(
                indicator=indicator,
                result=result,
                reading=_reading(indicator, result, names),
                missing_names=[names.get(code, code) for code in result.missing],
                now=now if changed else None,
                now_reading=_reading(indicator, now, names) if changed else None,
            )
        )
    return Evaluation(plan, frozen, lines)


def _reading(indicator, result: Snapshot, names) -> display.Reading:
    missing = [names.get(code, code) for code in result.missing]
    return display.reading(indicator, result, judged_target(indicator, result), missing)


class NotYetConcluded(Exception):
    """The plan's target date has not passed."""


class AlreadyFrozen(Exception):
    """The plan's final evaluation was frozen before: it is never frozen again."""


class RecomputePending(Exception):
    """Figures of the plan's series changed and their results are still being computed:
    freezing now would freeze results about to change."""


def conclude(plan: Plan, user) -> FinalEvaluation:
    """Freezes the plan's final evaluation from the stored results as they stand, once.
    NotYetConcluded before its target date has passed; AlreadyFrozen the second time (the
    first stays as it is); RecomputePending while results of its series are to be
    recomputed."""
    if not plan.concluded:
        raise NotYetConcluded
    if FinalEvaluation.objects.filter(plan=plan).exists():
        raise AlreadyFrozen
    indicators = tracked_by(plan)
    series = [indicator.pk for indicator in indicators]
    if (
        Indicator.objects.filter(pk__in=series, progress_stale=True).exists()
        or StaleProgress.objects.filter(indicator__in=series).exists()
    ):
        raise RecomputePending
    stored = stored_results(plan, indicators)
    try:
        with transaction.atomic():
            frozen = FinalEvaluation.objects.create(plan=plan, evaluated_by=user)
            FinalResult.objects.bulk_create(
                FinalResult(
                    evaluation=frozen,
                    target=indicator.plan_target,
                    year=result.quarter.year,
                    quarter=result.quarter.quarter,
                    status=result.status,
                    actual=result.actual,
                    target_value=result.target,
                    gap=result.gap,
                    percent_of_target=result.percent_of_target,
                    complete=result.complete,
                    missing=list(result.missing),
                    cities_met=result.cities_met,
                    cities_allocated=result.cities_allocated,
                    computed_at=result.computed_at,
                )
                for indicator in indicators
                for result in [stored[indicator.pk]]
            )
    except IntegrityError:
        # Concluded by someone else a moment before: a plan has one evaluation.
        raise AlreadyFrozen from None
    return frozen
