from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import Figure, Indicator, Prefecture, ReportingPeriod, Submission
from targets.reporting import Entry, approve_submission, save_quarter, submit_quarter

URL = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})


def complete_sheet(**changes):
    """POST data filling every city indicator of the 2018 plan with a valid value."""
    data = {"seen_version": "0"}
    for indicator in Indicator.objects.reported_by(Prefecture.objects.first()):
        value = "1" if indicator.kind == "coverage" else "10"
        data[f"{indicator.code}-value"] = value
    data["hitech_compliance_rate-denominator"] = "40"
    return data | changes


@pytest.fixture
def officer(client, city_officer):
    client.force_login(city_officer)
    return city_officer


@pytest.fixture
def last_quarter(plan, city_officer, provincial):
    """Guangzhou's approved 2022Q3: 2000 patent attorneys, 50 亿元 pledge financing."""
    period = ReportingPeriod.objects.get(year=2022, quarter=3)
    indicators = list(Indicator.objects.reported_by(Prefecture.objects.first()))
    entries = {indicator: Entry(nothing_to_report=True) for indicator in indicators}
    entries[Indicator.objects.get(code="patent_agents")] = Entry(Decimal(2000))
    entries[Indicator.objects.get(code="pledge_financing")] = Entry(Decimal("50.5"))
    submission, _ = save_quarter(
        prefecture=Prefecture.objects.get(code="440100"),
        period=period,
        user=city_officer,
        entries=entries,
        seen_version=0,
    )
    submit_quarter(submission=submission, user=city_officer, indicators=indicators)
    approve_submission(submission=submission, user=provincial)


def test_the_sheet_explains_each_row(client, officer, last_quarter):
    page = client.get(URL).content.decode()
    for text in ["期末存量", "1–12月累计", "本年新增（1–12月）", "是/否", "发明专利有效量"]:
        assert text in page
    assert "贯标高新技术企业数，以及分母高新技术企业数" in page
    assert "≥ 3000 人" in page
    assert "2000" in page and "50.5" in page
    assert "本期无数据" in page
    assert "保存草稿" in page and "提交本季度数据审核" in page
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "January to December in total" in english
    assert "new this year, January to December" in english


def test_a_draft_can_be_saved_half_filled(client, officer):
    response = client.post(URL, {"seen_version": "0", "patent_agents-value": "1,234", "save": ""})
    assert response.status_code == 302
    assert Figure.objects.get(indicator__code="patent_agents").value == 1234
    assert "已保存草稿：1 项数据有修改" in client.get(URL).content.decode()


def test_bad_input_is_named_and_nothing_is_saved(client, officer):
    data = {
        "seen_version": "0",
        "patent_agents-value": "12.5",
        "key_protected_enterprises-value": "100",
        "pledge_financing-value": "abc",
        "hitech_compliance_rate-value": "50",
        "hitech_compliance_rate-denominator": "40",
        "save": "",
    }
    page = client.post(URL, data).content.decode()
    assert "未保存任何数据" in page
    assert "执业专利代理人 · 数值</a>: 请填写整数。" in page
    assert "知识产权质押融资金额 · 数值</a>: “abc”不是数字。" in page
    assert "分子（50）不能大于分母（40）" in page
    assert not Submission.objects.exists()
    assert not Figure.objects.exists()


def test_nothing_to_report_is_an_explicit_choice(client, officer):
    data = complete_sheet(**{"patent_agents-value": "", "patent_agents-nothing": "on"})
    client.post(URL, data | {"submit": ""})
    figure = Figure.objects.get(indicator__code="patent_agents")
    assert figure.nothing_to_report and figure.value is None
    assert figure.submission.status == "submitted"


def test_a_blank_row_stops_the_submission(client, officer):
    page = client.post(URL, complete_sheet(**{"patent_agents-value": ""}) | {"submit": ""})
    assert "提交前请填写数值，或勾选“本期无数据”。" in page.content.decode()
    assert not Submission.objects.exists()


def test_warnings_need_a_confirmation_and_a_comment_to_submit(client, officer, last_quarter):
    data = complete_sheet(**{"patent_agents-value": "1500", "pledge_financing-value": "60"})
    data |= {"submit": ""}
    page = client.post(URL, data).content.decode()
    assert "低于上季度的 2000，而该指标为期末存量。" in page
    assert "提交前请勾选确认此数值" in page
    assert not Submission.objects.filter(period__quarter=4).exists()
    confirmed = data | {"patent_agents-confirm": "on", "patent_agents-note": "两家机构注销"}
    assert client.post(URL, confirmed).status_code == 302
    figure = Figure.objects.get(indicator__code="patent_agents", submission__period__quarter=4)
    assert (figure.value, figure.note, figure.submission.status) == (
        1500,
        "两家机构注销",
        "submitted",
    )


def test_a_draft_may_be_saved_with_warnings(client, officer, last_quarter):
    data = {"seen_version": "0", "patent_agents-value": "99999", "save": ""}
    assert client.post(URL, data).status_code == 302


