"""The progress engine's arithmetic: approved figures in, progress against targets out.

Pure on purpose: plain values in, frozen results out, no database, so that every rule can
be tested on its own and the methodology page can describe exactly what runs here.
`targets/recompute.py` loads the inputs and stores the results.
"""

import hashlib
import json
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from itertools import pairwise
from typing import NamedTuple

from targets.periods import Quarter

STOCK, FLOW, CUMULATIVE, RATIO = "stock", "flow", "cumulative", "ratio"
COVERAGE, MILESTONE, RANK = "coverage", "milestone", "rank"
AT_LEAST, AT_MOST = "at_least", "at_most"
ADDITIVE_KINDS = {STOCK, FLOW, CUMULATIVE, COVERAGE}
PROVINCE_KINDS = {MILESTONE, RANK}

ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = (
    "achieved",
    "on_track",
    "at_risk",
    "off_track",
    "no_data",
)
# A value that cannot be judged: cities are missing from a total, or there is nothing to judge
# it against (an indicator tracked for monitoring only, a city without an allocation).
INCOMPLETE, NO_TARGET = "incomplete", "no_target"
# At risk: short of the expected line by no more than this share of it.
AT_RISK_BAND = Decimal("0.10")
# The projection fits a straight line through the last quarters with a value, at most this many
# back, and only when at least the minimum of them have one.
TREND_QUARTERS = 8
TREND_MIN_POINTS = 4

# Open SDG: ratio of observed to required compound annual growth.
SUBSTANTIAL, MODERATE, LIMITED = "substantial", "moderate", "limited"
DETERIORATION = "deterioration"
GROWTH_CATEGORIES = [(Decimal("0.95"), SUBSTANTIAL), (Decimal("0.6"), MODERATE), (0, LIMITED)]
GROWTH_KINDS = {STOCK, RATIO}
GROWTH_MIN_QUARTERS = 4  # two calendar years of data at least
ZERO_BASE = Decimal("0.001")  # stands in for a zero start, from which no growth rate exists
GROWTH_LIMIT = Decimal(999999)  # the ratio explodes when hardly any growth is required

PLACES = Decimal("0.000001")  # what the database stores
PROJECTION_HORIZON = 400  # quarters: a trend that needs longer is reported as never reaching it
# Bump when a rule changes, so that stored results computed by the old rules are replaced.
RULES_VERSION = "3"


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    kind: str
    direction: str = AT_LEAST
    strict: bool = False
    province_only: bool = False
    per_10k_residents: bool = False
    percent: bool = False
    target_value: Decimal | None = None
    target_period: Quarter | None = None
    baseline_value: Decimal | None = None
    baseline_period: Quarter | None = None
    plan_start: Quarter | None = None
    # Interim targets ((quarter, value), in order) the expected path runs through.
    interim: tuple[tuple[Quarter, Decimal], ...] = ()
    # Targets a mid-term adjustment replaced, in order, each as (the first quarter judged
    # against the next target, its value, its target period): see `in_force`.
    superseded: tuple[tuple[Quarter, Decimal | None, Quarter | None], ...] = ()

    def in_force(self, quarter: Quarter) -> "IndicatorSpec":
        """This spec with the target in force at `quarter`: none before the plan started (its
        figures are history the plan does not judge), and for a quarter before an adjustment
        took effect, the target it replaced (targets.adjustments)."""
        if self.plan_start is not None and quarter < self.plan_start:
            return replace(self, target_value=None, target_period=None, superseded=())
        for until, value, period in self.superseded:
            if quarter < until:
                return replace(self, target_value=value, target_period=period, superseded=())
        return self

    @property
    def ratio_scale(self) -> Decimal:
        if self.per_10k_residents:
            return Decimal(10000)
        return Decimal(100) if self.percent else Decimal(1)

    @property
    def reported_by_province(self) -> bool:
        return self.province_only or self.kind in PROVINCE_KINDS


class ApprovedFigure(NamedTuple):
    """A figure as approved: a recompute makes one for each it reads (a named tuple, made in
    half the time a frozen dataclass takes)."""

    prefecture: str | None  # None: the province's own figure
    period: Quarter
    indicator: str
    value: Decimal | None
    denominator: Decimal | None = None
    nothing_to_report: bool = False


