"""Nothing a colleague saved is undone by accident: stale forms, stale Excel confirmations,
stale reviews, and a double click answered as done."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from accounts.models import Role
from targets.entries import Entry, merge_stale
from targets.models import Figure, Indicator, Prefecture, Submission
from targets.reporting import StaleCopy, approve_submission, return_submission
from tests.factories import UserFactory
from tests.filing import file, value_of

URL = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})
REVIEW = reverse("review", kwargs={"reporter": "440100", "quarter": "2022Q4"})
UPLOAD = reverse("quarter_upload", kwargs={"reporter": "440100", "quarter": "2022Q4"})
CONFIRM = reverse("quarter_upload_confirm", kwargs={"reporter": "440100", "quarter": "2022Q4"})


@pytest.fixture
def colleague(plan):
    return UserFactory(
        username="gz2", role=Role.CITY, prefecture=Prefecture.objects.get(code="440100")
    )


def sheet(**values):
    """The POST of the form as loaded at version 1, with `values` typed in."""
    data = {
        "seen_version": "1",
        "patent_agents-value": "742",
        "patent_agencies-value": "120",
        "save": "",
    }
    return data | {f"{code}-value": value for code, value in values.items()}


def test_after_a_refusal_the_form_holds_the_colleagues_values_and_ones_own(
    client, guangzhou_q4, city_officer, colleague
):
    client.force_login(colleague)  # tab B
    assert client.post(URL, sheet(patent_agents="745")).status_code == 302
    client.force_login(city_officer)  # tab A, loaded before B saved
    page = client.post(URL, sheet(patent_agencies="125")).content.decode()
    assert "未保存：在您打开本页之后，其他人保存了本季度数据。" in page
    assert 'name="patent_agents-value" value="745"' in page
    assert 'name="patent_agencies-value" value="125"' in page
    assert 'name="seen_version" value="2"' in page
    assert "clash" not in page.split("<tbody>")[-1]
    # The second click saves A's change and leaves B's alone.
    resent = sheet(patent_agents="745", patent_agencies="125") | {"seen_version": "2"}
    assert client.post(URL, resent).status_code == 302
    assert (value_of("patent_agents"), value_of("patent_agencies")) == (745, 125)


def test_a_row_both_changed_is_marked_and_keeps_ones_own_entry(
    client, guangzhou_q4, city_officer, colleague
):
    client.force_login(colleague)
    client.post(URL, sheet(patent_agents="745"))
    client.force_login(city_officer)
    page = client.post(URL, sheet(patent_agents="750")).content.decode()
    row = page[page.index('<tr class="') : page.index('name="patent_agents-value"')]
    assert row.rsplit('<tr class="', 1)[1].split('"')[0].strip().endswith("clash")
    assert 'name="patent_agents-value" value="750"' in page
    assert "他人也修改了此行。当前保存的数值： 745" in page
    assert value_of("patent_agents") == 745


def test_a_stale_excel_confirmation_merges_instead_of_asking_for_the_file_again(
    client, guangzhou_q4, city_officer, colleague
):
    client.force_login(city_officer)
    book = load_workbook(io.BytesIO(client.get(URL + "sheet.xlsx").content))
    for row in book.active.iter_rows(min_row=5):
        if row[0].value == "patent_agencies":
            row[6].value = 130
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "filled.xlsx"
    client.post(UPLOAD, {"file": upload})
    other_tab = Client()
    other_tab.force_login(colleague)
    other_tab.post(URL, sheet(patent_agents="745"))
    page = client.post(CONFIRM, {"reason": ""}).content.decode()
    assert "未保存：在您打开本页之后，其他人保存了本季度数据。" in page
    assert 'name="patent_agents-value" value="745"' in page
    assert 'name="patent_agencies-value" value="130"' in page
    assert f'action="{URL}"' in page
    assert value_of("patent_agencies") == 120
    resent = sheet(patent_agents="745", patent_agencies="130") | {"seen_version": "2"}
    assert client.post(URL, resent).status_code == 302
    assert (value_of("patent_agents"), value_of("patent_agencies")) == (745, 130)


def test_a_double_click_on_save_is_answered_as_done(client, guangzhou_q4, city_officer):
    client.force_login(city_officer)
    client.post(URL, sheet(patent_agents="745"))
    response = client.post(URL, sheet(patent_agents="745"), follow=True)
    assert "已保存草稿：1 项数据有修改" in response.content.decode()
    assert Submission.objects.get().version == 2


def test_a_double_click_on_submit_is_answered_as_done(client, plan, city_officer):
    from tests.targets.test_quarter_form import complete_sheet

    client.force_login(city_officer)
    client.post(URL, complete_sheet() | {"submit": ""})
    page = client.post(URL, complete_sheet() | {"submit": ""}, follow=True).content.decode()
    assert "已提交省局审核。" in page and "其他人保存了本季度数据" not in page
    submission = Submission.objects.get()
    assert submission.status == "submitted"
    assert [e.action for e in submission.events.all()] == ["saved", "submitted"]


def test_a_double_click_on_submit_of_a_saved_draft_is_answered_as_done(client, plan, city_officer):
    from tests.targets.test_quarter_form import complete_sheet

    client.force_login(city_officer)
    client.post(URL, complete_sheet() | {"save": ""})
    saved = complete_sheet(seen_version="1")
    client.post(URL, saved | {"submit": ""})
    page = client.post(URL, saved | {"submit": ""}, follow=True).content.decode()
    assert "已提交省局审核。" in page
    assert Submission.objects.get().events.filter(action="submitted").count() == 1


def test_the_same_content_from_another_user_is_still_refused(
    client, guangzhou_q4, city_officer, colleague
):
    client.force_login(colleague)
    client.post(URL, sheet(patent_agents="745"))
    client.force_login(city_officer)
    page = client.post(URL, sheet(patent_agents="745")).content.decode()
    assert "未保存：在您打开本页之后，其他人保存了本季度数据。" in page


@pytest.fixture
def submitted_300(plan, city_officer):
    """Guangzhou's 2022Q4, every row nothing to report but 300 patent attorneys, submitted."""
    return file(city_officer, 4, {"patent_agents": 300})


