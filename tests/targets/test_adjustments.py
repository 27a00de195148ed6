"""Mid-term adjustments (中期调整): a started plan's target changed in the admin keeps its
history (old and new, who, when, why), and every quarter stays judged against the target in
force at it: the stored results, the readings, the sources page and the indicator page say
which target applied when."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from reports import summaries
from reports.summaries import Scope
from targets.models import (
    Indicator,
    Prefecture,
    Progress,
    ReportingPeriod,
    Target,
    TargetAllocation,
    TargetChange,
)
from targets.periods import Quarter as Q
from targets.recompute import recompute_progress
from tests.factories import approve
from tests.reports.test_summaries import pdf_pages, squeezed
from tests.targets.test_progress import PLAN, figure, results, spec

# A city's stock of patent attorneys, rising by 100 a quarter from 2000 in 2018Q1.
FIGURES = [figure("A", quarter, 2000 + 100 * index) for index, quarter in enumerate(PLAN)]


@given(effective_at=st.integers(0, len(PLAN) - 1), old=st.integers(1, 9000))
def test_each_quarter_is_judged_against_the_target_in_force_at_it(effective_at, old):
    """Property: with an adjustment from a quarter on, the quarters before read exactly as
    under the old target alone, and the quarters from it exactly as under the new one."""
    effective = PLAN[effective_at]
    new_target = spec(target_value=D(5000))
    old_target = spec(target_value=D(old), target_period=Q(2021, 4))
    adjusted = spec(target_value=D(5000), superseded=((effective, D(old), Q(2021, 4)),))
    with_adjustment = results(adjusted, FIGURES, cities="A")
    before = results(old_target, FIGURES, cities="A")
    after = results(new_target, FIGURES, cities="A")
    for key, result in with_adjustment.items():
        quarter = Q.parse(key[1])
        assert result == (before if quarter < effective else after)[key]


def test_an_adjustment_from_a_target_to_none_leaves_the_earlier_quarters_their_target():
    replaced = ((Q(2020, 1), D(3000), Q(2022, 4)),)
    adjusted = spec(target_value=None, target_period=None, superseded=replaced)
    by_quarter = results(adjusted, FIGURES, cities="A")
    assert by_quarter[None, "2019Q4"].target == D(3000)
    assert by_quarter[None, "2020Q1"].target is None
    assert by_quarter[None, "2020Q1"].status == "no_target"


@pytest.fixture
def agents(plan):
    """Patent attorneys (2018 plan: at least 3000 by 2022Q4), Guangzhou reporting 2500 in
    2019Q4 and 2900 in 2021Q4."""
    indicator = Indicator.objects.get(code="patent_agents")
    guangzhou = Prefecture.objects.get(code="440100")
    for year, value in [(2019, 2500), (2021, 2900)]:
        approve(indicator, guangzhou, ReportingPeriod.objects.get(year=year, quarter=4), value)
    return indicator


def admin_change(client, target, **changed):
    """POST the target's admin page with its stored fields and `changed`."""
    fields = {
        name: "" if getattr(target, name) is None else getattr(target, name)
        for name in [
            "display_order", "wording", "direction", "baseline_value", "baseline_year",
            "baseline_quarter", "value", "year", "quarter",
        ]
    }  # fmt: skip
    fields |= {"plan": target.plan_id, "indicator": target.indicator_id}
    if target.strict:
        fields["strict"] = "on"
    for prefix in ["interim_targets", "allocations", "changes"]:
        fields |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    url = reverse("admin:targets_target_change", args=[target.pk])
    return client.post(url, fields | changed, headers={"accept-language": "en"})


@pytest.mark.django_db(transaction=True)
def test_a_started_plans_target_changes_only_with_a_reason_and_a_quarter(client, superuser, agents):
    target = Target.objects.get(indicator=agents)
    client.force_login(superuser)
    response = admin_change(client, target, value="3500")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why the target changes" in page
    assert "Name the first quarter judged against the new target" in page
    target.refresh_from_db()
    assert target.value == D(3000)
    assert not TargetChange.objects.exists()

    response = admin_change(
        client, target, value="3500", adjustment_effective="2017Q4", adjustment_reason="x"
    )
    assert "The plan starts in 2018 Q1." in response.content.decode()
    response = admin_change(
        client, target, value="3500", adjustment_effective="2024Q1", adjustment_reason="x"
    )
    assert "an adjustment takes effect by then" in response.content.decode()
    assert not TargetChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_adjustment_is_kept_and_the_results_say_which_target_applied_when(
    client, superuser, leadership, agents
):
    target = Target.objects.get(indicator=agents)
    client.force_login(superuser)
    response = admin_change(
        client,
        target,
        value="3500",
        adjustment_effective="2021Q1",
        adjustment_reason="省政府中期评估后上调目标",
    )
    assert response.status_code == 302
    change = TargetChange.objects.get()
    assert (change.old_value, change.new_value, change.effective) == (
        D(3000),
        D(3500),
        Q(2021, 1),
    )
    assert (change.old_period, change.new_period) == (Q(2022, 4), Q(2022, 4))
    assert change.by == superuser and change.reason == "省政府中期评估后上调目标"

    recompute_progress()
    stored = dict(
        Progress.objects.filter(indicator=agents, prefecture=None, plan=target.plan).values_list(
            "period__year", "target"
        )
    )
    assert stored[2019] == D(3000) and stored[2021] == D(3500)

    client.force_login(leadership)
    english = {"accept-language": "en"}
    url = reverse("sources", args=["patent_agents", "province", "2019Q4"])
    page = client.get(url, headers=english).content.decode()
    assert "≥ 3000" in page
    assert "replaced it from 2021 Q1 on" in page
    assert "省政府中期评估后上调目标" in page
    url = reverse("sources", args=["patent_agents", "province", "2021Q4"])
    page = client.get(url, headers=english).content.decode()
    assert "≥ 3500" in page and "≥ 3000" in page  # judged against 3500; 3000 in the history
    assert "replaced it from" not in page

    url = reverse("indicator_dashboard", args=["patent_agents"]) + "?quarter=2019Q4&plan=2018"
    indicator_page = client.get(url, headers=english).content.decode()
    assert "Mid-term adjustments of the target" in indicator_page
    # The 2019Q4 reading's target, as judged then.
    assert '<dt>Target</dt><dd><span class="nowrap">≥ 3000 attorneys' in indicator_page


