"""A recompute of what approvals changed leaves exactly the rows a whole recompute writes,
whatever approvals, reopenings and imports came before it (checked with hypothesis)."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targets.imports import Row, import_figures
from targets.models import (
    Indicator,
    InterimTarget,
    Prefecture,
    Progress,
    ReportingPeriod,
    Submission,
    Target,
    TargetAllocation,
)
from targets.recompute import recompute_progress
from targets.reporting import Entry, approve_imported, import_quarters, reopen_quarter
from targets.tasks import enqueue_publish
from tests.factories import PlanFactory, UserFactory, approve

pytestmark = pytest.mark.django_db

CITY_INDICATORS = [
    "key_protected_enterprises",  # stock, with one city's allocation
    "hitech_compliance_rate",  # ratio
    "invention_patents_per_10k",  # ratio per 10 000 residents
    "assistance_centre_coverage",  # coverage
    "ip_transaction_value",  # flow
    "industry_navigation_projects",  # cumulative
    "pct_applications",  # flow without a target
]
PROVINCE_INDICATORS = ["patent_regulation_revised", "pct_national_rank"]
SECOND_PLAN = {  # series: the second plan's target for 2025
    "key_protected_enterprises": Decimal(4000),
    "ip_transaction_value": Decimal(900),
    "pct_national_rank": Decimal(1),
}
CITIES = ["440100", "440300", "440400"]

figure = st.one_of(
    st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False),
    st.just(None),  # nothing to report
)
step = st.tuples(
    st.sampled_from(["approve", "reopen", "import"]),
    st.sampled_from([*CITIES, None]),  # None: the province's own figures
    st.integers(0, 19),
    st.lists(figure, min_size=len(CITY_INDICATORS), max_size=len(CITY_INDICATORS)),
    st.booleans(),  # recompute right after the step, or let the marks pile up
)


@pytest.fixture
def computed(plan):
    """Every city's figures of the first quarters approved, one allocation, progress stored."""
    periods = list(ReportingPeriod.objects.order_by("year", "quarter"))[:6]
    for code in CITY_INDICATORS:
        indicator = Indicator.objects.get(code=code)
        for prefecture in Prefecture.objects.all():
            for index, period in enumerate(periods):
                approve(indicator, prefecture, period, 10 + index, 100 + index)
    TargetAllocation.objects.create(
        target=Indicator.objects.get(code="key_protected_enterprises").targets.get(),
        prefecture=Prefecture.objects.get(code="440300"),
        value=Decimal(500),
    )
    # A second plan targets some of the same series otherwise: its own values, an interim
    # target, its own allocation.
    second = PlanFactory(code="second", start_date="2020-01-01", target_date="2025-12-31")
    for order, (code, value) in enumerate(SECOND_PLAN.items(), start=1):
        target = Target.objects.create(
            plan=second,
            indicator=Indicator.objects.get(code=code),
            display_order=order,
            wording=code,
            value=value,
            year=2025,
            quarter=4,
        )
        InterimTarget.objects.create(target=target, year=2019, quarter=4, value=value / 2)
    TargetAllocation.objects.create(
        target=second.targets.get(indicator__code="key_protected_enterprises"),
        prefecture=Prefecture.objects.get(code="440100"),
        value=Decimal(800),
    )
    recompute_progress()
    return UserFactory()


def entries(reporter, values) -> dict:
    codes = CITY_INDICATORS if reporter else PROVINCE_INDICATORS
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    return {
        indicators[code]: Entry(nothing_to_report=True)
        if value is None
        else Entry(value, value + 50 if indicators[code].kind == "ratio" else None)
        for code, value in zip(codes, values, strict=False)
    }


def save_and_approve(user, prefecture, period, values) -> None:
    key = (prefecture, period)
    quarters = {key: (entries(prefecture, values), "corrected")}
    submission, _ = import_quarters(user=user, quarters=quarters, resubmit=True)[key]
    if submission.status != Submission.Status.APPROVED:
        enqueue_publish(approve_imported(approvals=[(submission, "")], user=user))


def without_times(rows) -> list:
    fields = [field.attname for field in Progress._meta.concrete_fields]
    skipped = {fields.index("id"), fields.index("computed_at")}
    return [tuple(v for i, v in enumerate(row) if i not in skipped) for row in rows]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=4))
def test_recomputing_what_changed_leaves_the_rows_a_whole_recompute_writes(computed, steps):
    user = computed
    periods = list(ReportingPeriod.objects.order_by("year", "quarter"))
    with transaction.atomic():
        for action, reporter, quarter, values, recompute_now in steps:
            prefecture = Prefecture.objects.get(code=reporter) if reporter else None
            period = periods[quarter]
            if action == "reopen":
                if Submission.objects.filter(prefecture=prefecture, period=period).exists():
                    reopen_quarter(prefecture=prefecture, period=period, user=user, reason="why")
                save_and_approve(user, prefecture, period, values)
            elif action == "approve":
                save_and_approve(user, prefecture, period, values)
            else:
                rows = [
                    Row(line, prefecture, period, indicator, entry)
                    for line, (indicator, entry) in enumerate(entries(prefecture, values).items())
                ]
                import_figures(
                    rows=rows, user=user, approve=True, source="test", accept_warnings="test"
                )
            if recompute_now:
                recompute_progress([])  # what the task sent once the approval commits runs
        recompute_progress([])
        incremental = without_times(Progress.objects.order_by().values_list())
        done = recompute_progress()
        whole = without_times(Progress.objects.order_by().values_list())
        assert sorted(incremental, key=repr) == sorted(whole, key=repr)
        assert done.rows == 0
        transaction.set_rollback(True)


def test_an_approval_rewrites_only_rows_from_its_quarter_on(computed):
    user, periods = computed, list(ReportingPeriod.objects.order_by("year", "quarter"))
    guangzhou = Prefecture.objects.get(code="440100")
    earlier = dict(Progress.objects.filter(period__in=periods[:4]).values_list("pk", "computed_at"))
    save_and_approve(user, guangzhou, periods[4], [900] * len(CITY_INDICATORS))
    done = recompute_progress([])
    assert done.rows > 0
    kept = Progress.objects.filter(period__in=periods[:4]).values_list("pk", "computed_at")
    assert dict(kept) == earlier
    written = Progress.objects.exclude(computed_at__in=set(earlier.values()))
    assert (
        written.exclude(prefecture=guangzhou)
        .exclude(prefecture=None)
        .filter(share_of_province=None)
        .count()
        == 0
    )  # other cities' rows are rewritten only for their share of the province
    assert not written.exclude(indicator__code__in=CITY_INDICATORS).exists()


def test_an_approval_whose_recompute_never_ran_is_published_by_the_next_recompute(computed):
    user, periods = computed, list(ReportingPeriod.objects.order_by("year", "quarter"))
    stock = Indicator.objects.get(code="key_protected_enterprises")
    save_and_approve(user, Prefecture.objects.get(code="440100"), periods[2], [700])
    # The task sent on commit never ran: the marks wait for anything's next recompute.
    recompute_progress([Indicator.objects.get(code="patent_agents").pk])
    province = Progress.objects.filter(indicator=stock, prefecture=None, period=periods[2])
    # In each of the two plans that target the series.
    assert [row.actual for row in province] == [700 + 20 * 12] * 2
