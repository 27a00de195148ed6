"""What the pages show agrees with the status: the field examples, on every page and chart."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from reports import charts, summaries
from reports.summaries import Scope
from reports.templatetags.dashboards import data_table
from targets.models import Indicator, Plan, ReportingPeriod
from targets.plans import tracked_by
from targets.recompute import recompute_progress
from tests.reports.test_dashboards import figures_of
from tests.reports.test_summaries import pdf_pages

FIELD = Path(__file__).parent / "field"
EVERY_QUARTER = [f"{year}Q{quarter}" for year in range(2018, 2023) for quarter in range(1, 5)]
CJK = re.compile(r"[\u4e00-\u9fff]")
# The demo's newest quarter, where some cities have not reported (see `demo_status`).
NEWEST = "2025Q4"


def plan_2018():
    return Plan.objects.get(code="2018")


@pytest.fixture
def lingdao(demo):
    return User.objects.get(username="lingdao")


@pytest.fixture
def just_short(demo):
    """The demo, with 高新技术企业贯标率 2022Q4 at 2,496 ÷ 10,000 = 24.96 % (target ≥ 25 %) and
    执业专利代理人 for 2021Q1–Q2, imported as the field file has them."""
    call_command(
        "import_figures",
        str(FIELD / "hitech-just-short.csv"),
        user="sheng",
        approve=True,
        # The demo's 执业专利代理人 differ from the file's by more than a quarter's change.
        accept_warnings="the field file's own figures",
        stdout=io.StringIO(),
    )
    recompute_progress()
    return User.objects.get(username="lingdao")


def html(client, user, url, language="zh-hans"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response


def row_of(text, name):
    """The overview's table row of an indicator."""
    return next(row for row in text.split("<tr>") if f">{name}</a>" in row)


def test_a_rate_just_short_of_its_target_never_reads_as_reached(client, just_short, tmp_path):
    overview = html(client, just_short, "/dashboard/?plan=2018&quarter=2022Q4").content.decode()
    row = row_of(overview, "高新技术企业贯标率")
    assert "24.96 %" in row and "99.8%" in row and "进度滞后" in row
    assert not re.search(r">\s*25(\.0)? %", row) and not re.search(r">\s*100(\.0)?%", row)
    page = html(
        client, just_short, "/dashboard/indicators/hitech_compliance_rate/?plan=2018&quarter=2022Q4"
    )
    text = page.content.decode()
    headline = text.split('<dl class="headline">')[1].split("</dl>")[0]
    assert "24.96 %" in headline and "0.04 个百分点" in headline and "99.8%" in headline
    assert not re.search(r"<dd>\s*0(\.0)?\s*(%|个百分点)?\s*</dd>", headline)
    actual = figures_of(page)["series"]["data"][0]
    assert actual["customdata"][EVERY_QUARTER.index("2022Q4")] == "24.96 %"
    pdf = html(
        client,
        just_short,
        "/dashboard/indicators/hitech_compliance_rate/summary/?plan=2018&quarter=2022Q4",
    )
    lines = "".join(pdf_pages(pdf.content, tmp_path)).splitlines()
    for shown in ["24.96 %", "0.04 个百分点", "99.8%"]:
        assert any(shown in line for line in lines), shown
    assert not any(re.fullmatch(r"25(\.0)? %|100(\.0)?%", line.strip()) for line in lines)


