"""Time does not stop: periods up to today's quarter, due by the rule provincial staff set,
and a site that stays sensible with the quarters nobody has reported yet."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from accounts.models import Role
from reminders.models import Reminder
from reminders.notices import due_notices, waiting_for
from reports import summaries
from reports.dashboards import default_period
from reports.summaries import Scope
from targets.completeness import completeness_matrix
from targets.models import Prefecture, ReportingPeriod, ReportingRule, Submission
from targets.periods import Quarter
from targets.schedule import add_periods, add_periods_up_to_today, reporting_rule
from targets.seeding import seed_plan, seed_prefectures
from targets.tasks import add_reporting_periods
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
UPGRADE_DAY = date(2026, 11, 30)
PERIODS = reverse("periods")
RULE = reverse("period_rule")


def quarters(periods):
    return [str(period) for period in periods]


@pytest.fixture
def plan_ended(db):
    """The plan seeded on the day it ended, before any quarter since was added."""
    seed_prefectures()
    seed_plan(today=date(2022, 12, 31))


def set_rule(days):
    ReportingRule.objects.filter(pk=reporting_rule().pk).update(days_to_report=days)


# The rule


@pytest.mark.django_db
def test_the_migration_keeps_the_fifteen_days_the_site_had():
    rule = ReportingRule.objects.get()
    assert (rule.pk, rule.days_to_report, rule.changed_by) == (1, 15, None)
    executor = MigrationExecutor(connection)
    assert ("targets", "0017_reporting_rule") in executor.loader.applied_migrations


def test_new_periods_are_due_by_the_stored_rule_unless_told_otherwise(plan_ended):
    set_rule(30)
    created = add_periods(first=Quarter(2023, 1), last=Quarter(2023, 2))
    assert [str(p.due_date) for p in created] == ["2023-04-30", "2023-07-30"]
    assert (
        str(
            add_periods(first=Quarter(2023, 3), last=Quarter(2023, 3), days_to_report=10)[
                0
            ].due_date
        )
        == "2023-10-10"
    )
    # Periods on record keep theirs.
    assert str(ReportingPeriod.objects.get(year=2022, quarter=4).due_date) == "2023-01-15"


def test_the_rule_is_remade_with_fifteen_days_should_its_row_be_gone(plan_ended):
    ReportingRule.objects.all().delete()
    assert reporting_rule().days_to_report == 15


# Up to today


def test_an_upgrade_adds_every_quarter_since_the_closed_ones_closed_and_without_due_date(
    plan_ended,
):
    created = add_periods_up_to_today(UPGRADE_DAY)
    assert quarters(created) == [str(Quarter(2023, 1).shift(step)) for step in range(16)]
    assert [(p.is_open, p.due_date) for p in created[:-1]] == [(False, None)] * 15
    current = created[-1]
    assert (str(current), current.is_open, str(current.due_date)) == ("2026Q4", True, "2027-01-15")
    assert add_periods_up_to_today(UPGRADE_DAY) == []


def test_a_quarter_ended_but_not_yet_due_is_added_open(plan_ended):
    """The job did not run for a while: 2023Q1 ended, but cities can still report it in time."""
    created = add_periods_up_to_today(date(2023, 4, 10))
    assert [(str(p), p.is_open, str(p.due_date)) for p in created] == [
        ("2023Q1", True, "2023-04-15"),
        ("2023Q2", True, "2023-07-15"),
    ]


def test_the_current_quarter_is_due_by_the_rule_set_now(plan_ended):
    set_rule(45)
    created = add_periods_up_to_today(date(2023, 1, 1))
    assert [(str(p), str(p.due_date)) for p in created] == [("2023Q1", "2023-05-15")]


@pytest.mark.django_db
def test_it_starts_at_the_earliest_plan_and_runs_on_to_the_last_target():
    seed_plan(today=date(2022, 12, 31))
    ReportingPeriod.objects.all().delete()
    created = add_periods_up_to_today(date(2019, 2, 1))
    assert quarters(created) == [str(Quarter(2018, 1).shift(step)) for step in range(20)]
    assert [p.is_open for p in created[:4]] == [False] * 4  # 2018Q4 was due on 2019-01-15
    assert all(p.is_open and p.due_date for p in created[4:])  # 2019Q1 on, due to come


@pytest.mark.django_db
def test_without_a_plan_or_a_period_there_is_nothing_to_add():
    assert add_periods_up_to_today(UPGRADE_DAY) == []
    assert not ReportingPeriod.objects.exists()


def test_the_daily_job_adds_the_new_quarter_just_after_midnight(plan_ended):
    with time_machine.travel(datetime(2023, 1, 1, 0, 10, tzinfo=SHANGHAI)):
        assert add_reporting_periods.delay().get() == ["2023Q1"]
        assert add_reporting_periods.delay().get() == []
    period = ReportingPeriod.objects.get(year=2023, quarter=1)
    assert (period.is_open, str(period.due_date)) == (True, "2023-04-15")
    beat = settings.CELERY_BEAT_SCHEDULE["add-reporting-periods"]
    assert beat["task"] == "targets.tasks.add_reporting_periods"
    assert beat["schedule"] == crontab(hour=0, minute=10)


# The page


@pytest.fixture
def reviewer(client, plan, provincial):
    client.force_login(provincial)
    return provincial


def test_provincial_staff_set_the_rule_of_new_quarters_and_it_is_kept_who_and_when(
    client, reviewer
):
    page = client.get(PERIODS).content.decode()
    assert 'name="rule-days_to_report" value="15"' in page
    response = client.post(RULE, {"rule-days_to_report": "30"}, follow=True)
    assert (
        "今后新增的季度在季度结束后 30 天截止；已有季度的截止日期不变。"
        in response.content.decode()
    )
    rule = ReportingRule.objects.get()
    assert (rule.days_to_report, rule.changed_by) == (30, reviewer)
    assert rule.changed_at is not None
    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert (entry.user, entry.object_repr) == (reviewer, str(rule))
    page = client.get(PERIODS).content.decode()
    assert "provincial" in page.split('<section class="period-rule"')[1].split("</section>")[0]
    # The form to add quarters offers the rule's days; the quarters on record keep theirs.
    assert 'name="days_to_report" value="30"' in page
    assert str(ReportingPeriod.objects.get(year=2022, quarter=4).due_date) == "2023-01-15"
    assert str(add_periods_up_to_today(date(2027, 1, 1))[0].due_date) == "2027-04-30"


@pytest.mark.parametrize("typed", ["0", "181", "-3", "abc", ""])
def test_a_rule_out_of_range_is_refused_and_changes_nothing(client, reviewer, typed):
    response = client.post(RULE, {"rule-days_to_report": typed})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert ReportingRule.objects.get().days_to_report == 15
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("who", ["city_officer", "leadership"])
def test_only_provincial_staff_set_the_rule(client, plan, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(RULE, {"rule-days_to_report": "30"}).status_code == 403
    assert client.get(RULE).status_code == 405
    assert ReportingRule.objects.get().days_to_report == 15


def test_a_quarter_added_closed_opens_only_with_a_due_date(client, reviewer):
    url = reverse("period_update", kwargs={"quarter": "2025Q2"})
    response = client.post(url, {"2025Q2-is_open": "on", "2025Q2-due_date": ""}, follow=True)
    assert "2025年第2季度未修改：请检查截止日期。" in response.content.decode()
    assert not ReportingPeriod.objects.get(year=2025, quarter=2).is_open
    client.post(url, {"2025Q2-is_open": "on", "2025Q2-due_date": "2026-12-31"})
    period = ReportingPeriod.objects.get(year=2025, quarter=2)
    assert (period.is_open, str(period.due_date)) == (True, "2026-12-31")


# What the quarters since ask of people: nothing until one is due


@pytest.fixture
def upgraded(plan_ended):
    """The plan's quarters reported and closed, as on a site in use; then the upgrade."""
    ReportingPeriod.objects.update(is_open=False)
    add_periods_up_to_today(UPGRADE_DAY)
    officer = UserFactory(
        username="gz",
        email="gz@gd.invalid",
        role=Role.CITY,
        prefecture=Prefecture.objects.get(code="440100"),
    )
    staff = UserFactory(username="sheng", email="sheng@gd.invalid", role=Role.PROVINCIAL)
    return officer, staff


