"""Traceability: the sources of a stored result (a page, its CSV and Excel export, the JSON
API) and what changed since a moment (a PDF summary's making)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from reports import display
from reports.changes import changes_since
from reports.dashboards import chosen_period
from reports.sources import parse_moment, records, result_record, sources, status_rule
from reports.summaries import Scope
from reports.tables import EXPORT_FORMATS, table_download
from reports.views import _bad_request
from targets import progress
from targets.access import may_read_published, may_read_working_copy
from targets.completeness import NOT_STARTED, state_label
from targets.converters import PROVINCE
from targets.formatting import join_names, join_reasons, months_so_far
from targets.models import Indicator, Plan, Prefecture, Progress, ReportingPeriod
from targets.periods import Quarter
from targets.plans import plan_in_view, with_targets
from targets.recompute import indicator_spec


def _found(indicator, prefecture, period, as_of: str):
    """The sources asked for; ValueError for a moment not understood, Http404 for a scope
    that has no result (a city, for an indicator the province reports itself)."""
    at = parse_moment(as_of) if as_of else None
    try:
        return sources(indicator, prefecture, period, at)
    except KeyError:
        raise Http404 from None


@require_GET
def sources_page(request, code, scope, quarter):
    if not may_read_published(request.user):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator.objects, code=code)
    with_targets([indicator], plan_in_view(request))
    prefecture = None if scope == PROVINCE else get_object_or_404(Prefecture, code=scope)
    period = get_object_or_404(ReportingPeriod, year=quarter.year, quarter=quarter.quarter)
    context = {"indicator": indicator, "prefecture": prefecture, "quarter": quarter}
    try:
        found = _found(indicator, prefecture, period, request.GET.get("as_of", ""))
    except ValueError as error:
        context["error"] = str(error)
        return render(request, "reports/sources.html", context, status=400)
    export = request.GET.get("_export")
    if export in EXPORT_FORMATS:
        return _export(found, export)
    result = found.result
    context |= {
        "found": found,
        "result": result,
        **_shown(found),
        "rows": [
            (row, _history_link(request.user, row), state_label(row.state or NOT_STARTED))
            for row in found.rows
        ],
        "status_label": Progress.Status(result.status).label,
        "status_rule": status_rule(result.status),
        "growth_label": result.growth_category and Progress.Growth(result.growth_category).label,
        "scale": indicator_spec(indicator).ratio_scale,
        "months": months_so_far(quarter),
        "rules_version": progress.RULES_VERSION,
    }
    return render(request, "reports/sources.html", context)


def _shown(found) -> dict:
    """The page's numbers and lists as every page shows them (`reports.display`): the
    headline, projection and trend beside the target, lists joined as the language joins
    them. The calculation itself prints the exact numbers it works with."""
    indicator, result = found.indicator, found.result
    missing = [row.prefecture.name for row in found.rows if row.missing and row.prefecture]
    reading = display.reading(indicator, result, "", missing)
    uncovered = [
        _("%(name)s (missing)") % {"name": row.prefecture.name}
        if row.missing
        else row.prefecture.name
        for row in found.uncovered
        if row.prefecture  # the province's own figure, for an indicator it reports itself
    ]
    return {
        "shown": reading,
        "shown_share": (
            None
            if result.percent_of_target is None
            else display.share_beside(result.percent_of_target)
        ),
        "shown_trend": [
            (quarter, display.amount_beside(value, result.target, indicator))
            for quarter, value in result.trend
        ],
        "shown_growth": display.growth_text(result.growth_ratio),
        "covered_names": join_names(row.prefecture.name for row in found.covered if row.prefecture)
        or "—",
        "uncovered_names": join_names(uncovered) or "—",
        "missing_names": join_names(missing),
    }


def _history_link(user, row) -> bool:
    """Whether this user may follow a row to its figure's revisions (working-copy history)."""
    return row.published is not None and may_read_working_copy(user, row.prefecture)


# (record key, heading, column width in characters in the .xlsx)
COLUMNS = [
    ("scope", gettext_lazy("Code"), 10),
    ("name", gettext_lazy("Prefecture"), 14),
    ("entered", gettext_lazy("Figure as approved"), 16),
    ("value", gettext_lazy("Value used"), 14),
    ("denominator", gettext_lazy("Denominator or population"), 16),
    ("population_year", gettext_lazy("Population year"), 10),
    ("population_source", gettext_lazy("Population source"), 24),
    ("missing", gettext_lazy("Missing"), 20),
    ("state", gettext_lazy("Submission state"), 12),
    ("submitted_by", gettext_lazy("Submitted by"), 14),
    ("submitted_at", gettext_lazy("Submitted at"), 20),
    ("approved_by", gettext_lazy("Approved by"), 14),
    ("approved_at", gettext_lazy("Approved at"), 20),
    ("revisions", gettext_lazy("Revisions"), 10),
    ("note", gettext_lazy("Note"), 30),
    ("evidence", gettext_lazy("Evidence files"), 24),
]


