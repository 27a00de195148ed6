from collections import defaultdict
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from targets.models import Figure, Indicator, PopulationFigure, ReportingPeriod, Submission


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


def test_it_fills_every_city_reported_indicator_for_every_quarter(demo):
    city_indicators = Indicator.objects.filter(reported_by=Indicator.ReportedBy.CITIES)
    for submission in Submission.objects.filter(prefecture__isnull=False):
        assert submission.figures.count() == city_indicators.count()
    assert Submission.objects.filter(prefecture__code="440100").count() == 20
    assert not Figure.objects.filter(is_demo=False).exists()


def test_only_the_last_two_quarters_stay_open(demo):
    """Of the plan's quarters; the quarters since are as seeded (the current one open)."""
    open_quarters = [p.as_quarter for p in ReportingPeriod.objects.filter(is_open=True)]
    assert [str(q) for q in open_quarters] == ["2022Q3", "2022Q4", "2026Q4"]


def test_it_leaves_quarters_in_every_state(demo):
    states = set(Submission.objects.values_list("status", flat=True))
    assert states == set(Submission.Status.values)
    unstarted = 21 * 20 - Submission.objects.filter(prefecture__isnull=False).count()
    assert unstarted > 0


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
