from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports import summaries
from reports.dashboards import chosen_period
from reports.models import Summary
from reports.progress import progress_records
from reports.summaries import Scope
from reports.tasks import enqueue_summary
from targets import progress
from targets.access import published_figures
from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.periods import Quarter
from targets.plans import plan_in_view


@require_GET
@published_figures
def progress_api(request):
    if not (text := request.GET.get("period", "")):
        return _bad_request(_("Name the quarter, as in ?period=2021Q3."))
    try:
        quarter = Quarter.parse(text[:20])
    except ValueError as error:
        return _bad_request(str(error))
    if not ReportingPeriod.objects.filter(year=quarter.year, quarter=quarter.quarter).exists():
        return _bad_request(_("There is no reporting period %(period)s.") % {"period": quarter})
    indicator = request.GET.get("indicator")
    if indicator and not Indicator.objects.filter(code=indicator).exists():
        return _bad_request(_("There is no indicator “%(code)s”.") % {"code": indicator})
    return JsonResponse(progress_records(quarter, plan_in_view(request), indicator), safe=False)


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


@require_GET
def methodology(request):
    return render(
        request,
        "reports/methodology.html",
        {
            "at_risk_percent": int(progress.AT_RISK_BAND * 100),
            "trend_quarters": progress.TREND_QUARTERS,
            "trend_min_points": progress.TREND_MIN_POINTS,
        },
    )


@require_GET
@published_figures
def province_summary(request):
    return _summary(request, Scope(plan=plan_in_view(request)))


@require_GET
@published_figures
def indicator_summary(request, code):
    indicator = get_object_or_404(Indicator, code=code)
    return _summary(request, Scope(indicator=indicator, plan=plan_in_view(request)))


@require_GET
@published_figures
def prefecture_summary(request, code):
    prefecture = get_object_or_404(Prefecture, code=code)
    return _summary(request, Scope(prefecture=prefecture, plan=plan_in_view(request)))


def _summary(request, scope: Scope):
    """The PDF itself when it is stored or made within a moment; otherwise a page that
    offers it once ready. `?check=1` answers with the state alone, for that page."""
    period = chosen_period(request, plan=scope.plan)
    summary, wanted = summaries.find_or_request(
        scope, period, request.user, retry="retry" in request.GET
    )
    if wanted:
        enqueue_summary(summary)
    if "check" in request.GET:
        summary.refresh_from_db(fields=["state"])
        return JsonResponse({"state": summary.state})
    summaries.wait_for(summary)
    if summary.state == Summary.State.READY:
        summary.refresh_from_db(fields=["pdf"])
        name = _("Progress summary") + f"-{scope.name}-{period.as_quarter}.pdf"
        response = HttpResponse(bytes(summary.pdf), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    context = {"summary": summary, "scope": scope, "period": period}
    failed = summary.state == Summary.State.FAILED
    return render(request, "reports/summary_preparing.html", context, status=500 if failed else 202)
