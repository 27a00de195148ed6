"""The progress engine's arithmetic on plain values, one rule or edge at a time."""

from decimal import Decimal as D

import pytest

from targets import progress
from targets.periods import Quarter as Q
from targets.progress import ApprovedFigure, IndicatorSpec, compute_indicator

TARGET = Q(2022, 4)
PLAN = [Q(2018, 1).shift(step) for step in range(20)]  # 2018Q1 .. 2022Q4


def spec(**fields) -> IndicatorSpec:
    defaults = {"code": "x", "kind": progress.STOCK, "target_value": D(100)}
    defaults["target_period"] = TARGET
    return IndicatorSpec(**{**defaults, **fields})


def figure(city, period, value, denominator=None, nothing=False) -> ApprovedFigure:
    return ApprovedFigure(
        prefecture=city,
        period=Q.parse(period) if isinstance(period, str) else period,
        indicator="x",
        value=None if value is None else D(value),
        denominator=None if denominator is None else D(denominator),
        nothing_to_report=nothing,
    )


def results(indicator, figures, cities=("A", "B"), periods=PLAN, populations=None, shares=None):
    """{(scope, "2020Q4"): Result}, scope None for the province."""
    _, computed = compute_indicator(
        indicator, figures, populations or {}, shares or {}, list(cities), list(periods)
    )
    return {(result.prefecture, str(result.period)): result for result in computed}


def province(indicator, figures, period, **options):
    return results(indicator, figures, **options)[None, period]


def test_a_stock_province_value_is_the_sum_of_the_cities():
    result = province(spec(), [figure("A", "2020Q4", 30), figure("B", "2020Q4", 12)], "2020Q4")
    assert (result.actual, result.complete, result.missing) == (D(42), True, ())
    assert (result.target, result.gap, result.percent_of_target) == (D(100), D(58), D(42))


def test_a_missing_city_is_listed_and_never_counted_as_zero():
    result = province(spec(), [figure("A", "2020Q4", 30)], "2020Q4", cities=("A", "B", "C"))
    assert result.complete is False
    assert result.missing == ("B", "C")
    assert result.status == progress.INCOMPLETE
    city = results(spec(), [figure("A", "2020Q4", 30)])["B", "2020Q4"]
    assert (city.actual, city.complete, city.missing) == (None, False, ("B",))


def test_a_partial_sum_already_past_an_at_least_target_is_achieved():
    result = province(spec(), [figure("A", "2020Q4", 130)], "2020Q4")
    assert (result.complete, result.status) == (False, progress.ACHIEVED)


def test_nothing_to_report_counts_as_reported_zero():
    figures = [figure("A", "2020Q4", 30), figure("B", "2020Q4", None, nothing=True)]
    result = province(spec(), figures, "2020Q4")
    assert (result.actual, result.complete, result.missing) == (D(30), True, ())


@pytest.mark.parametrize(
    "strict, value, status",
    [
        (False, 100, progress.ACHIEVED),
        (True, 100, progress.OFF_TRACK),
        (True, 101, progress.ACHIEVED),
    ],
)
def test_a_strict_target_must_be_passed_not_reached(strict, value, status):
    result = province(spec(strict=strict), [figure("A", "2022Q4", value)], "2022Q4", cities="A")
    assert result.status == status


def test_a_target_already_met_is_achieved_with_a_negative_gap():
    figures = [figure("A", q, 120 + step) for step, q in enumerate(PLAN)]
    result = province(spec(), figures, "2020Q4", cities="A")
    assert result.status == progress.ACHIEVED
    assert result.gap == D(-31)
    assert result.growth_category == progress.ACHIEVED
    assert result.pace_needed == 0


@pytest.mark.parametrize(
    "rank, gap, status",
    [(3, 2, progress.OFF_TRACK), (1, 0, progress.ACHIEVED)],
)
def test_an_at_most_rank_comes_from_the_province_and_lower_is_better(rank, gap, status):
    indicator = spec(kind=progress.RANK, direction=progress.AT_MOST, target_value=D(1))
    figures = [figure(None, "2022Q4", rank), figure("A", "2022Q4", 99)]
    result = province(indicator, figures, "2022Q4", cities="A")
    assert (result.actual, result.gap, result.status) == (D(rank), D(gap), status)
    assert result.percent_of_target == (D(100) / rank).quantize(progress.PLACES)
    assert ("A", "2022Q4") not in results(indicator, figures, cities="A")


