"""The form speaks clearly: the reason for changing approved data is asked on the row that
changes it, and the 目标 column shows the city's own target where it has one."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.formatting import plain_number
from targets.models import Figure, FigureRevision, Indicator, Prefecture, TargetAllocation
from targets.reporting import approve_submission, reopen_quarter
from tests.filing import file

URL = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})


@pytest.fixture
def reopened(client, plan, city_officer, provincial):
    """Guangzhou's 2022Q4, approved with 742 patent attorneys and 120 agencies, reopened."""
    submission = file(city_officer, 4, {"patent_agents": 742, "patent_agencies": 120})
    approve_submission(submission=submission, user=provincial)
    reopen_quarter(
        prefecture=city_officer.prefecture, period=submission.period, user=provincial, reason="核对"
    )
    client.force_login(city_officer)
    page = client.get(URL).content.decode()
    data = {"seen_version": "1", "save": ""}
    for figure in Figure.objects.select_related("indicator"):
        code = figure.indicator.code
        if figure.value is not None:
            data[f"{code}-value"] = plain_number(figure.value)
        if figure.nothing_to_report:
            data[f"{code}-nothing"] = "on"
    return page, data


def test_the_reason_is_asked_on_each_row_with_an_approved_value(reopened):
    page, _data = reopened
    row = page[page.index('name="patent_agents-value"') :]
    row = row[: row.index("</tr>")]
    assert 'name="patent_agents-reason"' in row
    assert "如修改已审核数值，请填写原因（也可写在备注中）：" in row
    assert 'name="reason"' not in page  # no longer one box for the whole sheet


def test_a_change_without_a_reason_is_refused_on_its_row_with_a_link(client, reopened):
    _page, data = reopened
    page = client.post(URL, data | {"patent_agents-value": "745"}).content.decode()
    assert (
        '<a href="#id_patent_agents-reason">执业专利代理人 · 修改已审核数值的原因</a>: '
        "“执业专利代理人”此前已审核通过：修改时请填写原因。"
    ) in page
    row = page[page.rindex("<tr", 0, page.index('name="patent_agents-value"')) :]
    assert row.startswith('<tr class="has-error')
    assert "专利代理机构”此前已审核通过" not in page  # only the row that changed
    assert Figure.objects.get(indicator__code="patent_agents").value == 742


def test_the_rows_reason_is_kept_with_the_change(client, reopened):
    _page, data = reopened
    data |= {"patent_agents-value": "745", "patent_agents-reason": "漏计三人"}
    assert client.post(URL, data).status_code == 302
    revision = FigureRevision.objects.filter(figure__indicator__code="patent_agents").last()
    assert (revision.new_value, revision.reason) == (745, "漏计三人")


def test_a_reason_typed_in_the_rows_note_counts(client, reopened):
    _page, data = reopened
    data |= {"patent_agents-value": "745", "patent_agents-note": "漏计三人"}
    assert client.post(URL, data).status_code == 302
    revision = FigureRevision.objects.filter(figure__indicator__code="patent_agents").last()
    assert (revision.new_value, revision.reason, revision.new_note) == (745, "漏计三人", "漏计三人")


def test_each_row_that_changes_gets_its_own_reason(client, reopened):
    _page, data = reopened
    data |= {
        "patent_agents-value": "745",
        "patent_agents-reason": "漏计三人",
        "patent_agencies-value": "121",
    }
    page = client.post(URL, data).content.decode()
    assert "“专利代理机构”此前已审核通过：修改时请填写原因。" in page
    assert "“执业专利代理人”此前已审核通过" not in page
    assert 'name="patent_agents-reason" value="漏计三人"' in page  # kept for the next try


def test_the_city_sees_its_own_target_labelled_as_such(client, plan, city_officer):
    TargetAllocation.objects.create(
        target=Indicator.objects.get(code="key_protected_enterprises").targets.get(),
        prefecture=city_officer.prefecture,
        value=8519,
    )
    client.force_login(city_officer)
    page = client.get(URL).content.decode()
    row = page[page.index("省市知识产权保护重点企业") :]
    row = row[: row.index("</tr>")]
    assert '≥ 8519 家 <span class="small">本市分解目标</span>' in row
    assert "30000" not in row
    other = page[page.index("专利代理机构") :]
    assert '≥ 400 家 <span class="small">全省目标</span>' in other[: other.index("</tr>")]


def test_the_province_form_shows_the_plans_target_unlabelled(client, plan, provincial):
    client.force_login(provincial)
    url = reverse("quarter_form", kwargs={"reporter": "province", "quarter": "2022Q4"})
    page = client.get(url).content.decode()
    assert "全国第 1 名" in page and "全省目标" not in page


@pytest.mark.parametrize(
    "reporter, user, targets",
    [
        (
            "440100",
            "city_officer",
            {
                "key_protected_enterprises": "≥ 8519 家（本市分解目标）",
                "patent_agencies": "≥ 400 家（全省目标）",
            },
        ),
        ("province", "provincial", {"pct_national_rank": "全国第 1 名"}),
    ],
)
def test_the_downloaded_sheet_shows_the_target_the_form_shows(
    client, plan, request, reporter, user, targets
):
    user = request.getfixturevalue(user)
    TargetAllocation.objects.create(
        target=Indicator.objects.get(code="key_protected_enterprises").targets.get(),
        prefecture=Prefecture.objects.get(code="440100"),
        value=8519,
    )
    client.force_login(user)
    url = reverse("quarter_workbook", kwargs={"reporter": reporter, "quarter": "2022Q4"})
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    shown = {row[0].value: row[5].value for row in sheet.iter_rows(min_row=5)}
    assert {code: shown[code] for code in targets} == targets
