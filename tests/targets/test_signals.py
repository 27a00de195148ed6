"""Edits of targets, allocations and populations bring stored progress up to date."""

from decimal import Decimal

import pytest
from django.db import transaction

from targets.models import Indicator, PopulationFigure, Progress, TargetAllocation
from tests.factories import IndicatorFactory, PeriodFactory, PrefectureFactory, approve

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def city():
    return PrefectureFactory()


@pytest.fixture
def period():
    return PeriodFactory(year=2030, quarter=1)


def row(indicator, prefecture=None):
    return Progress.objects.get(indicator=indicator, prefecture=prefecture)


def test_a_new_target_is_stored_once_the_edit_commits(city, period):
    indicator = IndicatorFactory(target_value=100, target_year=2030, target_quarter=4)
    approve(indicator, city, period, 40)
    target = indicator.targets.get()
    target.value = 80
    target.save()
    assert (row(indicator).target, row(indicator).gap) == (Decimal(80), Decimal(40))


def test_an_allocation_gives_the_city_its_own_gap_and_removing_it_takes_it_away(city, period):
    indicator = IndicatorFactory(target_value=100, target_year=2030, target_quarter=4)
    approve(indicator, city, period, 40)
    allocation = TargetAllocation.objects.create(
        target=indicator.targets.get(), prefecture=city, value=50
    )
    assert (row(indicator, city).target, row(indicator, city).gap) == (Decimal(50), Decimal(10))
    allocation.delete()
    assert row(indicator, city).target is None


def test_a_population_edit_updates_per_10k_ratios(city, period):
    indicator = IndicatorFactory(
        kind=Indicator.Kind.RATIO, per_10k_residents=True, target_year=2030, target_quarter=4
    )
    approve(indicator, city, period, 300)
    people = PopulationFigure.objects.create(
        prefecture=city, year=2029, population=100_000, source="test"
    )
    assert row(indicator).actual == Decimal(30)
    people.population = 200_000
    people.save()
    assert row(indicator).actual == Decimal(15)
    people.delete()
    assert (row(indicator).actual, row(indicator).missing) == (None, [city.code])


def test_an_edit_rolled_back_changes_nothing(city, period):
    indicator = IndicatorFactory(target_value=100, target_year=2030, target_quarter=4)
    approve(indicator, city, period, 40)
    before = list(Progress.objects.values())
    with pytest.raises(RuntimeError), transaction.atomic():
        target = indicator.targets.get()
        target.value = 10
        target.save()
        raise RuntimeError
    assert list(Progress.objects.values()) == before