def test_approving_from_a_stale_review_page_is_refused_with_the_differences(
    client, submitted_300, city_officer, provincial
):
    client.force_login(provincial)
    page = client.get(REVIEW).content.decode()
    assert 'name="seen_version" value="1"' in page
    # Meanwhile: returned (from another page), corrected to 999 and submitted again.
    client.post(REVIEW, {"return": "", "comment": "请核对", "seen_version": "1"})
    file(city_officer, 4, {"patent_agents": 999}, seen_version=1, every_row=False)
    client.force_login(provincial)
    page = client.post(REVIEW, {"approve": "", "comment": "", "seen_version": "1"}).content
    page = page.decode()
    assert "未执行：在您打开本页之后，本季度数据有变化。" in page
    assert "<td>300</td><td>999</td>" in page.replace("\n", "")
    assert 'name="seen_version" value="2"' in page
    figure = Figure.objects.get(indicator__code="patent_agents")
    assert figure.approved_at is None and figure.submission.status == "submitted"
    # From the page as it is now, the approval goes through.
    client.post(REVIEW, {"approve": "", "comment": "", "seen_version": "2"})
    figure.refresh_from_db()
    assert figure.approved_value == 999


def test_returning_from_a_stale_review_page_is_refused(submitted_300, provincial):
    with pytest.raises(StaleCopy):
        return_submission(
            submission=submitted_300, user=provincial, comment="请核对", seen_version=0
        )
    with pytest.raises(StaleCopy):
        approve_submission(submission=submitted_300, user=provincial, seen_version=0)
    submitted_300.refresh_from_db()
    assert submitted_300.status == "submitted"


def test_a_double_click_on_approve_is_answered_as_done(client, submitted_300, provincial):
    client.force_login(provincial)
    client.post(REVIEW, {"approve": "", "comment": "", "seen_version": "1"})
    response = client.post(REVIEW, {"approve": "", "comment": "", "seen_version": "1"})
    assert response.status_code == 302
    assert submitted_300.events.filter(action="approved").count() == 1


entries = st.sampled_from([Entry(), Entry(Decimal(1)), Entry(Decimal(2)), Entry(Decimal(3))])


@given(
    rows=st.lists(st.tuples(entries, entries, entries), min_size=1, max_size=6),
)
def test_a_merge_keeps_every_row_the_user_did_not_touch_as_it_is_now(rows):
    """For any rows (as the user's copy showed them, as saved now, as the user sent them):
    untouched rows come out as saved now, touched ones as sent, and a clash is a row both
    changed."""
    indicators = [Indicator(pk=index + 1, code=f"i{index}") for index in range(len(rows))]
    seen = {i.pk: row[0] for i, row in zip(indicators, rows, strict=True)}
    current = {i.pk: row[1] for i, row in zip(indicators, rows, strict=True)}
    sent = {i: row[2] for i, row in zip(indicators, rows, strict=True)}
    merge = merge_stale(sent, seen=seen, current=current, version=7)
    for indicator, (shown, now, mine) in zip(indicators, rows, strict=True):
        touched = mine != shown
        assert merge.entries[indicator] == (mine if touched else now)
        assert (indicator.pk in merge.clashes) == (touched and now != shown)
    assert merge.version == 7


@pytest.mark.parametrize("version", ["-1", "abc", "9" * 30, "1.5", ""])
def test_a_forged_version_gets_an_answer_not_an_error(client, submitted_300, provincial, version):
    client.force_login(provincial)
    response = client.post(REVIEW, {"approve": "", "comment": "", "seen_version": version})
    assert response.status_code in (200, 302)
    submitted_300.refresh_from_db()
    assert submitted_300.status == ("approved" if version == "" else "submitted")


@pytest.mark.parametrize("version", ["-1", "abc", "9" * 30])
def test_a_forged_version_on_the_form_changes_nothing(client, guangzhou_q4, city_officer, version):
    client.force_login(city_officer)
    response = client.post(URL, sheet(patent_agents="745") | {"seen_version": version})
    assert response.status_code == 200
    assert value_of("patent_agents") == 742


def test_one_figure_saved_reads_in_the_singular(client, guangzhou_q4, city_officer):
    client.force_login(city_officer)
    client.cookies["django_language"] = "en"
    response = client.post(URL, sheet(patent_agents="745"), follow=True)
    assert "Saved as draft: 1 figure changed." in response.content.decode()