class Result(NamedTuple):
    """One scope's progress at one quarter, as stored.

    A named tuple rather than a frozen dataclass: a full recompute makes one per city,
    indicator and quarter (over 200 000 at 300 cities), and a frozen dataclass's __init__,
    which sets each field through object.__setattr__, took a third of the arithmetic.
    """

    indicator: str
    prefecture: str | None  # None: the province
    period: Quarter
    actual: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    percent_of_target: Decimal | None
    expected: Decimal | None
    pace_needed: Decimal | None
    projection: Decimal | None
    projection_reaches: Quarter | None
    status: str
    growth_ratio: Decimal | None
    growth_category: str
    complete: bool
    missing: tuple[str, ...] = ()
    uncovered: tuple[str, ...] = ()
    coverage_ratio: Decimal | None = None
    share_of_province: Decimal | None = None
    # What the expected line and the projection started from, for the sources page.
    baseline: tuple[Quarter, Decimal] | None = None
    trend: tuple[tuple[Quarter, Decimal], ...] = ()


@dataclass(frozen=True)
class Amount:
    """One scope's contribution at one quarter: a value, or a numerator over a denominator.

    Per 10 000 residents, `population_year` is the year whose population is the denominator;
    for a cumulative indicator, `years` holds (year, quarter, year-to-date value) of every year
    in the running total, the quarter being the one whose figure stands for that year.
    """

    value: Decimal
    denominator: Decimal | None = None
    population_year: int | None = None
    years: tuple[tuple[int, Quarter, Decimal], ...] = ()


@dataclass(frozen=True)
class Explanation:
    """One stored result and what it was made of.

    `contributions` maps each city of the scope (in the order given) to the Amount it
    contributed, or None when it is missing; for an indicator the province reports itself,
    the one key None maps to the province's own figure. `figures` holds the approved figure
    of the quarter behind each key, where there is one.
    """

    version: str
    result: Result
    contributions: dict[str | None, Amount | None]
    figures: dict[str | None, ApprovedFigure]


class Point(NamedTuple):
    """One scope's value at one quarter, and what its result says beside the assessment.

    A named tuple for the reason Result is one: there is one per result.
    """

    period: Quarter
    actual: Decimal | None
    complete: bool
    missing: tuple[str, ...] = ()
    uncovered: tuple[str, ...] = ()
    coverage_ratio: Decimal | None = None
    share_of_province: Decimal | None = None


def compute_progress(
    indicators: Iterable[IndicatorSpec],
    figures: Iterable[ApprovedFigure],
    populations: Mapping[tuple[str, int], int],
    allocations: Mapping[tuple[str, str], Decimal],
    cities: Sequence[str],
    periods: Sequence[Quarter],
) -> Iterator[tuple[str, list[Result]]]:
    """(indicator code, results) for every indicator given: the province and each city (or
    the province alone, for an indicator it reports itself), every period. Each indicator is
    computed only when the caller asks for it, so that a recompute stores one indicator's
    rows while the next is computed (`dict(...)` for all of them at once)."""
    by_indicator = defaultdict(list)
    for figure in figures:
        by_indicator[figure.indicator].append(figure)
    shares = defaultdict(dict)
    for (code, city), value in allocations.items():
        shares[code][city] = value
    periods = sorted(periods)
    for spec in indicators:
        results = _compute(
            spec, by_indicator[spec.code], populations, shares[spec.code], cities, periods
        )
        yield spec.code, results


