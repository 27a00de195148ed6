import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from targets.completeness import completeness_matrix, is_late
from targets.models import Prefecture, ReportingPeriod, Submission

TODAY = date(2023, 2, 1)


def at(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


@pytest.fixture
def states(plan):
    """2022Q4 (due 2023-01-15): 广州 approved on time, 深圳 submitted late, 韶关 still a draft."""
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    rows = [("440100", "approved", date(2023, 1, 10)), ("440300", "submitted", date(2023, 1, 20))]
    for code, status, submitted in rows:
        Submission.objects.create(
            prefecture=Prefecture.objects.get(code=code),
            period=period,
            status=status,
            submitted_at=at(submitted),
        )
    Submission.objects.create(prefecture=Prefecture.objects.get(code="440200"), period=period)
    return period


def cells_of(matrix, code):
    return next(cells for prefecture, cells, *_ in matrix.rows if prefecture.code == code)


def test_each_cell_has_its_state_and_late_ones_are_marked(states):
    matrix = completeness_matrix(year=2022, today=TODAY)
    assert [p.as_quarter.quarter for p in matrix.periods] == [1, 2, 3, 4]
    assert cells_of(matrix, "440100")[3].label == "已审核通过"
    assert cells_of(matrix, "440300")[3].label == "已提交 · 逾期"
    assert cells_of(matrix, "440200")[3].label == "草稿 · 逾期"
    assert cells_of(matrix, "440400")[3].label == "未开始 · 逾期"
    counts, late = matrix.column_totals[3]
    assert (counts["approved"], counts["not_started"], late) == (1, 18, 20)


def test_nothing_is_late_before_the_due_date(states):
    assert not is_late(None, states, date(2023, 1, 15))
    assert is_late(None, states, date(2023, 1, 16))


def test_filters_keep_the_cities_with_a_matching_quarter(states):
    matrix = completeness_matrix(year=2022, state="submitted", today=TODAY)
    assert [prefecture.code for prefecture, *_ in matrix.rows] == ["440300"]


def test_the_page_and_its_excel_export_keep_cities_down_and_quarters_across(
    client, provincial, states
):
    client.force_login(provincial)
    page = client.get(reverse("completeness"), {"year": "2022"}).content.decode()
    assert "各地市报送情况" in page and "已提交 · 逾期" in page
    response = client.get(reverse("completeness"), {"year": "2022", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    quarters = [f"2022年第{quarter}季度" for quarter in range(1, 5)]
    assert sheet["A1"].value == "各地市报送完整性 · 2022" and sheet.title == "报送完整性"
    assert [cell.value for cell in sheet[3]] == ["地市", *quarters, "审核通过", "逾期"]
    assert sheet["A4"].value == "广州市" and sheet["E4"].value == "已审核通过"
    assert sheet.max_row == 3 + 21 + 2 and sheet.freeze_panes == "B4"