def test_an_at_most_indicator_falling_towards_its_target_is_on_track():
    indicator = spec(direction=progress.AT_MOST, target_value=D(10))
    figures = [figure("A", q, 50 - 3 * step) for step, q in enumerate(PLAN)]
    result = province(indicator, figures, "2020Q4", cities="A")
    assert result.gap == D(50 - 3 * 11 - 10)
    assert result.status == progress.ON_TRACK
    assert result.growth_category == progress.SUBSTANTIAL


@pytest.mark.parametrize(
    "done, period, status",
    [
        (1, "2020Q3", progress.ACHIEVED),
        (0, "2020Q3", progress.AT_RISK),
        (0, "2022Q4", progress.OFF_TRACK),
    ],
)
def test_a_milestone_is_one_or_zero_against_one(done, period, status):
    indicator = spec(kind=progress.MILESTONE, target_value=D(1))
    result = province(indicator, [figure(None, period, done)], period, cities=())
    assert (result.actual, result.target, result.status) == (D(done), D(1), status)


def test_a_per_10k_ratio_divides_summed_patents_by_summed_residents():
    indicator = spec(kind=progress.RATIO, per_10k_residents=True, target_value=D(25))
    figures = [figure("A", "2021Q4", 200), figure("B", "2021Q4", 9000)]
    people = {("A", 2021): 1_000_000, ("B", 2020): 10_000_000, ("B", 2022): 1}
    table = results(indicator, figures, populations=people)
    assert table[None, "2021Q4"].actual == D("8.363636")
    assert (table["A", "2021Q4"].actual, table["B", "2021Q4"].actual) == (D(2), D(9))


def test_a_city_without_population_on_record_is_missing_from_a_per_10k_ratio():
    indicator = spec(kind=progress.RATIO, per_10k_residents=True, target_value=D(25))
    figures = [figure("A", "2021Q4", 200), figure("B", "2021Q4", 9000)]
    result = province(indicator, figures, "2021Q4", populations={("A", 2020): 1_000_000})
    assert (result.actual, result.missing) == (D(2), ("B",))


def test_a_percentage_ratio_divides_summed_numerators_by_summed_denominators():
    indicator = spec(kind=progress.RATIO, percent=True, target_value=D(25))
    figures = [figure("A", "2021Q4", 1, 4), figure("B", "2021Q4", 30, 60)]
    # 31 / 64, where the mean of the two cities' rates would be 37.5 %
    assert province(indicator, figures, "2021Q4").actual == D("48.4375")


def test_a_flow_is_year_to_date_and_starts_again_each_january():
    indicator = spec(kind=progress.FLOW, target_value=D(100))
    figures = [
        figure("A", "2019Q3", 60),
        figure("A", "2019Q4", 90),
        figure("A", "2020Q1", 20),
        figure("A", "2020Q2", 45),
    ]
    table = results(indicator, figures, cities="A")
    assert table[None, "2019Q4"].actual == D(90)
    assert table[None, "2020Q1"].actual == D(20)
    assert table[None, "2020Q2"].actual == D(45)


def test_a_flow_projection_annualises_year_to_date_values():
    indicator = spec(kind=progress.FLOW, target_value=D(100))
    year_to_date = [25, 50, 75, 100]  # a steady 100 a year
    figures = [figure("A", q, year_to_date[q.quarter - 1]) for q in PLAN]
    result = province(indicator, figures, "2021Q2", cities="A")
    assert result.projection == D(100)
    assert result.expected == D(50)  # half the year's target is due by June
    assert result.status == progress.ON_TRACK
    assert result.pace_needed == D(25)


def test_a_cumulative_indicator_adds_each_earlier_years_last_approved_value():
    indicator = spec(kind=progress.CUMULATIVE, plan_start=Q(2018, 1))
    figures = [
        figure("A", "2018Q4", 10),
        figure("A", "2019Q3", 7),  # 2019Q4 never approved: Q3 is the year's last word
        figure("A", "2020Q2", 5),
    ]
    table = results(indicator, figures, cities="A")
    assert table[None, "2018Q4"].actual == D(10)
    assert table[None, "2019Q3"].actual == D(17)
    assert table[None, "2020Q2"].actual == D(22)


def test_a_cumulative_total_is_unknown_after_a_year_with_no_approved_figure():
    indicator = spec(kind=progress.CUMULATIVE, plan_start=Q(2018, 1))
    figures = [figure("A", "2018Q4", 10), figure("A", "2020Q2", 5), figure("B", "2020Q2", 1)]
    figures += [figure("B", "2018Q4", 1), figure("B", "2019Q4", 1)]
    result = province(indicator, figures, "2020Q2")
    assert (result.actual, result.missing) == (D(3), ("A",))