def compute_since(
    spec: IndicatorSpec,
    figures: Sequence[ApprovedFigure],
    populations: Mapping[tuple[str, int], int],
    allocations: Mapping[str, Decimal],
    cities: Sequence[str],
    periods: Sequence[Quarter],
    since: Quarter,
    changed: Collection[str | None],
    before: Sequence[Point],
    stored: Sequence[Point],
    previous: Mapping[tuple[str, Quarter], Decimal | None],
) -> list[Result]:
    """What the figures of the `changed` scopes (city codes, or None for the province's own)
    can change from the quarter `since` on, once they changed at `since` or later: the
    results of the province and of the changed cities for every period from `since` on.

    The same rules as `compute_indicator`, given what they would read: `figures` holds every
    figure of the changed scopes (for an indicator that is not summed, every city's from
    `since` on too) and `before` the province's points of every period before `since` as
    stored. A summed indicator's province total is worked out by difference, exact in
    Decimal: `stored` holds the province's stored points from `since` on, `previous` each
    changed city's stored actual of those periods (None where it was missing), and each
    period's total is the stored one less what the changed cities counted before plus what
    they count now; for any other indicator both are empty.
    """
    periods = sorted(periods)
    start = len([quarter for quarter in periods if quarter < since])
    with localcontext() as context:
        context.prec = 34
        if spec.reported_by_province:
            return _province_only(spec, figures, periods, since)
        amounts = _city_amounts(spec, figures, populations, cities, periods)
        if spec.kind in ADDITIVE_KINDS:
            series = _series(amounts, [code for code in cities if code in changed], periods)
            after = _province_points_by_difference(
                spec, stored, previous, series, cities, periods, start
            )
        else:
            series = _series(amounts, cities, periods)
            after = _province_points(spec, series, periods, start)
        points = [*before, *after]
        results = _assess_series(spec, None, points, spec.target_value, True, since)
        whole = [point.actual for point in points]
        for code in changed:
            if code in series:
                target = allocations.get(code)
                points = _city_points(spec, code, series[code], periods, target, whole)
                results.extend(_assess_series(spec, code, points, target, False, since))
        return results


def compute_indicator(
    spec: IndicatorSpec,
    figures: Sequence[ApprovedFigure],
    populations: Mapping[tuple[str, int], int],
    allocations: Mapping[str, Decimal],
    cities: Sequence[str],
    periods: Sequence[Quarter],
) -> tuple[str, list[Result]]:
    """(data version, results) of one indicator for the province and each city, every period."""
    periods = sorted(periods)
    version = data_version(spec, figures, populations, allocations, cities, periods)
    return version, _compute(spec, figures, populations, allocations, cities, periods)


def explain(
    spec: IndicatorSpec,
    figures: Sequence[ApprovedFigure],
    populations: Mapping[tuple[str, int], int],
    allocations: Mapping[str, Decimal],
    cities: Sequence[str],
    periods: Sequence[Quarter],
    quarter: Quarter,
    prefecture: str | None = None,
) -> Explanation:
    """The result of one indicator for one scope (None: the province) and quarter, with the
    amounts each city contributed, from the same inputs and functions the stored results
    come from. Raises KeyError when `quarter` is not among `periods` or the scope has no
    result (a city of an indicator the province reports itself)."""
    version, results = compute_indicator(spec, figures, populations, allocations, cities, periods)
    by_scope = {(r.prefecture, r.period): r for r in results}
    result = by_scope[prefecture, quarter]
    of_quarter = [f for f in figures if f.period == quarter]
    if spec.reported_by_province:
        own = {f.prefecture: f for f in of_quarter if f.prefecture is None}
        value = _province_value(spec, own[None]) if None in own else None
        contributions = {None: None if value is None else Amount(value)}
        return Explanation(version, result, contributions, own)
    with localcontext() as context:
        context.prec = 34
        amounts = _city_amounts(spec, figures, populations, cities, sorted(periods))
    scope = cities if prefecture is None else [prefecture]
    return Explanation(
        version,
        result,
        {code: amounts.get((code, quarter)) for code in scope},
        {f.prefecture: f for f in of_quarter if f.prefecture in scope},
    )


def _compute(spec, figures, populations, allocations, cities, periods) -> list[Result]:
    with localcontext() as context:
        context.prec = 34
        if spec.reported_by_province:
            return _province_only(spec, figures, periods)
        return _city_reported(spec, figures, populations, allocations, cities, periods)


def data_version(spec, figures, populations, allocations, cities, periods) -> str:
    """A hash of everything one indicator's results depend on: same inputs, same version."""
    people = populations if spec.per_10k_residents else {}
    content = {
        "rules": RULES_VERSION,
        "spec": [str(getattr(spec, name)) for name in spec.__dataclass_fields__],
        "figures": sorted(
            [
                f.prefecture or "",
                str(f.period),
                _text(f.value),
                _text(f.denominator),
                f.nothing_to_report,
            ]
            for f in figures
        ),
        "populations": sorted([code, year, count] for (code, year), count in people.items()),
        "allocations": sorted([code, _text(value)] for code, value in allocations.items()),
        "cities": sorted(cities),
        "periods": [str(period) for period in periods],
    }
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def _text(number: Decimal | None) -> str:
    return "" if number is None else str(number.normalize())


