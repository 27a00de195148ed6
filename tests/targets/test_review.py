from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from targets.models import Figure, Indicator, Prefecture, ReportingPeriod, Submission
from targets.reporting import Entry, approve_submission, save_quarter, submit_quarter
from targets.tasks import Enqueued

REVIEW = reverse("review", kwargs={"reporter": "440100", "quarter": "2022Q4"})


def file_quarter(user, quarter, agents, reviewer=None):
    """Guangzhou files a quarter (every row: nothing to report but patent attorneys)."""
    indicators = list(Indicator.objects.reported_by(Prefecture.objects.first()))
    entries = {indicator: Entry(nothing_to_report=True) for indicator in indicators}
    entries[Indicator.objects.get(code="patent_agents")] = Entry(Decimal(agents))
    submission, _ = save_quarter(
        prefecture=Prefecture.objects.get(code="440100"),
        period=ReportingPeriod.objects.get(year=2022, quarter=quarter),
        user=user,
        entries=entries,
        seen_version=0,
    )
    submit_quarter(submission=submission, user=user, indicators=indicators)
    if reviewer:
        approve_submission(submission=submission, user=reviewer)
    return submission


@pytest.fixture
def submitted(client, plan, city_officer, provincial):
    file_quarter(city_officer, 3, 2000, reviewer=provincial)
    client.force_login(provincial)
    return file_quarter(city_officer, 4, 7000)


def test_the_queue_lists_what_waits(client, submitted):
    page = client.get(reverse("review_queue")).content.decode()
    assert "共 1 个季度报送待审核" in page
    assert "广州市" in page and "2022年第4季度" in page and REVIEW in page


def test_the_review_shows_last_quarter_beside_with_changes_marked(client, submitted):
    page = client.get(REVIEW).content.decode()
    assert "上季度（已审核）" in page
    assert '<span class="delta up">+5000 (+250.0%)</span>' in page
    assert "超过上季度 2000 的三倍。" in page


def test_approving_publishes_and_records_who_and_when(client, submitted, provincial):
    response = client.post(REVIEW, {"approve": "", "comment": ""})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == "approved" and submitted.reviewed_by == provincial
    figure = Figure.objects.get(submission=submitted, indicator__code="patent_agents")
    assert figure.approved_value == 7000
    form = reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    page = client.get(form).content.decode()
    assert "审核通过" in page and "provincial" in page


def test_returning_needs_a_comment(client, submitted):
    page = client.post(REVIEW, {"return": "", "comment": ""}).content.decode()
    assert "退回必须填写意见" in page
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_history_shows_every_step_and_change(client, submitted):
    client.post(REVIEW, {"return": "", "comment": "请说明增长原因"})
    url = reverse("submission_history", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    page = client.get(url).content.decode()
    for text in ["保存", "提交", "退回", "请说明增长原因", "guangzhou", "provincial", "7000"]:
        assert text in page
    figure_url = reverse(
        "figure_history",
        kwargs={"reporter": "440100", "quarter": "2022Q4", "indicator": "patent_agents"},
    )
    assert "7000" in client.get(figure_url).content.decode()


def test_provincial_staff_close_a_quarter_and_set_its_due_date(client, submitted):
    url = reverse("period_update", kwargs={"quarter": "2022Q4"})
    client.post(url, {"2022Q4-due_date": "2023-01-20"})
    period = ReportingPeriod.objects.get(year=2022, quarter=4)
    assert not period.is_open
    assert str(period.due_date) == "2023-01-20"
    client.post(url, {"2022Q4-due_date": "not a date", "2022Q4-is_open": "on"})
    period.refresh_from_db()
    assert not period.is_open


def test_reopening_needs_a_reason_and_is_recorded(client, submitted, provincial):
    url = reverse("reopen", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    client.post(url, {"reason": ""})
    assert Submission.objects.get(pk=submitted.pk).status == "submitted"
    client.post(url, {"reason": "地市申请更正"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reopened) == ("returned", True)
    event = submitted.events.last()
    assert (event.action, event.by, event.comment) == ("reopened", provincial, "地市申请更正")


def test_the_audit_trail_shows_who_changed_what_across_the_site(client, submitted):
    client.post(REVIEW, {"return": "", "comment": "请核对"})
    client.post(reverse("period_update", kwargs={"quarter": "2022Q4"}), {"2022Q4-due_date": ""})
    page = client.get(reverse("audit")).content.decode()
    assert "操作审计" in page
    assert "退回" in page and "请核对" in page
    assert "修改数据" in page and "7000" in page
    assert "报送期" in page and "2022Q4" in page


def test_a_quarter_submitted_with_nobody_recorded_shows_its_time_alone(client, submitted):
    # As the demo loads the cities that have no demo officer.
    Submission.objects.filter(pk=submitted.pk).update(submitted_by=None)
    for url in [reverse("review_queue"), REVIEW]:
        page = client.get(url).content.decode()
        assert "— ·" not in page
        assert timezone.localtime(submitted.submitted_at).strftime("%Y-%m-%d %H:%M") in page


def test_the_audit_trail_shows_a_note_changed_alone_as_a_note_change(
    client, submitted, city_officer
):
    agents = Indicator.objects.get(code="patent_agents")
    submitted.status = Submission.Status.DRAFT
    submitted.save()
    save_quarter(
        prefecture=submitted.prefecture,
        period=submitted.period,
        user=city_officer,
        entries={agents: Entry(Decimal(7000), note="含新设机构")},
        seen_version=submitted.version,
    )
    row = client.get(reverse("audit")).content.decode().split("含新设机构")[0].rsplit("<tr>")[-1]
    assert "7000（无变化） · 备注：— → " in row
    assert "7000 → 7000" not in row
    history = reverse("submission_history", kwargs={"reporter": "440100", "quarter": "2022Q4"})
    row = client.get(history).content.decode().split("含新设机构")[0].rsplit("<tr>")[-1]
    assert ">无变化<" in row and "备注：— → " in row


def test_approving_enqueues_a_recompute_of_what_it_publishes(client, submitted):
    client.post(REVIEW, {"approve": "", "comment": ""})
    # Still inside the test's transaction: the recompute waits for the commit.
    [pending] = [
        callback.__self__
        for _, callback, _ in connection.run_on_commit
        if isinstance(getattr(callback, "__self__", None), Enqueued)
    ]
    agents = Indicator.objects.get(code="patent_agents")
    assert pending.indicator_ids is None or agents.pk in pending.indicator_ids


@pytest.mark.django_db(transaction=True)
def test_with_the_job_queue_down_an_approval_still_saves_and_says_charts_will_catch_up(
    client, submitted, broker
):
    broker("redis://127.0.0.1:1/5")
    page = client.post(REVIEW, {"approve": "", "comment": ""}, follow=True).content.decode()
    assert "图表将在任务队列恢复后更新" in page
    submitted.refresh_from_db()
    assert submitted.status == "approved"
