import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_script_prefix, reverse, set_script_prefix
from openpyxl import load_workbook

from reports.dashboards import CODE_MARKER, links_by_code
from targets.models import Indicator, Plan, Prefecture, Progress, ReportingPeriod
from targets.periods import Quarter
from targets.schedule import add_periods
from tests.factories import PrefectureFactory, UserFactory

CODES = ["patent_agents", "pledge_financing", "assistance_centre_coverage"]


def page(client, name, **kwargs):
    query = kwargs.pop("query", "")
    response = client.get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == 200
    return response


def figures_of(response):
    payload = re.search(
        r'<script id="chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(payload.group(1))


@pytest.mark.parametrize(
    "persona, lands_on",
    [
        ("leadership", "/dashboard/"),
        ("provincial", "/dashboard/"),
        ("city_officer", "/dashboard/prefectures/440100/"),
    ],
)
def test_each_role_lands_on_its_dashboard(client, plan, request, persona, lands_on):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/")["Location"] == lands_on


def test_a_user_without_a_role_lands_on_the_plan(client, plan):
    client.force_login(UserFactory())
    assert client.get("/")["Location"] == reverse("plan")


def test_the_overview_defaults_to_the_latest_complete_quarter(client, leadership, progress_data):
    client.force_login(leadership)
    text = page(client, "overview").content.decode()
    assert "2022年第3季度" in text.split("</h1>")[0]
    for name in ["执业专利代理人", "知识产权质押融资金额", "维权援助中心地市全覆盖"]:
        assert name in text
    assert "已达成" in text and "无数据" in text


def test_the_overview_warns_about_missing_cities(client, leadership, progress_data):
    client.force_login(leadership)
    text = page(client, "overview", query="?quarter=2022Q4").content.decode()
    assert "数据不完整：缺 1 个地市" in text and "云浮市" in text


def test_the_overview_filters_by_status_and_kind(client, leadership, progress_data):
    client.force_login(leadership)
    text = page(client, "overview", query="?quarter=2022Q3&kind=coverage").content.decode()
    assert "维权援助中心地市全覆盖" in text and "执业专利代理人" not in text
    text = page(client, "overview", query="?quarter=2022Q3&status=achieved").content.decode()
    assert "《广东省专利条例》修订完成" not in text


def test_the_indicator_page_charts_the_province_and_every_city(client, leadership, progress_data):
    client.force_login(leadership)
    response = page(client, "indicator_dashboard", code="patent_agents", query="?quarter=2022Q3")
    figures = figures_of(response)
    assert set(figures) == {"series", "bars", "heat"}
    names = [trace["name"] for trace in figures["series"]["data"]]
    assert names[:2] == ["实际值", "通往目标的路径"] and names[-1] == "≥ 3000 人"
    actual = figures["series"]["data"][0]
    assert actual["x"][0] == "2018Q1" and actual["x"][-3:] == ["2022Q2", "2022Q3", "2022Q4"]
    assert actual["y"][-2] == 21 * 130 + sum(range(21)) and actual["y"][-1] is None
    assert len(figures["bars"]["data"][0]["x"]) == 21
    assert figures["bars"]["data"][1]["x"] == ["广州市"]  # its allocation marked
    text = response.content.decode()
    assert text.count("vendor/plotly-cartesian.min") == 1
    assert "cdn" not in text.lower()


def test_coverage_shows_which_cities_are_covered_on_a_local_tile_map(
    client, leadership, progress_data
):
    client.force_login(leadership)
    figures = figures_of(
        page(
            client,
            "indicator_dashboard",
            code="assistance_centre_coverage",
            query="?quarter=2022Q3",
        )
    )
    tiles = figures["coverage"]["data"][0]
    assert tiles["type"] == "scatter"
    assert sum("未覆盖" in text for text in tiles["hovertext"]) == 21 - 18
    assert not any(
        trace["type"].startswith(("scattergeo", "choropleth"))
        for f in figures.values()
        for trace in f["data"]
    )


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_the_table_exports_cities_down_and_quarters_across(
    client, leadership, progress_data, export
):
    client.force_login(leadership)
    response = page(
        client,
        "indicator_dashboard",
        code="patent_agents",
        query=f"?quarter=2022Q4&_export={export}",
    )
    if export == "csv":
        assert response.content.startswith("\ufeff地市".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.title == "执业专利代理人 2022Q4" and sheet.freeze_panes == "B4"
        assert sheet["A1"].value == "执业专利代理人：各地市数据（截至2022年第4季度）"
        assert sheet["A2"].value == "单位：人。仅含审核通过的数据。"
        rows = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[0] == ["地市", "2018Q1", *rows[0][2:]] and rows[0][-1] == "2022Q4"
    guangzhou = next(row for row in rows if row[0] == "广州市")
    assert str(guangzhou[-1]) == "140"


def test_the_prefecture_page_shows_the_gap_to_its_allocation(client, city_officer, progress_data):
    client.force_login(city_officer)
    text = page(
        client, "prefecture_dashboard", code="440100", query="?quarter=2022Q4"
    ).content.decode()
    assert "广州市" in text and "200 人" in text and "60 人" in text


def test_the_map_colours_cities_by_status_with_a_legend(client, leadership, progress_data):
    client.force_login(leadership)
    response = page(client, "map", query="?indicator=patent_agents&quarter=2022Q3&mode=status")
    tiles = figures_of(response)["map"]["data"][0]
    assert len(tiles["x"]) == 21
    assert "已达成" in response.content.decode().split('class="legend"')[1]


def ten_times_the_demo():
    """189 more prefectures with stored progress for every indicator and quarter."""
    extra = PrefectureFactory.create_batch(189)
    indicators = list(Indicator.objects.all())
    plan = Plan.objects.get()
    rows = [
        Progress(
            indicator=i,
            plan=plan,
            prefecture=p,
            period=q,
            actual=Decimal(7),
            status="no_data",
            complete=True,
            data_version="x",
            computed_at="2023-01-01T00:00:00+08:00",
        )
        for p in extra
        for q in ReportingPeriod.objects.all()
        for i in indicators
    ]
    Progress.objects.bulk_create(rows, batch_size=5000)


def test_pages_keep_a_bounded_number_of_queries(client, leadership, progress_data):
    client.force_login(leadership)
    # The session, the user and their roles, the demo banner's two, and the plan in view
    # and its targets included; an indicator page also reads its target's mid-term adjustments.
    at_most = {
        reverse("overview"): 11,
        reverse("indicator_dashboard", kwargs={"code": "patent_agents"}): 16,
        reverse("indicator_dashboard", kwargs={"code": "assistance_centre_coverage"}): 15,
        reverse("prefecture_dashboard", kwargs={"code": "440100"}): 10,
        reverse("map") + "?mode=status": 10,
    }

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url + ("&" if "?" in url else "?") + "quarter=2022Q3")
        assert response.status_code == 200
        return len(captured)

    with_the_demo = {url: queries(url) for url in at_most}
    assert all(with_the_demo[url] <= bound for url, bound in at_most.items()), with_the_demo
    ten_times_the_demo()
    # The same number of queries however many cities: none per city or per row.
    assert {url: queries(url) for url in at_most} == with_the_demo


def matrix_rows(response):
    table = response.content.decode().split('id="by-prefecture"')[1].split("</tbody>")[0]
    return re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table)


