"""The demo's second plan: the plan every page opens on, marked as demo wherever it shows."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.reports.test_summaries import pdf_pages, squeezed

DEMO_TITLE = "知识产权强省建设行动方案（2023—2025年）（演示）"
NEW_SERIES = "demo_data_ip_registrations"


@pytest.fixture
def officer(demo, client):
    client.force_login(User.objects.get(username="guangzhou"))


@pytest.mark.parametrize(
    "url",
    [
        reverse("overview"),
        reverse("indicator_dashboard", args=["key_protected_enterprises"]),
        reverse("prefecture_dashboard", args=["440100"]),
        reverse("map"),
    ],
)
def test_every_dashboard_opens_on_the_demo_plan_and_says_so(client, demo, leadership, url):
    client.force_login(leadership)
    page = client.get(url).content.decode()
    assert f'<p class="plan-meta plan-shown">{DEMO_TITLE} · 粤知〔2023〕演示号</p>' in page
    assert 'class="demo-banner"' in page
    # The switcher offers the 2018 plan beside it.
    assert f'<option value="demo-2023" selected>2023–2025 · {DEMO_TITLE}</option>' in page
    assert '<option value="2018">2018–2022 · ' in page


def test_the_demo_plan_says_demo_in_english(client, demo, leadership):
    client.force_login(leadership)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("overview"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(demo)" in page


def test_the_pdf_summary_names_the_demo_plan(client, demo, leadership, tmp_path):
    client.force_login(leadership)
    response = client.get(reverse("province_summary"))
    assert response.status_code == 200
    text = squeezed("".join(pdf_pages(response.content, tmp_path)))
    assert squeezed(DEMO_TITLE) in text
    assert "演示数据" in text


def test_the_api_gives_the_demo_plans_results(client, demo, leadership):
    client.force_login(leadership)
    records = client.get(reverse("progress_api"), {"period": "2025Q3"}).json()
    assert records
    assert {record["plan"] for record in records} == {"demo-2023"}


def test_the_city_form_asks_for_the_new_series_from_2023_on(client, officer):
    form = client.get(reverse("quarter_form", args=["440100", "2025Q4"])).content.decode()
    assert f'name="{NEW_SERIES}-value"' in form
    before = client.get(reverse("quarter_form", args=["440100", "2022Q4"])).content.decode()
    assert "数据知识产权登记证书" not in before


def test_a_page_opened_on_a_plan_keeps_its_links_on_that_plan(client, demo, leadership):
    """?plan=2018 is kept, as the switcher's choice is: the sources page and the PDF the
    page links to (without a plan of their own) read the 2018 plan's target, not the demo's."""
    client.force_login(leadership)
    client.cookies["django_language"] = "en"
    page = client.get(
        reverse("indicator_dashboard", args=["patent_agents"]), {"plan": "2018"}
    ).content.decode()
    assert '<dt>Target</dt><dd><span class="nowrap">≥ 3000 ' in page
    sources = client.get(reverse("sources", args=["patent_agents", "province", "2019Q4"]))
    assert "≥ 3000 " in sources.content.decode() and "≥ 5000" not in sources.content.decode()
    overview = client.get(reverse("overview")).content.decode()
    assert '<option value="2018" selected>' in overview


def test_a_concluded_plan_opens_on_its_target_quarter_as_its_final_evaluation_judges_it(
    client, demo, leadership
):
    """Later figures are no longer judged by the 2018 plan: its pages open on 2022Q4, the
    quarter its final evaluation reads, and so never contradict it."""
    client.force_login(leadership)
    page = client.get(reverse("overview"), {"plan": "2018"}).content.decode()
    assert "方案目标进展：2022年第4季度" in page
    for url in [
        reverse("indicator_dashboard", args=["patent_agents"]),
        reverse("prefecture_dashboard", args=["440100"]),
    ]:
        page = client.get(url, {"plan": "2018"}).content.decode()
        assert '<option value="2022Q4" selected>' in page
    # The demo plan, which runs to 2025, opens on its newest complete quarter.
    page = client.get(reverse("overview"), {"plan": "demo-2023"}).content.decode()
    assert "方案目标进展：2025年第3季度" in page
