from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.models import Figure, Indicator, Prefecture, Progress, ReportingPeriod
from targets.recompute import _CopyText, recompute_progress
from tests.factories import approve

pytestmark = pytest.mark.django_db


def stock():
    return Indicator.objects.get(code="key_protected_enterprises")


def period(text):
    year, quarter = text.split("Q")
    return ReportingPeriod.objects.get(year=year, quarter=quarter)


def province_row(indicator, quarter):
    return Progress.objects.get(indicator=indicator, prefecture=None, period=period(quarter))


def every_row():
    return list(Progress.objects.order_by("pk").values())


def approve_everywhere(indicator, quarter, value):
    for prefecture in Prefecture.objects.all():
        approve(indicator, prefecture, period(quarter), value)


def test_it_stores_one_row_per_indicator_scope_and_quarter(plan):
    recompute_progress()
    cities, quarters = Prefecture.objects.count(), ReportingPeriod.objects.count()
    city_reported = Indicator.objects.filter(reported_by=Indicator.ReportedBy.CITIES).count()
    province_only = Indicator.objects.count() - city_reported
    expected = city_reported * (cities + 1) * quarters + province_only * quarters
    assert Progress.objects.count() == expected


def test_it_reads_approved_values_never_the_working_copy(plan):
    approve_everywhere(stock(), "2020Q4", 100)
    unapproved = Figure.objects.filter(submission__prefecture__code="440100").first()
    Figure.objects.filter(pk=unapproved.pk).update(approved_at=None)
    recompute_progress()
    row = province_row(stock(), "2020Q4")
    assert row.actual == Decimal(2000)
    assert (row.complete, row.missing) == (False, ["440100"])


def test_recomputing_the_same_inputs_leaves_the_same_rows(plan):
    approve_everywhere(stock(), "2020Q4", 100)
    recompute_progress()
    before = every_row()
    done = recompute_progress()
    assert done.rewritten == 0
    assert every_row() == before


def test_a_full_recompute_rewrites_the_same_values_without_duplicates(plan):
    approve_everywhere(stock(), "2020Q4", 100)
    recompute_progress()
    before = [{**row, "id": None, "computed_at": None} for row in every_row()]
    recompute_progress(force=True)
    after = [{**row, "id": None, "computed_at": None} for row in every_row()]
    assert sorted(after, key=repr) == sorted(before, key=repr)


def test_a_changed_figure_rewrites_only_its_indicator(plan):
    approve_everywhere(stock(), "2020Q4", 100)
    recompute_progress()
    others = list(Progress.objects.exclude(indicator=stock()).values_list("pk", flat=True))
    Figure.objects.filter(indicator=stock()).update(approved_value=200)
    done = recompute_progress()
    assert done.rewritten == 1
    assert province_row(stock(), "2020Q4").actual == Decimal(4200)
    assert list(Progress.objects.exclude(indicator=stock()).values_list("pk", flat=True)) == others


def test_a_new_city_gets_its_rows_and_makes_older_quarters_incomplete(plan):
    approve_everywhere(stock(), "2020Q4", 100)
    recompute_progress()
    Prefecture.objects.create(code="449900", name_zh="新市", name_en="New", display_order=99)
    recompute_progress([stock().pk])
    periods = ReportingPeriod.objects.count()  # 36: 2018Q1 to 2026Q4
    assert Progress.objects.filter(prefecture__code="449900", indicator=stock()).count() == periods
    assert province_row(stock(), "2020Q4").missing == ["449900"]


def test_it_loads_its_inputs_in_the_same_number_of_queries_whatever_the_data_size(plan):
    def queries_for_an_unchanged_recompute():
        recompute_progress()
        with CaptureQueriesContext(connection) as queries:
            recompute_progress()
        return len(queries)

    small = queries_for_an_unchanged_recompute()
    for quarter in ["2019Q4", "2020Q4", "2021Q4"]:
        for indicator in Indicator.objects.filter(reported_by=Indicator.ReportedBy.CITIES):
            approve_everywhere(indicator, quarter, 5)
    # Among them one each for the plans' targets, their interim targets and their mid-term
    # adjustments.
    assert queries_for_an_unchanged_recompute() == small <= 13


@pytest.mark.django_db(transaction=True)
def test_load_demo_ends_with_stored_progress(plan, settings):
    settings.DEBUG = True
    call_command("load_demo")
    row = province_row(Indicator.objects.get(code="protection_centres"), "2021Q4")
    assert row.actual > 0
    assert row.complete


def test_rows_reach_copy_whole_and_escaped_whatever_size_it_reads_them_in():
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    rows = [
        (n, None, Decimal("1E+2"), Decimal("0.500000"), True, "a\tb\\c\nd\r", stamp)
        for n in range(60)
    ]
    whole = _CopyText(rows).read()
    assert whole.split("\n")[0] == (
        "0\t\\N\t100\t0.500000\tt\ta\\tb\\\\c\\nd\\r\t2026-01-02T03:04:05+00:00"
    )
    assert whole.count("\n") == 60
    for size in [1, 7, 64, 100_000]:
        stream, chunks = _CopyText(rows), []
        while chunk := stream.read(size):
            assert len(chunk) <= size
            chunks.append(chunk)
        assert "".join(chunks) == whole
