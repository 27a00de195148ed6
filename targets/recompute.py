"""Running the progress engine on the database: load its inputs, compute, store the results.

The inputs load in a fixed handful of queries whatever the data size, and only rows whose
values change are written, in the same transaction, so readers see either the old results
or the new ones. Two kinds of run:

- an indicator recomputed whole (asked for by id, or marked stale: see targets.tasks) has
  every result computed and compared with the stored rows;
- an indicator with approved figures marked changed from some quarter on (StaleProgress,
  written with each approval) has only what they can change computed and compared: from
  that quarter on, the changed cities' results and the province's, and every other city's
  share of the province.

Every run also brings up to date whatever is still marked, and clears the marks it read.
"""

import gc
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from itertools import chain, islice

from django.db import connection, transaction
from django.db.models import Q, TextField, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import timezone

from targets import progress
from targets.models import (
    Figure,
    Indicator,
    PopulationFigure,
    Prefecture,
    Progress,
    ReportingPeriod,
    StaleProgress,
    Submission,
    Target,
    TargetAllocation,
)
from targets.periods import Quarter

ROWS_PER_STATEMENT = 500
# What a stored row holds besides its key; a row is rewritten only when one of these differs.
VALUES = [
    "actual",
    "target",
    "gap",
    "percent_of_target",
    "expected",
    "pace_needed",
    "projection",
    "projection_reaches",
    "status",
    "growth_ratio",
    "growth_category",
    "coverage_ratio",
    "share_of_province",
    "complete",
    "missing",
    "uncovered",
    "data_version",
]
# A row's key within its plan, its values, and what the writer adds to every row.
KEY = ["indicator_id", "prefecture_id", "period_id"]
COLUMNS = [*KEY, *VALUES, "computed_at", "plan_id"]
JSON_VALUES = [VALUES.index("missing"), VALUES.index("uncovered")]
# Where a row's actual is in what `_stored` reads: after its id and its key.
STORED_ACTUAL = 1 + len(KEY) + VALUES.index("actual")


@dataclass(frozen=True)
class Recomputed:
    indicators: int
    rewritten: int  # indicators with at least one row written
    rows: int  # rows written (inserted, or updated)


def indicator_spec(indicator: Indicator) -> progress.IndicatorSpec:
    """The engine's view of a series and what the plan in view sets on it (its
    `plan_target`, with its plan and interim targets: see `targets.plans.with_targets`)."""
    series = progress.IndicatorSpec(
        code=indicator.code,
        kind=indicator.kind,
        province_only=indicator.reported_by == Indicator.ReportedBy.PROVINCE,
        per_10k_residents=indicator.per_10k_residents,
        percent="%" in (indicator.unit_en, indicator.unit_zh),
    )
    if (target := indicator.plan_target) is None:
        return series
    return replace(
        series,
        direction=target.direction,
        strict=target.strict,
        target_value=target.value,
        target_period=target.period,
        baseline_value=target.baseline_value,
        baseline_period=target.baseline_period,
        plan_start=Quarter.containing(target.plan.start_date),
        interim=tuple((interim.period, interim.value) for interim in target.interim_targets.all()),
        superseded=tuple(
            (change.effective, change.old_value, change.old_period)
            for change in target.changes.all()
        ),
    )


@dataclass(frozen=True)
class Inputs:
    """The engine's inputs for some indicators, as loaded from the database."""

    specs: list[progress.IndicatorSpec]
    figures: list[progress.ApprovedFigure]
    populations: dict[tuple[str, int], int]
    allocations: dict[tuple[str, str], Decimal]
    cities: dict[int, str]  # prefecture id: code, in display order
    periods: dict[int, Quarter]  # period id: quarter


