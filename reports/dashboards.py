"""The dashboards: overview, one page per indicator, per prefecture, and the map.

Every page reads stored progress rows (never recomputes) in a fixed number of queries.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from decimal import Decimal

import django_tables2 as tables
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from ipplan.params import BadParameter, NotOnRecord, one_of, whole_number
from reminders.notices import waiting_for
from reports import charts, display
from reports.sources import link_points
from reports.tables import EXPORT_FORMATS, MatrixTable, PrefectureFilter, matrix_export
from targets.access import published_figures
from targets.models import Indicator, Prefecture, Progress, ReportingPeriod, TargetAllocation
from targets.periods import Quarter
from targets.plans import plan_choice, tracked_by
from targets.schedule import period_or_404
from targets.templatetags.indicators import judged_target

Status = Progress.Status
STATUS_ORDER = [
    Status.OFF_TRACK,
    Status.AT_RISK,
    Status.INCOMPLETE,
    Status.ON_TRACK,
    Status.ACHIEVED,
    Status.NO_TARGET,
    Status.NO_DATA,
]
# The trends, the heat map and the table under it show the five years (the plan's whole span)
# up to the chosen quarter, and the table a page of cities: a page stays readable and light
# however many cities and quarters there are. The downloads hold every city and quarter.
SHOWN_QUARTERS = 20
CITIES_PER_PAGE = 30
CODE_MARKER = "indicator-code"  # a slug no URL of the site holds otherwise


def landing(request):
    """Provincial staff and leadership land on the overview, city officers on their city."""
    user = request.user
    if user.role == Role.CITY and user.prefecture:
        return redirect("prefecture_dashboard", code=user.prefecture.code)
    if user.role in (Role.PROVINCIAL, Role.LEADERSHIP) or user.is_superuser:
        return redirect("overview")
    return redirect("plan")


def chosen_period(request, periods=None, plan=None) -> ReportingPeriod | None:
    """The quarter asked for, or the latest one with approved data (by `plan`'s target date,
    see `default_period`). `periods`: every reporting period, when the page has loaded them
    already (the quarter asked for is picked from them rather than read again). BadParameter
    for a value that is no quarter, NotOnRecord for a quarter that is not a reporting
    period."""
    if text := request.GET.get("quarter"):
        try:
            quarter = Quarter.parse(text[:20])
        except ValueError as problem:
            raise BadParameter(str(problem)) from None
        return period_or_404(quarter, periods)
    return default_period(plan)


def default_period(plan=None) -> ReportingPeriod | None:
    """The quarter the pages show when none is asked for; for `plan`, none after its target
    date: a concluded plan opens where its final evaluation judges it, not on later figures
    that its targets no longer judge."""
    # The latest quarter with approved data for every city; a quarter still coming in would
    # show the province short of what it has.
    newest_first = ReportingPeriod.objects.order_by("-year", "-quarter")
    if plan is not None:
        end = Quarter.containing(plan.target_date)
        newest_first = newest_first.filter(
            Q(year__lt=end.year) | Q(year=end.year, quarter__lte=end.quarter)
        )
    with_data = {"progress__prefecture": None, "progress__actual__isnull": False}
    complete = {"progress__complete": True, "progress__indicator__reported_by": "cities"}
    return (
        newest_first.filter(**with_data, **complete).first()
        or newest_first.filter(**with_data).first()
        or newest_first.first()
    )


def periods_until(period, periods):
    """The quarters up to and including `period`, from a list already loaded."""
    return [p for p in periods if p.as_quarter <= period.as_quarter]


def every_indicator():
    """A condition on the indicator that always holds, for a read of one quarter's progress
    rows: with it the read names every column of the partial unique index it can use, (indicator,
    period) for the province, (indicator, prefecture, period) for a city. SQLite keeps no
    statistics unless ANALYZE is run, and without it it reads the quarter's rows of every city
    (thousands) through the period index to keep the few it wants."""
    return Indicator.objects.order_by().values("pk")


@dataclass(slots=True)
class ShownRow:
    """What a dashboard shows of a progress row, read as values rather than as a model: the
    row's model instance (25 fields, each decimal through a converter on SQLite) cost the
    prefecture page as much again as the query that reads it."""

    indicator_id: int
    prefecture_id: int | None
    actual: Decimal | None
    target: Decimal | None
    percent_of_target: Decimal | None
    pace_needed: Decimal | None
    projection: Decimal | None
    status: str
    share_of_province: Decimal | None
    complete: bool
    missing: list[str]
    indicator: Indicator


SHOWN_FIELDS = [field.name for field in fields(ShownRow) if field.name != "indicator"]


def in_plan_order(rows, plan) -> list[ShownRow]:
    """These progress rows of `plan` (a queryset) as ShownRows in the plan's order, each with
    its series carrying its target, in two queries: the plan's targets with their series,
    then the rows' values (a series is made once, not once per row). Sorted here: ordering
    them in SQL by the joined target took the ORM and the database longer than sorting a few
    dozen rows."""
    tracked = {indicator.pk: indicator for indicator in tracked_by(plan)}
    shown = [
        ShownRow(*values, tracked[values[0]])
        for values in rows.order_by().values_list(*SHOWN_FIELDS)
        if values[0] in tracked
    ]
    return sorted(shown, key=lambda row: row.indicator.plan_target.display_order)


def links_by_code(name, codes, *args) -> dict[str, str]:
    """{indicator code: reverse(name, args=[code, *args])}, reversed once for every code: a
    code is a slug, which a URL carries as it is, so each one's URL is the same with its code
    put in. reverse() takes 20 to 40 µs, and the dashboards link each row twice or three
    times."""
    head, _marker, tail = reverse(name, args=[CODE_MARKER, *args]).rpartition(CODE_MARKER)
    return {code: f"{head}{code}{tail}" for code in codes}


def city_names(rows) -> dict[str, str]:
    """{prefecture code: its name in the active language} for the cities missing from these
    progress rows (None is skipped): one query, none when no city is missing."""
    codes = {code for row in rows if row for code in row.missing}
    if not codes:
        return {}
    return {
        prefecture.code: prefecture.name for prefecture in Prefecture.objects.filter(code__in=codes)
    }


@published_figures
def overview(request):
    periods = list(ReportingPeriod.objects.all())
    choice = plan_choice(request)
    plan = choice.plan
    period = chosen_period(request, periods, plan)
    rows = in_plan_order(
        Progress.objects.filter(
            period=period, prefecture=None, indicator__in=every_indicator(), plan=plan
        ),
        plan,
    )
    trends = defaultdict(list)
    first = period.as_quarter.shift(1 - SHOWN_QUARTERS)
    trend_periods = [p for p in periods_until(period, periods) if p.as_quarter >= first]
    history = Progress.objects.filter(
        prefecture=None, period__in=trend_periods, indicator__in=every_indicator(), plan=plan
    )
    for indicator_id, actual, complete in history.order_by(
        "period__year", "period__quarter"
    ).values_list("indicator_id", "actual", "complete"):
        trends[indicator_id].append((actual, complete))
    names = city_names(rows)
    counts = Counter(row.status for row in rows)
    status, kind = request.GET.get("status"), request.GET.get("kind")
    shown = [
        row
        for row in rows
        if (not status or row.status == status) and (not kind or row.indicator.kind == kind)
    ]
    if request.GET.get("sort") == "status":
        shown.sort(key=lambda row: STATUS_ORDER.index(row.status))
    elif request.GET.get("sort") == "percent":
        shown.sort(key=lambda row: row.percent_of_target is None or row.percent_of_target)
    codes = [row.indicator.code for row in shown]
    pages = links_by_code("indicator_dashboard", codes)
    sources = links_by_code("sources", codes, "province", period.as_quarter)
    context = {
        "plan_choice": choice,
        "plan": plan,
        "period": period,
        "periods": periods,
        "rows": [
            (
                row,
                province_reading(row.indicator, row, names),
                trends[row.indicator_id],
                f"{pages[row.indicator.code]}?quarter={period.as_quarter}",
                sources[row.indicator.code],
            )
            for row in shown
        ],
        "counts": [(s, Status(s).label, counts.get(s, 0)) for s in STATUS_ORDER],
        "kinds": Indicator.Kind.choices,
        "statuses": Status.choices,
        "waiting": waiting_for(request.user, timezone.localdate(), periods),
        "summary_url": reverse("province_summary"),
    }
    return render(request, "reports/overview.html", context)


def province_reading(indicator, row, names) -> display.Reading:
    """How the province's result for an indicator (a Progress row, or None) reads, against
    the plan's target; `names`: `city_names()` of it, to name the cities missing."""
    missing = [names.get(code, code) for code in row.missing] if row else []
    return display.reading(indicator, row, judged_target(indicator, row), missing)


