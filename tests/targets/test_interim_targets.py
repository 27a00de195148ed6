"""The expected path runs from the baseline through each interim target to the target; a
city's path through its share of each interim value. One rule: the sources page explains
the segment the engine used."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from targets.models import InterimTarget, Progress
from targets.periods import Quarter as Q
from targets.recompute import recompute_progress
from tests.factories import IndicatorFactory, PeriodFactory, PrefectureFactory, approve
from tests.targets.test_progress import figure, results, spec

BASELINE = {"baseline_value": D(12000), "baseline_period": Q(2018, 4)}
# A mid-term value of 20000 by the end of 2020, on the way to 30000 by the end of 2022.
WITH_INTERIM = spec(target_value=D(30000), interim=((Q(2020, 4), D(20000)),), **BASELINE)


def expected(indicator, quarter, **options):
    figures = [figure("A", quarter, 1)]
    return results(indicator, figures, cities="A", **options)[None, quarter].expected


def test_the_path_runs_through_the_interim_target():
    assert expected(WITH_INTERIM, "2019Q4") == D(16000)  # half way from 12000 to 20000
    assert expected(WITH_INTERIM, "2020Q4") == D(20000)
    assert expected(WITH_INTERIM, "2021Q4") == D(25000)  # half way from 20000 to 30000
    assert expected(WITH_INTERIM, "2022Q4") == D(30000)


def test_a_city_path_runs_through_its_share_of_the_interim_target():
    # The city starts from its first figure, 1200 at the end of 2018; its allocation is a
    # tenth of the target, and so is its interim value: 2000 by the end of 2020.
    figures = [figure("A", "2018Q4", 1200), figure("A", "2019Q4", 1)]
    city = results(WITH_INTERIM, figures, cities="A", shares={"A": D(3000)})
    assert city["A", "2019Q4"].expected == D(1600)
    assert city["A", "2018Q4"].target == D(3000)


def test_interim_targets_outside_the_baseline_to_target_span_are_not_on_the_path():
    outside = spec(
        target_value=D(30000),
        interim=((Q(2018, 2), D(1)), (Q(2023, 4), D(99999))),
        **BASELINE,
    )
    straight = spec(target_value=D(30000), **BASELINE)
    for quarter in ["2019Q4", "2021Q2", "2022Q4"]:
        assert expected(outside, quarter) == expected(straight, quarter)


@given(
    interim_at=st.integers(1, 15),
    quarter_at=st.integers(0, 19),
    target=st.integers(13000, 90000),
)
def test_an_interim_target_on_the_straight_line_changes_nothing(interim_at, quarter_at, target):
    """Property: an interim value placed on the straight line leaves every expected value as
    it was (to the stored six decimals)."""
    start, end = Q(2018, 4), Q(2022, 4)
    at = start.shift(interim_at)
    on_line = D(12000) + (D(target) - D(12000)) * D(interim_at) / start.quarters_until(end)
    straight = spec(target_value=D(target), **BASELINE)
    through = spec(target_value=D(target), interim=((at, on_line),), **BASELINE)
    quarter = str(Q(2018, 1).shift(quarter_at))
    assert expected(through, quarter) == expected(straight, quarter)


def to_400_in_2030():
    """A stock from 0 at the end of 2029 to 400 by the end of 2030."""
    return IndicatorFactory(
        target_value=400,
        target_year=2030,
        target_quarter=4,
        baseline_value=0,
        baseline_year=2029,
        baseline_quarter=4,
    )


@pytest.mark.django_db(transaction=True)
def test_the_engine_reads_interim_targets_and_a_change_is_published():
    city, period = PrefectureFactory(), PeriodFactory(year=2030, quarter=2)
    PeriodFactory(year=2030, quarter=1)
    indicator = to_400_in_2030()
    approve(indicator, city, period, 150)
    recompute_progress()

    def province_expected():
        return Progress.objects.get(indicator=indicator, prefecture=None, period=period).expected

    assert province_expected() == D(200)  # 2 of 4 quarters from 0 to 400
    interim = InterimTarget.objects.create(
        target=indicator.targets.get(), year=2030, quarter=1, value=50
    )
    # 1 of the 3 quarters from 50 to 400.
    assert province_expected() == (D(50) + D(350) / 3).quantize(D("0.000001"))
    interim.delete()
    assert province_expected() == D(200)


@pytest.mark.django_db(transaction=True)
def test_the_sources_page_explains_the_segment_the_engine_used(client, leadership):
    city, period = PrefectureFactory(), PeriodFactory(year=2030, quarter=2)
    indicator = to_400_in_2030()
    InterimTarget.objects.create(target=indicator.targets.get(), year=2030, quarter=3, value=120)
    approve(indicator, city, period, 150)
    recompute_progress()
    client.force_login(leadership)
    url = reverse("sources", args=[indicator.code, "province", "2030Q2"])
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    # 2 of the 3 quarters from 0 (the baseline, 2029Q4) to 120 (the interim target, 2030Q3).
    assert "0 + (120 − 0) × 2 ÷ 3 = 80" in page
    assert "to the interim target in 2030Q3, 2 of its 3 quarters in" in page
