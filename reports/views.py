from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reports.progress import progress_records
from targets import progress
from targets.models import Indicator, ReportingPeriod
from targets.periods import Quarter


@require_GET
def progress_api(request):
    try:
        quarter = Quarter.parse(request.GET.get("period", ""))
    except ValueError as error:
        return _bad_request(str(error))
    if not ReportingPeriod.objects.filter(year=quarter.year, quarter=quarter.quarter).exists():
        return _bad_request(_("There is no reporting period %(period)s.") % {"period": quarter})
    indicator = request.GET.get("indicator")
    if indicator and not Indicator.objects.filter(code=indicator).exists():
        return _bad_request(_("There is no indicator “%(code)s”.") % {"code": indicator})
    return JsonResponse(progress_records(quarter, indicator), safe=False)


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
