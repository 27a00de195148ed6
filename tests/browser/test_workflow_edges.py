"""The reporting workflow at its edges, in Chromium: two tabs on one quarter, 报送期管理 in
both languages, and the review of a correction."""

from datetime import date

import pytest

from evidence.models import EvidenceFile
from targets.models import ReportingPeriod, Submission
from targets.reporting import approve_submission, reopen_quarter
from tests.evidence.conftest import image_bytes
from tests.filing import file, value_of

FORM = "/report/440100/2022Q4/"


def test_two_tabs_never_undo_each_other(open_as, live_server, guangzhou_q4, city_officer):
    tab_a, tab_b = open_as(city_officer), open_as(city_officer)
    for tab in (tab_a, tab_b):
        tab.goto(live_server.url + FORM)
    tab_b.fill("input[name='patent_agents-value']", "745")
    tab_b.get_by_role("button", name="保存草稿").click()
    assert "已保存草稿：1 项数据有修改" in tab_b.locator(".messages").inner_text()

    tab_a.fill("input[name='patent_agencies-value']", "125")
    tab_a.get_by_role("button", name="保存草稿").click()
    assert (
        "未保存：在您打开本页之后，其他人保存了本季度数据。" in tab_a.locator(".stale").inner_text()
    )
    assert tab_a.input_value("input[name='patent_agents-value']") == "745"
    assert tab_a.input_value("input[name='patent_agencies-value']") == "125"
    assert tab_a.locator("tr.clash").count() == 0
    # The second click saves A's change; B's stays.
    tab_a.get_by_role("button", name="保存草稿").click()
    assert "已保存草稿：1 项数据有修改" in tab_a.locator(".messages").inner_text()
    assert (value_of("patent_agents"), value_of("patent_agencies")) == (745, 125)

    # Both change the same row: the one refused sees it marked in colour.
    tab_a.fill("input[name='patent_agents-value']", "746")
    tab_b.fill("input[name='patent_agents-value']", "750")
    tab_a.get_by_role("button", name="保存草稿").click()
    tab_b.get_by_role("button", name="保存草稿").click()
    clash = tab_b.locator("tr.clash")
    assert clash.count() == 1
    assert "执业专利代理人" in clash.inner_text()
    assert "他人也修改了此行。当前保存的数值： 746" in clash.inner_text()
    colour = clash.evaluate("row => getComputedStyle(row).backgroundColor")
    assert colour == "rgb(254, 243, 199)"
    assert tab_b.input_value("input[name='patent_agents-value']") == "750"
    assert value_of("patent_agents") == 746


@pytest.mark.parametrize(
    "language, save, added", [("zh-hans", "保存", "已添加"), ("en", "Save", "Added")]
)
def test_the_period_page_keeps_due_dates_in_both_languages(
    open_as, live_server, plan, provincial, language, save, added
):
    page = open_as(provincial)
    if language == "en":
        page.click("button[value=en]")
        page.wait_for_load_state()
    page.goto(live_server.url + "/periods/")
    assert page.input_value("input[name='2022Q4-due_date']") == "2023-01-15"
    assert page.input_value("input[name='2018Q1-due_date']") == "2018-04-15"
    row = page.locator("form[action='/periods/2022Q4/']")
    row.locator("input[type=checkbox]").uncheck()
    row.get_by_role("button", name=save).click()
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    assert (period.is_open, period.due_date) == (False, date(2023, 1, 15))
    assert page.input_value("input[name='2022Q4-due_date']") == "2023-01-15"

    # The next quarter after the last on record (2026Q4, the current one) is filled in:
    # adding it takes one click, due by the rule.
    assert page.input_value("input[name=first]") == "2027Q1"
    page.locator("section.add-periods button[type=submit]").click()
    assert added in page.locator(".messages").inner_text()
    assert page.input_value("input[name='2027Q1-due_date']") == "2027-04-15"
    assert ReportingPeriod.objects.get(year=2027, quarter=1).due_date == date(2027, 4, 15)


@pytest.fixture
def correction(plan, city_officer, provincial):
    """Guangzhou's 2022Q4 approved with 742 patent attorneys, reopened, corrected to 745."""
    submission = file(city_officer, 4, {"patent_agents": 742})
    approve_submission(submission=submission, user=provincial)
    reopen_quarter(
        prefecture=city_officer.prefecture,
        period=submission.period,
        user=provincial,
        reason="请核对人数",
    )
    return submission


def test_the_review_of_a_correction_shows_what_changed(
    open_as, live_server, correction, city_officer, provincial
):
    officer = open_as(city_officer)
    officer.goto(live_server.url + FORM)
    officer.fill("input[name='patent_agents-value']", "745")
    officer.get_by_role("button", name="提交本季度数据审核").click()
    assert "修改时请填写原因" in officer.locator(".error-summary").inner_text()
    officer.locator(".error-summary a").first.click()
    focused = officer.evaluate("document.activeElement.name")
    assert focused == "patent_agents-reason"
    officer.fill("input[name='patent_agents-reason']", "漏计三名执业人员")
    officer.get_by_role("button", name="提交本季度数据审核").click()
    assert officer.locator(".messages").inner_text() == "已提交省局审核。"

    reviewer = open_as(provincial)
    reviewer.goto(live_server.url + "/review/")
    reviewer.get_by_role("link", name="审核", exact=True).click()
    assert "本季度此前已审核通过，现为更正" in reviewer.content()
    row = reviewer.locator("table.review tr", has_text="执业专利代理人")
    cells = row.locator("td").all_inner_texts()
    assert cells[1:3] == ["742", "745\n已更正"]
    assert "漏计三名执业人员" in cells
    reviewer.get_by_role("button", name="审核通过").click()
    correction.refresh_from_db()
    assert correction.status == Submission.Status.APPROVED
    assert correction.figures.get(indicator__code="patent_agents").approved_value == 745


def test_attaching_a_file_first_asks_before_unsaved_entries_are_lost(
    open_as, live_server, guangzhou_q4, city_officer, tmp_path
):
    scan = tmp_path / "认定文件.png"
    scan.write_bytes(image_bytes())
    page = open_as(city_officer)
    page.goto(live_server.url + FORM)
    page.fill("input[name='patent_agents-value']", "750")
    page.set_input_files("form.evidence-upload input[type=file]", str(scan))
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.click("form.evidence-upload button[type=submit]")
    assert asked == ["表格中输入的内容尚未保存，离开将会丢失。仍要离开而不保存吗？"]
    assert page.input_value("input[name='patent_agents-value']") == "750"
    assert not EvidenceFile.objects.exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    with page.expect_navigation():
        page.click("form.evidence-upload button[type=submit]")
    page.locator("table.evidence-files").wait_for()
    assert EvidenceFile.objects.count() == 1 and len(asked) == 2
    assert value_of("patent_agents") == 742

    # Saving the sheet itself never asks.
    page.fill("input[name='patent_agents-value']", "750")
    page.get_by_role("button", name="保存草稿").click()
    assert "已保存草稿" in page.locator(".messages").inner_text()
    assert len(asked) == 2 and value_of("patent_agents") == 750
