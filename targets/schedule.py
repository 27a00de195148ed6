"""Reporting periods as time passes: the quarters to come, each due by the one rule, and
the period a request names.

Seeding, the 报送期管理 page and the daily job (`targets.tasks.add_reporting_periods`) all
add periods here. The rule is the one provincial staff set (`ReportingRule`); changing it
changes the due dates of the periods created afterwards, never those on record.
"""

from datetime import date

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from ipplan.params import NotOnRecord
from targets.formatting import join_sentences
from targets.models import Plan, ReportingPeriod, ReportingRule
from targets.periods import DAYS_TO_REPORT, Quarter, due_date_for


def reporting_rule() -> ReportingRule:
    """The due-date rule on record (the migration creates it with 15 days; made again with
    them should the row be gone)."""
    rule, _new = ReportingRule.objects.get_or_create(
        pk=1, defaults={"days_to_report": DAYS_TO_REPORT}
    )
    return rule


def next_quarter() -> Quarter | None:
    """The quarter after the last period on record; None when there is none."""
    last = ReportingPeriod.objects.order_by("-year", "-quarter").first()
    return last.as_quarter.shift(1) if last else None


@transaction.atomic
def add_periods(
    *, first: Quarter, last: Quarter, days_to_report: int | None = None
) -> list[ReportingPeriod]:
    """Create every quarter from `first` to `last` (inclusive) that does not exist yet, open,
    due `days_to_report` days after it ends (by default the stored rule's days). Existing
    periods are left as they are.

    Returns the periods created, in order (none when `last` comes before `first`).
    """
    if days_to_report is None:
        days_to_report = reporting_rule().days_to_report
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


@transaction.atomic
def add_periods_up_to_today(today: date | None = None) -> list[ReportingPeriod]:
    """Create every missing quarter from the first on record (or the earliest plan's start,
    if that comes first) up to the quarter containing `today` (by default the site's today)
    and on to the last plan's target quarter, due by the stored rule. Nothing without a plan
    or a period to start from. Returns the periods created, in order.

    The current quarter, and any quarter whose due date is still to come, is created open:
    cities report it as it ends, and are reminded before it is due. A quarter whose due date
    had passed when it was created (the quarters the site did not know of: after an upgrade,
    a first seeding or a job that did not run) is created closed and without a due date.
    Nobody was asked to report it by then, so nobody can be late with it: with the rule's
    date, every city would be late with every such quarter at once, on 报送完整性, on the home
    pages and in the PDF summaries, and the moment one was opened every officer would get a
    late notice for it. Closed, it asks nothing of anyone (reminders and to-do lists read
    open quarters with a due date only); provincial staff who want its figures open it on
    报送期管理 with the due date they announce, and an import may fill it meanwhile.
    """
    today = today or timezone.localdate()
    on_record = {
        Quarter(year, q) for year, q in ReportingPeriod.objects.values_list("year", "quarter")
    }
    plans = Plan.objects.aggregate(start=Min("start_date"), end=Max("target_date"))
    starts = [*on_record, *([Quarter.containing(plans["start"])] if plans["start"] else [])]
    if not starts:
        return []
    first = min(starts)
    last = Quarter.containing(today)
    if plans["end"]:
        last = max(last, Quarter.containing(plans["end"]))
    days = reporting_rule().days_to_report
    created = []
    for quarter in (first.shift(step) for step in range(first.quarters_until(last) + 1)):
        if quarter in on_record:
            continue
        due = due_date_for(quarter, days)
        still_due = due >= today
        period, new = ReportingPeriod.objects.get_or_create(
            year=quarter.year,
            quarter=quarter.quarter,
            defaults={"due_date": due if still_due else None, "is_open": still_due},
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
