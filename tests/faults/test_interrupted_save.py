"""A submission interrupted mid-way by a database error leaves nothing half-saved."""

from decimal import Decimal

import pytest
from django.db import IntegrityError

from targets.models import Figure, FigureRevision, Indicator, Prefecture, ReportingPeriod
from targets.reporting import Entry, save_quarter


def test_a_database_error_halfway_through_a_save_rolls_the_whole_save_back(plan, city_officer):
    guangzhou = Prefecture.objects.get(code="440100")
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    indicators = list(Indicator.objects.reported_by(guangzhou))
    first = {indicator: Entry(Decimal(5)) for indicator in indicators}
    submission, _ = save_quarter(
        prefecture=guangzhou, period=period, user=city_officer, entries=first, seen_version=0
    )
    # The database itself refuses the tenth figure (validation would have caught it first):
    # by then nine figures of this save have been written.
    second = {indicator: Entry(Decimal(6)) for indicator in indicators}
    second[indicators[9]] = Entry(Decimal(-1))
    with pytest.raises(IntegrityError):
        save_quarter(
            prefecture=guangzhou, period=period, user=city_officer, entries=second, seen_version=1
        )
    submission.refresh_from_db()
    assert submission.version == 1
    assert set(Figure.objects.values_list("value", flat=True)) == {Decimal(5)}
    assert FigureRevision.objects.filter(version=2).count() == 0
    assert submission.events.count() == 1
