"""Two plans over one history: figures reported once, each plan's pages, PDF and API read
against its own targets; the header's switcher and ?plan= choose which."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import Indicator, Plan, Prefecture, Progress, ReportingPeriod, Target
from targets.recompute import recompute_progress
from tests.factories import PlanFactory, approve

SERIES = "key_protected_enterprises"


@pytest.fixture
def two_plans(plan, leadership):
    """The 2018 plan and a second one (2021 to 2025) targeting one of its series otherwise
    and leaving the rest untracked; Guangzhou's figures for 2022Q4 approved once."""
    second = PlanFactory(
        code="fyp14",
        title_zh="第二个规划",
        title_en="The second plan",
        start_date="2021-01-01",
        target_date="2025-12-31",
    )
    series = Indicator.objects.get(code=SERIES)
    Target.objects.create(
        plan=second,
        indicator=series,
        display_order=1,
        wording="重点企业达 45000 家",
        value=45000,
        year=2025,
        quarter=4,
    )
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    for city in Prefecture.objects.all():
        approve(series, city, period, 1500)
    recompute_progress()
    return second


def province(plan_code):
    return Progress.objects.get(
        indicator__code=SERIES, prefecture=None, period__year=2022, period__quarter=4,
        plan__code=plan_code,
    )  # fmt: skip


def test_each_plan_reads_the_same_figures_against_its_own_target(two_plans):
    first, second = province("2018"), province("fyp14")
    assert first.actual == second.actual == 21 * 1500
    assert (first.target, second.target) == (Decimal(30000), Decimal(45000))
    assert first.gap < 0 < second.gap


def test_the_overview_shows_the_plan_asked_for_else_the_one_in_force(client, two_plans, leadership):
    client.force_login(leadership)
    url = reverse("overview") + "?quarter=2022Q4"
    in_force = client.get(url).content.decode()  # today the second plan has started
    assert "The second plan" in in_force or "第二个规划" in in_force
    assert "≥ 45000" in in_force and "≥ 30000" not in in_force
    first = client.get(url + "&plan=2018").content.decode()
    assert "≥ 30000" in first and "≥ 45000" not in first


def test_the_switcher_keeps_the_choice_and_drops_a_plan_named_in_the_address(
    client, two_plans, leadership
):
    client.force_login(leadership)
    back = reverse("overview") + "?quarter=2022Q4&plan=fyp14"
    response = client.post(reverse("choose_plan"), {"plan": "2018", "next": back})
    assert response.status_code == 302
    assert response["Location"] == reverse("overview") + "?quarter=2022Q4"
    page = client.get(response["Location"]).content.decode()
    assert "≥ 30000" in page and 'class="plan-switch"' in page


def test_a_plan_not_on_record_is_a_404_that_names_the_plans(client, two_plans, leadership):
    client.force_login(leadership)
    response = client.get(reverse("overview"), {"plan": "2030"}, headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "2018, fyp14" in response.content.decode()
    refused = client.post(reverse("choose_plan"), {"plan": "nope", "next": "/"})
    assert refused.status_code == 404


def test_a_series_the_plan_does_not_track_says_so(client, two_plans, leadership):
    client.force_login(leadership)
    url = reverse("indicator_dashboard", args=["patent_agents"])
    response = client.get(url, {"plan": "fyp14"}, headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "does not track" in response.content.decode()


def test_the_series_page_draws_every_plans_target(client, two_plans, leadership):
    client.force_login(leadership)
    url = reverse("indicator_dashboard", args=[SERIES])
    response = client.get(
        url, {"quarter": "2022Q4", "plan": "2018"}, headers={"accept-language": "en"}
    )
    page = response.content.decode()
    chart = json.loads(page.split('id="chart-data"')[1].split(">", 1)[1].split("</script>")[0])
    chart = chart["series"]
    other = next(t for t in chart["data"] if t["name"].startswith("2021–2025 plan"))
    assert other["name"] == "2021–2025 plan · ≥ 45000 enterprises"
    assert other["x"][-1] == "2025Q4" and other["y"][-1] == 45000
    assert chart["layout"]["xaxis"]["categoryarray"][-1] == "2025Q4"


def test_the_api_answers_for_the_plan_asked_for(client, two_plans, leadership):
    client.force_login(leadership)
    records = json.loads(
        client.get(reverse("progress_api"), {"period": "2022Q4", "plan": "fyp14"}).content
    )
    assert {record["plan"] for record in records} == {"fyp14"}
    assert {record["indicator"] for record in records} == {SERIES}


def test_the_pdf_summary_is_of_the_plan_in_view(client, two_plans, leadership):
    client.force_login(leadership)
    response = client.get(reverse("province_summary"), {"quarter": "2022Q4", "plan": "2018"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert Plan.objects.get(code="2018").document_number in pdf_text(response.content)


def pdf_text(content: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_a_plan_without_targets_yet_is_not_the_default_and_its_map_says_why(
    client, two_plans, leadership
):
    PlanFactory(code="empty", start_date="2026-01-01", target_date="2030-12-31")
    client.force_login(leadership)
    url = reverse("overview") + "?quarter=2022Q4"
    assert "≥ 45000" in client.get(url).content.decode()  # still the second plan
    response = client.get(reverse("map"), {"plan": "empty"}, headers={"accept-language": "en"})
    assert response.status_code == 404
    assert "tracks no series the cities report" in response.content.decode()


def test_interim_targets_are_entered_on_their_targets_admin_page(admin_client, two_plans):
    target = two_plans.targets.get()
    page = admin_client.get(reverse("admin:targets_target_change", args=[target.pk]))
    assert "interim_targets-TOTAL_FORMS" in page.content.decode()