# Aggregation -----------------------------------------------------------------------------


def _province_only(spec, figures, periods, since=None) -> list[Result]:
    values = {
        figure.period: _province_value(spec, figure)
        for figure in figures
        if figure.prefecture is None
    }
    points = [Point(q, values.get(q), q in values) for q in periods]
    return _assess_series(spec, None, points, spec.target_value, True, since)


def _province_value(spec, figure) -> Decimal | None:
    if figure.nothing_to_report:
        return Decimal(0) if spec.kind == MILESTONE else None
    if figure.value is None:
        return None
    if spec.kind == MILESTONE:
        return Decimal(1 if figure.value > 0 else 0)
    return figure.value


def _city_reported(spec, figures, populations, allocations, cities, periods) -> list[Result]:
    amounts = _city_amounts(spec, figures, populations, cities, periods)
    series = _series(amounts, cities, periods)
    points = _province_points(spec, series, periods)
    results = _assess_series(spec, None, points, spec.target_value, own_baseline=True)
    whole = [point.actual for point in points]
    for code, row in series.items():
        target = allocations.get(code)
        points = _city_points(spec, code, row, periods, target, whole)
        results.extend(_assess_series(spec, code, points, target, own_baseline=False))
    return results


def _series(amounts, cities, periods) -> dict[str, list[Amount | None]]:
    """{city: its Amount at each of `periods` in order, None where missing}, cities in order.

    Laid out by position so that the loops over cities and quarters index lists: looking up
    (city, quarter) keys there hashed a Quarter several times per city and quarter.
    """
    position = {quarter: at for at, quarter in enumerate(periods)}
    series = {code: [None] * len(periods) for code in cities}
    for (code, quarter), amount in amounts.items():
        at = position.get(quarter)
        if at is not None and code in series:
            series[code][at] = amount
    return series


def _province_points(spec, series, periods, start=0) -> list[Point]:
    """The province's points of `periods` from the position `start` on."""
    points = []
    for at in range(start, len(periods)):
        column = [(code, row[at]) for code, row in series.items()]
        reported = [amount for _code, amount in column if amount is not None]
        missing = tuple(code for code, amount in column if amount is None)
        actual = _aggregate(spec, reported)
        uncovered, coverage_ratio = (), None
        if spec.kind == COVERAGE:
            uncovered = tuple(
                code for code, amount in column if amount is None or amount.value <= 0
            )
            if actual is not None and series:
                coverage_ratio = _quantize(actual / len(series))
        points.append(Point(periods[at], actual, not missing, missing, uncovered, coverage_ratio))
    return points


def _province_points_by_difference(spec, stored, previous, series, cities, periods, start):
    """The province's points of `periods` from the position `start` on, for a summed indicator:
    each stored point (`stored`, by position from `start`) with the changed cities' actuals
    before (`previous`, {(city, quarter): actual, None where missing}) taken out and their
    amounts now (`series`) put in. A summed amount is its own actual, so the difference is
    exact."""
    position = {code: at for at, code in enumerate(cities)}
    points = []
    for at in range(start, len(periods)):
        quarter, point = periods[at], stored[at - start]
        total = point.actual or Decimal(0)
        missing, uncovered = set(point.missing), set(point.uncovered)
        for code, row in series.items():
            if code not in missing:
                total -= previous[code, quarter]
            missing.discard(code)
            uncovered.discard(code)
            if (amount := row[at]) is None:
                missing.add(code)
            else:
                total += _city_actual(spec, amount)
            if spec.kind == COVERAGE and (amount is None or amount.value <= 0):
                uncovered.add(code)
        actual = total if len(missing) < len(cities) else None
        coverage_ratio = None
        if spec.kind == COVERAGE and actual is not None and cities:
            coverage_ratio = _quantize(actual / len(cities))
        points.append(
            Point(
                quarter,
                actual,
                not missing,
                tuple(sorted(missing, key=position.__getitem__)),
                tuple(sorted(uncovered, key=position.__getitem__)),
                coverage_ratio,
            )
        )
    return points


