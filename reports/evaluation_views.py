"""The final evaluation page of a concluded plan, its downloads, and its freezing."""

from django.contrib import messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ipplan.params import NotOnRecord, one_of
from reports import evaluation
from reports.tables import EXPORT_FORMATS, evaluation_export
from targets.access import is_reviewer, published_figures
from targets.models import Plan
from targets.plans import plan_or_404
from targets.views import require_reviewer


def concluded_or_404(code: str) -> Plan:
    """The plan with this code, once its target date has passed; NotOnRecord (a 404 that
    says why) for no such plan or one still running."""
    plan = plan_or_404(code)
    if not plan.concluded:
        raise NotOnRecord(
            _(
                "%(plan)s runs until %(date)s: its final evaluation is made once that date has "
                "passed. Until then the overview shows where each target stands."
            )
            % {"plan": plan.title, "date": plan.target_date.isoformat()}
        )
    return plan


@require_GET
@published_figures
def final_evaluation(request, code):
    plan = concluded_or_404(code)
    export = one_of(request, "_export", EXPORT_FORMATS)
    result = evaluation.evaluation(plan)
    if export:
        return evaluation_export(result, export)
    context = {
        "plan": plan,
        "evaluation": result,
        "may_conclude": result.provisional and is_reviewer(request.user),
    }
    return render(request, "reports/final_evaluation.html", context)


@require_POST
def conclude_plan(request, code):
    require_reviewer(request.user)
    plan = concluded_or_404(code)
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("Nothing was frozen: tick the box to confirm that the results are final first."),
        )
        return redirect("final_evaluation", code=plan.code)
    try:
        frozen = evaluation.conclude(plan, request.user)
    except evaluation.AlreadyFrozen:
        messages.info(request, _("This final evaluation was frozen before: nothing changed."))
    except evaluation.RecomputePending:
        messages.error(
            request,
            _("Results are being recomputed after a change of figures: try again in a minute."),
        )
    else:
        LogEntry.objects.log_actions(request.user.pk, [frozen], ADDITION, single_object=True)
        messages.success(request, _("The final evaluation is frozen."))
    return redirect("final_evaluation", code=plan.code)
