"""报送期管理: open and close quarters, set their due dates and the rule of those to come,
add the quarters to come."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from targets.formatting import join_names
from targets.forms import AddPeriodsForm, PeriodForm, RuleForm
from targets.models import ReportingPeriod
from targets.schedule import add_periods, next_quarter, period_or_404, reporting_rule
from targets.views import require_reviewer


def periods(request, add_form=None, rule_form=None):
    require_reviewer(request.user)
    rows = [
        (period, PeriodForm(instance=period, prefix=str(period)))
        for period in ReportingPeriod.objects.all()
    ]
    rule = reporting_rule()
    if add_form is None:
        coming = next_quarter()
        add_form = AddPeriodsForm(
            initial={"first": coming, "last": coming, "days_to_report": rule.days_to_report}
        )
    context = {
        "rows": rows,
        "add_form": add_form,
        "rule": rule,
        "rule_form": rule_form or RuleForm(instance=rule, prefix="rule"),
    }
    return render(request, "targets/periods.html", context)


@require_POST
def rule_update(request):
    """The due-date rule of the quarters created from now on; those on record keep theirs."""
    require_reviewer(request.user)
    rule = reporting_rule()
    form = RuleForm(request.POST, instance=rule, prefix="rule")
    if not form.is_valid():
        return periods(request, rule_form=form)
    if form.changed_data:
        rule = form.save(commit=False)
        rule.changed_by, rule.changed_at = request.user, timezone.now()
        rule.save()
        LogEntry.objects.log_actions(
            request.user.pk,
            [rule],
            CHANGE,
            change_message=[{"changed": {"fields": form.changed_data}}],
            single_object=True,
        )
    messages.success(
        request,
        _(
            "Quarters created from now on are due %(days)s days after they end; the due dates "
            "of the quarters on record are unchanged."
        )
        % {"days": rule.days_to_report},
    )
    return redirect("periods")


@require_POST
def periods_add(request):
    require_reviewer(request.user)
    form = AddPeriodsForm(request.POST)
    if not form.is_valid():
        return periods(request, add_form=form)
    created = add_periods(
        first=form.cleaned_data["first"],
        last=form.cleaned_data["last"],
        days_to_report=form.cleaned_data["days_to_report"],
    )
    if created:
        LogEntry.objects.log_actions(request.user.pk, created, ADDITION)
        messages.success(
            request,
            _("Added %(quarters)s.")
            % {"quarters": join_names(period.as_quarter.label for period in created)},
        )
    else:
        messages.info(request, _("Every one of these quarters exists already: nothing added."))
    return redirect("periods")


@require_POST
def period_update(request, quarter):
    require_reviewer(request.user)
    form = PeriodForm(request.POST, instance=period_or_404(quarter), prefix=str(quarter))
    if form.is_valid():
        period = form.save()
        if form.changed_data:
            LogEntry.objects.log_actions(
                request.user.pk,
                [period],
                CHANGE,
                change_message=[{"changed": {"fields": form.changed_data}}],
                single_object=True,
            )
        messages.success(request, _("%(quarter)s updated.") % {"quarter": quarter.label})
    else:
        messages.error(
            request,
            _("%(quarter)s was not changed: check the due date.") % {"quarter": quarter.label},
        )
    return redirect("periods")