@dataclass
class Matrix:
    """The page's table of cities down and quarters across."""

    periods: list
    rows: list  # (prefecture, [(value as text, its sources page) or None, by period])
    page: Page


def _city_values(indicator, prefectures, periods) -> dict:
    """{(prefecture id, period id): actual} of the plan in view (`indicator.plan_target`'s),
    in one query."""
    rows = Progress.objects.filter(
        indicator=indicator,
        prefecture__in=[p.pk for p in prefectures],
        period__in=periods,
        plan=indicator.plan_target.plan_id,
    )
    return {
        (prefecture, period): actual
        for prefecture, period, actual in rows.values_list("prefecture_id", "period_id", "actual")
    }


def _export(request, indicator, prefectures, periods, period, export):
    """Every city (as filtered) and every quarter up to the chosen one, as a download."""
    values = _city_values(indicator, prefectures, periods)
    data = [
        {"prefecture": prefecture.name}
        | {
            str(p.as_quarter): display.cell(value, indicator)
            for p in periods
            for value in [values.get((prefecture.pk, p.pk))]
        }
        for prefecture in prefectures
    ]
    columns = [(str(p.as_quarter), tables.Column(verbose_name=str(p.as_quarter))) for p in periods]
    table = MatrixTable(data, extra_columns=columns)
    tables.RequestConfig(request, paginate=False).configure(table)
    return matrix_export(table, export, indicator=indicator, period=period)


