"""What leaves the site: no text in an exported workbook becomes a formula, tables read as
tables, and CSV opens in Excel on Chinese Windows."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.recompute import recompute_progress
from targets.reporting import Entry, save_quarter
from tests.factories import approve

# Text that a spreadsheet program would run or reinterpret if written as a formula.
HOSTILE = [
    '=HYPERLINK("http://example.invalid/","点此核对")',
    "+1+2",
    "-3+4",
    "@SUM(1)",
    "\t=1",
    "\r=1",
]


def formulas(content: bytes) -> list[bytes]:
    """Every formula element in every sheet of an .xlsx."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return [
            part
            for name in package.namelist()
            if name.startswith("xl/worksheets/")
            for part in [package.read(name)]
            if b"<f>" in part or b"<f " in part
        ]


@pytest.mark.parametrize("note", HOSTILE)
def test_a_note_is_written_into_the_quarter_sheet_as_text(client, city_officer, note):
    prefecture = Prefecture.objects.get(code="440100")
    save_quarter(
        prefecture=prefecture,
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        user=city_officer,
        entries={Indicator.objects.get(code="patent_agents"): Entry(Decimal(742), note=note)},
        seen_version=0,
    )
    client.force_login(city_officer)
    url = reverse("quarter_workbook", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    content = client.get(url).content
    assert formulas(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    notes = [row[9] for row in sheet.iter_rows(min_row=5) if row[0].value == "patent_agents"]
    # XML keeps a carriage return as a line feed.
    assert notes[0].data_type == "s" and notes[0].value == note.replace("\r", "\n")


def test_the_quarter_sheet_freezes_its_headings_and_names_its_sheet(client, city_officer):
    client.force_login(city_officer)
    url = reverse("quarter_workbook", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    assert sheet.title == "广州市 2022Q4" and sheet.freeze_panes == "C5"
    assert sheet["A1"].value == "广州市 · 2022年第4季度数据填报表"


@pytest.fixture
def hostile_city(plan):
    """A city whose name an administrator typed as a formula, with an approved figure."""
    prefecture = Prefecture.objects.get(code="440100")
    prefecture.name_zh = '=HYPERLINK("http://example.invalid/")'
    prefecture.save()
    approve(
        Indicator.objects.get(code="patent_agents"),
        prefecture,
        ReportingPeriod.objects.get(year=2022, quarter=4),
        Decimal(742),
    )
    recompute_progress()
    return prefecture


def test_the_completeness_matrix_writes_names_as_text(client, provincial, hostile_city):
    client.force_login(provincial)
    content = client.get(reverse("completeness"), {"year": "2022", "format": "xlsx"}).content
    assert formulas(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A4"].value == hostile_city.name_zh and sheet["A4"].data_type == "s"


def test_the_indicator_table_exports_write_names_as_text(client, provincial, hostile_city):
    client.force_login(provincial)
    url = reverse("indicator_dashboard", kwargs={"code": "patent_agents"})
    content = client.get(url, {"quarter": "2022Q4", "_export": "xlsx"}).content
    assert formulas(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A4"].value == hostile_city.name_zh and sheet["A4"].data_type == "s"
    assert sheet["A2"].value == "单位：人。仅含审核通过的数据。"
    assert sheet.column_dimensions["A"].width == 14
    download = client.get(url, {"quarter": "2022Q4", "_export": "csv"})
    assert download.content.startswith(b"\xef\xbb\xbf") and download["Content-Type"].endswith(
        "utf-8"
    )
    assert "\r\n\"'=HYPERLINK(" in download.content.decode("utf-8-sig")


def test_only_csv_and_excel_are_offered_as_exports(client, provincial, hostile_city):
    client.force_login(provincial)
    url = reverse("indicator_dashboard", kwargs={"code": "patent_agents"})
    response = client.get(url, {"quarter": "2022Q4", "_export": "ods"})
    assert response["Content-Type"].startswith("text/html")


def test_a_note_stored_with_a_control_character_still_downloads(client, city_officer):
    """Figures saved before control characters were refused may hold them."""
    save_quarter(
        prefecture=Prefecture.objects.get(code="440100"),
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        user=city_officer,
        entries={Indicator.objects.get(code="patent_agents"): Entry(note="核对\x1b完毕")},
        seen_version=0,
    )
    client.force_login(city_officer)
    url = reverse("quarter_workbook", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    assert [r[9].value for r in sheet.iter_rows(min_row=5) if r[0].value == "patent_agents"] == [
        "核对_x001B_完毕"
    ]


@pytest.mark.parametrize("note", HOSTILE)
def test_the_sources_exports_write_a_note_as_text_under_a_title(client, leadership, plan, note):
    """Every role that reads published figures downloads the sources table: a note there
    is text, in the .xlsx (laid out as every table the site writes) and in the CSV."""
    figure = approve(
        Indicator.objects.get(code="patent_agents"),
        Prefecture.objects.get(code="440100"),
        ReportingPeriod.objects.get(year=2022, quarter=4),
        Decimal(742),
    )
    figure.note = note
    figure.save()
    recompute_progress()
    client.force_login(leadership)
    url = reverse("sources", args=["patent_agents", "province", "2022Q4"])
    content = client.get(url, {"_export": "xlsx"}).content
    assert formulas(content) == []
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "数据来源：执业专利代理人，全省，2022年第4季度"
    assert sheet["A2"].value == "单位：人。仅含审核通过的数据。"
    assert sheet.title == "数据来源 执业专利代理人 2022Q4" and sheet.freeze_panes == "B4"
    notes = [row[14] for row in sheet.iter_rows(min_row=4) if row[0].value == "440100"]
    assert notes[0].data_type == "s" and notes[0].value == note.replace("\r", "\n")
    text = client.get(url, {"_export": "csv"}).content.decode("utf-8-sig")
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row[0] == "440100"]
    assert rows[0][14] == "'" + note