def test_a_coverage_gap_names_the_cities_not_covered():
    indicator = spec(kind=progress.COVERAGE, target_value=D(4))
    figures = [figure("A", "2021Q4", 1), figure("B", "2021Q4", 0), figure("C", "2021Q4", 1)]
    result = province(indicator, figures, "2021Q4", cities="ABCD")
    assert (result.actual, result.gap) == (D(2), D(2))
    assert result.uncovered == ("B", "D")
    assert result.missing == ("D",)
    assert result.coverage_ratio == D("0.5")


def test_a_zero_baseline_still_gives_a_growth_ratio():
    indicator = spec(baseline_value=D(0), baseline_period=Q(2018, 4), target_value=D(100))
    figures = [figure("A", q, 5 * step) for step, q in enumerate(PLAN)]
    result = province(indicator, figures, "2020Q4", cities="A")
    assert result.expected == D(50)
    assert result.growth_ratio is not None
    assert result.growth_category == progress.SUBSTANTIAL


def test_growth_needs_a_year_between_baseline_and_quarter():
    figures = [figure("A", q, 10 + step) for step, q in enumerate(PLAN)]
    table = results(spec(), figures, cities="A")
    assert table[None, "2018Q4"].growth_ratio is None
    assert table[None, "2019Q1"].growth_ratio is not None


def test_a_falling_stock_meant_to_rise_shows_deterioration():
    figures = [figure("A", q, 60 - step) for step, q in enumerate(PLAN)]
    result = province(spec(), figures, "2020Q4", cities="A")
    assert result.growth_category == progress.DETERIORATION
    assert result.status == progress.OFF_TRACK
    assert result.projection_reaches is None


def test_the_worked_example_on_the_methodology_page():
    indicator = spec(target_value=D(30000), baseline_value=D(12000), baseline_period=Q(2018, 4))
    figures = [figure("A", Q(2018, 4).shift(step), 11500 + 1000 * step) for step in range(1, 9)]
    result = province(indicator, figures, "2020Q4", cities="A")
    assert result.actual == D(19500)
    assert result.expected == D(21000)
    assert (result.gap, result.percent_of_target) == (D(10500), D(65))
    assert result.pace_needed == D("1312.5")
    assert result.projection == D(27500)
    assert result.projection_reaches == Q(2023, 3)
    assert result.status == progress.AT_RISK


@pytest.mark.parametrize(
    "last_value, status",
    [
        (21000, progress.ON_TRACK),  # on the expected line
        (19000, progress.AT_RISK),  # 9.5 % below it
        (18800, progress.OFF_TRACK),  # 10.5 % below it
    ],
)
def test_the_status_band_around_the_expected_line(last_value, status):
    indicator = spec(target_value=D(30000), baseline_value=D(12000), baseline_period=Q(2018, 4))
    result = province(indicator, [figure("A", "2020Q4", last_value)], "2020Q4", cities="A")
    assert result.status == status


def test_a_projection_that_meets_the_target_is_on_track_even_below_the_line():
    indicator = spec(target_value=D(30000), baseline_value=D(12000), baseline_period=Q(2018, 4))
    figures = [figure("A", Q(2020, 1).shift(step), 6000 + 4000 * step) for step in range(4)]
    result = province(indicator, figures, "2020Q4", cities="A")
    assert result.actual < result.expected * D("0.9")
    assert result.status == progress.ON_TRACK


def test_a_city_with_an_allocation_is_measured_against_its_share():
    figures = [figure("A", "2020Q4", 30), figure("B", "2020Q4", 10)]
    table = results(spec(), figures, shares={"A": D(60)})
    assert (table["A", "2020Q4"].target, table["A", "2020Q4"].gap) == (D(60), D(30))
    assert table["A", "2020Q4"].share_of_province is None
    city_b = table["B", "2020Q4"]
    assert (city_b.target, city_b.gap, city_b.status) == (None, None, progress.NO_TARGET)
    assert city_b.share_of_province == D(25)


def test_the_data_version_follows_the_inputs():
    figures = [figure("A", "2020Q4", 30)]
    version, _ = compute_indicator(spec(), figures, {}, {}, ["A"], PLAN)
    again, _ = compute_indicator(spec(), list(figures), {}, {}, ["A"], list(reversed(PLAN)))
    changed, _ = compute_indicator(spec(), [figure("A", "2020Q4", 31)], {}, {}, ["A"], PLAN)
    assert version == again != changed


def test_every_scope_and_period_gets_one_result():
    _, computed = compute_indicator(spec(), [], {}, {}, ["A", "B"], PLAN)
    assert len(computed) == 3 * len(PLAN)
    assert {result.status for result in computed} == {progress.NO_DATA}