def _cell(indicator, prefecture, period, value):
    if value is None:
        return None
    return str(display.cell(value, indicator)), _sources_url(indicator, prefecture, period)


@published_figures
def indicator_dashboard(request, code):
    choice = plan_choice(request)
    plan = choice.plan
    indicator = get_object_or_404(Indicator, code=code)
    # Every plan's target on the series: the one in view is read against, the others drawn.
    targets = {t.plan_id: t for t in indicator.targets.select_related("plan")}
    indicator.plan_target = targets.get(plan.pk)
    if indicator.plan_target is None:
        raise NotOnRecord(
            _("%(plan)s does not track %(indicator)s.")
            % {"plan": plan.title, "indicator": indicator.name}
        )
    every_period = list(ReportingPeriod.objects.all())
    period = chosen_period(request, every_period, plan)
    periods = periods_until(period, every_period)
    ends = [t.period for t in targets.values() if t.period]
    quarters = charts.timeline(indicator, every_period, period, until=max(ends, default=None))
    by_plan = defaultdict(list)
    for row in (
        Progress.objects.filter(indicator=indicator, prefecture=None, period__in=periods)
        .select_related("period")
        .order_by("period__year", "period__quarter")
    ):
        by_plan[row.plan_id].append(row)
    province = by_plan[plan.pk]
    current = next((row for row in province if row.period_id == period.pk), None)
    figures = {"series": charts.province_series(indicator, province, quarters)}
    for other in targets.values():
        if other.plan_id != plan.pk and other.has_value:
            figures["series"]["data"] += charts.other_plan_traces(
                indicator, other, by_plan[other.plan_id]
            )
    reported = {str(row.period.as_quarter): row.period for row in province}
    for trace in figures["series"]["data"][:2]:  # the actual, and any incomplete totals
        link_points(trace, [_sources_url(indicator, None, reported.get(x)) for x in trace["x"]])
    context = {
        "plan_choice": choice,
        "indicator": indicator,
        "period": period,
        "periods": every_period,
        "current": current,
        "reading": current and province_reading(indicator, current, city_names([current])),
        "summary_url": reverse("indicator_summary", kwargs={"code": indicator.code}),
        "target_changes": indicator.plan_target.changes.select_related("by"),
    }
    if indicator.reported_by == Indicator.ReportedBy.CITIES:
        export = one_of(request, "_export", EXPORT_FORMATS)
        filtered = PrefectureFilter(request.GET, queryset=Prefecture.objects.all())
        if export:
            return _export(request, indicator, list(filtered.qs), periods, period, export)
        per_page = whole_number(request, "per_page", minimum=1, maximum=1000)
        page = Paginator(filtered.qs, per_page or CITIES_PER_PAGE).get_page(request.GET.get("page"))
        on_page = list(page.object_list)
        first = period.as_quarter.shift(1 - SHOWN_QUARTERS)
        shown = [p for p in periods if p.as_quarter >= first]
        values = _city_values(indicator, on_page, shown)
        matrix = Matrix(
            shown,
            [
                (city, [_cell(indicator, city, p, values.get((city.pk, p.pk))) for p in shown])
                for city in on_page
            ],
            page,
        )
        latest = list(
            Progress.objects.filter(
                indicator=indicator,
                period=period,
                prefecture__in=[p.pk for p in on_page],
                plan=plan,
            ).select_related("prefecture")
        )
        if indicator.kind == Indicator.Kind.COVERAGE:
            title = _("%(indicator)s: cities covered") % {"indicator": indicator.name}
            figures["coverage"] = charts.tile_map(title, charts.coverage_cells(latest)[0])
        else:
            allocations = dict(
                TargetAllocation.objects.filter(target=indicator.plan_target).values_list(
                    "prefecture", "value"
                )
            )
            figures["bars"] = charts.prefecture_bars(indicator, latest, allocations)
            by_name = {row.prefecture.name: row.prefecture for row in latest}
            bars = figures["bars"]["data"][0]
            link_points(bars, [_sources_url(indicator, by_name[x], period) for x in bars["x"]])
        by_pk = {p.pk: p.as_quarter for p in shown}
        figures["heat"] = charts.heat_map(
            indicator,
            on_page,
            [q for q in quarters if q >= first],
            {(city, by_pk[p]): actual for (city, p), actual in values.items()},
        )
        context |= {
            "matrix": matrix,
            "filter": filtered,
            "latest": latest,
            "earlier_quarters": len(shown) < len(periods),
        }
    context["figures"] = figures
    return render(request, "reports/indicator.html", context)


