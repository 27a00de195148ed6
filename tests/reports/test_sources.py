"""The sources page: every stored result can be rebuilt from the rows it lists."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from reports import display
from reports.sources import status_rule
from targets.models import Indicator, Plan, Prefecture, Progress, ReportingPeriod
from targets.plans import tracked_by

KINDS = ["stock", "flow", "cumulative", "ratio", "coverage", "milestone", "rank"]
QUARTERS = ["2021Q2", "2022Q3"]


def page(client, code, scope, quarter, **query):
    url = reverse("sources", args=[code, scope, quarter])
    return client.get(url, query, headers={"accept-language": "en"})


def rows_of(client, code, scope, quarter, **query):
    """The page's city table, as its CSV export gives it."""
    response = page(client, code, scope, quarter, _export="csv", **query)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def number(text):
    return Decimal(text) if text else None


def recomputed(indicator, rows):
    """The headline value from the listed rows alone, by the methodology's rule for the kind."""
    used = [row for row in rows if row["Value used"] != ""]
    if not used:
        return None
    values = [number(row["Value used"]) for row in used]
    if indicator.kind == "coverage":
        return Decimal(sum(1 for value in values if value > 0))
    if indicator.kind == "ratio":
        denominator = sum(number(row["Denominator or population"]) for row in used)
        scale = 10000 if indicator.per_10k_residents else 100 if "%" in indicator.unit_en else 1
        return (sum(values) / denominator * scale).quantize(Decimal("0.000001"))
    return sum(values)


def test_every_kind_appears_in_the_plan(demo):
    assert {indicator.kind for indicator in Indicator.objects.all()} == set(KINDS)


@pytest.mark.parametrize("quarter", QUARTERS)
def test_every_province_result_is_rebuilt_from_the_rows_its_page_lists(
    client, demo, leadership, in_english, quarter
):
    client.force_login(leadership)
    period = ReportingPeriod.objects.get(year=int(quarter[:4]), quarter=int(quarter[-1]))
    # Each plan's results (a series tracked by both is read against each one's target).
    for plan, indicator in [(p, i) for p in Plan.objects.all() for i in tracked_by(p)]:
        stored = Progress.objects.get(
            plan=plan, indicator=indicator, prefecture=None, period=period
        )
        rows = rows_of(client, indicator.code, "province", quarter, plan=plan.code)
        expected_rows = 1 if indicator.reported_by == "province" else 21
        assert len(rows) == expected_rows, indicator.code
        assert recomputed(indicator, rows) == stored.actual, indicator.code
        missing = [row["Code"] for row in rows if row["Missing"]]
        assert missing == stored.missing, indicator.code
        html = page(client, indicator.code, "province", quarter, plan=plan.code).content.decode()
        shown = display.amount_beside(stored.actual, stored.target, indicator)
        assert f'<dd class="source-value">{shown}</dd>' in html, indicator.code


@pytest.mark.parametrize("code", ["patent_agents", "invention_patents_per_10k", "pledge_financing"])
def test_a_city_result_is_rebuilt_from_its_one_row(client, demo, leadership, in_english, code):
    client.force_login(leadership)
    indicator = Indicator.objects.get(code=code)
    city = Prefecture.objects.get(code="440300")
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    for plan in Plan.objects.all():  # the demo plan tracks these three too
        stored = Progress.objects.get(
            plan=plan, indicator=indicator, prefecture=city, period=period
        )
        rows = rows_of(client, code, "440300", "2022Q3", plan=plan.code)
        assert [row["Code"] for row in rows] == ["440300"]
        assert recomputed(indicator, rows) == stored.actual


def test_per_10k_rows_name_the_population_year_and_source(client, demo, leadership, in_english):
    client.force_login(leadership)
    rows = rows_of(client, "invention_patents_per_10k", "province", "2022Q3")
    reported = [row for row in rows if row["Value used"]]
    assert reported
    assert {row["Population year"] for row in reported} == {"2022"}
    assert all(row["Population source"] for row in reported)


