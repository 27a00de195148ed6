"""Plan files: read with every problem on its line, loaded all or nothing, idempotent; a plan
loaded from a file reaches every page, the engine and the PDF without any code change."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from targets.imports import read_csv
from targets.models import (
    Indicator,
    InterimTarget,
    Plan,
    Prefecture,
    Progress,
    ReportingPeriod,
    Target,
    TargetAllocation,
)
from targets.periods import Quarter
from targets.plan_files import PlanFileInvalid, load, read_plan_file
from targets.recompute import recompute_progress
from targets.seeding import PLAN_2018
from tests.factories import approve
from tests.reports.test_summaries import pdf_pages, squeezed

PLAN_2023 = Path(__file__).resolve().parent.parent / "corpus" / "plans" / "plan-2023.yaml"
NEW_SERIES = "geographical_indication_products"


def problems(text: str) -> list[tuple[int, str, str]]:
    """(line, key, message) of every problem in a file written as `text`."""
    with pytest.raises(PlanFileInvalid) as invalid:
        read_plan_file(text.encode())
    return [(p.line, p.field, p.message) for p in invalid.value.problems]


def line_of(text: str, fragment: str) -> int:
    """The line of `text` that holds `fragment` first."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def rows():
    """Every row a plan file can write, as plain values, to compare two states."""
    models = [Plan, Indicator, Target, InterimTarget, TargetAllocation, ReportingPeriod]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def seeded_on():
    """The site as it stood before the 2023 plan: loading it adds its quarters."""
    return date(2022, 12, 31)


@pytest.fixture
def plan_2023(plan):
    load(PLAN_2023.read_bytes())
    return Plan.objects.get(code="2023")


# --- The 2018 plan is a plan file ----------------------------------------------------------


def test_the_2018_plan_file_reads_as_21_new_series_and_targets(db):
    plan_file = read_plan_file(PLAN_2018.read_bytes())
    assert plan_file.plan["document_number"] == "粤知〔2018〕153号"
    assert len(plan_file.series) == len(plan_file.targets) == 21
    assert (plan_file.first_quarter, plan_file.last_quarter) == (Quarter(2018, 1), Quarter(2022, 4))
    untargeted = [t.series for t in plan_file.targets if t.fields["value"] is None]
    assert untargeted == ["pct_applications"]


def test_the_2018_plan_loads_in_the_files_order(plan):
    codes = [t.series for t in read_plan_file(PLAN_2018.read_bytes()).targets]
    plan = Plan.objects.get(code="2018")
    targets = plan.targets.order_by("display_order")
    assert [t.indicator.code for t in targets] == codes
    assert [t.display_order for t in targets] == list(range(1, 22))
    assert list(Indicator.objects.values_list("code", flat=True)) == codes


# --- A second plan, with a new series --------------------------------------------------------


def test_a_plan_file_adds_its_plan_series_targets_interim_targets_allocations_and_periods(
    plan_2023,
):
    series = Indicator.objects.get(code=NEW_SERIES)
    assert (series.name_zh, series.unit_zh, series.kind, series.reported_by) == (
        "地理标志保护产品",
        "个",
        "stock",
        "cities",
    )
    assert series.display_order == 22  # after the 2018 plan's 21
    targets = list(plan_2023.targets.order_by("display_order"))
    assert [t.indicator.code for t in targets] == [
        NEW_SERIES,
        "patent_agents",
        "pledge_financing",
        "pct_applications",
    ]
    new, agents, pledges, pct = targets
    assert (new.value, new.period, new.baseline_value, new.baseline_period) == (
        100,
        Quarter(2025, 4),
        60,
        Quarter(2022, 4),
    )
    assert [(i.period, i.value) for i in new.interim_targets.all()] == [(Quarter(2024, 4), 80)]
    assert TargetAllocation.of(Prefecture.objects.get(code="440100"), plan_2023) == {
        series.pk: Decimal(20)
    }
    assert agents.value == 5000
    assert pledges.strict and pledges.direction == "at_least"
    assert pct.value is None and pct.period is None
    # The 2018 plan's own target on the same series is untouched.
    assert Target.objects.get(plan__code="2018", indicator__code="patent_agents").value == 3000
    quarters = [p.as_quarter for p in ReportingPeriod.objects.filter(year__gte=2023)]
    assert quarters == [Quarter(2023, 1).shift(step) for step in range(12)]