def load_inputs(
    indicators: dict[str, Indicator], figures=None, *, where: Iterable[Q] = (Q(),)
) -> Inputs:
    """What `progress.compute_progress` needs for `indicators` ({code: Indicator}, each
    carrying one plan's target, see `targets.plans.with_targets`), in a fixed handful of
    queries. `figures`, when given, stands in for the figures approved now (the sources page
    passes those published at an earlier moment); `where`, when given, loads only the
    approved figures matching one of its conditions, one query each (each simple enough for
    the figures' indexes; a disjunction of them is not)."""
    ids = [indicator.pk for indicator in indicators.values()]
    targets = [i.plan_target for i in indicators.values() if i.plan_target is not None]
    # Read once for all the targets, unless their reader did already.
    prefetch_related_objects(targets, "interim_targets", "changes")
    codes = {indicator.pk: code for code, indicator in indicators.items()}
    cities = dict(Prefecture.objects.order_by("display_order").values_list("pk", "code"))
    periods = {
        pk: Quarter(year, quarter)
        for pk, year, quarter in ReportingPeriod.objects.values_list("pk", "year", "quarter")
    }
    if figures is None:
        approved = Figure.objects.approved().filter(indicator__in=ids).order_by()
        figures = [
            progress.ApprovedFigure(
                prefecture=cities.get(prefecture_id),
                period=periods[period_id],
                indicator=codes[indicator_id],
                value=value,
                denominator=denominator,
                nothing_to_report=nothing_to_report,
            )
            for condition in where
            for prefecture_id, period_id, indicator_id, value, denominator, nothing_to_report in (
                approved.filter(condition).values_list(
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
            target__in=[target.pk for target in targets]
        ).values_list("target__indicator", "prefecture_id", "value")
    }
    specs = [indicator_spec(indicator) for indicator in indicators.values()]
    return Inputs(specs, figures, populations, allocations, cities, periods)


def mark_changed(submissions) -> None:
    """Mark the approved figures of these submissions (Submission objects) as changed, for
    the next recompute: one mark per indicator and reporter, from its earliest quarter."""
    by_pk = {submission.pk: submission for submission in submissions}
    quarters = {
        pk: Quarter(year, quarter)
        for pk, year, quarter in ReportingPeriod.objects.filter(
            pk__in={submission.period_id for submission in submissions}
        ).values_list("pk", "year", "quarter")
    }
    earliest = {}
    for indicator_id, submission_id in Figure.objects.filter(
        submission__in=list(by_pk)
    ).values_list("indicator_id", "submission_id"):
        submission = by_pk[submission_id]
        key = indicator_id, submission.prefecture_id
        if key not in earliest or quarters[submission.period_id] < quarters[earliest[key]]:
            earliest[key] = submission.period_id
    StaleProgress.objects.bulk_create(
        StaleProgress(indicator_id=indicator_id, prefecture_id=prefecture_id, period_id=period_id)
        for (indicator_id, prefecture_id), period_id in earliest.items()
    )


@dataclass(frozen=True)
class _Changed:
    """An indicator's approved figures that changed: those of `scopes` (prefecture ids, None
    for the province's own) from the period `since` on."""

    since: Quarter
    scopes: frozenset


@contextmanager
def _without_cycle_collection():
    """A recompute holds hundreds of thousands of small acyclic objects (figures, amounts,
    results): the cycle collector's repeated passes over them cost more than the arithmetic,
    and none of them is garbage it could free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@transaction.atomic
def recompute_progress(indicator_ids=None, *, force: bool = False) -> Recomputed:
    """Bring stored progress up to date for the given indicators, each whole, and for
    whatever else is marked (stale, or with changed figures); for None, every indicator whole.

    With `force`, every row of the indicators recomputed whole is rewritten, changed or not.
    """
    # Locked in key order, as enqueue_recompute marks them, so that the two never deadlock;
    # a change made meanwhile waits, then marks its indicators stale again.
    indicators = Indicator.objects.select_for_update(of=("self",), no_key=True).order_by("pk")
    if indicator_ids is not None:
        marked = StaleProgress.objects.values("indicator")
        indicators = indicators.filter(
            Q(pk__in=indicator_ids) | Q(progress_stale=True) | Q(pk__in=marked)
        )
    indicators = list(indicators)
    if not indicators:
        return Recomputed(0, 0, 0)
    ids = [indicator.pk for indicator in indicators]
    whole = {
        indicator.pk
        for indicator in indicators
        if indicator_ids is None or indicator.pk in indicator_ids or indicator.progress_stale
    }
    if stale := [indicator.pk for indicator in indicators if indicator.progress_stale]:
        Indicator.objects.filter(pk__in=stale).update(progress_stale=False)
    changed = _take_marks(ids)
    writer = _Writer()
    partly = {pk: item for pk, item in changed.items() if pk not in whole}
    with _without_cycle_collection():
        for plan, targets in _targets_by_plan(ids).items():
            tracked = {}
            for indicator in indicators:
                if target := targets.get(indicator.pk):
                    indicator.plan_target = target
                    tracked[indicator.pk] = indicator
            writer.plan_id = plan.pk
            again = _recompute_since(
                plan, tracked, {pk: item for pk, item in partly.items() if pk in tracked}, writer
            )
            plan_whole = sorted(pk for pk in whole | again if pk in tracked)
            _recompute_whole(plan, [tracked[pk] for pk in plan_whole], writer, force)
    return Recomputed(len(indicators), len(writer.rewritten), writer.rows)


def _targets_by_plan(ids) -> dict:
    """{plan: {indicator id: its target}} for these series, the plans in order, in one
    query."""
    by_plan = defaultdict(dict)
    targets = Target.objects.filter(indicator__in=ids).select_related("plan")
    for target in targets.order_by("plan__start_date", "plan_id"):
        by_plan[target.plan][target.indicator_id] = target
    return by_plan


def _take_marks(ids) -> dict[int, _Changed]:
    """{indicator id: what changed} from the marks of these indicators, deleted as they are
    read, in one statement: a mark committed meanwhile stays for the next run."""
    table = connection.ops.quote_name(StaleProgress._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE indicator_id IN ({placeholders}) "
            "RETURNING indicator_id, prefecture_id, period_id",
            ids,
        )
        marks = cursor.fetchall()
    if not marks:
        return {}
    quarters = {
        pk: Quarter(year, quarter)
        for pk, year, quarter in ReportingPeriod.objects.filter(
            pk__in={period for _i, _p, period in marks}
        ).values_list("pk", "year", "quarter")
    }
    since, scopes = {}, defaultdict(set)
    for indicator_id, prefecture_id, period_id in marks:
        quarter = quarters[period_id]
        since[indicator_id] = min(since.get(indicator_id, quarter), quarter)
        scopes[indicator_id].add(prefecture_id)
    return {pk: _Changed(since[pk], frozenset(scopes[pk])) for pk in since}


def _recompute_whole(plan, indicators: list[Indicator], writer, force: bool) -> None:
    if not indicators:
        return
    by_code = {indicator.code: indicator for indicator in indicators}
    inputs = load_inputs(by_code)
    keys = _Keys(inputs)
    fresh = (
        (keys.of(by_code[code].pk, result), keys.values(result))
        for code, results in progress.compute_progress(
            inputs.specs,
            inputs.figures,
            inputs.populations,
            inputs.allocations,
            list(inputs.cities.values()),
            list(inputs.periods.values()),
        )
        for result in results
    )
    ids = [indicator.pk for indicator in indicators]
    if force:
        Progress.objects.filter(indicator__in=ids, plan=plan).delete()
        writer.insert(fresh)
        return
    stored = _stored(Progress.objects.filter(indicator__in=ids, plan=plan).order_by())
    writer.replace(
        dict(fresh), {tuple(row[1:4]): (row[0], row[4:]) for row in stored}, obsolete=True
    )


def _recompute_since(plan, indicators: dict, changed: dict[int, _Changed], writer) -> set[int]:
    """Recompute what the marked figures can change; returns the indicators that must be
    recomputed whole instead (their stored province rows are not all there to start from)."""
    if not changed:
        return set()
    by_code = {indicators[pk].code: indicators[pk] for pk in changed}
    periods = {
        pk: Quarter(year, quarter)
        for pk, year, quarter in ReportingPeriod.objects.values_list("pk", "year", "quarter")
    }
    # One condition per kind of change (one approval marks all its indicators alike). A summed
    # indicator's province total is worked out by difference from its stored rows; a ratio's,
    # which cannot be, from every city's figures from the changed quarter on.
    groups = defaultdict(list)
    for pk, item in changed.items():
        groups[item, indicators[pk].kind in progress.ADDITIVE_KINDS].append(pk)
    figures, rows = [], Q()
    for (item, summed), pks in groups.items():
        later = [period for period, quarter in periods.items() if quarter >= item.since]
        reporters = Q(prefecture__in=item.scopes - {None})
        if None in item.scopes:
            reporters |= Q(prefecture__isnull=True)
        # Each branch implies the condition of one partial unique index (the cities', the
        # province's), so PostgreSQL reads the few rows through them.
        these = Q(indicator__in=pks, period__in=later, plan=plan)
        rows |= (these & Q(prefecture__in=item.scopes - {None})) | (
            these & Q(prefecture__isnull=True)
        )
        if not summed:
            reporters |= Q(period__in=later)
        read = Submission.objects.filter(reporters).order_by().values("pk")
        figures.append(Q(indicator__in=pks, submission__in=read))
    inputs = load_inputs(by_code, where=figures)
    keys = _Keys(inputs)
    before = defaultdict(dict)
    for indicator_id, period_id, actual, complete in (
        Progress.objects.filter(indicator__in=list(changed), prefecture=None, plan=plan)
        .order_by()
        .values_list("indicator_id", "period_id", "actual", "complete")
    ):
        quarter = inputs.periods[period_id]
        before[indicator_id][quarter] = progress.Point(quarter, actual, complete)
    stored = {tuple(row[1:4]): row for row in _stored(Progress.objects.filter(rows).order_by())}
    by_indicator = defaultdict(list)
    for figure in inputs.figures:
        by_indicator[figure.indicator].append(figure)
    cities = list(inputs.cities.values())
    quarters = sorted(inputs.periods.values())
    whole, fresh, totals, kept = set(), {}, {}, set()
    for spec in inputs.specs:
        pk, item = by_code[spec.code].pk, changed[by_code[spec.code].pk]
        earlier = [q for q in quarters if q < item.since]
        if any(q not in before[pk] for q in earlier):
            whole.add(pk)
            continue
        summed = spec.kind in progress.ADDITIVE_KINDS and not spec.reported_by_province
        # What a summed total is worked out from by difference: the province's stored rows
        # from the changed quarter on, and the changed cities' stored actuals.
        province, previous = [], {}
        if summed:
            later = [(q, keys.period_ids[q]) for q in quarters if q >= item.since]
            rows_before = {
                (inputs.cities[city], q): stored.get((pk, city, period))
                for city in item.scopes - {None}
                for q, period in later
            }
            province = [(q, stored.get((pk, None, period))) for q, period in later]
            if None in rows_before.values() or any(row is None for _q, row in province):
                whole.add(pk)
                continue
            province = [_stored_point(q, row) for q, row in province]
            previous = {key: row[STORED_ACTUAL] for key, row in rows_before.items()}
        allocations = {
            city: value for (code, city), value in inputs.allocations.items() if code == spec.code
        }
        results = progress.compute_since(
            spec,
            by_indicator[spec.code],
            inputs.populations,
            allocations,
            cities,
            quarters,
            item.since,
            {inputs.cities.get(scope) for scope in item.scopes},
            [before[pk][q] for q in earlier],
            province,
            previous,
        )
        for result in results:
            key = keys.of(pk, result)
            fresh[key] = values = keys.values(result)
            actual = values[VALUES.index("actual")]
            if summed and result.prefecture is None and stored[key][STORED_ACTUAL] != actual:
                totals[key[0], key[2]] = actual
        if summed:
            city_ids = {*item.scopes - {None}, *(keys.city_ids[city] for city in allocations)}
            kept.update((pk, city) for city in city_ids)
    writer.replace(
        fresh,
        {key: (row[0], row[4:]) for key, row in stored.items() if key in fresh},
        obsolete=False,
    )
    writer.update_shares(totals, kept)
    return whole


def _stored_point(quarter: Quarter, row: tuple) -> progress.Point:
    """A stored row (as `_stored` reads it) as the engine's point."""
    values = dict(zip(VALUES, row[1 + len(KEY) :], strict=True))
    return progress.Point(
        quarter,
        values["actual"],
        values["complete"],
        tuple(json.loads(values["missing"])),
        tuple(json.loads(values["uncovered"])),
        values["coverage_ratio"],
    )


def is_current(stored: Progress, result: progress.Result) -> bool:
    """Whether a stored row holds what the rules in force give now (`result`)."""
    values = [getattr(stored, name) for name in VALUES]
    for index in JSON_VALUES:
        values[index] = json.dumps(values[index])
    return tuple(values) == _Keys.values(result)


def _stored(rows) -> Iterable[tuple]:
    """(pk, *COLUMNS but the last) of the rows, as `_Keys.values` gives them: the JSON lists
    as their text, read as it is stored rather than decoded to be encoded again."""
    text = {"missing", "uncovered"}
    return rows.values_list(
        "pk", *(Cast(name, TextField()) if name in text else name for name in [*KEY, *VALUES])
    )


class _Keys:
    """A result's key (indicator id, prefecture id, period id) and its stored values."""

    def __init__(self, inputs: Inputs):
        self.city_ids = {code: pk for pk, code in inputs.cities.items()}
        self.period_ids = {quarter: pk for pk, quarter in inputs.periods.items()}

    def of(self, indicator_id, result: progress.Result) -> tuple:
        prefecture = self.city_ids[result.prefecture] if result.prefecture else None
        return indicator_id, prefecture, self.period_ids[result.period]

    @staticmethod
    def values(result: progress.Result) -> tuple:
        return (
            result.actual,
            result.target,
            result.gap,
            result.percent_of_target,
            result.expected,
            result.pace_needed,
            result.projection,
            str(result.projection_reaches or ""),
            result.status,
            result.growth_ratio,
            result.growth_category,
            result.coverage_ratio,
            result.share_of_province,
            result.complete,
            json.dumps(result.missing) if result.missing else "[]",
            json.dumps(result.uncovered) if result.uncovered else "[]",
            progress.RULES_VERSION,
        )


class _Writer:
    """Writes rows, counting them and the indicators they belong to."""

    def __init__(self):
        self.now = timezone.now()
        self.stamp = connection.ops.adapt_datetimefield_value(self.now)
        self.rows = 0
        self.rewritten = set()
        self.plan_id = None  # the plan of the rows written next

    def replace(self, fresh: dict, stored: dict, *, obsolete: bool) -> None:
        """Writes each fresh row ({key: values}) that differs from the stored one ({key: (pk,
        values)}); with `obsolete`, deletes the stored rows no fresh row has a key of."""
        changed = {
            key: values for key, values in fresh.items() if stored.get(key, (0, None))[1] != values
        }
        gone = [
            pk
            for key, (pk, _values) in stored.items()
            if key in changed or (obsolete and key not in fresh)
        ]
        _delete(gone)
        self.insert(changed.items())

    def insert(self, rows: Iterable[tuple[tuple, tuple]]) -> None:
        """Writes rows ((key, values) pairs) as they come."""

        def counted():
            for key, values in rows:
                self.rows += 1
                self.rewritten.add(key[0])
                yield (*key, *values, self.stamp, self.plan_id)

        _insert(counted())

    def update_shares(self, totals: dict, kept: set) -> None:
        """Sets every city's share of the province where the province's total changed
        ({(indicator id, period id): new total}), but those of `kept` ((indicator id,
        prefecture id): rewritten whole, or with an allocation instead). The indicators are
        counted already: their province's rows were rewritten."""
        self.rows += _update_shares(self.plan_id, totals, kept, self.now)


def _delete(ids: list[int]) -> None:
    ids = iter(ids)
    while batch := list(islice(ids, ROWS_PER_STATEMENT)):
        Progress.objects.filter(pk__in=batch).delete()


def _insert(rows: Iterable[tuple]) -> None:
    """Writes rows of COLUMNS' values as they come: COPY on PostgreSQL, one prepared INSERT
    otherwise.

    A full recompute writes one row per indicator, scope and quarter; building a model
    instance for each and letting bulk_create prepare every value took most of its time,
    and on PostgreSQL quoting the values of multi-row INSERTs took most of the rest.
    """
    rows = iter(rows)
    if (first := next(rows, None)) is None:
        return
    rows = chain([first], rows)
    table = connection.ops.quote_name(Progress._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            cursor.copy_expert(sql, _CopyText(rows), COPY_READ_SIZE)
        else:
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


COPY_READ_SIZE = 2**16


class _CopyText(io.TextIOBase):
    """Rows in COPY's text format (tab-separated, \\N for NULL), made as psycopg2 reads
    them: PostgreSQL stores the rows already sent while the next ones are computed, which on
    two cores hides most of its side of a full recompute."""

    def __init__(self, rows: Iterable[tuple]):
        self._lines = ("\t".join([_copy_value(value) for value in row]) + "\n" for row in rows)
        self._rest = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            text, self._rest = self._rest + "".join(self._lines), ""
            return text
        parts, length = [self._rest], len(self._rest)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if length >= size:
                break
        text = "".join(parts)
        self._rest = text[size:]
        return text[:size]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_FORMATS = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    int: str,
    Decimal: lambda value: format(value, "f"),
    str: lambda value: value.translate(_COPY_ESCAPES),
    datetime: datetime.isoformat,
}


def _copy_value(value) -> str:
    return _COPY_FORMATS[type(value)](value)


# progress.share_of_province in PostgreSQL's numeric arithmetic, which is exact: the actual
# times 10^8 divided by the total, to a whole number of millionths of a per cent, half to
# even; the sign apart, as Decimal rounds the magnitude.
_SHARES_SQL = """
WITH province (indicator_id, period_id, total) AS (
    SELECT * FROM unnest(%(indicators)s::bigint[], %(periods)s::bigint[], %(totals)s::numeric[])
), kept (indicator_id, prefecture_id) AS (
    SELECT * FROM unnest(%(kept_indicators)s::bigint[], %(kept_cities)s::bigint[])
)
UPDATE {table} AS city SET computed_at = %(now)s, share_of_province = CASE
        WHEN city.actual IS NULL OR province.total IS NULL OR province.total = 0 THEN NULL
        ELSE sign(city.actual) * sign(province.total) * (
            div(abs(city.actual) * 100000000, abs(province.total))
            + CASE sign(2 * mod(abs(city.actual) * 100000000, abs(province.total))
                        - abs(province.total))
                WHEN 1 THEN 1
                WHEN -1 THEN 0
                ELSE mod(div(abs(city.actual) * 100000000, abs(province.total)), 2)
              END
        ) / 1000000
    END
    FROM province
    WHERE city.indicator_id = province.indicator_id AND city.period_id = province.period_id
        AND city.plan_id = %(plan)s AND city.prefecture_id IS NOT NULL
        -- The rows are found through the period's index, not by a scan of the whole table.
        AND city.period_id = ANY(%(periods)s::bigint[])
        AND city.indicator_id = ANY(%(indicators)s::bigint[])
        AND NOT EXISTS (
            SELECT FROM kept
            WHERE kept.indicator_id = city.indicator_id AND kept.prefecture_id = city.prefecture_id
        )
"""


# The same rows as _SHARES_SQL, each share computed by `share_of`: progress.share_of_province.
_SQLITE_SHARES_SQL = """
UPDATE {table} SET computed_at = %s,
    share_of_province = share_of(indicator_id, period_id, actual)
    WHERE plan_id = %s AND prefecture_id IS NOT NULL
        AND indicator_id IN ({indicators}) AND period_id IN ({periods})
        AND (indicator_id, period_id) IN (
            SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)
        )
        AND (indicator_id, prefecture_id) NOT IN (
            SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)
        )
"""


def _update_shares(plan_id, totals: dict, kept: set, now) -> int:
    """Sets every city's share of the province where the province's total changed
    ({(indicator id, period id): total}), but those of `kept` ((indicator id, prefecture id)
    pairs); returns the number of rows written, by one statement: on PostgreSQL computing
    them where they are stored (`_SHARES_SQL`), on SQLite calling
    `progress.share_of_province` on each city's actual (`_SQLITE_SHARES_SQL`)."""
    if not totals:
        return 0
    table = connection.ops.quote_name(Progress._meta.db_table)
    if connection.vendor == "postgresql":
        (indicators, periods), values = zip(*totals, strict=True), list(totals.values())
        kept_indicators, kept_cities = zip(*kept, strict=True) if kept else ((), ())
        with connection.cursor() as cursor:
            cursor.execute(
                _SHARES_SQL.format(table=table),
                {
                    "indicators": list(indicators),
                    "periods": list(periods),
                    "totals": values,
                    "kept_indicators": list(kept_indicators),
                    "kept_cities": list(kept_cities),
                    "plan": plan_id,
                    "now": now,
                },
            )
            return cursor.rowcount
    # SQLite keeps decimals as binary floats, so no exact arithmetic there: the statement
    # calls the rule itself on each city's actual, read as the ORM reads it.
    column = Progress._meta.get_field("actual").get_col(Progress._meta.db_table)
    as_read = connection.ops.get_decimalfield_converter(column)

    def share_of(indicator_id, period_id, actual):
        actual = None if actual is None else as_read(actual, column, connection)
        share = progress.share_of_province(actual, totals[indicator_id, period_id])
        return None if share is None else str(share)

    connection.ensure_connection()
    connection.connection.create_function("share_of", 3, share_of)
    indicators = sorted({indicator for indicator, _period in totals})
    periods = sorted({period for _indicator, period in totals})
    sql = _SQLITE_SHARES_SQL.format(
        table=table,
        indicators=", ".join(["%s"] * len(indicators)),
        periods=", ".join(["%s"] * len(periods)),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                connection.ops.adapt_datetimefield_value(now),
                plan_id,
                *indicators,
                *periods,
                json.dumps(list(totals)),
                json.dumps(list(kept)),
            ],
        )
        return cursor.rowcount
