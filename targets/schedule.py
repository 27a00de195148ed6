"""Reporting periods as time passes: the quarters to come, each due by the one rule, and
the period a request names.

Seeding, the 报送期管理 page and any job that opens the next quarter all add periods here.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ipplan.params import NotOnRecord
from targets.formatting import join_sentences
from targets.models import ReportingPeriod
from targets.periods import DAYS_TO_REPORT, Quarter, due_date_for


def next_quarter() -> Quarter | None:
    """The quarter after the last period on record; None when there is none."""
    last = ReportingPeriod.objects.order_by("-year", "-quarter").first()
    return last.as_quarter.shift(1) if last else None


@transaction.atomic
def add_periods(
    *, first: Quarter, last: Quarter, days_to_report: int = DAYS_TO_REPORT
) -> list[ReportingPeriod]:
    """Create every quarter from `first` to `last` (inclusive) that does not exist yet, open,
    due `days_to_report` days after it ends. Existing periods are left as they are.

    Returns the periods created, in order (none when `last` comes before `first`).
    """
    created = []
    for quarter in (first.shift(step) for step in range(first.quarters_until(last) + 1)):
        period, new = ReportingPeriod.objects.get_or_create(
            year=quarter.year,
            quarter=quarter.quarter,
            defaults={"due_date": due_date_for(quarter, days_to_report)},
        )
        if new:
            created.append(period)
    return created


def period_or_404(quarter, periods=None) -> ReportingPeriod:
    """The reporting period of `quarter`, from `periods` (every period, already loaded) or
    the database; NotOnRecord (a 404 naming the quarters there are) when there is none."""
    if periods is None:
        periods = ReportingPeriod.objects.filter(year=quarter.year, quarter=quarter.quarter)
    if found := next((period for period in periods if period.as_quarter == quarter), None):
        return found
    on_record = ReportingPeriod.objects.order_by("year", "quarter")
    first, last = on_record.first(), on_record.last()
    message = _("There is no reporting period %(period)s.") % {"period": quarter.label}
    if first:
        message = join_sentences(
            [
                message,
                _("Quarters on record run from %(first)s to %(last)s.")
                % {"first": first.as_quarter.label, "last": last.as_quarter.label},
            ]
        )
    raise NotOnRecord(message)
