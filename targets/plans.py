"""Which plan a page shows, and the series it tracks with what it sets on each.

Pages show one plan at a time: the one named by `?plan=<code>` or chosen with the header's
switcher (either kept in the session, so that the page's links stay on it), else the plan in
force today (the latest to have started). Figures are reported once, whatever the plan;
only targets and results differ.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ipplan.params import NotOnRecord
from targets.formatting import join_names
from targets.models import Indicator, Plan, Target
from targets.periods import Quarter

SESSION_KEY = "plan"


def plan_in_force(today: date | None = None, plans=None) -> Plan | None:
    """The latest plan with targets to have started by `today` (default: today), else the
    first to start; None when no plan is on record. A plan entered but not yet given its
    targets is never the one pages open on. `plans`: `with_target_flags()`, when loaded."""
    today = today or timezone.localdate()
    plans = sorted(with_target_flags() if plans is None else plans, key=lambda p: p.start_date)
    started = [plan for plan in plans if plan.start_date <= today and plan.has_targets]
    if started:
        return started[-1]
    return plans[0] if plans else None


def plan_for_quarter(quarter: Quarter) -> Plan | None:
    """The plan whose targets a reporter's sheet for `quarter` shows: the latest to have
    started by the quarter's end, else the first to start."""
    return plan_in_force(quarter.end_date)


@dataclass(frozen=True)
class PlanChoice:
    """The plan a page shows, and every plan the header's switcher offers."""

    plan: Plan | None
    plans: list[Plan]


def with_target_flags() -> list[Plan]:
    """Every plan, by start date, each with `has_targets`, in one query: written out, as
    every page asks it and the ORM took three times as long to build it as the database to
    answer it (0.76 against 0.24 ms on PostgreSQL)."""
    plans, targets = (connection.ops.quote_name(m._meta.db_table) for m in (Plan, Target))
    return list(
        Plan.objects.raw(
            f"SELECT plan.*, EXISTS (SELECT 1 FROM {targets} WHERE plan_id = plan.id)"
            f" AS has_targets FROM {plans} AS plan ORDER BY start_date, id"
        )
    )


def plan_choice(request) -> PlanChoice:
    """The plan this request is about: `?plan=<code>` (NotOnRecord, a 404, when no plan has
    that code), else the session's choice, else the plan in force; in one query."""
    plans = with_target_flags()
    by_code = {plan.code: plan for plan in plans}
    if code := request.GET.get("plan"):
        if code not in by_code:
            raise no_such_plan(code, by_code)
        # Kept, as the switcher's choice is: the page's links (its sources, its PDF, the
        # overview) carry no plan, and must not lead to another plan's figures.
        if request.session.get(SESSION_KEY) != code:
            request.session[SESSION_KEY] = code
        return PlanChoice(by_code[code], plans)
    chosen = by_code.get(request.session.get(SESSION_KEY, ""))
    return PlanChoice(chosen or plan_in_force(plans=plans), plans)


def plan_in_view(request) -> Plan | None:
    """The plan this request is about (see `plan_choice`)."""
    return plan_choice(request).plan


def plan_or_404(code: str) -> Plan:
    """The plan with this code; NotOnRecord (a 404 naming the plans there are) otherwise."""
    if plan := Plan.objects.filter(code=code).first():
        return plan
    raise no_such_plan(code, Plan.objects.order_by("start_date").values_list("code", flat=True))


def no_such_plan(code: str, codes) -> NotOnRecord:
    """The 404 for a plan code not on record, naming the `codes` there are."""
    return NotOnRecord(
        _("There is no plan %(code)s. Plans on record: %(codes)s.")
        % {"code": code[:40], "codes": join_names(codes)}
    )


def with_targets(indicators, plan: Plan | None) -> list[Indicator]:
    """These indicators, each carrying what `plan` sets on it as `plan_target` (None where
    the plan does not track it), in one query."""
    indicators = list(indicators)
    targets = {target.indicator_id: target for target in _targets_of(plan)}
    for indicator in indicators:
        indicator.plan_target = targets.get(indicator.pk)
    return indicators


def _targets_of(plan: Plan | None, *related) -> list[Target]:
    """Every target of `plan` (a few dozen at most: read whole, not by series), unordered,
    as the default order joins the plan to sort by its start; the plan is known, so neither
    joined nor made again for each target. `related`: as select_related's."""
    if plan is None:
        return []
    targets = list(Target.objects.filter(plan=plan).select_related(*related).order_by())
    for target in targets:
        target.plan = plan
    return targets


def tracked_by(plan: Plan | None) -> list[Indicator]:
    """The series `plan` tracks, in the plan's order, each carrying its target (one
    query)."""
    targets = sorted(_targets_of(plan, "indicator"), key=lambda target: target.display_order)
    for target in targets:
        target.indicator.plan_target = target
    return [target.indicator for target in targets]