def test_the_indicator_page_shows_a_page_of_cities_and_stays_light(
    client, leadership, progress_data
):
    ten_times_the_demo()
    client.force_login(leadership)
    names = [p.name for p in Prefecture.objects.order_by("display_order")]
    for number, cities in [(1, names[:30]), (2, names[30:60]), (7, names[180:])]:
        query = f"?quarter=2022Q3&page={number}"
        response = page(client, "indicator_dashboard", code="patent_agents", query=query)
        assert len(response.content) <= 100 * 1024
        figures = figures_of(response)
        rows = matrix_rows(response)
        assert [name for name, _cells in rows] == cities
        assert figures["heat"]["data"][0]["y"] == cities
        assert sorted(figures["bars"]["data"][0]["x"]) == sorted(cities)
        # Every value in the table links to its sources; the payload for plotly.js carries
        # no links (only the tables print them).
        code = Prefecture.objects.get(name_zh=cities[0]).code
        cells = rows[0][1]
        assert f'href="{reverse("sources", args=["patent_agents", code, "2022Q3"])}"' in cells
        assert cells.count("<a href=") == cells.count("<td>") - cells.count("<td>—")
        assert '"sources"' not in response.content.decode().split('id="chart-data"')[1]


def test_the_heat_map_and_table_show_five_years_and_the_downloads_every_quarter(
    client, leadership, progress_data
):
    add_periods(first=Quarter(2023, 1), last=Quarter(2023, 4))
    client.force_login(leadership)
    response = page(client, "indicator_dashboard", code="patent_agents", query="?quarter=2023Q4")
    shown = [str(Quarter(2019, 1).shift(step)) for step in range(20)]
    assert figures_of(response)["heat"]["data"][0]["x"] == shown
    text = response.content.decode()
    head = text.split('id="by-prefecture"')[1].split("<thead>")[1].split("</thead>")[0]
    assert re.findall(r"\d{4}Q\d", head) == shown
    assert "2019Q1 起" in text  # and says where the earlier quarters are
    export = page(
        client, "indicator_dashboard", code="patent_agents", query="?quarter=2023Q4&_export=csv"
    )
    header = next(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert header[1] == "2018Q1" and header[-1] == "2023Q4"


@pytest.mark.parametrize("export", ["csv", "xlsx", None])
def test_a_city_table_says_whether_each_city_is_covered(client, leadership, demo, export):
    client.force_login(leadership)
    query = "?plan=2018&quarter=2022Q3" + (f"&_export={export}" if export else "")
    response = page(client, "indicator_dashboard", code="ip_insurance_coverage", query=query)
    if export == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    elif export == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    else:
        rows = [
            [name, *re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", cells)]
            for name, cells in matrix_rows(response)
        ]
    cells = {cell for row in rows for cell in row[1:]}
    assert cells <= {"是", "否", "", None, "—"} and {"是", "否"} <= cells
    guangzhou = next(row for row in rows if row[0] == "广州市")
    assert guangzhou[-1] == "是"


@pytest.mark.parametrize("prefix", ["/", f"/{CODE_MARKER}/"])
def test_the_links_of_a_dashboards_rows_are_those_reverse_gives(plan, prefix):
    codes = list(Indicator.objects.values_list("code", flat=True))
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for name, args in [
            ("indicator_dashboard", []),
            ("sources", ["province", Quarter(2022, 3)]),
            ("sources", ["440100", Quarter(2022, 3)]),
        ]:
            expected = {code: reverse(name, args=[code, *args]) for code in codes}
            assert links_by_code(name, codes, *args) == expected
    finally:
        set_script_prefix(before)
