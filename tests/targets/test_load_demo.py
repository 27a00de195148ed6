from collections import defaultdict
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from targets.demo import DEMO_PLAN, demo_series
from targets.models import (
    Figure,
    Indicator,
    Plan,
    PopulationFigure,
    Prefecture,
    ReportingPeriod,
    Submission,
)
from targets.periods import Quarter
from targets.plan_files import load
from targets.plans import plan_in_force, with_targets

NEW_SERIES = "demo_data_ip_registrations"


def all_rows():
    return {
        "users": list(User.objects.order_by("pk").values("username", "password")),
        "submissions": list(Submission.objects.order_by("pk").values()),
        "figures": list(Figure.objects.order_by("pk").values()),
        "populations": list(PopulationFigure.objects.order_by("pk").values()),
    }


def city_series(code):
    """{city: [(quarter, value), ...]} of one indicator, in quarter order."""
    series = defaultdict(list)
    figures = Figure.objects.filter(indicator__code=code).select_related(
        "submission__period", "submission__prefecture"
    )
    for figure in figures.order_by("submission__period"):
        series[figure.submission.prefecture.code].append(
            (figure.submission.period.as_quarter, figure.value)
        )
    return series


@pytest.fixture
def demo(plan, settings):
    settings.DEBUG = True
    call_command("load_demo")


def test_it_creates_a_user_for_every_role_and_three_city_officers(demo):
    roles = [user.role for user in User.objects.all()]
    assert roles.count(Role.PROVINCIAL) == 1
    assert roles.count(Role.LEADERSHIP) == 1
    assert roles.count(Role.CITY) >= 3
    assert User.objects.filter(is_superuser=True).exists()
    for officer in User.objects.filter(groups__name=Role.CITY):
        assert officer.prefecture is not None
        assert officer.check_password("ipplan-demo")


def test_it_fills_every_series_the_quarters_sheet_asks_for(demo):
    """Each demo submission holds what its form asks for, no more, no less."""
    asked = {}
    for submission in Submission.objects.select_related("prefecture", "period"):
        quarter = submission.period.as_quarter
        if (submission.prefecture_id is None, quarter) not in asked:
            indicators = Indicator.objects.asked_for(submission.prefecture, quarter)
            asked[submission.prefecture_id is None, quarter] = {i.pk for i in indicators}
        wanted = asked[submission.prefecture_id is None, quarter]
        assert set(submission.figures.values_list("indicator", flat=True)) == wanted, quarter
    assert Submission.objects.filter(prefecture__code="440100").count() == 32  # 2018Q1–2025Q4
    assert not Figure.objects.filter(is_demo=False).exists()


def test_it_adds_a_second_plan_marked_as_demo_which_is_in_force(demo):
    assert Plan.objects.count() == 2
    plan = plan_in_force()
    assert plan.code == "demo-2023"
    assert "演示" in plan.title_zh
    assert "demo" in plan.title_en
    assert "演示" in plan.document_number
    assert (plan.start_date.isoformat(), plan.target_date.isoformat()) == (
        "2023-01-01",
        "2025-12-31",
    )
    targets = plan.targets.select_related("indicator")
    shared = targets.filter(indicator__targets__plan__code="2018").exclude(value=None)
    assert 5 <= shared.count() <= 8
    assert {t.period for t in targets.exclude(value=None)} == {Quarter(2025, 4)}
    assert targets.filter(interim_targets__isnull=False).exists()
    assert targets.filter(allocations__isnull=False).exists()
    assert targets.get(indicator__code=NEW_SERIES).indicator.kind == Indicator.Kind.STOCK


def test_the_demo_plan_is_its_plan_file_loaded_again_to_no_effect(demo):
    _plan_file, loaded = load(DEMO_PLAN.read_bytes())
    assert not loaded.changed


def test_the_new_series_has_figures_from_2023q1_only(demo):
    quarters = {quarter for points in city_series(NEW_SERIES).values() for quarter, _ in points}
    assert min(quarters) == Quarter(2023, 1)
    assert max(quarters) == Quarter(2025, 4)


