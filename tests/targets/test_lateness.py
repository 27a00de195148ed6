"""Lateness is the first submission against the due date; a correction the province asked
for shows as corrected, with when and why, on every page that speaks of lateness."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from reminders.models import Reminder
from reminders.notices import due_notices
from reports import summaries
from reports.summaries import Scope
from targets.completeness import completeness_matrix, is_late
from targets.models import Prefecture, ReportingPeriod, Submission
from targets.reporting import approve_submission, reopen_quarter, withdraw_submission
from tests.factories import UserFactory
from tests.filing import file

SHANGHAI = ZoneInfo("Asia/Shanghai")
CORRECTED = "已审核通过 · 已更正（2022-11-02 重新开放：统计口径调整）"


def on(day: str):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI))


@pytest.fixture
def q3(plan):
    """2022Q3, due on 2022-10-15."""
    return ReportingPeriod.objects.get(year=2022, quarter=3)


@pytest.fixture
def officer(plan):
    return UserFactory(
        username="gz",
        email="gz@gd.invalid",
        role=Role.CITY,
        prefecture=Prefecture.objects.get(code="440100"),
    )


@pytest.fixture
def reopened(q3, officer, provincial):
    """广州市 2022Q3: submitted on time and approved, then reopened by the province."""
    with on("2022-10-10"):
        submission = file(officer, 3, {"patent_agents": 700})
    with on("2022-10-12"):
        approve_submission(submission=submission, user=provincial)
    with on("2022-11-02"):
        reopen_quarter(
            prefecture=officer.prefecture, period=q3, user=provincial, reason="统计口径调整"
        )
    return submission


@pytest.fixture
def corrected(reopened, q3, officer, provincial):
    with on("2022-11-05"):
        submission = file(officer, 3, {"patent_agents": 716}, seen_version=1, reason="按新口径")
    with on("2022-11-06"):
        approve_submission(submission=submission, user=provincial)
    return submission


def guangzhou_q3(matrix):
    cells = next(cells for prefecture, cells, *_ in matrix.rows if prefecture.code == "440100")
    return cells[2]


def test_a_reopened_and_corrected_quarter_is_corrected_not_late(corrected, q3):
    assert not is_late(Submission.objects.get(pk=corrected.pk), q3, date(2023, 2, 1))
    cell = guangzhou_q3(completeness_matrix(year=2022, today=date(2023, 2, 1)))
    assert (cell.label, cell.late) == (CORRECTED, False)


def test_while_it_is_being_corrected_it_is_not_late_either(reopened, q3):
    cell = guangzhou_q3(completeness_matrix(year=2022, today=date(2022, 11, 3)))
    assert cell.label == "已退回 · 更正中（2022-11-02 重新开放：统计口径调整）"


def test_a_first_submission_after_the_due_date_stays_late_when_corrected(q3, officer, provincial):
    with on("2022-10-20"):
        submission = file(officer, 3, {"patent_agents": 700})
        approve_submission(submission=submission, user=provincial)
    with on("2022-11-02"):
        reopen_quarter(prefecture=officer.prefecture, period=q3, user=provincial, reason="更正")
    with on("2022-11-05"):
        file(officer, 3, {"patent_agents": 716}, seen_version=1, reason="更正")
    cell = guangzhou_q3(completeness_matrix(year=2022, today=date(2023, 2, 1)))
    assert cell.late and cell.label.endswith("· 逾期")


def test_a_withdrawn_first_submission_does_not_count(q3, officer):
    with on("2022-10-10"):
        submission = file(officer, 3, {"patent_agents": 700})
        withdraw_submission(submission=submission, user=officer)
    submission.refresh_from_db()
    assert is_late(submission, q3, date(2022, 10, 16))
    with on("2022-10-18"):
        file(officer, 3, {"patent_agents": 700}, seen_version=1)
    submission.refresh_from_db()
    assert is_late(submission, q3, date(2022, 10, 20))


def test_the_page_and_its_excel_export_say_corrected(client, corrected, provincial):
    client.force_login(provincial)
    with on("2023-02-01"):
        page = client.get(reverse("completeness"), {"year": "2022"}).content.decode()
        response = client.get(reverse("completeness"), {"year": "2022", "format": "xlsx"})
    assert CORRECTED in page
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "广州市")
    assert row[3] == CORRECTED
    assert row[-1] == 3  # Q1, Q2 and Q4, never submitted


def test_the_leadership_summary_does_not_list_a_corrected_city_as_late(corrected, q3):
    guangzhou = Prefecture.objects.get(code="440100")
    overdue = summaries.content(Scope(prefecture=guangzhou), q3, date(2023, 2, 1))["overdue"]
    listed = {str(quarter) for _place, quarter, *_rest in overdue}
    assert "2022Q3" not in listed and "2022Q2" in listed


def test_the_leadership_summary_lists_a_city_being_corrected_as_such(reopened, q3):
    overdue = summaries.content(Scope(), q3, date(2022, 11, 3))["overdue"]
    guangzhou = next(row for row in overdue if row[0].code == "440100")
    assert guangzhou[2:4] == ("已退回 · 更正中（2022-11-02 重新开放：统计口径调整）", False)


def test_a_quarter_being_corrected_sends_no_late_notice(reopened, q3, officer, provincial):
    provincial.email = "sheng@gd.invalid"
    provincial.save()
    notices = due_notices(date(2022, 11, 3))
    late = {str(n.period) for n in notices if n.user == officer and n.kind == Reminder.Kind.LATE}
    assert "2022Q3" not in late and "2022Q2" in late
    digest = next(n for n in notices if n.kind == Reminder.Kind.LATE_DIGEST and n.period == q3)
    assert "440100" not in [city.code for city in digest.late_cities]
    assert "440300" in [city.code for city in digest.late_cities]


def test_city_officers_read_that_they_are_late_in_their_own_words(client, q3, officer):
    client.force_login(officer)
    with on("2022-10-16"):
        page = client.get(reverse("home"), follow=True).content.decode()
    assert "2022年第3季度：已逾期（截止日期 2022-10-15），请尽快填报并提交" in page
    with on("2022-10-16"):
        page = client.get(reverse("quarters", kwargs={"reporter": "440100"})).content.decode()
    assert '<span class="badge late">逾期</span>' in page