def _export(found, kind: str) -> HttpResponse:
    """The city rows as a CSV or Excel file, in the user's language."""
    rows = []
    for record in records(found):
        # The API gives the state's code; a person reads its name.
        record["state"] = str(state_label(record["state"] or NOT_STARTED))
        # The API gives moments in ISO 8601; a person reads them as the pages print them.
        for moment in ("submitted_at", "approved_at"):
            if record[moment]:
                record[moment] = datetime.fromisoformat(record[moment]).strftime("%Y-%m-%d %H:%M")
        rows.append([_cell(record[key]) for key, _label, _width in COLUMNS])
    indicator, scope = found.indicator, found.prefecture
    reporter = scope.name if scope else _("Province")
    return table_download(
        kind,
        filename=_("sources")
        + f"-{indicator.code}-{scope.code if scope else PROVINCE}-{found.quarter}.{kind}",
        title=_("Sources of %(indicator)s, %(reporter)s, %(quarter)s")
        % {"indicator": indicator.name, "reporter": reporter, "quarter": found.quarter.label},
        note=_("Unit: %(unit)s. Approved figures only.") % {"unit": indicator.unit or "—"},
        sheet=_("Sources") + " " + indicator.name,
        sheet_end=str(found.quarter),
        headers=[str(label) for _key, label, _width in COLUMNS],
        rows=rows,
        widths=[width for _key, _label, width in COLUMNS],
    )


def _cell(value):
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, list):  # the evidence files
        return "\n".join(evidence["name"] for evidence in value)
    return "" if value is None else value


@require_GET
def sources_api(request):
    """/api/progress/sources/?indicator=CODE&period=2022Q4&scope=province|CITY[&as_of=…]"""
    if not may_read_published(request.user):
        raise PermissionDenied
    indicator = Indicator.objects.filter(code=request.GET.get("indicator", ""))
    indicator = indicator.first()
    if indicator is None:
        return _bad_request(
            _("There is no indicator “%(code)s”.") % {"code": request.GET.get("indicator", "")}
        )
    with_targets([indicator], plan_in_view(request))
    try:
        quarter = Quarter.parse(request.GET.get("period", ""))
    except ValueError as error:
        return _bad_request(str(error))
    period = ReportingPeriod.objects.filter(year=quarter.year, quarter=quarter.quarter).first()
    if period is None:
        return _bad_request(_("There is no reporting period %(period)s.") % {"period": quarter})
    scope = request.GET.get("scope", PROVINCE)
    prefecture = None
    if scope != PROVINCE:
        prefecture = Prefecture.objects.filter(code=scope).first()
        if prefecture is None:
            return _bad_request(
                _("The scope must be “province” or a city's six-digit code, not “%(scope)s”.")
                % {"scope": scope}
            )
    try:
        found = _found(indicator, prefecture, period, request.GET.get("as_of", ""))
    except ValueError as error:
        return _bad_request(str(error))
    except Http404:
        return _bad_request(
            _("“%(code)s” is reported by the province only: its scope is “province”.")
            % {"code": indicator.code}
        )
    return JsonResponse(
        {
            "indicator": indicator.code,
            "scope": scope,
            "period": str(quarter),
            "as_of": found.at.isoformat(),
            "rules_version": progress.RULES_VERSION,
            "data_version": found.explanation.version,
            "stored_is_current": found.stored_is_current if found.live else None,
            "result": result_record(found),
            "rows": records(found),
        }
    )


@require_GET
def changes_page(request):
    """?since=<the summary's making>&scope=<its scope key>&quarter=<its quarter>"""
    if not may_read_published(request.user):
        raise PermissionDenied
    period = chosen_period(request)
    context = {"period": period}
    try:
        since = parse_moment(request.GET.get("since", ""))
        scope = _scope(request.GET.get("scope", "province"))
    except ValueError as error:
        context["error"] = str(error)
        return render(request, "reports/changes.html", context, status=400)
    found = changes_since(since, scope, period)
    results = [
        (
            change,
            display.amount_beside(change.before.actual, change.before.target, change.indicator),
            display.amount_beside(change.after.actual, change.after.target, change.indicator),
        )
        for change in found.results
    ]
    figures = [
        (change, join_names(change.changed_by) or "—", join_reasons(change.reasons) or "—")
        for change in found.figures
    ]
    context |= {
        "scope": scope,
        "changes": found,
        "results": results,
        "figures": figures,
        "since_text": since.isoformat(),
    }
    return render(request, "reports/changes.html", context)


def _scope(key: str) -> Scope:
    """A summary's scope from its key (`Scope.key`); ValueError for anything else."""
    kind = key.partition("@")[0].partition(":")[0]
    try:
        if kind in (PROVINCE, "indicator", "prefecture"):
            return Scope.from_key(key)
    except (Indicator.DoesNotExist, Prefecture.DoesNotExist, Plan.DoesNotExist):
        pass
    raise ValueError(_("There is no summary scope “%(key)s”.") % {"key": key})
