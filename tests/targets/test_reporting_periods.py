"""报送期管理: due dates that survive a save in either language, and new periods by the rule."""

from datetime import date

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse
from django.utils import translation

from targets.models import ReportingPeriod
from targets.periods import Quarter, due_date_for
from targets.schedule import add_periods, next_quarter

PERIODS = reverse("periods")
ADD = reverse("periods_add")
UPDATE = reverse("period_update", kwargs={"quarter": "2018Q1"})


@pytest.fixture
def seeded_on():
    """As on the day the plan ended: no quarter after 2022Q4 exists yet, and these tests add
    them by hand (tests/targets/test_periods_to_today.py has those the calendar adds)."""
    return date(2022, 12, 31)


@pytest.fixture
def reviewer(client, plan, provincial):
    client.force_login(provincial)
    return provincial


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_inputs_carry_iso_dates_in_every_language(client, reviewer, language):
    client.cookies["django_language"] = language
    with translation.override(language):
        page = client.get(PERIODS, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'type="date" name="2018Q1-due_date" value="2018-04-15"' in page
    assert "2018/04/15" not in page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_closing_a_quarter_keeps_its_due_date(client, reviewer, language):
    client.cookies["django_language"] = language
    client.post(UPDATE, {"2018Q1-due_date": "2018-04-15"})  # 开放 unticked, date as shown
    period = ReportingPeriod.objects.get(year=2018, quarter=1)
    assert (period.is_open, period.due_date) == (False, date(2018, 4, 15))


@pytest.mark.parametrize("typed", ["2018/04/20", "20.4.2018", "not a date", "2018-02-30"])
def test_a_date_that_is_not_iso_is_refused_and_changes_nothing(client, reviewer, typed):
    response = client.post(UPDATE, {"2018Q1-due_date": typed}, follow=True)
    assert "2018年第1季度未修改：请检查截止日期。" in response.content.decode()
    period = ReportingPeriod.objects.get(year=2018, quarter=1)
    assert (period.is_open, period.due_date) == (True, date(2018, 4, 15))


def test_the_due_date_rule_is_the_fifteenth_day_after_the_quarter_ends():
    assert due_date_for(Quarter(2022, 4)) == date(2023, 1, 15)
    assert due_date_for(Quarter(2023, 2)) == date(2023, 7, 15)
    assert due_date_for(Quarter(2023, 3), 30) == date(2023, 10, 30)


def test_adding_periods_creates_only_the_missing_ones(plan):
    created = add_periods(first=Quarter(2022, 4), last=Quarter(2023, 2))
    assert [(p.as_quarter, p.due_date, p.is_open) for p in created] == [
        (Quarter(2023, 1), date(2023, 4, 15), True),
        (Quarter(2023, 2), date(2023, 7, 15), True),
    ]
    assert next_quarter() == Quarter(2023, 3)
    assert add_periods(first=Quarter(2023, 1), last=Quarter(2023, 2)) == []


def test_the_page_offers_the_next_quarter(client, reviewer):
    page = client.get(PERIODS).content.decode()
    assert "添加报送期" in page
    assert 'name="first" value="2023Q1"' in page and 'name="last" value="2023Q1"' in page
    assert 'name="days_to_report" value="15"' in page


def test_the_next_quarter_is_added_due_by_the_rule_and_logged(client, reviewer):
    data = {"first": "2023Q1", "last": "2023Q1", "days_to_report": "15"}
    response = client.post(ADD, data, follow=True)
    assert "已添加2023年第1季度。" in response.content.decode()
    period = ReportingPeriod.objects.get(year=2023, quarter=1)
    assert (period.due_date, period.is_open) == (date(2023, 4, 15), True)
    entry = LogEntry.objects.get(action_flag=ADDITION)
    assert (entry.user, entry.object_repr) == (reviewer, "2023Q1")
    # The new quarter is there to report on.
    assert 'name="2023Q1-due_date" value="2023-04-15"' in client.get(PERIODS).content.decode()


def test_a_range_is_added_with_its_own_rule(client, reviewer):
    client.post(ADD, {"first": "2023q1", "last": "2024Q2", "days_to_report": "30"})
    added = ReportingPeriod.objects.filter(year__gte=2023)
    assert [str(p) for p in added] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]
    assert added.get(year=2023, quarter=4).due_date == date(2024, 1, 30)


def test_quarters_that_exist_are_left_alone(client, reviewer):
    ReportingPeriod.objects.filter(year=2022, quarter=4).update(due_date=date(2023, 1, 20))
    response = client.post(ADD, {"first": "2022Q4", "last": "2022Q4", "days_to_report": "15"})
    assert "这些季度均已存在，未添加任何季度。" in client.get(PERIODS).content.decode()
    assert response.status_code == 302
    assert ReportingPeriod.objects.get(year=2022, quarter=4).due_date == date(2023, 1, 20)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"first": "2023Q5", "last": "2023Q1", "days_to_report": "15"}, "不是有效的季度"),
        ({"first": "2023Q3", "last": "2023Q1", "days_to_report": "15"}, "截止季度早于起始季度。"),
        ({"first": "2023Q1", "last": "2033Q1", "days_to_report": "15"}, "一次最多添加 40 个季度。"),
        ({"first": "2123Q1", "last": "2123Q1", "days_to_report": "15"}, "2000 年至 2100 年"),
        ({"first": "2023Q1", "last": "2023Q1", "days_to_report": "-1"}, "0"),
        ({"first": "2023Q1", "last": "2023Q1", "days_to_report": "abc"}, "整数"),
        ({"first": "", "last": "2023Q1", "days_to_report": "15"}, "这个字段是必填项。"),
        ({"first": "x" * 5000, "last": "2023Q1", "days_to_report": "15"}, "季度"),
        ({}, "这个字段是必填项。"),
    ],
)
def test_bad_input_is_named_and_adds_nothing(client, reviewer, data, message):
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReportingPeriod.objects.filter(year__gte=2023).exists()


@pytest.mark.parametrize("who", ["city_officer", "leadership"])
def test_only_provincial_staff_add_periods(client, plan, request, who):
    client.force_login(request.getfixturevalue(who))
    data = {"first": "2023Q1", "last": "2023Q1", "days_to_report": "15"}
    assert client.post(ADD, data).status_code == 403
    assert client.get(ADD).status_code == 405
    assert not ReportingPeriod.objects.filter(year=2023).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, plan):
    response = client.post(ADD, {"first": "2023Q1", "last": "2023Q1", "days_to_report": "15"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ReportingPeriod.objects.filter(year=2023).exists()
