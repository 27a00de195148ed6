"""The PDF summary leadership reads on paper: what it holds, when it must be made again, and
the making itself (an HTML template laid out by WeasyPrint, charts drawn by matplotlib).

A summary covers a scope: the whole plan for the province, one indicator, or one city. It is
made once per scope, quarter, language and data version (`data_version`) and served from the
database after that, until an approval, a recompute or a submission changes what it says.
"""

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import weasyprint
from django.conf import settings
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import chart_svg, charts, evaluation
from reports.dashboards import (
    city_names,
    city_reading,
    default_period,
    periods_until,
    province_reading,
)
from reports.models import Summary
from targets import progress
from targets.completeness import corrections, standing
from targets.context_processors import demo_data_exists
from targets.models import (
    FinalEvaluation,
    Indicator,
    Plan,
    Prefecture,
    Progress,
    ReportingPeriod,
    Submission,
    Target,
    TargetAllocation,
    TargetChange,
)
from targets.plans import plan_in_force, tracked_by, with_targets

# Bump when the template or the content changes, so that stored summaries are made again.
LAYOUT_VERSION = "6"
POLL_SECONDS = 0.2
# A request this old with no PDF is taken as lost (a worker killed, a message dropped).
GIVE_UP_AFTER = timedelta(minutes=10)
Status = Progress.Status
STATUS_ORDER = [
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.OFF_TRACK,
    Status.INCOMPLETE,
    Status.NO_TARGET,
    Status.NO_DATA,
]


@dataclass(frozen=True)
class Scope:
    """A plan (default: the plan in force) for the whole province (neither indicator nor
    prefecture set), one of its indicators, or one city."""

    indicator: Indicator | None = None
    prefecture: Prefecture | None = None
    plan: Plan | None = None

    def __post_init__(self):
        if self.plan is None:
            object.__setattr__(self, "plan", plan_in_force())

    @property
    def key(self) -> str:
        """“province@2018”, “indicator:<code>@2018”, “prefecture:<code>@2018”."""
        if self.indicator:
            return f"indicator:{self.indicator.code}@{self.plan.code}"
        if self.prefecture:
            return f"prefecture:{self.prefecture.code}@{self.plan.code}"
        return f"province@{self.plan.code}"

    @classmethod
    def from_key(cls, key: str) -> "Scope":
        """The scope of `key` (see `key`; without “@plan”, the plan in force); DoesNotExist
        for a plan, indicator or city not on record."""
        what, at, plan = key.partition("@")
        kind, _sep, code = what.partition(":")
        # Without a plan (a link printed before there were several): the plan in force.
        plan = Plan.objects.get(code=plan) if at else None
        if kind == "indicator":
            return cls(indicator=Indicator.objects.get(code=code), plan=plan)
        if kind == "prefecture":
            return cls(prefecture=Prefecture.objects.get(code=code), plan=plan)
        return cls(plan=plan)

    @property
    def name(self) -> str:
        if self.indicator:
            return self.indicator.name
        if self.prefecture:
            return self.prefecture.name
        return _("Guangdong province")

    def indicators(self) -> list[Indicator]:
        """The plan's indicators the summary covers, each carrying the plan's target."""
        if self.indicator:
            return with_targets([self.indicator], self.plan)
        indicators = tracked_by(self.plan)
        if self.prefecture:
            return [i for i in indicators if i.reported_by == Indicator.ReportedBy.CITIES]
        return indicators