def test_the_time_axis_keeps_every_quarter_whatever_quarter_is_chosen(client, just_short):
    page = html(client, just_short, "/dashboard/indicators/patent_agents/?plan=2018&quarter=2021Q2")
    figures = figures_of(page)
    # The demo plan sets 执业专利代理人 a 2025Q4 target too: the axis runs to the later one.
    axis = [f"{year}Q{quarter}" for year in range(2018, 2026) for quarter in range(1, 5)]
    assert figures["series"]["layout"]["xaxis"]["categoryarray"] == axis
    assert figures["series"]["layout"]["xaxis"]["range"] == [-0.5, len(axis) - 0.5]
    actual = figures["series"]["data"][0]
    assert actual["x"] == axis
    assert [y is not None for y in actual["y"]] == [q <= "2021Q2" for q in axis]
    assert figures["heat"]["data"][0]["x"] == axis
    period = ReportingPeriod.objects.get(year=2021, quarter=2)
    scope = Scope(indicator=Indicator.objects.get(code="patent_agents"), plan=plan_2018())
    svg = summaries.content(scope, period, timezone.localdate())["figures"][0][1]
    assert "2022Q3" in svg  # a tick label, beyond the quarter shown


def test_an_incomplete_total_is_drawn_apart_and_says_so(client, lingdao):
    overview = html(client, lingdao, f"/dashboard/?plan=2018&quarter={NEWEST}").content.decode()
    row = row_of(overview, "高质量专利育成中心")
    assert "<progress" not in row
    assert re.search(r"数据不完整：缺 \d+ 个地市（[^）]+）", row)
    assert "status-incomplete" in row
    spark = row.split('<svg class="spark"')[1]
    assert 'fill="#ffffff"' in spark  # the incomplete quarter: a hollow circle
    # Read aloud as a Chinese list: 、 between quarters, full-width marks.
    assert re.match(r' [^>]*aria-label="高质量专利育成中心：\d+ 个、[^"]*个（数据不完整）"', spark)
    page = html(
        client,
        lingdao,
        f"/dashboard/indicators/patent_cultivation_centres/?plan=2018&quarter={NEWEST}",
    )
    series = figures_of(page)["series"]["data"]
    assert series[0]["y"][series[0]["x"].index(NEWEST)] is None  # off the line
    incomplete = next(trace for trace in series if trace["name"] == "不完整合计（有地市缺报）")
    assert incomplete["x"] == [NEWEST] and incomplete["marker"]["symbol"] == "circle-open"
    period = ReportingPeriod.objects.get(year=2025, quarter=4)
    scope = Scope(
        indicator=Indicator.objects.get(code="patent_cultivation_centres"), plan=plan_2018()
    )
    svg = summaries.content(scope, period, timezone.localdate())["figures"][0][1]
    assert "不完整合计（有地市缺报）" in svg


def test_each_kind_is_charted_in_its_own_terms(client, lingdao):
    rank = figures_of(
        html(client, lingdao, "/dashboard/indicators/pct_national_rank/?plan=2018&quarter=2022Q3")
    )
    axis = rank["series"]["layout"]["yaxis"]
    assert axis["autorange"] == "reversed" and axis["dtick"] == 1
    assert "全国第 2 名" in data_table(rank["series"])  # ranks print as whole numbers
    coverage = figures_of(
        html(
            client, lingdao, "/dashboard/indicators/ip_insurance_coverage/?plan=2018&quarter=2022Q3"
        )
    )
    assert coverage["series"]["layout"]["yaxis"]["title"]["text"] == "已覆盖地市数"
    assert coverage["series"]["layout"]["yaxis"]["tickformat"] == "d"
    assert "bars" not in coverage  # covered or not: the tile map, not bars from 0 to 1
    heat = coverage["heat"]["data"][0]
    assert heat["colorbar"]["ticktext"] == ["未覆盖", "已覆盖"] and heat["zmax"] == 1
    milestone = figures_of(
        html(
            client,
            lingdao,
            "/dashboard/indicators/patent_regulation_revised/?plan=2018&quarter=2022Q3",
        )
    )
    assert milestone["series"]["layout"]["yaxis"]["ticktext"] == ["未完成", "完成"]


def test_a_rank_sparkline_rises_to_first_place(client, lingdao):
    overview = html(client, lingdao, "/dashboard/?plan=2018&quarter=2022Q3").content.decode()
    spark = row_of(overview, "PCT 专利申请量领跑全国").split('<polyline points="')[1]
    points = [tuple(map(float, point.split(","))) for point in spark.split('"')[0].split()]
    assert points[0][1] > points[-1][1]  # from 2nd (lower) to 1st (higher)