def _city_points(spec, code, row, periods, target, whole) -> list[Point]:
    """A city's points from its series (`row`) and the province's actuals (`whole`), both by
    position in `periods`; one without a figure that counts is incomplete, and missing itself."""
    points = []
    for quarter, amount, province in zip(periods, row, whole, strict=True):
        reported = amount is not None
        actual = _city_actual(spec, amount)
        share = _share(spec, target, actual, province)
        points.append(
            Point(quarter, actual, reported, () if reported else (code,), (), None, share)
        )
    return points


def _city_actual(spec, amount) -> Decimal | None:
    return None if amount is None else _aggregate(spec, [amount])


def _share(spec, target, actual, whole) -> Decimal | None:
    """A city's share of the province, for an additive indicator it has no allocation of."""
    if target is not None or spec.kind not in ADDITIVE_KINDS:
        return None
    return share_of_province(actual, whole)


# Its own context rather than a local one: it is called once per city and quarter, and
# entering a local context costs more than the arithmetic.
_SHARES = Context(prec=34, rounding=ROUND_HALF_EVEN)


def share_of_province(actual: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """A city's actual as a percentage of the province's (`whole`), to the 6 decimal places
    stored, half to even; None without both, or for a province total of zero.
    `recompute._SHARES_SQL` is the same rule in PostgreSQL's exact numeric arithmetic."""
    if actual is None or not whole:
        return None
    share = _SHARES.divide(_SHARES.quantize(actual, PLACES), whole)
    return _SHARES.quantize(_SHARES.multiply(share, 100), PLACES)


def _city_amounts(spec, figures, populations, cities, periods) -> dict:
    """{(city, quarter): Amount} for every city whose figure counts; absent means missing."""
    known = set(cities)
    years_on_record = _years_on_record(spec, populations)
    amounts = {}
    for figure in figures:
        if figure.prefecture not in known:
            continue
        amount = _city_amount(spec, figure, populations, years_on_record)
        if amount is not None:
            amounts[figure.prefecture, figure.period] = amount
    if spec.kind == CUMULATIVE:
        return _since_start(spec, amounts, periods)
    return amounts


def _city_amount(spec, figure, populations, years_on_record) -> Amount | None:
    if spec.kind == RATIO:
        if spec.per_10k_residents:
            population = _population(populations, years_on_record, figure.prefecture, figure.period)
            if population is None:
                return None
            people, year = population
            if figure.nothing_to_report:
                return Amount(Decimal(0), Decimal(people), year)
            return None if figure.value is None else Amount(figure.value, Decimal(people), year)
        if figure.nothing_to_report:
            return Amount(Decimal(0), Decimal(0))
        if figure.value is None or figure.denominator is None:
            return None
        return Amount(figure.value, figure.denominator)
    if figure.nothing_to_report:
        return Amount(Decimal(0))
    if figure.value is None:
        return None
    if spec.kind == COVERAGE:
        return Amount(Decimal(1 if figure.value > 0 else 0))
    return Amount(figure.value)


def _population(populations, years_on_record, code, quarter) -> tuple[int, int] | None:
    """(population, its year): the figure's year, or else the latest earlier year on record."""
    years = [year for year in years_on_record[code] if year <= quarter.year]
    return (populations[code, max(years)], max(years)) if years else None


def _since_start(spec, year_to_date, periods) -> dict:
    """Running totals: every earlier year's last approved year-to-date value, plus this year's.

    An earlier year (from the plan's start on) with no approved figure at all leaves the
    running total unknown, so the city stays missing until that year is reported.
    """
    if not periods:
        return {}
    start_year = (spec.plan_start or min(periods)).year
    last_of_year = {}
    for (code, quarter), amount in sorted(year_to_date.items(), key=lambda item: item[0][1]):
        last_of_year[code, quarter.year] = (quarter.year, quarter, amount.value)
    totals = {}
    for (code, quarter), amount in year_to_date.items():
        if quarter.year < start_year:
            continue
        earlier = [last_of_year.get((code, year)) for year in range(start_year, quarter.year)]
        if None not in earlier:
            total = amount.value + sum((value for _y, _q, value in earlier), Decimal(0))
            years = (*earlier, (quarter.year, quarter, amount.value))
            totals[code, quarter] = Amount(total, years=years)
    return totals


def _aggregate(spec, amounts: Iterable[Amount]) -> Decimal | None:
    """The province (or one city's) value of the amounts reported: never a mean of ratios."""
    amounts = list(amounts)
    if not amounts:
        return None
    total = sum((amount.value for amount in amounts), Decimal(0))
    if spec.kind != RATIO:
        return total
    denominator = sum((amount.denominator for amount in amounts), Decimal(0))
    return _quantize(total / denominator * spec.ratio_scale) if denominator else None


def city_amount(spec, figure: ApprovedFigure, populations: Mapping) -> Amount | None:
    """One city's figure as the engine counts it (per 10 000 residents: the numerator over
    the population on record, `populations` by (city, year)); None when it cannot count."""
    return _city_amount(spec, figure, populations, _years_on_record(spec, populations))


def _years_on_record(spec, populations) -> dict[str, list[int]]:
    """{city: the years of its populations on record}, for an indicator per 10 000 residents
    (the only kind that reads them: an approval's recompute spent more time here than in its
    arithmetic)."""
    years_on_record = defaultdict(list)
    if spec.per_10k_residents:
        for code, year in populations:
            years_on_record[code].append(year)
    return years_on_record


def rate(spec, amount: Amount) -> Decimal | None:
    """A ratio indicator's rate of one amount: numerator ÷ denominator × the scale
    (10 000 per 10 000 residents, 100 for a percentage); None for a zero denominator."""
    return _aggregate(spec, [amount])


# Assessment --------------------------------------------------------------------------------


def _assess_series(spec, prefecture, points, target, own_baseline, since=None) -> list[Result]:
    """The results of a scope's points (in period order), from the period `since` on if given."""
    baseline = _baseline(spec, points, own_baseline)
    results, trend = [], deque()
    for point in points:
        if point.actual is not None and point.complete:
            trend.append((point.period, _annualised(spec, point.period, point.actual)))
        # The points come in period order, so the quarters too old are the first ones.
        while trend and trend[0][0].quarters_until(point.period) >= TREND_QUARTERS:
            trend.popleft()
        if since is None or point.period >= since:
            applied = spec.in_force(point.period)
            # A city's target is its allocation, which an adjustment leaves as it is.
            scope_target = applied.target_value if prefecture is None else target
            results.append(
                _assess(applied, prefecture, point, scope_target, baseline, tuple(trend))
            )
    return results


def _baseline(spec, points, own_baseline) -> tuple[Quarter, Decimal] | None:
    """The indicator's own baseline, or else the earliest complete actual (annualised flows)
    from the quarter before the plan started on: a later plan starts from where the series
    stood when it began, not from the first figure ever reported."""
    if own_baseline and spec.baseline_value is not None and spec.baseline_period is not None:
        return spec.baseline_period, spec.baseline_value
    first = spec.plan_start.shift(-1) if spec.plan_start else None
    for point in points:
        if point.actual is not None and point.complete and (first is None or point.period >= first):
            return point.period, _annualised(spec, point.period, point.actual)
    return None


def _annualised(spec, quarter: Quarter, value: Decimal) -> Decimal:
    """A flow's year-to-date value scaled to a whole year; other kinds as they are."""
    return value * 4 / quarter.quarter if spec.kind == FLOW else value


def _assess(spec, prefecture, point, target, baseline, trend) -> Result:
    actual, quarter = point.actual, point.period
    target_period = spec.target_period
    has_target = target is not None and target_period is not None
    gap = percent = expected = pace = projection = reaches = growth = None
    category = ""
    if has_target:
        expected = _expected(spec, quarter, target, target_period, baseline)
        if actual is not None:
            gap = gap_to_target(actual, target, spec.direction)
            percent = share_of_target(actual, target, spec.direction)
            pace = _pace_needed(spec, quarter, gap, target_period)
            if spec.kind != MILESTONE:
                projection, reaches = _projection(spec, quarter, target, target_period, trend)
            if spec.kind in GROWTH_KINDS:
                growth, category = _growth(spec, quarter, actual, target, target_period, baseline)
    status = _status(spec, point, target, target_period, expected, projection)
    return Result(
        indicator=spec.code,
        prefecture=prefecture,
        period=quarter,
        actual=_quantize(actual),
        target=_quantize(target) if has_target else None,
        gap=_quantize(gap),
        percent_of_target=_quantize(percent),
        expected=_quantize(expected),
        pace_needed=_quantize(pace),
        projection=_quantize(projection),
        projection_reaches=reaches,
        status=status,
        growth_ratio=_quantize(growth),
        growth_category=category,
        complete=point.complete,
        missing=point.missing,
        uncovered=point.uncovered,
        coverage_ratio=point.coverage_ratio,
        share_of_province=point.share_of_province,
        baseline=baseline,
        trend=trend,
    )


def meets(spec, value: Decimal, target: Decimal) -> bool:
    return meets_target(value, target, spec.direction, spec.strict)


def meets_target(value: Decimal, target: Decimal, direction: str, strict: bool) -> bool:
    """Whether a value meets the target; a strict target (突破) must be passed, not reached."""
    if direction == AT_MOST:
        return value < target if strict else value <= target
    return value > target if strict else value >= target


def gap_to_target(actual: Decimal, target: Decimal, direction: str) -> Decimal:
    """How far the actual is from the target in the target's direction; 0 or less: reached."""
    return actual - target if direction == AT_MOST else target - actual


def share_of_target(actual: Decimal, target: Decimal, direction: str) -> Decimal | None:
    """The actual as a percentage of the target (the target of the actual for "at most")."""
    if direction == AT_MOST:
        return target / actual * 100 if actual else None
    return actual / target * 100 if target else None


@dataclass(frozen=True)
class Segment:
    """The stretch of the expected path a quarter falls on: a straight line from `start`
    (the baseline, or an interim target) to `end` (an interim target, or the target),
    `done` of its `span` quarters in (`done` = `span` from the target's quarter on)."""

    start: Quarter
    start_value: Decimal
    end: Quarter
    end_value: Decimal
    done: int
    span: int
    from_interim: bool
    to_interim: bool


def path_segment(spec, quarter, target, target_period, baseline) -> Segment | None:
    """The segment of the expected path at `quarter`: the path runs from the baseline through
    each interim target after it and before the target period to `target` (for a city, its
    allocation: interim values scaled by allocation ÷ the plan's target). None for a milestone,
    without a baseline, or before the baseline."""
    if spec.kind == MILESTONE or baseline is None:
        return None
    start, value = baseline
    if start.quarters_until(target_period) <= 0 or quarter < start:
        return None
    scale = Decimal(1)
    if spec.target_value and target != spec.target_value:
        scale = target / spec.target_value
    points = [(start, value, False)]
    points += [(q, v * scale, True) for q, v in spec.interim if start < q < target_period]
    points.append((target_period, target, False))
    for (q0, v0, from_interim), (q1, v1, to_interim) in pairwise(points):
        if quarter <= q1 or q1 == target_period:
            span = q0.quarters_until(q1)
            done = min(q0.quarters_until(quarter), span)
            return Segment(q0, v0, q1, v1, done, span, from_interim, to_interim)
    raise AssertionError("the path always ends at the target period")


def _expected(spec, quarter, target, target_period, baseline) -> Decimal | None:
    """Where the expected path (see `path_segment`) stands at this quarter."""
    segment = path_segment(spec, quarter, target, target_period, baseline)
    if segment is None:
        return None
    share = Decimal(segment.done) / segment.span
    line = segment.start_value + (segment.end_value - segment.start_value) * share
    # A flow's target is a year's total: by this quarter only the year-to-date share is due.
    return line * quarter.quarter / 4 if spec.kind == FLOW else line


def _pace_needed(spec, quarter, gap, target_period) -> Decimal | None:
    """Change still needed per remaining quarter (for a flow, per remaining quarter this year)."""
    remaining = quarters_remaining(spec, quarter, target_period)
    return None if remaining is None else max(gap, Decimal(0)) / remaining


def quarters_remaining(spec, quarter: Quarter, target_period: Quarter) -> int | None:
    """The quarters the pace is spread over: to the target date, or for a flow to the year's
    end; None when none remain (or for a milestone, which has no pace)."""
    if spec.kind == MILESTONE or quarter >= target_period:
        return None
    remaining = 4 - quarter.quarter if spec.kind == FLOW else quarter.quarters_until(target_period)
    return remaining if remaining > 0 else None


def _projection(spec, quarter, target, target_period, trend):
    """The least-squares line through recent quarters, at the target period, and when it
    reaches the target; flows are fitted on annualised year-to-date values."""
    if len(trend) < TREND_MIN_POINTS or quarter > target_period:
        return None, None
    xs = [Decimal(quarter.quarters_until(q)) for q, _ in trend]
    ys = [y for _, y in trend]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    level = mean_y - slope * mean_x
    projection = level + slope * quarter.quarters_until(target_period)
    return projection, _reaches(spec, quarter, level, slope, target)


def _reaches(spec, quarter, level, slope, target) -> Quarter | None:
    """The first quarter after this one at which the trend line meets the target."""
    if meets(spec, level, target):
        return None
    heading_right_way = slope < 0 if spec.direction == AT_MOST else slope > 0
    if not heading_right_way:
        return None
    steps = int(((target - level) / slope).to_integral_value(rounding="ROUND_CEILING"))
    steps = max(steps, 1)
    if not meets(spec, level + slope * steps, target):
        steps += 1
    return quarter.shift(steps) if steps <= PROJECTION_HORIZON else None


def _growth(spec, quarter, actual, target, target_period, baseline):
    """Open SDG: observed ÷ required compound annual growth since the baseline."""
    if baseline is None:
        return None, ""
    start, base = baseline
    if start.quarters_until(quarter) < GROWTH_MIN_QUARTERS:
        return None, ""
    if meets(spec, actual, target):
        return None, ACHIEVED
    years_so_far = Decimal(start.quarters_until(quarter)) / 4
    years_to_target = Decimal(start.quarters_until(target_period)) / 4
    if years_to_target <= 0 or target <= 0:
        return None, ""
    base = base if base > 0 else ZERO_BASE
    observed_value = actual if actual > 0 else ZERO_BASE
    # Growth counts in the indicator's direction: for an "at most" target, falling is progress.
    sign = -1 if spec.direction == AT_MOST else 1
    observed = sign * ((observed_value / base) ** (1 / years_so_far) - 1)
    required = sign * ((target / base) ** (1 / years_to_target) - 1)
    if required <= 0:
        return None, ""
    ratio = max(-GROWTH_LIMIT, min(GROWTH_LIMIT, observed / required))
    category = next((name for floor, name in GROWTH_CATEGORIES if ratio >= floor), DETERIORATION)
    return ratio, category


def _status(spec, point, target, target_period, expected, projection) -> str:
    """The status rule, as written on the methodology page."""
    actual = point.actual
    if actual is None:
        return NO_DATA
    has_target = target is not None and target_period is not None
    if not point.complete:
        # A partial sum can only grow as the missing cities report, so an "at least" target it
        # already meets stays met; anything else waits for the missing figures.
        partial_meets = spec.kind in ADDITIVE_KINDS and spec.direction == AT_LEAST
        met = has_target and partial_meets and meets(spec, actual, target)
        return ACHIEVED if met else INCOMPLETE
    if not has_target:
        return NO_TARGET
    if meets(spec, actual, target):
        return ACHIEVED
    if point.period >= target_period:
        return OFF_TRACK
    if spec.kind == MILESTONE:
        return AT_RISK
    if projection is not None and meets(spec, projection, target):
        return ON_TRACK
    if expected is None:
        return NO_DATA
    if spec.direction == AT_MOST:
        if actual <= expected:
            return ON_TRACK
        return AT_RISK if actual <= expected * (1 + AT_RISK_BAND) else OFF_TRACK
    if actual >= expected:
        return ON_TRACK
    return AT_RISK if actual >= expected * (1 - AT_RISK_BAND) else OFF_TRACK


def _quantize(number: Decimal | None) -> Decimal | None:
    return None if number is None else number.quantize(PLACES)