def test_the_new_series_is_in_the_city_quarter_form(client, plan_2023, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("quarter_form", args=["440100", "2025Q1"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "地理标志保护产品" in page
    assert f'name="{NEW_SERIES}-value"' in page


def test_the_new_series_is_not_asked_for_before_its_plan_starts(client, plan_2023, city_officer):
    client.force_login(city_officer)
    page = client.get(reverse("quarter_form", args=["440100", "2022Q4"])).content.decode()
    assert "地理标志保护产品" not in page
    assert 'name="patent_agents-value"' in page
    response = client.get(reverse("quarter_workbook", args=["440100", "2022Q4"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "地理标志保护产品" not in {
        str(c) for row in sheet.iter_rows(values_only=True) for c in row
    }


def test_the_csv_import_refuses_the_new_series_before_its_plan_starts(plan_2023, in_english):
    text = f"prefecture,indicator,period,value,denominator,note\n440100,{NEW_SERIES},2022Q4,12,,\n"
    assert read_csv(text.encode()) == (
        [],
        [
            (
                2,
                "Products under geographical indication protection is reported from 2023 Q1, "
                "when the first plan to track it began.",
            )
        ],
    )


def test_the_new_series_is_in_the_excel_sheet(client, plan_2023, city_officer):
    client.force_login(city_officer)
    response = client.get(reverse("quarter_workbook", args=["440100", "2025Q1"]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    assert "地理标志保护产品" in cells


def test_the_csv_import_takes_the_new_series(plan_2023):
    text = f"prefecture,indicator,period,value,denominator,note\n440100,{NEW_SERIES},2025Q1,12,,\n"
    rows, errors = read_csv(text.encode())
    assert errors == []
    assert [(row.indicator.code, row.entry.value) for row in rows] == [(NEW_SERIES, 12)]


@pytest.fixture
def computed(plan_2023):
    """Every city's approved figure for the new series in 2025Q1, and progress computed."""
    series = Indicator.objects.get(code=NEW_SERIES)
    period = ReportingPeriod.objects.get(year=2025, quarter=1)
    for city in Prefecture.objects.all():
        approve(series, city, period, 3)
    recompute_progress()
    return plan_2023


def test_the_engine_computes_the_new_plans_targets(computed):
    province = Progress.objects.get(
        plan=computed, indicator__code=NEW_SERIES, prefecture=None, period__year=2025,
        period__quarter=1,
    )  # fmt: skip
    assert province.actual == 63  # 21 cities × 3
    assert province.target == 100
    assert province.complete
    guangzhou = Progress.objects.get(
        plan=computed, indicator__code=NEW_SERIES, prefecture__code="440100",
        period__year=2025, period__quarter=1,
    )  # fmt: skip
    assert guangzhou.target == 20
    # The 2018 plan does not track the new series: no results of it for that plan.
    assert not Progress.objects.filter(plan__code="2018", indicator__code=NEW_SERIES).exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("overview"),
        reverse("indicator_dashboard", args=[NEW_SERIES]),
        reverse("prefecture_dashboard", args=["440100"]),
        reverse("map") + f"?indicator={NEW_SERIES}",
    ],
)
def test_every_dashboard_shows_the_new_series(client, computed, leadership, url):
    client.force_login(leadership)
    response = client.get(url, {"plan": "2023", "quarter": "2025Q1"})
    assert response.status_code == 200
    assert "地理标志保护产品" in response.content.decode()


def test_the_pdf_summary_prints_the_new_plan_and_series(client, computed, leadership, tmp_path):
    client.force_login(leadership)
    response = client.get(reverse("province_summary"), {"plan": "2023", "quarter": "2025Q1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = squeezed("".join(pdf_pages(response.content, tmp_path)))
    assert "粤知〔2023〕8号" in text
    assert "地理标志保护产品" in text


# --- Files as people write them --------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="CRLF"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data, id="BOM"),
        pytest.param(lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), id="BOM+CRLF"),
    ],
)
def test_crlf_and_bom_files_read_alike_with_the_same_lines(plan, in_english, variant):
    data = PLAN_2023.read_bytes()
    assert read_plan_file(variant(data)).targets[1].line == read_plan_file(data).targets[1].line
    broken = data.replace(b"value: 300", b"value: 3OO")
    line = broken.split(b"\n").index(b"    value: 3OO") + 1
    with pytest.raises(PlanFileInvalid) as invalid:
        read_plan_file(variant(broken))
    assert [(p.line, p.field) for p in invalid.value.problems] == [(line, "value")]


def test_a_file_in_another_encoding_is_refused_naming_the_line(plan, in_english):
    data = PLAN_2023.read_text(encoding="utf-8").encode("gb18030")
    with pytest.raises(PlanFileInvalid) as invalid:
        read_plan_file(data)
    [problem] = invalid.value.problems
    assert problem.line == 1  # the comment in Chinese on the first line
    assert "not UTF-8" in problem.message


def test_messages_are_in_chinese_by_default(plan):
    text = PLAN_2023.read_text().replace("kind: stock", "kind: pile")
    [(line, key, message)] = problems(text)
    assert (line, key) == (line_of(text, "kind: pile"), "kind")
    assert "不在可选值之列" in message


# --- Every kind of problem, each on its line -------------------------------------------------

HEADER = """\
plan:
  code: "2023"
  document_number: 粤知〔2023〕8号
  title_zh: 测试方案
  title_en: Test plan
  start_date: 2023-01-01
  target_date: 2025-12-31
"""
NEW = """\
series:
  - code: gi_products
    name_zh: 地理标志保护产品
    name_en: GI products
    kind: stock
    reported_by: cities
"""
TARGET = """\
targets:
  - series: patent_agents
    wording: 不少于 5000 人
    value: 5000
    period: 2025Q4
"""

CASES = [
    # (what, file text, [(line, key, words of the message)])
    ("unknown key", HEADER + "  owner: 省局\n" + TARGET, [(8, "owner", "Unknown key")]),
    ("missing key", HEADER.replace("  title_en: Test plan\n", "") + TARGET,
     [(1, "title_en", "Missing")]),
    ("missing section", HEADER, [(1, "targets", "Missing")]),
    ("text expected", HEADER.replace("title_en: Test plan", "title_en: yes") + TARGET,
     [(5, "title_en", "Expected text")]),
    ("text, not a list", HEADER.replace("title_en: Test plan", "title_en: [a, b]") + TARGET,
     [(5, "title_en", "Expected text here")]),
    ("display order taken", HEADER + NEW + "    display_order: 3\n" + TARGET,
     [(14, "display_order", "already has display order 3")]),
    ("list expected", HEADER + "targets: patent_agents\n", [(8, "targets", "Expected a list")]),
    ("bad date", HEADER.replace("2023-01-01", "2023-13-01") + TARGET,
     [(6, "start_date", "not a date")]),
    ("dates in the wrong order", HEADER.replace("2025-12-31", "2022-12-31") + TARGET,
     [(7, "target_date", "after the start date")]),
    ("bad slug", HEADER.replace('code: "2023"', "code: 2023 plan") + TARGET,
     [(2, "code", "a code has only")]),
    ("unknown kind", HEADER + NEW.replace("kind: stock", "kind: pile") + TARGET,
     [(12, "kind", "not one of")]),
    ("unknown reporter", HEADER + NEW.replace("reported_by: cities", "reported_by: city") + TARGET,
     [(13, "reported_by", "not one of")]),
    ("unknown direction", HEADER + TARGET + "    direction: more\n",
     [(13, "direction", "not one of")]),
    ("strict not a flag", HEADER + TARGET + "    strict: maybe\n",
     [(13, "strict", "true or false")]),
    ("decimals out of range", HEADER + NEW + "    decimals: 7\n" + TARGET,
     [(14, "decimals", "from 0 to 6")]),
    ("ratio without denominator", HEADER + NEW.replace("kind: stock", "kind: ratio") + TARGET,
     [(12, "denominator_zh", "denominator")]),
    ("bad period", HEADER + TARGET.replace("2025Q4", "2025Q5"), [(12, "period", "not a quarter")]),
    ("period before the plan", HEADER + TARGET.replace("2025Q4", "2022Q4"),
     [(12, "period", "outside the plan")]),
    ("period after the plan", HEADER + TARGET.replace("2025Q4", "2026Q1"),
     [(12, "period", "outside the plan")]),
    ("value without period", HEADER + TARGET.replace("    period: 2025Q4\n", ""),
     [(9, "period", "falls due")]),
    ("amount that does not parse", HEADER + TARGET.replace("value: 5000", "value: 5千"),
     [(11, "value", "not a number")]),
    ("scientific notation", HEADER + TARGET.replace("value: 5000", "value: 5e3"),
     [(11, "value", "scientific")]),
    ("negative", HEADER + TARGET.replace("value: 5000", "value: -1"), [(11, "value", "negative")]),
    ("too many decimals", HEADER + TARGET.replace("value: 5000", "value: 0.1234567"),
     [(11, "value", "after it")]),
    ("interim outside", HEADER + TARGET + "    interim:\n      - {period: 2026Q4, value: 10}\n",
     [(14, "period", "interim target falls between")]),
    ("interim before the baseline",
     HEADER + TARGET + "    baseline_value: 10\n    baseline_period: 2023Q4\n"
     "    interim:\n      - {period: 2023Q2, value: 10}\n",
     [(16, "period", "interim target falls between")]),
    ("interim without value", HEADER + TARGET.replace("    value: 5000\n    period: 2025Q4\n", "")
     + "    interim:\n      - {period: 2024Q4, value: 10}\n",
     [(12, "interim", "without a value")]),
    ("allocation without value",
     HEADER + TARGET.replace("    value: 5000\n    period: 2025Q4\n", "")
     + '    allocations:\n      "440100": 10\n', [(11, "allocations", "without a value")]),
    ("unknown city", HEADER + TARGET + '    allocations:\n      "449999": 10\n',
     [(14, "allocations", "no city with the code 449999")]),
    ("unknown series", HEADER + TARGET.replace("patent_agents", "patent_agentz"),
     [(9, "series", "no series “patent_agentz”")]),
    ("duplicate series", HEADER + NEW + NEW[len("series:\n"):] + TARGET,
     [(14, "code", "listed twice (first on line 9)")]),
    ("duplicate target", HEADER + TARGET + TARGET[len("targets:\n"):],
     [(13, "series", "twice (first on line 9)")]),
    ("duplicate key", HEADER + TARGET + "    value: 6000\n", [(13, "value", "first on line 11")]),
    ("series on record with other fields",
     HEADER + NEW.replace("gi_products", "patent_agents") + TARGET,
     [(9, "unit_en", "On record: attorneys"), (9, "unit_zh", "On record: 人"),
      (10, "name_zh", "On record: 执业专利代理人"), (11, "name_en", "On record")]),
    ("not YAML", HEADER + "targets:\n  - series: [patent_agents\n", [(10, "", "not valid YAML")]),
    ("alias", HEADER + TARGET + "    wording: *name\n", [(13, "", "Aliases")]),
    ("not a mapping", "- plan\n- targets\n", [(1, "", "Expected keys and values")]),
    ("empty", "# nothing yet\n", [(0, "", "empty")]),
]  # fmt: skip


@pytest.mark.parametrize(
    "text, expected", [pytest.param(text, expected, id=what) for what, text, expected in CASES]
)
def test_each_problem_names_its_line_and_key(plan, in_english, text, expected):
    found = problems(text)
    assert [(line, key) for line, key, _m in found] == [(line, key) for line, key, _w in expected]
    for (_line, _key, message), (_l, _k, words) in zip(found, expected, strict=True):
        assert words in message, message


def test_every_problem_is_reported_at_once(plan, in_english):
    text = (
        HEADER.replace("2023-01-01", "yesterday")
        + NEW.replace("kind: stock", "kind: pile")
        + TARGET.replace("value: 5000", "value: lots")
        + '    allocations:\n      "000000": 1\n'
    )
    assert [(line, key) for line, key, _m in problems(text)] == [
        (6, "start_date"),
        (12, "kind"),
        (17, "value"),
        (20, "allocations"),
    ]


# --- All or nothing, idempotent, what it may change --------------------------------------------


def test_a_file_with_a_problem_writes_nothing(plan):
    before = rows()
    broken = PLAN_2023.read_text().replace(
        "period: 2025Q4\n    baseline", "period: 2029Q4\n    baseline"
    )
    with pytest.raises(PlanFileInvalid):
        load(broken.encode())
    assert rows() == before


def test_loading_the_same_file_again_changes_nothing_and_says_so(plan_2023):
    before = rows()
    out = io.StringIO()
    call_command("load_plan", str(PLAN_2023), stdout=out)
    assert rows() == before
    assert "Nothing changed" in out.getvalue() or "没有变化" in out.getvalue()


def test_a_changed_target_is_refused_naming_each_line(plan_2023, in_english):
    text = (
        PLAN_2023.read_text()
        .replace("value: 5,000", "value: 5,500")
        .replace("    strict: true\n", "")
    )
    found = problems(text)
    assert [(line, key) for line, key, _m in found] == [
        (line_of(text, "value: 5,500"), "value"),
        (line_of(text, "series: pledge_financing"), "strict"),
    ]
    assert all("changed in the admin" in message for _l, _k, message in found)
    assert "On record: 5000; the file says 5500." in found[0][2]


def test_a_changed_allocation_or_interim_target_is_refused(plan_2023, in_english):
    text = (
        PLAN_2023.read_text()
        .replace('"440300": 15', '"440300": 16')
        .replace("value: 80}", "value: 85}")
    )
    assert [(line, key) for line, key, _m in problems(text)] == [
        (line_of(text, "interim:"), "interim"),
        (line_of(text, "allocations:"), "allocations"),
    ]


def test_new_targets_and_series_may_be_added_to_a_plan_on_record(plan_2023):
    text = PLAN_2023.read_text() + (
        "  - series: patent_agencies\n"
        "    wording: 专利代理机构不少于 600 家\n"
        "    value: 600\n"
        "    period: 2025Q4\n"
    )
    _plan_file, loaded = load(text.encode())
    assert (loaded.plan_created, loaded.series, loaded.targets) == (False, [], ["patent_agencies"])
    target = plan_2023.targets.get(indicator__code="patent_agencies")
    assert target.display_order == 5


def test_seeding_keeps_a_mid_term_adjustment_made_in_the_admin(plan):
    Target.objects.filter(plan__code="2018", indicator__code="patent_agents").update(value=3500)
    call_command("seed_plan", stdout=io.StringIO())
    assert Target.objects.get(plan__code="2018", indicator__code="patent_agents").value == 3500


# --- load_plan --------------------------------------------------------------------------------


def test_load_plan_says_what_it_created(plan, in_english):
    out = io.StringIO()
    call_command("load_plan", str(PLAN_2023), stdout=out)
    said = out.getvalue()
    assert "Plan 2023 created" in said
    assert "1 new series (geographical_indication_products)" in said
    assert "4 targets" in said and "1 interim target" in said and "2 allocations" in said
    assert "12 reporting periods" in said


def test_load_plan_dry_run_writes_nothing(plan, in_english):
    before = rows()
    out = io.StringIO()
    call_command("load_plan", str(PLAN_2023), "--dry-run", stdout=out)
    assert rows() == before
    assert out.getvalue().startswith("Dry run, nothing written. Plan 2023 created")


def test_load_plan_lists_each_problem_and_fails(plan, in_english, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        HEADER + TARGET.replace("2025Q4", "2025Q5") + '    allocations:\n      "1": 1\n'
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing loaded: 2 problems"):
        call_command("load_plan", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        f"{path}:12: period: “2025Q5” is not a quarter like 2021Q3.",
        f"{path}:14: allocations: There is no city with the code 1.",
    ]
    assert not Plan.objects.filter(code="2023").exists()


# --- The upload page ----------------------------------------------------------------------------


def upload(client, data: bytes, name="plan.yaml"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("plan_upload"), {"file": file})


def test_the_upload_page_previews_then_loads(client, plan, provincial):
    client.force_login(provincial)
    assert reverse("plan_upload") in client.get(reverse("plan")).content.decode()
    response = upload(client, PLAN_2023.read_bytes())
    page = response.content.decode()
    assert response.status_code == 200
    for shown in ["粤知〔2023〕8号", "地理标志保护产品", NEW_SERIES, "≥ 100 个", "2025年第4季度"]:
        assert shown in page, shown
    assert not Plan.objects.filter(code="2023").exists()
    response = client.post(reverse("plan_upload_confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("plan")
    assert Plan.objects.get(code="2023").targets.count() == 4
    # Confirming twice loads nothing more: the file left the session with the first.
    response = client.post(reverse("plan_upload_confirm"))
    assert response["Location"] == reverse("plan_upload")


def test_the_upload_page_lists_every_problem_and_keeps_nothing(client, plan, provincial):
    client.force_login(provincial)
    text = PLAN_2023.read_text().replace("kind: stock", "kind: pile").replace("2025Q4", "2027Q4")
    page = upload(client, text.encode()).content.decode()
    assert "无法导入" in page
    assert f"<td>{line_of(text, 'kind: pile')}</td>" in page
    assert f"<td>{line_of(text, '2027Q4')}</td>" in page
    client.post(reverse("plan_upload_confirm"))
    assert not Plan.objects.filter(code="2023").exists()


def test_the_upload_page_refuses_a_file_that_is_not_utf8(client, plan, provincial):
    client.force_login(provincial)
    page = upload(client, PLAN_2023.read_text().encode("utf-16")).content.decode()
    assert "这不是 UTF-8 编码的文本" in page


@pytest.mark.parametrize("who", ["city_officer", "leadership"])
def test_only_provincial_staff_may_load_a_plan(client, request, plan, who):
    client.force_login(request.getfixturevalue(who))
    assert reverse("plan_upload") not in client.get(reverse("plan")).content.decode()
    assert client.get(reverse("plan_upload")).status_code == 403
    assert upload(client, PLAN_2023.read_bytes()).status_code == 403
    assert client.post(reverse("plan_upload_confirm")).status_code == 403
    assert not Plan.objects.filter(code="2023").exists()