def test_monitoring_only_values_show_with_no_target_never_no_data(client, lingdao):
    overview = html(client, lingdao, "/dashboard/?plan=2018&quarter=2022Q3").content.decode()
    row = row_of(overview, "PCT 专利申请量")
    assert "仅监测" in row and "无数据" not in row and re.search(r"\d+ 件", row)
    status_map = html(
        client,
        lingdao,
        "/dashboard/map/?plan=2018&quarter=2022Q3&mode=status&indicator=patent_agencies",
    )
    tiles = figures_of(status_map)["map"]["data"][0]
    assert all(text.endswith("仅监测") for text in tiles["text"])
    assert all(re.search(r"^\w+市：\d+ 家 · 仅监测$", hover) for hover in tiles["hovertext"])
    officer = User.objects.get(username="guangzhou")
    city = html(
        client, officer, "/dashboard/prefectures/440100/?plan=2018&quarter=2022Q3"
    ).content.decode()
    assert "仅监测" in row_of(city, "专利代理机构")
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    content = summaries.content(Scope(plan=plan_2018()), period, timezone.localdate())
    counts = {value: count for value, _label, count in content["counts"]}
    assert counts["no_target"] == 1 and counts["no_data"] == 0


def test_a_province_figure_not_yet_reported_says_so(client, leadership, progress_data):
    text = html(client, leadership, "/dashboard/?quarter=2022Q3").content.decode()
    row = row_of(text, "《广东省专利条例》修订完成")
    assert "尚无数据" in row and "缺 0" not in row and "()" not in row


@pytest.mark.parametrize("quarter", ["2022Q3", "2022Q4"])
def test_chart_data_never_prints_none_and_keeps_the_decimals(client, lingdao, quarter):
    for plan, indicator in [(p, i) for p in Plan.objects.all() for i in tracked_by(p)]:
        url = f"/dashboard/indicators/{indicator.code}/?plan={plan.code}&quarter={quarter}"
        figures = figures_of(html(client, lingdao, url))
        for name, figure in figures.items():
            table = data_table(figure)
            assert "None" not in table, (indicator.code, name)
            assert not re.search(rf"\d\.\d{{{indicator.decimals + 2},}}", table), (
                indicator.code,
                name,
            )


def test_the_map_reads_legibly(client, lingdao):
    for indicator in Indicator.objects.filter(reported_by="cities"):
        for mode in ("value", "status"):
            url = f"/dashboard/map/?quarter=2022Q3&mode={mode}&indicator={indicator.code}"
            figure = figures_of(html(client, lingdao, url))["map"]
            fills = [shape["fillcolor"] for shape in figure["layout"]["shapes"]]
            inks = figure["data"][0]["textfont"]["color"]
            assert len(fills) == len(inks) == 21
            assert min(charts.contrast(f, i) for f, i in zip(fills, inks, strict=True)) >= 4.5
    rate = figures_of(
        html(client, lingdao, "/dashboard/map/?quarter=2022Q3&indicator=hitech_compliance_rate")
    )["map"]["data"][0]
    assert all(re.fullmatch(r".+<br>\d+\.\d", text) for text in rate["text"])


@pytest.mark.parametrize(
    "top, step", [(57.4449, "20"), (9374, "2000"), (0.8, "0.2"), (21, "5"), (1874.8, "500")]
)
def test_map_legend_steps_are_round_numbers(top, step):
    from decimal import Decimal

    assert str(charts.legend_step(Decimal(str(top)))) == step