def _sources_url(indicator, prefecture, period) -> str | None:
    """The sources page of one stored result; None for a quarter without a reporting period."""
    if period is None:
        return None
    return reverse("sources", args=[indicator.code, prefecture or "province", period.as_quarter])


@published_figures
def prefecture_dashboard(request, code):
    prefecture = get_object_or_404(Prefecture, code=code)
    periods = list(ReportingPeriod.objects.all())
    choice = plan_choice(request)
    plan = choice.plan
    period = chosen_period(request, periods, plan)
    rows, province = [], {}
    # The city's rows and the province's, which they are read against, in one query; each
    # branch names every column of its partial unique index (see every_indicator).
    every = every_indicator()
    for row in in_plan_order(
        Progress.objects.filter(
            Q(prefecture=prefecture, period=period, indicator__in=every, plan=plan)
            | Q(prefecture=None, period=period, indicator__in=every, plan=plan)
        ),
        plan,
    ):
        if row.prefecture_id is None:
            province[row.indicator_id] = row
        else:
            rows.append(row)
    quarter = period.as_quarter
    codes = [row.indicator.code for row in rows]
    pages = links_by_code("indicator_dashboard", codes)
    sources = links_by_code("sources", codes, prefecture.code, quarter)
    province_sources = links_by_code("sources", codes, "province", quarter)
    context = {
        "plan_choice": choice,
        "prefecture": prefecture,
        "period": period,
        "periods": periods,
        # What each row prints, worked out here: a filter or a lookup through the row costs
        # the template several times as much.
        "rows": [
            (
                row.indicator.name,
                f"{pages[code]}?quarter={quarter}",
                sources[code],
                city_reading(row.indicator, row),
                display.share_text(row.share_of_province),
                province_sources[code] if of_province else None,
                display.amount(of_province.actual, row.indicator) if of_province else None,
            )
            for row in rows
            for code, of_province in [(row.indicator.code, province.get(row.indicator_id))]
        ],
        "waiting": waiting_for(request.user, timezone.localdate(), periods),
        "summary_url": reverse("prefecture_summary", kwargs={"code": prefecture.code}),
    }
    return render(request, "reports/prefecture.html", context)


def city_reading(indicator, row) -> display.Reading:
    """How a city's result (a Progress row, or None) reads, against its allocated target
    (the row's) if it has one."""
    target = row and row.target
    allocation = "—" if target is None else display.amount(target, indicator)
    return display.reading(indicator, row, allocation)


@published_figures
def map_dashboard(request):
    periods = list(ReportingPeriod.objects.all())
    choice = plan_choice(request)
    plan = choice.plan
    period = chosen_period(request, periods, plan)
    indicators = [i for i in tracked_by(plan) if i.reported_by == Indicator.ReportedBy.CITIES]
    if not indicators:
        raise NotOnRecord(
            _("%(plan)s tracks no series the cities report: there is nothing to map.")
            % {"plan": plan.title}
        )
    indicator = next(
        (i for i in indicators if i.code == request.GET.get("indicator")), indicators[0]
    )
    mode = "status" if request.GET.get("mode") == "status" else "value"
    rows = list(
        Progress.objects.filter(
            indicator=indicator, period=period, prefecture__isnull=False, plan=plan
        ).select_related("prefecture")
    )
    if mode == "status":
        cells, legend = charts.status_cells(rows, indicator)
    elif indicator.kind == Indicator.Kind.COVERAGE:
        cells, legend = charts.coverage_cells(rows)
    else:
        cells, legend = charts.value_cells(rows, indicator)
    title = _("%(indicator)s, %(quarter)s") % {
        "indicator": indicator.name,
        "quarter": period.as_quarter.label,
    }
    context = {
        "plan_choice": choice,
        "period": period,
        "periods": periods,
        "indicators": indicators,
        "indicator": indicator,
        "mode": mode,
        "legend": legend,
        "rows": rows,
        "figures": {"map": charts.tile_map(title, cells)},
    }
    return render(request, "reports/map.html", context)
