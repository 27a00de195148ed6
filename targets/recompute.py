"""Running the progress engine on the database: load its inputs, compute, store the results.

The inputs load in a fixed handful of queries whatever the data size. An indicator whose
inputs hash to the data version already stored is left untouched; any other has its rows
replaced in the same transaction, so readers see either the old results or the new ones.
Every run also brings up to date each indicator still marked stale (see targets.tasks), and
clears the mark of what it computed.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from targets import progress
from targets.models import (
    Figure,
    Indicator,
    PopulationFigure,
    Prefecture,
    Progress,
    ReportingPeriod,
    TargetAllocation,
)
from targets.periods import Quarter

ROWS_PER_INSERT = 500


@dataclass(frozen=True)
class Recomputed:
    indicators: int
    rewritten: int
    rows: int


def indicator_spec(indicator: Indicator) -> progress.IndicatorSpec:
    return progress.IndicatorSpec(
        code=indicator.code,
        kind=indicator.kind,
        direction=indicator.direction,
        strict=indicator.strict,
        province_only=indicator.reported_by == Indicator.ReportedBy.PROVINCE,
        per_10k_residents=indicator.per_10k_residents,
        percent="%" in (indicator.unit_en, indicator.unit_zh),
        target_value=indicator.target_value,
        target_period=indicator.target_period,
        baseline_value=indicator.baseline_value,
        baseline_period=indicator.baseline_period,
        plan_start=_quarter_of(indicator.plan.start_date),
    )


def _quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Inputs:
    """The engine's inputs for some indicators, as loaded from the database."""

    specs: list[progress.IndicatorSpec]
    figures: list[progress.ApprovedFigure]
    populations: dict[tuple[str, int], int]
    allocations: dict[tuple[str, str], Decimal]
    cities: dict[int, str]  # prefecture id: code, in display order
    periods: dict[int, Quarter]  # period id: quarter


def load_inputs(indicators: dict[str, Indicator], figures=None) -> Inputs:
    """What `progress.compute_progress` needs for `indicators` ({code: Indicator}), in a
    fixed handful of queries. `figures`, when given, stands in for the figures approved now
    (the sources page passes those published at an earlier moment)."""
    ids = [indicator.pk for indicator in indicators.values()]
    codes = {indicator.pk: code for code, indicator in indicators.items()}
    cities = dict(Prefecture.objects.order_by("display_order").values_list("pk", "code"))
    periods = {
        pk: Quarter(year, quarter)
        for pk, year, quarter in ReportingPeriod.objects.values_list("pk", "year", "quarter")
    }
    if figures is None:
        figures = [
            progress.ApprovedFigure(
                prefecture=cities.get(prefecture_id),
                period=periods[period_id],
                indicator=codes[indicator_id],
                value=value,
                denominator=denominator,
                nothing_to_report=nothing_to_report,
            )
            for prefecture_id, period_id, indicator_id, value, denominator, nothing_to_report in (
                Figure.objects.approved()
                .filter(indicator__in=ids)
                .values_list(
                    "submission__prefecture_id",
                    "submission__period_id",
                    "indicator_id",
                    "approved_value",
                    "approved_denominator",
                    "approved_nothing_to_report",
                )
            )
        ]
    populations = {
        (cities[prefecture_id], year): count
        for prefecture_id, year, count in PopulationFigure.objects.values_list(
            "prefecture_id", "year", "population"
        )
    }
    allocations = {
        (codes[indicator_id], cities[prefecture_id]): value
        for indicator_id, prefecture_id, value in TargetAllocation.objects.filter(
            indicator__in=ids
        ).values_list("indicator_id", "prefecture_id", "value")
    }
    specs = [indicator_spec(indicator) for indicator in indicators.values()]
    return Inputs(specs, figures, populations, allocations, cities, periods)


@transaction.atomic
def recompute_progress(indicator_ids=None, *, force: bool = False) -> Recomputed:
    """Bring stored progress up to date for the given indicators (and any marked stale), or
    for all of them.

    With `force`, rows are rewritten even where the stored data version is current.
    """
    # Locked in key order, as enqueue_recompute marks them, so that the two never deadlock;
    # a change made meanwhile waits, then marks its indicators stale again.
    indicators = (
        Indicator.objects.select_related("plan")
        .select_for_update(of=("self",), no_key=True)
        .order_by("pk")
    )
    if indicator_ids is not None:
        indicators = indicators.filter(Q(pk__in=indicator_ids) | Q(progress_stale=True))
    indicators = {indicator.code: indicator for indicator in indicators}
    if not indicators:
        return Recomputed(0, 0, 0)
    ids = [indicator.pk for indicator in indicators.values()]
    Indicator.objects.filter(pk__in=ids, progress_stale=True).update(progress_stale=False)
    codes = {indicator.pk: code for code, indicator in indicators.items()}
    inputs = load_inputs(indicators)
    cities, periods = inputs.cities, inputs.periods
    stored = {}
    for indicator_id, version in (
        Progress.objects.filter(indicator__in=ids)
        .order_by()
        .values_list("indicator_id", "data_version")
        .distinct()
    ):
        stored.setdefault(codes[indicator_id], set()).add(version)
    current = {code: versions.pop() for code, versions in stored.items() if len(versions) == 1}
    computed = progress.compute_progress(
        inputs.specs,
        inputs.figures,
        inputs.populations,
        inputs.allocations,
        list(cities.values()),
        list(periods.values()),
        current={} if force else current,
    )
    changed = {code: item for code, item in computed.items() if item[1] is not None}
    Progress.objects.filter(indicator__in=[indicators[code].pk for code in changed]).delete()
    city_ids = {code: pk for pk, code in cities.items()}
    period_ids = {quarter: pk for pk, quarter in periods.items()}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = _insert(
        _row(indicators[code].pk, version, result, city_ids, period_ids, now)
        for code, (version, results) in changed.items()
        for result in results
    )
    return Recomputed(indicators=len(indicators), rewritten=len(changed), rows=rows)


def _row(indicator_id, version, result: progress.Result, city_ids, period_ids, now) -> dict:
    return {
        "indicator_id": indicator_id,
        "prefecture_id": city_ids[result.prefecture] if result.prefecture else None,
        "period_id": period_ids[result.period],
        "actual": result.actual,
        "target": result.target,
        "gap": result.gap,
        "percent_of_target": result.percent_of_target,
        "expected": result.expected,
        "pace_needed": result.pace_needed,
        "projection": result.projection,
        "projection_reaches": str(result.projection_reaches or ""),
        "status": result.status,
        "growth_ratio": result.growth_ratio,
        "growth_category": result.growth_category,
        "coverage_ratio": result.coverage_ratio,
        "share_of_province": result.share_of_province,
        "complete": result.complete,
        "missing": json.dumps(result.missing),
        "uncovered": json.dumps(result.uncovered),
        "data_version": version,
        "computed_at": now,
    }


def _insert(rows: Iterable[dict]) -> int:
    """Multi-row INSERTs of plain values.

    A full recompute writes one row per indicator, scope and quarter; building a model
    instance for each and letting bulk_create prepare every value took most of its time.
    """
    fields = [field for field in Progress._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(Progress._meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = connection.features.max_query_params
    size = min(ROWS_PER_INSERT, limit // len(fields)) if limit else ROWS_PER_INSERT
    rows = (tuple(row[field.attname] for field in fields) for row in rows)
    written = 0
    with connection.cursor() as cursor:
        while batch := list(islice(rows, size)):
            values = ", ".join([placeholders] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",
                [value for row in batch for value in row],
            )
            written += len(batch)
    return written