def test_english_pages_read_as_english(client, lingdao):
    overview = html(client, lingdao, "/dashboard/?plan=2018&quarter=2022Q3", "en").content.decode()
    assert "¥81.82 亿" in overview and not re.search(r"\d 100 million yuan", overview)
    assert "none: the target is met" in row_of(overview, "IP protection centres")
    assert re.search(r">\s*1 city\s*<", overview)
    incomplete = html(
        client, lingdao, f"/dashboard/?plan=2018&quarter={NEWEST}", "en"
    ).content.decode()
    assert re.search(r"incomplete: \d+ cities missing \((\w+, )+\w+\)", incomplete)
    assert "、" not in incomplete
    page = html(
        client, lingdao, "/dashboard/indicators/pledge_financing/?plan=2018&quarter=2022Q3", "en"
    ).content.decode()
    subtitle = page.split('<p class="plan-meta">')[1].split("</p>")[0]
    # In English an amount in 亿元 reads ¥200 亿: the one Chinese character left.
    assert not CJK.search(subtitle.replace("亿", "")) and "¥200 亿" in subtitle
    bars = figures_of(
        html(client, lingdao, "/dashboard/indicators/patent_agents/?plan=2018&quarter=2022Q3", "en")
    )["bars"]
    assert bars["layout"]["xaxis"]["automargin"] is True


@pytest.fixture
def before_just_short(demo):
    """The moment between the demo's approvals and the field file's import."""
    return timezone.now()


SOURCES = "/dashboard/sources/hitech_compliance_rate/province/2022Q4/?plan=2018"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_sources_and_changes_pages_never_round_onto_the_target(
    client, before_just_short, just_short, tmp_path, language
):
    page = html(client, just_short, SOURCES, language).content.decode()
    headline = page.split('<dl class="headline">')[1].split("</dl>")[0]
    assert "24.96 %" in headline and not re.search(r"\b25(\.0)? %", headline)
    assessment = page.split('<dl class="assessment">')[1].split("</dl>")[0]
    # Headline and listed values in the indicator's decimals (one), more only near the target.
    assert "× 100 = 99.8%" in assessment
    assert re.search(r"2021Q1: 17\.7 %; 2021Q2: 18\.2 %;.*; 2022Q4: 24\.96 %", assessment)
    assert not re.search(r"\d\.\d{4,}", assessment.split("Expected")[-1].split("预期")[-1])
    assert "23.7 %" in assessment and "1.00 · " in assessment
    csv = tmp_path / "pledge.csv"
    csv.write_text(
        "prefecture,indicator,period,value,denominator,note\n440100,pledge_financing,2022Q4,0.6,,\n"
    )
    call_command(
        "import_figures",
        str(csv),
        user="sheng",
        approve=True,
        accept_warnings="a correction",
        stdout=io.StringIO(),
    )
    changes = html(
        client,
        just_short,
        f"/dashboard/changes/?since={before_just_short.isoformat()}&quarter=2022Q4"
        "&scope=province@2018".replace("+", "%2B"),
        language,
    ).content.decode()
    hitech = next(row for row in changes.split("<tr>") if "hitech_compliance_rate" in row)
    assert "24.96 %" in hitech and not re.search(r">\s*25(\.0)? %", hitech)
    # The 亿元 figure as entered, in its indicator's two decimals: 0.60, not 0.6.
    assert '<td class="number">0.60</td>' in changes


def test_english_lists_on_the_sources_pages_are_joined_with_commas(client, lingdao):
    page = html(
        client,
        lingdao,
        f"/dashboard/sources/assistance_centre_coverage/province/{NEWEST}/?plan=2018",
        "en",
    ).content.decode()
    calculation = page.split('<section class="calculation">')[1].split("</section>")[0]
    assert "、" not in calculation
    assert re.search(r"Covered: \w+, \w+", calculation)
    assert re.search(r"\w+ \(missing\), \w+ \(missing\)", calculation)
    chinese = html(
        client,
        lingdao,
        f"/dashboard/sources/assistance_centre_coverage/province/{NEWEST}/?plan=2018",
    ).content.decode()
    calculation = chinese.split('<section class="calculation">')[1].split("</section>")[0]
    assert re.search(r"\w+市（缺报）、\w+市（缺报）", calculation)