def test_a_submitted_quarter_says_why_it_is_locked(client, officer):
    client.post(URL, complete_sheet() | {"submit": ""})
    page = client.get(URL).content.decode()
    assert "本季度数据目前不能修改" in page and "已提交，正在等待省局审核。" in page
    assert "提交本季度数据审核" not in page
    response = client.post(URL, complete_sheet(seen_version="1") | {"save": ""})
    assert "已提交，正在等待省局审核。" in response.content.decode()
    assert Figure.objects.filter(value=10).count() > 0


def test_a_closed_quarter_says_so(client, officer):
    ReportingPeriod.objects.filter(year=2022, quarter=4).update(is_open=False)
    page = client.get(URL).content.decode()
    assert "本季度已关闭填报。" in page
    client.post(URL, complete_sheet() | {"save": ""})
    assert not Figure.objects.exists()


def test_a_stale_save_is_refused_showing_what_changed(client, officer, city_officer):
    client.post(URL, {"seen_version": "0", "patent_agents-value": "100", "save": ""})
    # A colleague saves from the same version, then this user saves from the older copy.
    client.post(URL, {"seen_version": "1", "patent_agents-value": "120", "save": ""})
    stale = {"seen_version": "1", "patent_agents-value": "130", "save": ""}
    page = client.post(URL, stale).content.decode()
    assert "未保存：在您打开本页之后，其他人保存了本季度数据。" in page
    assert "<td>100</td><td>120</td>" in page.replace("\n", "")
    assert 'value="130"' in page
    assert 'name="seen_version" value="2"' in page
    assert Figure.objects.get(indicator__code="patent_agents").value == 120


def test_a_returned_quarter_shows_the_reviewers_comment(client, officer, provincial):
    client.post(URL, complete_sheet() | {"submit": ""})
    client.force_login(provincial)
    review = reverse("review", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    client.post(review, {"comment": "请核对质押融资口径", "return": ""})
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert "省局审核意见：" in page and "请核对质押融资口径" in page
    assert "提交本季度数据审核" in page


def test_provincial_staff_fill_the_provinces_own_figures(client, provincial, plan):
    client.force_login(provincial)
    url = reverse("quarter_form", kwargs={"reporter": "province", "quarter": "2022Q4"})
    page = client.get(url).content.decode()
    assert "PCT 专利申请量领跑全国" in page and "是否完成" in page
    assert "省市知识产权保护重点企业" not in page
    data = {
        "seen_version": "0",
        "patent_regulation_revised-value": "1",
        "ip_regulation_enacted-value": "0",
        "pct_national_rank-value": "1",
        "submit": "",
    }
    assert client.post(url, data).status_code == 302
    submission = Submission.objects.get(prefecture=None)
    assert submission.status == "submitted"
    assert submission.figures.get(indicator__code="ip_regulation_enacted").value == 0


def test_one_problem_gets_one_message_even_at_submit(client, officer):
    data = complete_sheet(**{"patent_agents-value": "abc", "pledge_financing-value": "1e2"})
    page = client.post(URL, data | {"submit": ""}).content.decode()
    assert page.count("“abc”不是数字。") == 2  # the summary and the row
    assert "“1e2”是科学计数法：请写出完整的数字。" in page
    assert "提交前请填写数值" not in page
    assert not Submission.objects.exists()


def test_a_draft_saved_with_a_warning_shows_it_on_its_row_in_chinese(client, officer, last_quarter):
    data = {"seen_version": "0", "patent_agents-value": "7420", "save": ""}
    assert client.post(URL, data).status_code == 302
    page = client.get(URL).content.decode()
    row = page[page.index('name="patent_agents-value"') :]
    row = row[: row.index("</tr>")]
    assert "超过上季度 2000 的三倍。" in row and "我已核实此数值（请在备注中说明）" in row
    page = client.post(URL, complete_sheet(**{"patent_agents-value": "7420"}) | {"submit": ""})
    summary = page.content.decode().split('<form method="post" class="sheet"')[0]
    assert "执业专利代理人 · 已核对数值</a>: 提交前请勾选确认此数值" in summary
    assert "value checked" not in summary


def test_a_note_longer_than_the_limit_or_with_control_characters_is_refused(client, officer):
    data = {"seen_version": "0", "save": ""}
    data |= {"patent_agents-note": "备" * 501, "pledge_financing-note": "核对\x07完毕"}
    page = client.post(URL, data).content.decode()
    assert "备注有 501 个字符：请缩短到 500 个字符以内。" in page
    assert "备注中含有不是文字的控制字符（如 NUL）。" in page
    # A NUL is refused before any view reads the form, on every address alike.
    data["pledge_financing-note"] = "核对\x00完毕"
    refused = client.post(URL, data)
    assert refused.status_code == 400
    assert "网址或表单中含有不允许的字符。" in refused.content.decode()
    assert not Figure.objects.exists()


def test_the_sheet_names_the_plan_whose_targets_it_shows(client, officer):
    """After the 2018 plan ended, a later quarter's sheet still shows its targets (no later
    plan is loaded), and says whose they are and that the plan has ended."""
    shown = "本表目标依据：关于强化知识产权保护推动经济高质量发展的行动方案（粤知〔2018〕153号）。"
    page = client.get(URL).content.decode()
    assert shown in page and "该方案已于" not in page
    later = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2026Q4"})
    page = client.get(later).content.decode()
    assert shown in page and "该方案已于 2022-12-31 结束" in page
