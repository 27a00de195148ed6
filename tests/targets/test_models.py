from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from targets.models import (
    Figure,
    Indicator,
    PopulationFigure,
    Progress,
    ReportingPeriod,
    Submission,
)
from tests.factories import (
    FigureFactory,
    IndicatorFactory,
    PeriodFactory,
    PrefectureFactory,
    SubmissionFactory,
)


def rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
def test_a_city_has_one_submission_per_period():
    first = SubmissionFactory()
    rejected(lambda: Submission.objects.create(prefecture=first.prefecture, period=first.period))


@pytest.mark.django_db
def test_the_province_has_one_submission_per_period():
    period = PeriodFactory()
    Submission.objects.create(prefecture=None, period=period)
    rejected(lambda: Submission.objects.create(prefecture=None, period=period))


@pytest.mark.django_db
def test_the_province_and_a_city_may_both_report_a_period():
    city = SubmissionFactory()
    Submission.objects.create(prefecture=None, period=city.period)
    assert Submission.objects.filter(period=city.period).count() == 2


@pytest.mark.django_db
def test_a_submission_has_one_figure_per_indicator():
    figure = FigureFactory()
    rejected(
        lambda: Figure.objects.create(
            submission=figure.submission, indicator=figure.indicator, value=2
        )
    )


@pytest.mark.django_db
def test_values_and_denominators_cannot_be_negative():
    submission = SubmissionFactory()
    rejected(lambda: FigureFactory(submission=submission, value=-1))
    rejected(lambda: FigureFactory(submission=submission, value=1, denominator=-5))


@pytest.mark.django_db
def test_nothing_to_report_carries_no_value():
    rejected(lambda: FigureFactory(value=3, nothing_to_report=True))
    assert FigureFactory(value=None, nothing_to_report=True).value is None


@pytest.mark.django_db
def test_population_cannot_be_negative():
    rejected(
        lambda: PopulationFigure.objects.create(
            prefecture=PrefectureFactory(), year=2020, population=-1, source="x"
        )
    )


@pytest.mark.django_db
def test_a_quarter_is_between_1_and_4():
    rejected(lambda: ReportingPeriod.objects.create(year=2030, quarter=5))
    rejected(lambda: ReportingPeriod.objects.create(year=2030, quarter=0))


@pytest.mark.django_db
def test_codes_are_unique():
    indicator = IndicatorFactory()
    rejected(lambda: IndicatorFactory(code=indicator.code))
    prefecture = PrefectureFactory()
    rejected(lambda: PrefectureFactory(code=prefecture.code))


@pytest.mark.django_db
def test_a_division_code_has_six_digits():
    rejected(lambda: PrefectureFactory(code="4401"))


@pytest.mark.django_db
def test_kinds_are_checked_by_the_database():
    rejected(lambda: IndicatorFactory(kind="average"))


@pytest.mark.django_db
def test_a_ratio_says_what_it_divides_by():
    rejected(lambda: IndicatorFactory(kind=Indicator.Kind.RATIO))
    assert IndicatorFactory(kind=Indicator.Kind.RATIO, per_10k_residents=True).pk


@pytest.mark.django_db
def test_amounts_come_back_as_exact_decimals():
    figure = FigureFactory(value=Decimal("123.456789"))
    figure.refresh_from_db()
    assert figure.value == Decimal("123.456789")
    assert isinstance(figure.value, Decimal)


@pytest.mark.django_db
def test_progress_rows_have_no_index_on_the_plan_alone():
    """A handful of plans share every row: such an index never narrows a read, and SQLite,
    which keeps no statistics, would read a whole plan's rows through it rather than a few
    through the unique indexes (publishing an approval took 1.7 times as long)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Progress._meta.db_table)
    assert [n for n, c in constraints.items() if c["index"] and c["columns"] == ["plan_id"]] == []
    assert {"one_progress_per_city", "one_progress_per_province"} <= set(constraints)
