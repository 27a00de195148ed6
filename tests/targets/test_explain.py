"""The engine's explanation of one result: each city's part, from the same functions."""

from decimal import Decimal

import pytest

from targets import progress
from targets.periods import Quarter
from targets.progress import Amount, ApprovedFigure, IndicatorSpec, explain

Q = Quarter
PERIODS = [Q(2021, 3), Q(2021, 4), Q(2022, 1), Q(2022, 2)]
CITIES = ["440100", "440300", "440200"]


def spec(kind, **extra):
    return IndicatorSpec("x", kind, target_value=Decimal(100), target_period=Q(2022, 4), **extra)


def figures(*rows):
    return [ApprovedFigure(city, quarter, "x", *rest) for city, quarter, *rest in rows]


def test_a_stock_lists_each_city_and_the_one_missing():
    given = figures(("440100", Q(2022, 2), Decimal(30)), ("440300", Q(2022, 2), Decimal(12)))
    explained = explain(spec(progress.STOCK), given, {}, {}, CITIES, PERIODS, Q(2022, 2))
    assert explained.contributions == {
        "440100": Amount(Decimal(30)),
        "440300": Amount(Decimal(12)),
        "440200": None,
    }
    assert explained.result.actual == 42
    assert explained.result.missing == ("440200",)
    assert set(explained.figures) == {"440100", "440300"}


def test_a_cumulative_total_names_the_quarter_that_stands_for_each_year():
    given = figures(
        ("440100", Q(2021, 3), Decimal(5)),
        ("440100", Q(2021, 4), Decimal(8)),
        ("440100", Q(2022, 1), Decimal(2)),
    )
    indicator = spec(progress.CUMULATIVE, plan_start=Q(2021, 1))
    explained = explain(indicator, given, {}, {}, ["440100"], PERIODS, Q(2022, 1))
    amount = explained.contributions["440100"]
    assert amount.value == 10
    assert amount.years == ((2021, Q(2021, 4), Decimal(8)), (2022, Q(2022, 1), Decimal(2)))
    assert explained.result.actual == 10


def test_per_10k_residents_names_the_population_year_used():
    given = figures(("440100", Q(2022, 2), Decimal(200)))
    people = {("440100", 2020): 1_000_000, ("440100", 2021): 1_100_000}
    indicator = spec(progress.RATIO, per_10k_residents=True)
    explained = explain(indicator, given, people, {}, ["440100"], PERIODS, Q(2022, 2))
    assert explained.contributions["440100"] == Amount(Decimal(200), Decimal(1_100_000), 2021)
    assert explained.result.actual == Decimal("1.818182")


def test_a_city_scope_explains_that_city_alone():
    given = figures(("440100", Q(2022, 2), Decimal(3)), ("440300", Q(2022, 2), Decimal(4)))
    explained = explain(
        spec(progress.STOCK),
        given,
        {},
        {"440300": Decimal(10)},
        CITIES,
        PERIODS,
        Q(2022, 2),
        "440300",
    )
    assert explained.contributions == {"440300": Amount(Decimal(4))}
    assert explained.result.prefecture == "440300"
    assert explained.result.gap == 6


def test_a_province_figure_is_its_own_contribution():
    given = [ApprovedFigure(None, Q(2022, 2), "x", Decimal(1))]
    explained = explain(spec(progress.MILESTONE), given, {}, {}, CITIES, PERIODS, Q(2022, 2))
    assert explained.contributions == {None: Amount(Decimal(1))}
    assert explained.result.actual == 1


def test_the_version_is_the_one_stored_results_carry():
    given = figures(("440100", Q(2022, 2), Decimal(3)))
    version, _ = progress.compute_indicator(spec(progress.STOCK), given, {}, {}, CITIES, PERIODS)
    explained = explain(spec(progress.STOCK), given, {}, {}, CITIES, PERIODS, Q(2022, 2))
    assert explained.version == version


def test_a_quarter_outside_the_periods_is_a_key_error():
    with pytest.raises(KeyError):
        explain(spec(progress.STOCK), [], {}, {}, CITIES, PERIODS, Q(2030, 1))


def test_results_carry_the_baseline_and_trend_behind_expected_and_projection():
    given = figures(*[("440100", q, Decimal(10 * i + 10)) for i, q in enumerate(PERIODS)])
    _, results = progress.compute_indicator(
        spec(progress.STOCK), given, {}, {}, ["440100"], PERIODS
    )
    last = next(r for r in results if r.prefecture is None and r.period == Q(2022, 2))
    assert last.baseline == (Q(2021, 3), Decimal(10))
    assert [q for q, _ in last.trend] == PERIODS
    assert last.projection is not None