@pytest.mark.django_db
def test_a_later_adjustment_cannot_take_effect_before_an_earlier_one(client, superuser, agents):
    target = Target.objects.get(indicator=agents)
    TargetChange.objects.create(
        target=target, effective_year=2021, effective_quarter=1, old_value=2800,
        old_year=2022, old_quarter=4, new_value=3000, new_year=2022, new_quarter=4, reason="r",
    )  # fmt: skip
    client.force_login(superuser)
    response = admin_change(
        client, target, value="3200", adjustment_effective="2020Q4", adjustment_reason="again"
    )
    assert "An adjustment from 2021 Q1 is on record already" in response.content.decode()
    assert TargetChange.objects.count() == 1


@pytest.mark.django_db
def test_a_target_of_a_plan_not_yet_started_is_simply_edited(client, superuser, agents):
    target = Target.objects.get(indicator=agents)
    target.plan.start_date = target.plan.start_date.replace(year=2099)
    target.plan.target_date = target.plan.target_date.replace(year=2100)
    target.plan.save()
    client.force_login(superuser)
    assert admin_change(client, target, value="3100").status_code == 302
    target.refresh_from_db()
    assert target.value == D(3100) and not TargetChange.objects.exists()


@pytest.mark.django_db
def test_the_series_admin_page_asks_the_same_of_a_target_edited_there(client, superuser, agents):
    """The targets inline on a series' admin page follows the same rule."""
    client.force_login(superuser)
    page = client.get(reverse("admin:targets_indicator_change", args=[agents.pk]))
    assert "adjustment_reason" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_pdf_summary_reads_each_quarter_against_its_target_and_lists_the_adjustment(
    superuser, agents, tmp_path
):
    target = Target.objects.get(indicator=agents)
    TargetChange.objects.create(
        target=target, effective_year=2021, effective_quarter=1, old_value=3000, old_year=2022,
        old_quarter=4, new_value=3500, new_year=2022, new_quarter=4, reason="中期评估后上调",
        by=superuser,
    )  # fmt: skip
    Target.objects.filter(pk=target.pk).update(value=3500)
    recompute_progress()
    scope = Scope(indicator=agents)
    for year, judged in [(2019, "≥3000人"), (2021, "≥3500人")]:
        period = ReportingPeriod.objects.get(year=year, quarter=4)
        pdf, _pages = summaries.render_pdf(scope, period, timezone.localdate())
        text = squeezed("".join(pdf_pages(pdf, tmp_path)))
        # The table's target column (the last cell of the row), then the adjustment under it.
        assert f"{judged}目标中期调整·执业专利代理人：≥3000人·2022年第4季度→≥3500人·" in text
        assert "2022年第4季度，自2021年第1季度起" in text and "中期评估后上调" in text


def test_a_plan_judges_no_quarter_before_it_started_and_starts_from_the_quarter_before():
    """A later plan (from 2020Q1 here) leaves the quarters before it unjudged, and its path
    starts from where the series stood when it began (2019Q4: 2700), not from 2018Q1."""
    later = spec(plan_start=Q(2020, 1), target_value=D(5000))
    by_quarter = results(later, FIGURES, cities="A")
    assert by_quarter[None, "2019Q3"].target is None
    assert by_quarter[None, "2019Q3"].status == "no_target"
    assert by_quarter[None, "2020Q1"].target == D(5000)
    assert by_quarter[None, "2020Q1"].baseline == (Q(2019, 4), D(2700))
    # A plan that starts with the figures is judged from its first quarter, as before.
    assert results(spec(plan_start=Q(2018, 1)), FIGURES, cities="A") == results(
        spec(), FIGURES, cities="A"
    )


@pytest.mark.django_db
def test_an_adjustment_warns_that_the_cities_allocations_stay(client, superuser, agents):
    target = Target.objects.get(indicator=agents)
    guangzhou = Prefecture.objects.get(code="440100")
    TargetAllocation.objects.create(target=target, prefecture=guangzhou, value=800)
    client.force_login(superuser)
    response = admin_change(
        client, target, value="3500", adjustment_effective="2021Q1", adjustment_reason="r"
    )
    page = client.get(response["Location"], headers={"accept-language": "en"}).content.decode()
    assert "allocations of this target are as they were" in page
    assert TargetAllocation.objects.get().value == 800