def test_an_upgrade_reminds_nobody_of_the_quarters_nobody_was_asked_for(upgraded):
    officer, staff = upgraded
    assert due_notices(UPGRADE_DAY) == []
    # The officer's to-do list holds the current quarter, not late; staff see nobody late.
    to_fill = waiting_for(officer, UPGRADE_DAY).to_fill
    assert [(str(period), late) for period, _submission, late in to_fill] == [("2026Q4", False)]
    assert waiting_for(staff, UPGRADE_DAY).late == []
    matrix = completeness_matrix(year=2025, today=UPGRADE_DAY)
    assert len(matrix.periods) == 4 and len(matrix.rows) == 21
    assert not any(cell.late for _city, cells, _counts, _late in matrix.rows for cell in cells)


def test_the_current_quarter_is_reminded_about_when_it_falls_due(upgraded):
    soon = due_notices(date(2027, 1, 10))
    assert {(n.kind, str(n.period), n.user.username) for n in soon} == {
        (Reminder.Kind.DUE_SOON, "2026Q4", "gz")
    }
    late = due_notices(date(2027, 1, 16))
    assert {(n.kind, str(n.period), n.user.username) for n in late} == {
        (Reminder.Kind.LATE, "2026Q4", "gz"),
        (Reminder.Kind.LATE_DIGEST, "2026Q4", "sheng"),
    }