def test_the_first_plans_quarters_read_as_they_did_before_the_demo_plan(demo):
    """The 2018 plan's quarters hold what `demo_series` makes for that plan alone."""
    codes = [prefecture.code for prefecture in Prefecture.objects.all()]
    quarters = [Quarter(2018, 1).shift(step) for step in range(20)]
    population = {
        (figure.prefecture.code, figure.year): figure.population
        for figure in PopulationFigure.objects.select_related("prefecture")
    }
    first_plan = Plan.objects.get(code="2018")
    indicators = Indicator.objects.filter(reported_by=Indicator.ReportedBy.CITIES)
    for indicator in with_targets(indicators, first_plan):
        if indicator.plan_target is None:
            continue  # the demo plan's own series, first reported in 2023
        expected = demo_series(indicator, codes, quarters, population)
        figures = Figure.objects.filter(
            indicator=indicator, submission__period__year__lte=2022
        ).select_related("submission__prefecture", "submission__period")
        stored = {
            (f.submission.prefecture.code, f.submission.period.as_quarter): (f.value, f.denominator)
            for f in figures
        }
        assert stored == {key: (demo.value, demo.denominator) for key, demo in expected.items()}, (
            indicator.code
        )


def test_only_the_last_two_quarters_stay_open(demo):
    """Of the plan's quarters; the quarters since are as seeded (the current one open)."""
    open_quarters = [p.as_quarter for p in ReportingPeriod.objects.filter(is_open=True)]
    assert [str(q) for q in open_quarters] == ["2025Q3", "2025Q4", "2026Q4"]


def test_it_leaves_the_last_quarter_in_every_state_and_approves_those_before(demo):
    states = set(Submission.objects.values_list("status", flat=True))
    assert states == set(Submission.Status.values)
    unstarted = 21 * 32 - Submission.objects.filter(prefecture__isnull=False).count()
    assert unstarted > 0
    before = Submission.objects.exclude(period__year=2025, period__quarter=4)
    assert set(before.values_list("status", flat=True)) == {Submission.Status.APPROVED}
    assert before.count() == 21 * 31 + 31  # every city and the province, 2018Q1–2025Q3


def test_series_respect_their_kind(demo):
    for code in ["key_protected_enterprises", "invention_patents_per_10k"]:
        for points in city_series(code).values():
            values = [value for _, value in points]
            assert values == sorted(values), f"{code} stock falls"
    for code in ["pledge_financing", "industry_navigation_projects"]:
        for points in city_series(code).values():
            for (quarter, value), (_, later) in pairwise(points):
                if quarter.quarter < 4:
                    assert later >= value, f"{code} falls within {quarter.year}"
    restarts = [
        later < value
        for points in city_series("pledge_financing").values()
        for (quarter, value), (_, later) in pairwise(points)
        if quarter.quarter == 4
    ]
    assert all(restarts)
    for points in city_series("ip_insurance_coverage").values():
        values = [value for _, value in points]
        assert set(values) <= {0, 1}
        assert values == sorted(values), "coverage is withdrawn"


def test_ratio_numerators_never_exceed_denominators(demo):
    figures = Figure.objects.filter(indicator__code="hitech_compliance_rate")
    assert all(0 < f.value <= f.denominator for f in figures)


def test_running_it_twice_changes_nothing(demo):
    before = all_rows()
    call_command("load_demo")
    assert all_rows() == before


def test_it_refuses_to_run_without_debug_unless_told(plan, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert not User.objects.exists()
    call_command("load_demo", without_debug=True)
    assert Figure.objects.exists()


def test_approved_quarters_publish_their_figures_and_others_do_not(demo):
    approved = Figure.objects.filter(submission__status=Submission.Status.APPROVED)
    assert approved.count() == Figure.objects.approved().count()
    for figure in approved.order_by("?")[:200]:
        assert (figure.approved_value, figure.approved_denominator) == (
            figure.value,
            figure.denominator,
        )
        assert figure.approved_at == figure.submission.reviewed_at
