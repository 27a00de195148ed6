"""A city's share of the province, as publishing an approval rewrites it where it is stored
(on PostgreSQL in the database's own arithmetic), equals `progress.share_of_province`, the
rule a whole recompute applies, to the last stored decimal: ties included."""

from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from targets import progress
from targets.models import Indicator, Plan, Prefecture, Progress, ReportingPeriod
from targets.recompute import _update_shares

pytestmark = pytest.mark.django_db

amount = st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False)


@pytest.fixture
def rows(plan):
    """One stored city row per city of an indicator at one quarter, and the province's."""
    indicator = Indicator.objects.get(code="ip_transaction_value")
    period = ReportingPeriod.objects.order_by("year", "quarter").first()
    cities = list(Prefecture.objects.order_by("display_order")[:3])
    plan = Plan.objects.get(code="2018")
    common = {
        "indicator": indicator,
        "period": period,
        "plan": plan,
        "status": progress.NO_DATA,
        "complete": True,
        "data_version": "test",
        "computed_at": timezone.now(),
    }
    Progress.objects.create(prefecture=None, **common)
    for city in cities:
        Progress.objects.create(prefecture=city, **common)
    return indicator, period, plan, cities


@settings(
    max_examples=200,
    deadline=None,  # each example is a round trip to the database
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(actuals=st.lists(st.one_of(amount, st.none()), min_size=2, max_size=2), rest=amount)
@example(actuals=[Decimal(1), Decimal(3)], rest=Decimal(508))  # 0.1953125 %: half to even
@example(actuals=[Decimal(0), None], rest=Decimal(0))  # no share of nothing
@example(actuals=[Decimal(10**9), None], rest=Decimal("0.000003"))  # 99.999999999… %
@example(actuals=[Decimal(0), Decimal(5)], rest=Decimal(5))  # a share of 0, not none
def test_a_share_rewritten_on_publishing_equals_the_engines_rule(rows, actuals, rest):
    """The province's total is its cities' actuals and more (the cities not rewritten)."""
    total = sum((actual for actual in actuals if actual is not None), rest)
    indicator, period, plan, cities = rows
    kept_city = cities[2]
    for city, actual in zip(cities, actuals, strict=False):
        Progress.objects.filter(prefecture=city).update(actual=actual, share_of_province=None)
    Progress.objects.filter(prefecture=kept_city).update(share_of_province=Decimal(42))

    written = _update_shares(
        plan.pk, {(indicator.pk, period.pk): total}, {(indicator.pk, kept_city.pk)}, timezone.now()
    )

    assert written == 2
    stored = dict(
        Progress.objects.filter(prefecture__isnull=False).values_list(
            "prefecture", "share_of_province"
        )
    )
    for city, actual in zip(cities, actuals, strict=False):
        assert stored[city.pk] == progress.share_of_province(actual, total), (actual, total)
    assert stored[kept_city.pk] == Decimal(42)  # left alone


def test_with_no_city_kept_every_citys_share_is_rewritten(rows):
    indicator, period, plan, cities = rows
    for n, city in enumerate(cities):
        Progress.objects.filter(prefecture=city).update(actual=Decimal(n))

    written = _update_shares(
        plan.pk, {(indicator.pk, period.pk): Decimal(4)}, set(), timezone.now()
    )

    assert written == 3
    shares = Progress.objects.filter(prefecture__isnull=False).order_by("prefecture__display_order")
    assert list(shares.values_list("share_of_province", flat=True)) == [0, 25, 50]