def data_version(scope: Scope, period: ReportingPeriod, today) -> str:
    """What the summary says depends on: the engine's stored results (every rewrite stamps
    them anew), the submissions it lists as missing or late and which due dates have passed,
    the demo flag, the names it prints, and whether the plan has concluded and when its final
    evaluation was frozen."""
    quarters = _overdue_quarters(scope, period, ReportingPeriod.objects.all())
    submissions = Submission.objects.filter(period__in=quarters, prefecture__isnull=False)
    if scope.prefecture:
        submissions = submissions.filter(prefecture=scope.prefecture)
    parts = [
        LAYOUT_VERSION,
        scope.key,
        str(period.as_quarter),
        Progress.objects.order_by().aggregate(latest=Max("computed_at"), rows=Count("pk")),
        [
            (prefecture, quarter, status, str(submitted_at), str(first), reopened)
            for prefecture, quarter, status, submitted_at, first, reopened in submissions.order_by(
                "period", "prefecture"
            ).values_list(
                "prefecture", "period", "status", "submitted_at", "first_submitted_at", "reopened"
            )
        ],
        [bool(q.due_date and today > q.due_date) for q in quarters],
        demo_data_exists(),
        list(Plan.objects.order_by("pk").values_list("title_zh", "title_en", "document_number")),
        list(
            Target.objects.filter(plan=scope.plan)
            .order_by("pk")
            .values_list("indicator", "display_order", "wording")
        ),
        list(
            Indicator.objects.order_by("pk").values_list("name_zh", "name_en", "unit_zh", "unit_en")
        ),
        list(Prefecture.objects.order_by("pk").values_list("name_zh", "name_en")),
        scope.plan.concluded,
        list(FinalEvaluation.objects.filter(plan=scope.plan).values_list("evaluated_at")),
        list(TargetChange.objects.filter(target__plan=scope.plan).values_list("pk", "at")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _overdue_quarters(scope, period, periods) -> list[ReportingPeriod]:
    """The quarters whose submissions the summary checks: a city's every quarter up to this
    one, or this one for the province."""
    return periods_until(period, periods) if scope.prefecture else [period]


def content(scope: Scope, period: ReportingPeriod, today) -> dict:
    """Everything the template prints, in the active language."""
    indicators = scope.indicators()
    every_period = list(ReportingPeriod.objects.all())
    periods = periods_until(period, every_period)
    history = defaultdict(list)
    for row in (
        Progress.objects.filter(
            indicator__in=indicators,
            prefecture=scope.prefecture,
            period__in=periods,
            plan=scope.plan,
        )
        .select_related("period")
        .order_by("period__year", "period__quarter")
    ):
        history[row.indicator_id].append(row)
    allocations = {
        (indicator_id, prefecture_id): value
        for indicator_id, prefecture_id, value in TargetAllocation.objects.filter(
            target__plan=scope.plan, target__indicator__in=indicators
        ).values_list("target__indicator", "prefecture", "value")
    }
    names = city_names(row for series in history.values() for row in series)
    rows, figures = [], []
    for indicator in indicators:
        series = history[indicator.pk]
        current = next((row for row in series if row.period_id == period.pk), None)
        quarters = charts.timeline(indicator, every_period, period)
        if scope.prefecture:
            allocation = allocations.get((indicator.pk, scope.prefecture.pk))
            reading = city_reading(indicator, current)
            figure = charts.city_series(indicator, scope.prefecture, series, quarters, allocation)
        else:
            reading = province_reading(indicator, current, names)
            figure = charts.province_series(indicator, series, quarters)
        rows.append((indicator, current, reading))
        figures.append((indicator, chart_svg.svg(figure)))
    statuses = [reading.status for _i, _current, reading in rows]
    allocated = {indicator_id for indicator_id, _prefecture in allocations}
    whole_plan = not (scope.indicator or scope.prefecture)
    return {
        "plan": scope.plan,
        # The province summary of a concluded plan leads with its final evaluation.
        "final": evaluation.evaluation(scope.plan) if whole_plan and scope.plan.concluded else None,
        "scope": scope,
        "period": period,
        "made_at": timezone.localtime(),
        "demo": demo_data_exists(),
        "counts": [(s, Status(s).label, statuses.count(s)) for s in STATUS_ORDER],
        "rows": rows,
        # Which target applied when: the readings above are judged against the target in force
        # at the quarter, and these say how it changed.
        "adjustments": TargetChange.objects.filter(
            target__plan=scope.plan, target__indicator__in=indicators
        ).select_related("target__indicator", "by"),
        "figures": figures,
        "rankings": _rankings([i for i in indicators if i.pk in allocated], period, scope.plan),
        "unallocated": [
            indicator
            for indicator in indicators
            if indicator.reported_by == Indicator.ReportedBy.CITIES
            and indicator.pk not in allocated
        ],
        "overdue": _overdue(scope, period, periods, today),
        "at_risk_percent": int(progress.AT_RISK_BAND * 100),
        "trend_quarters": progress.TREND_QUARTERS,
        "trend_min_points": progress.TREND_MIN_POINTS,
    }


def _rankings(allocated, period, plan):
    """For each indicator with city targets: the cities, largest gap to their target first."""
    by_indicator = defaultdict(list)
    for row in Progress.objects.filter(
        indicator__in=allocated, period=period, prefecture__isnull=False, plan=plan
    ).select_related("prefecture"):
        by_indicator[row.indicator_id].append(row)
    rankings = []
    for indicator in allocated:
        ranked = sorted(
            by_indicator[indicator.pk],
            key=lambda row: (row.gap is None, -(row.gap or 0), row.prefecture.display_order),
        )
        rankings.append(
            (
                indicator,
                [(row, city_reading(indicator, row)) for row in ranked],
            )
        )
    return rankings


def _overdue(scope, period, periods, today):
    """Submissions missing, waiting or late: every city's for this quarter, or one city's for
    every quarter up to this one, but for the earlier quarters closed without a due date that
    it never started: nobody asked for those (`add_periods_up_to_today`). Rows: (city,
    quarter, state label, late, submitted on)."""
    quarters = _overdue_quarters(scope, period, periods)
    places = [scope.prefecture] if scope.prefecture else list(Prefecture.objects.all())
    submissions = {
        (s.prefecture_id, s.period_id): s
        for s in Submission.objects.filter(prefecture__in=places, period__in=quarters)
    }
    found = corrections(submissions.values())
    overdue = []
    for quarter in quarters:
        for place in places:
            submission = submissions.get((place.pk, quarter.pk))
            if submission is None and quarter != period and not _asked_for(quarter):
                continue
            cell = standing(submission, quarter, today, found)
            if cell.state != Submission.Status.APPROVED or cell.late:
                submitted = submission and submission.submitted_at
                submitted_on = submitted and timezone.localdate(submitted)
                overdue.append((place, quarter, cell.state_label, cell.late, submitted_on))
    return overdue


def _asked_for(quarter) -> bool:
    return quarter.is_open or quarter.due_date is not None


def font_faces() -> list[tuple[str, str]]:
    """(weight, file URI) of the embedded font, for @font-face."""
    return [
        (weight, Path(chart_svg.font_path(name)).as_uri())
        for weight, name in zip(["normal", "bold"], chart_svg.FONT_FILES, strict=True)
    ]


def render_pdf(scope: Scope, period: ReportingPeriod, today, data_version="") -> tuple[bytes, int]:
    """The PDF in the active language, and its number of pages."""
    document = render_document(scope, period, today, data_version)
    return document.write_pdf(), len(document.pages)


def render_document(
    scope: Scope, period: ReportingPeriod, today, data_version=""
) -> weasyprint.Document:
    """The summary laid out in pages; `data_version` is printed on its cover."""
    return weasyprint.HTML(string=summary_html(scope, period, today, data_version)).render()


def summary_html(scope: Scope, period: ReportingPeriod, today, data_version="") -> str:
    """The summary's HTML in the active language, its charts drawn (inline SVG)."""
    context = content(scope, period, today) | {
        "data_version": data_version,
        "font_family": chart_svg.FONT_FAMILY,
        "font_faces": font_faces(),
        "language": translation.get_language(),
        "page_of": _page_of(),
    }
    return render_to_string("reports/summary.html", context)


def _page_of() -> str:
    """“Page 3 of 9” as a CSS content value, the numbers filled in by the page counters."""
    text = _("Page %(page)s of %(pages)s") % {
        "page": '" counter(page) "',
        "pages": '" counter(pages) "',
    }
    return f'"{text}"'


def find_or_request(scope, period, user, *, retry=False) -> tuple[Summary, bool]:
    """The stored summary of the data as it stands (its PDF not loaded), and whether it
    must be made now: it is new, was lost on the way, or failed and `retry` is asked."""
    version = data_version(scope, period, timezone.localdate())
    summary, created = Summary.objects.defer("pdf").get_or_create(
        scope=scope.key,
        period=period,
        language=translation.get_language(),
        data_version=version,
        defaults={"requested_by": user},
    )
    lost = (
        summary.state == Summary.State.PREPARING
        and summary.requested_at < timezone.now() - GIVE_UP_AFTER
    )
    failed = retry and summary.state == Summary.State.FAILED
    if not (lost or failed):
        return summary, created
    summary.state, summary.requested_at, summary.requested_by = (
        Summary.State.PREPARING,
        timezone.now(),
        user,
    )
    summary.save(update_fields=["state", "requested_at", "requested_by"])
    return summary, True


def wait_for(summary: Summary) -> Summary:
    """Gives the worker a moment (PDF_SUMMARY_WAIT_SECONDS) to make the summary."""
    deadline = time.monotonic() + settings.PDF_SUMMARY_WAIT_SECONDS
    while summary.state == Summary.State.PREPARING and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        summary.refresh_from_db(fields=["state"])
    return summary


def make(summary: Summary) -> Summary:
    """Makes the PDF of a requested summary and stores it; versions of the same summary
    requested before it are dropped."""
    started = time.perf_counter()
    with translation.override(summary.language):
        scope = Scope.from_key(summary.scope)
        pdf, pages = render_pdf(scope, summary.period, timezone.localdate(), summary.data_version)
    summary.pdf, summary.pages = pdf, pages
    summary.state = Summary.State.READY
    summary.seconds = time.perf_counter() - started
    summary.finished_at = timezone.now()
    summary.save(update_fields=["pdf", "pages", "state", "seconds", "finished_at"])
    Summary.objects.filter(
        scope=summary.scope, period=summary.period, language=summary.language
    ).filter(pk__lt=summary.pk).delete()
    return summary


def make_default() -> Summary | None:
    """Makes the province summary of the quarter the pages open on, in the site's language,
    unless the data as it stands has it already: the first click on it is then served from the
    store. None when there is no quarter yet."""
    scope = Scope()
    period = default_period(scope.plan)
    if period is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        summary, wanted = find_or_request(scope, period, None)
    return make(summary) if wanted else summary