def test_each_dashboard_value_links_to_its_sources(client, demo, leadership):
    client.force_login(leadership)
    province = reverse("sources", args=["patent_agents", "province", "2022Q3"])
    city = reverse("sources", args=["patent_agents", "440100", "2022Q3"])
    city_earlier = reverse("sources", args=["patent_agents", "440100", "2021Q1"])
    overview = client.get(reverse("overview"), {"quarter": "2022Q3"}).content.decode()
    assert f'href="{province}"' in overview
    indicator_page = client.get(
        reverse("indicator_dashboard", args=["patent_agents"]), {"quarter": "2022Q3"}
    ).content.decode()
    headline = indicator_page.split('class="headline"')[1].split("</dl>")[0]
    assert f'href="{province}"' in headline
    tables = indicator_page.split('class="chart-data"')[1:]
    assert f'href="{reverse("sources", args=["patent_agents", "province", "2021Q1"])}"' in tables[0]
    assert f'href="{city}"' in tables[1]  # every city in the quarter
    assert f'href="{city_earlier}"' in tables[2]  # every city in every quarter
    prefecture_page = client.get(
        reverse("prefecture_dashboard", args=["440100"]), {"quarter": "2022Q3"}
    ).content.decode()
    assert f'href="{city}"' in prefecture_page
    assert f'href="{province}"' in prefecture_page


@pytest.mark.parametrize("query", [{}, {"as_of": "2022-08-01T00:00"}, {"_export": "csv"}])
def test_the_page_takes_a_bounded_number_of_queries(
    client, demo, leadership, django_assert_max_num_queries, query
):
    client.force_login(leadership)
    with django_assert_max_num_queries(25):
        response = page(client, "industry_navigation_projects", "province", "2022Q3", **query)
    assert response.status_code == 200


def test_the_changes_page_takes_a_bounded_number_of_queries(
    client, demo, leadership, django_assert_max_num_queries
):
    client.force_login(leadership)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("changes"), {"since": "2021-01-01T00:00"})
    assert response.status_code == 200
    assert response.context["changes"].figures


@pytest.mark.parametrize("status", Progress.Status.values)
def test_every_status_names_the_rule_that_gives_it(status):
    with translation.override("en"):
        rule = status_rule(status)
    with translation.override("zh-hans"):
        assert status_rule(status) != rule
    assert "%" not in rule.replace("% of it", "")


def test_the_export_gives_moments_as_the_page_prints_them(client, demo, leadership):
    client.force_login(leadership)
    rows = rows_of(client, "patent_agents", "province", "2022Q3")
    moments = [row[heading] for row in rows for heading in ["Submitted at", "Approved at"]]
    assert moments and all(
        re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", moment) for moment in moments if moment
    )
    assert any(moments)


def test_the_chinese_export_names_each_submission_state(client, demo, leadership):
    client.force_login(leadership)
    url = reverse("sources", args=["patent_agents", "province", "2022Q4"])
    text = client.get(url, {"_export": "csv"}).content.decode("utf-8-sig")
    states = {row["报送状态"] for row in csv.DictReader(io.StringIO(text))}
    assert states and states <= {"已审核通过", "已提交", "草稿", "已退回", "未开始"}, states


def test_an_indicators_excel_sheet_keeps_its_quarter_whole(client, demo, leadership):
    client.force_login(leadership)
    url = reverse("indicator_dashboard", args=["patent_agents"])
    client.cookies["django_language"] = "en"
    response = client.get(url, {"quarter": "2022Q4", "_export": "xlsx"})
    title = load_workbook(io.BytesIO(response.content)).active.title
    # “Practising patent attorneys 2022Q4” is longer than Excel's 31 characters.
    assert title == "Practising patent attor… 2022Q4" and len(title) <= 31