def test_a_quarter_opened_later_asks_for_its_figures_by_its_own_due_date(upgraded):
    officer, _staff = upgraded
    ReportingPeriod.objects.filter(year=2025, quarter=2).update(
        is_open=True, due_date=date(2026, 12, 31)
    )
    to_fill = waiting_for(officer, UPGRADE_DAY).to_fill
    assert [(str(period), late) for period, _s, late in to_fill] == [
        ("2025Q2", False),
        ("2026Q4", False),
    ]
    assert {str(n.period) for n in due_notices(date(2026, 12, 27))} == {"2025Q2"}


# The pages open where the figures are


def test_the_pages_open_on_the_latest_quarter_with_figures_not_the_empty_current_one(
    client, demo, leadership
):
    assert ReportingPeriod.objects.order_by("year", "quarter").last().as_quarter == Quarter(2026, 4)
    assert str(default_period()) == "2025Q3"
    client.force_login(leadership)
    text = client.get(reverse("overview")).content.decode()
    assert "2025年第3季度" in text.split("</h1>")[0]
    # The quarter picker lists the quarters since, to choose from.
    assert '<option value="2026Q4">' in text


def test_the_demo_figures_end_with_the_demo_plan(demo):
    reported = Submission.objects.values_list("period__year", flat=True)
    assert max(reported) == 2025
    assert ReportingPeriod.objects.get(year=2026, quarter=4).is_open
    assert not ReportingPeriod.objects.get(year=2025, quarter=1).is_open


@pytest.mark.django_db
def test_seeding_prefectures_and_plan_on_a_day_adds_up_to_its_quarter():
    seed_prefectures()
    seed_plan(today=date(2024, 5, 6))
    assert str(ReportingPeriod.objects.last()) == "2024Q2"


def test_a_city_summary_lists_no_quarter_nobody_asked_for(plan):
    """Its earlier quarters closed without a due date are left out, unless the city started
    one; the chosen quarter is always checked."""
    guangzhou = Prefecture.objects.get(code="440100")
    current = ReportingPeriod.objects.get(year=2026, quarter=4)
    ReportingPeriod.objects.filter(year__lte=2022).update(is_open=False)
    Submission.objects.create(
        prefecture=guangzhou, period=ReportingPeriod.objects.get(year=2024, quarter=2)
    )
    overdue = summaries.content(Scope(prefecture=guangzhou), current, UPGRADE_DAY)["overdue"]
    listed = [(str(quarter), late) for _city, quarter, _state, late, _on in overdue]
    assert listed == [
        *((str(Quarter(2018, 1).shift(step)), True) for step in range(20)),
        ("2024Q2", False),
        ("2026Q4", False),
    ]
    chosen = ReportingPeriod.objects.get(year=2025, quarter=1)
    overdue = summaries.content(Scope(), chosen, UPGRADE_DAY)["overdue"]
    assert len(overdue) == 21 and not any(late for *_rest, late, _on in overdue)
