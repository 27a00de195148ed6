"""A city may withdraw its own submission while nobody has started reviewing it."""

import pytest
from django.urls import reverse

from targets.models import ReportingPeriod, Submission
from targets.reporting import (
    WorkflowError,
    approve_submission,
    reopen_quarter,
    return_submission,
    start_review,
    withdraw_submission,
)
from tests.filing import file

FORM = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})
WITHDRAW = reverse("withdraw", kwargs={"reporter": "440100", "quarter": "2022Q4"})
REVIEW = reverse("review", kwargs={"reporter": "440100", "quarter": "2022Q4"})


def file_q4(officer, seen_version=0, reason=""):
    return file(
        officer, 4, {"patent_agents": 700 + seen_version}, seen_version=seen_version, reason=reason
    )


@pytest.fixture
def submitted(plan, city_officer):
    return file_q4(city_officer)


def test_a_city_withdraws_its_submission_and_the_step_is_recorded(client, submitted, city_officer):
    client.force_login(city_officer)
    page = client.get(FORM).content.decode()
    assert "省局尚未开始审核：您可以撤回提交后再修改。" in page and "撤回提交" in page
    response = client.post(WITHDRAW, follow=True)
    assert "已撤回：本季度重新成为草稿。" in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.submitted_at, submitted.first_submitted_at) == (
        "draft",
        None,
        None,
    )
    event = submitted.events.last()
    assert (event.action, event.by, event.from_status, event.to_status) == (
        "withdrawn",
        city_officer,
        "submitted",
        "draft",
    )
    history = reverse("submission_history", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    assert "撤回" in client.get(history).content.decode()
    assert "保存草稿" in client.get(FORM).content.decode()  # editable again


def test_opening_the_review_page_starts_the_review_and_ends_withdrawal(
    client, submitted, city_officer, provincial
):
    client.force_login(provincial)
    client.get(REVIEW)
    client.get(REVIEW)  # recorded once per round of submission
    submitted.refresh_from_db()
    assert submitted.review_started_at is not None
    assert submitted.review_started_by == provincial
    client.force_login(city_officer)
    page = client.get(FORM).content.decode()
    assert "撤回提交" not in page
    assert "<dt>开始审核</dt><dd>provincial · " in page
    response = client.post(WITHDRAW, follow=True)
    assert "省局已于" in response.content.decode()
    assert "不能再撤回；如需修改，请联系省局退回。" in response.content.decode()
    assert Submission.objects.get().status == "submitted"


def test_a_new_submission_can_be_withdrawn_again(submitted, city_officer, provincial):
    start_review(submission=submitted, user=provincial)
    return_submission(submission=submitted, user=provincial, comment="请核对")
    resubmitted = file_q4(city_officer, seen_version=1)
    assert resubmitted.review_started_at is None
    withdraw_submission(submission=resubmitted, user=city_officer)
    resubmitted.refresh_from_db()
    assert resubmitted.status == "draft"
    # The first submission, not withdrawn, still counts for lateness.
    assert resubmitted.first_submitted_at is not None


def test_only_a_submitted_quarter_can_be_withdrawn(client, plan, city_officer, provincial):
    submission = file_q4(city_officer)
    approve_submission(submission=submission, user=provincial)
    client.force_login(city_officer)
    response = client.post(WITHDRAW, follow=True)
    assert "只有已提交的季度才能撤回。" in response.content.decode()
    assert Submission.objects.get().status == "approved"


def test_a_closed_quarter_cannot_be_withdrawn_unless_reopened(plan, city_officer, provincial):
    submission = file_q4(city_officer)
    ReportingPeriod.objects.filter(year=2022, quarter=4).update(is_open=False)
    with pytest.raises(WorkflowError, match="本季度已关闭填报"):
        withdraw_submission(submission=submission, user=city_officer)
    approve_submission(submission=submission, user=provincial)
    reopen_quarter(
        prefecture=city_officer.prefecture,
        period=submission.period,
        user=provincial,
        reason="口径调整",
    )
    corrected = file_q4(city_officer, seen_version=1, reason="按新口径")
    corrected.period.refresh_from_db()
    withdraw_submission(submission=corrected, user=city_officer)
    corrected.refresh_from_db()
    assert (corrected.status, corrected.reopened) == ("draft", True)
    # Still open to its reporter, to correct and submit again.
    file_q4(city_officer, seen_version=1, reason="按新口径")


def test_a_double_click_on_withdraw_is_answered_as_done(client, submitted, city_officer):
    client.force_login(city_officer)
    client.post(WITHDRAW)
    response = client.post(WITHDRAW, follow=True)
    assert "已撤回：本季度重新成为草稿。" in response.content.decode()
    assert submitted.events.filter(action="withdrawn").count() == 1


@pytest.mark.parametrize(
    "who, status", [("other_officer", 403), ("provincial", 403), ("leadership", 403)]
)
def test_nobody_else_may_withdraw_it(client, submitted, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.post(WITHDRAW).status_code == status
    assert Submission.objects.get().status == "submitted"


def test_anonymous_visitors_are_sent_to_log_in(client, submitted):
    response = client.post(WITHDRAW)
    assert response["Location"].startswith(reverse("login"))
    assert Submission.objects.get().status == "submitted"


@pytest.mark.parametrize(
    "path, status",
    [
        ("/report/440100/2022Q4/withdraw/", 405),  # GET
        ("/report/440100/2031Q1/withdraw/", 404),
        ("/report/999999/2022Q4/withdraw/", 404),
        ("/report/440100/2022Q9/withdraw/", 404),
        ("/report/440100/2021Q1/withdraw/", 404),  # no submission there
    ],
)
def test_hostile_addresses_get_a_clean_answer(client, submitted, city_officer, path, status):
    client.force_login(city_officer)
    method = client.get if status == 405 else client.post
    assert method(path).status_code == status
    assert Submission.objects.get().status == "submitted"
