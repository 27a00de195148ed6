"""报送期管理: open and close quarters, set their due dates, add the quarters to come."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from targets.formatting import join_names
from targets.forms import AddPeriodsForm, PeriodForm
from targets.models import ReportingPeriod
from targets.schedule import add_periods, next_quarter, period_or_404
from targets.views import require_reviewer


def periods(request, add_form=None):
    require_reviewer(request.user)
    rows = [
        (period, PeriodForm(instance=period, prefix=str(period)))
        for period in ReportingPeriod.objects.all()
    ]
    if add_form is None:
        coming = next_quarter()
        add_form = AddPeriodsForm(initial={"first": coming, "last": coming})
    return render(request, "targets/periods.html", {"rows": rows, "add_form": add_form})


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
