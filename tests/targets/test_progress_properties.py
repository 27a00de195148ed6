"""Properties of the progress engine that hold for any figures, checked with hypothesis."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from targets import progress
from targets.periods import Quarter
from targets.progress import ApprovedFigure, IndicatorSpec, compute_indicator

QUARTER = Quarter(2021, 4)
amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)
cities = st.lists(
    st.from_regex(r"44[0-9]{4}", fullmatch=True), min_size=1, max_size=21, unique=True
)


def province_result(indicator, figures, codes, populations=None):
    _, results = compute_indicator(indicator, figures, populations or {}, {}, codes, [QUARTER])
    return next(result for result in results if result.prefecture is None)


@given(codes=cities, data=st.data())
def test_a_stock_province_value_is_the_sum_of_its_cities(codes, data):
    values = {code: data.draw(amounts) for code in codes}
    figures = [ApprovedFigure(code, QUARTER, "s", value) for code, value in values.items()]
    indicator = IndicatorSpec("s", progress.STOCK, target_value=Decimal(100), target_period=QUARTER)
    result = province_result(indicator, figures, codes)
    assert result.actual == sum(values.values())
    assert result.complete


@given(codes=cities, data=st.data())
def test_a_per_10k_ratio_lies_between_the_smallest_and_largest_city_ratio(codes, data):
    patents = {code: data.draw(amounts) for code in codes}
    people = {(code, 2020): data.draw(st.integers(1, 40_000_000)) for code in codes}
    figures = [ApprovedFigure(code, QUARTER, "r", value) for code, value in patents.items()]
    indicator = IndicatorSpec(
        "r", progress.RATIO, per_10k_residents=True, target_value=Decimal(25), target_period=QUARTER
    )
    result = province_result(indicator, figures, codes, people)
    ratios = [patents[code] / people[code, 2020] * 10000 for code in codes]
    slack = progress.PLACES  # results are rounded to the stored six places
    assert min(ratios) - slack <= result.actual <= max(ratios) + slack


@given(codes=cities, data=st.data())
def test_missing_cities_are_exactly_those_without_a_figure(codes, data):
    reporting = data.draw(st.lists(st.sampled_from(codes), unique=True))
    figures = [ApprovedFigure(code, QUARTER, "s", Decimal(1)) for code in reporting]
    indicator = IndicatorSpec("s", progress.STOCK, target_value=Decimal(100), target_period=QUARTER)
    result = province_result(indicator, figures, codes)
    assert set(result.missing) == set(codes) - set(reporting)
    assert result.complete == (not result.missing)
