"""Which plan a page shows, and the series it tracks with what it sets on each.

Pages show one plan at a time: the one named by `?plan=<code>`, else the one chosen with the
header's switcher (kept in the session), else the plan in force today (the latest to have
started). Figures are reported once, whatever the plan; only targets and results differ.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from ipplan.params import NotOnRecord
from targets.models import Indicator, Plan, Target
from targets.periods import Quarter

SESSION_KEY = "plan"


def plan_in_force(today: date | None = None) -> Plan | None:
    """The latest plan to have started by `today` (default: today), else the first to
    start; None when no plan is on record."""
    today = today or timezone.localdate()
    started = Plan.objects.filter(start_date__lte=today).order_by("-start_date").first()
    return started or Plan.objects.order_by("start_date").first()


def plan_for_quarter(quarter: Quarter) -> Plan | None:
    """The plan whose targets a reporter's sheet for `quarter` shows: the latest to have
    started by the quarter's end, else the first to start."""
    return plan_in_force(quarter.end_date)


def plan_in_view(request) -> Plan | None:
    """The plan this request is about: `?plan=<code>` (NotOnRecord, a 404, when no plan has
    that code), else the session's choice, else the plan in force."""
    if code := request.GET.get("plan"):
        return plan_or_404(code)
    if chosen := request.session.get(SESSION_KEY):
        return Plan.objects.filter(code=chosen).first() or plan_in_force()
    return plan_in_force()


def plan_or_404(code: str) -> Plan:
    if plan := Plan.objects.filter(code=code).first():
        return plan
    codes = ", ".join(Plan.objects.order_by("start_date").values_list("code", flat=True))
    raise NotOnRecord(
        _("There is no plan %(code)s. Plans on record: %(codes)s.") % {"code": code, "codes": codes}
    )


def with_targets(indicators, plan: Plan | None) -> list[Indicator]:
    """These indicators, each carrying what `plan` sets on it as `plan_target` (None where
    the plan does not track it), in one query."""
    indicators = list(indicators)
    targets = {}
    if plan is not None:
        targets = {
            target.indicator_id: target
            for target in Target.objects.filter(
                plan=plan, indicator__in=[i.pk for i in indicators]
            ).select_related("plan")
        }
    for indicator in indicators:
        indicator.plan_target = targets.get(indicator.pk)
    return indicators


def tracked_by(plan: Plan) -> list[Indicator]:
    """The series `plan` tracks, in the plan's order, each carrying its target."""
    targets = Target.objects.filter(plan=plan).select_related("indicator", "plan")
    indicators = []
    for target in targets.order_by("display_order"):
        target.indicator.plan_target = target
        indicators.append(target.indicator)
    return indicators
