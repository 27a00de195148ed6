from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from reminders.models import Reminder
from reminders.notices import due_notices, waiting_for
from reminders.tasks import send_reminders
from targets.models import Indicator, Prefecture, ReportingPeriod
from targets.reporting import Entry, return_submission, save_quarter, submit_quarter
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(day: str, hour=8):
    """Travel to 08:00 in Guangdong on that day (2022Q4 is due on 2023-01-15)."""
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI))


@pytest.fixture
def people(plan):
    ReportingPeriod.objects.exclude(year=2022, quarter=4).update(is_open=False)
    guangzhou, shenzhen = (Prefecture.objects.get(code=c) for c in ("440100", "440300"))
    return {
        "gz": UserFactory(
            username="gz", email="gz@gd.invalid", role=Role.CITY, prefecture=guangzhou
        ),
        "gz-en": UserFactory(
            username="gz-en",
            email="en@gd.invalid",
            role=Role.CITY,
            prefecture=guangzhou,
            language="en",
        ),
        "gz-quiet": UserFactory(
            username="gz-quiet",
            email="quiet@gd.invalid",
            role=Role.CITY,
            prefecture=guangzhou,
            receives_reminders=False,
        ),
        "sz": UserFactory(
            username="sz", email="sz@gd.invalid", role=Role.CITY, prefecture=shenzhen
        ),
        "sheng": UserFactory(username="sheng", email="sheng@gd.invalid", role=Role.PROVINCIAL),
        "boss": UserFactory(username="boss", email="boss@gd.invalid", role=Role.LEADERSHIP),
    }


def file_and_submit(user):
    indicators = list(Indicator.objects.reported_by(user.prefecture))
    submission, _ = save_quarter(
        prefecture=user.prefecture,
        period=ReportingPeriod.objects.get(year=2022, quarter=4),
        user=user,
        entries={indicator: Entry(nothing_to_report=True) for indicator in indicators},
        seen_version=0,
    )
    return submit_quarter(submission=submission, user=user, indicators=indicators)


def received(mailoutbox):
    return sorted((message.to[0].split("@")[0], message.subject) for message in mailoutbox)


def test_officers_are_reminded_from_five_days_before_the_due_date(people, mailoutbox):
    with on("2023-01-09"):
        send_reminders.delay()
    assert mailoutbox == []
    with on("2023-01-10"):
        send_reminders.delay()
    assert received(mailoutbox) == [
        ("en", "Guangzhou: 2022 Q4 figures are due on 2023-01-15"),
        ("gz", "广州市：2022年第4季度数据须于 2023-01-15 前报送"),
        ("sz", "深圳市：2022年第4季度数据须于 2023-01-15 前报送"),
    ]
    body = mailoutbox[1].body
    assert (
        "http://127.0.0.1:8000"
        + reverse("quarter_form", kwargs={"reporter": "440100", "quarter": "2022Q4"})
        in body
    )


def test_a_second_run_on_the_same_or_a_later_day_sends_nothing_new(people, mailoutbox):
    with on("2023-01-10"):
        send_reminders.delay()
        send_reminders.delay()
    with on("2023-01-12"):
        send_reminders.delay()
    assert len(mailoutbox) == 3
    assert Reminder.objects.count() == 3


def test_after_the_due_date_late_cities_are_told_and_the_province_gets_one_digest(
    people, mailoutbox
):
    with on("2023-01-12", hour=10):
        file_and_submit(people["sz"])
    with on("2023-01-16"):
        send_reminders.delay()
        send_reminders.delay()
    assert received(mailoutbox) == [
        ("en", "Late: Guangzhou has not submitted 2022 Q4"),
        ("gz", "逾期：广州市尚未报送2022年第4季度数据"),
        ("sheng", "2022年第4季度：20 个地市逾期未报"),
    ]
    digest = mailoutbox[-1].body
    assert "广州市" in digest and "韶关市" in digest and "深圳市" not in digest


def test_a_returned_form_left_alone_reminds_its_officers(people, mailoutbox):
    ReportingPeriod.objects.filter(year=2022, quarter=4).update(due_date="2023-03-31")
    with on("2023-01-02", hour=10):
        submission = file_and_submit(people["gz"])
        return_submission(submission=submission, user=people["sheng"], comment="请补充说明")
    with on("2023-01-04"):
        send_reminders.delay()
    assert mailoutbox == []
    with on("2023-01-05"):
        send_reminders.delay()
    assert received(mailoutbox) == [
        ("en", "Guangzhou: the returned 2022 Q4 figures wait for correction"),
        ("gz", "广州市：退回的2022年第4季度数据等待更正"),
    ]
    assert "请补充说明" in mailoutbox[1].body


def test_nothing_to_report_counts_as_reported(people, mailoutbox):
    for officer in ("gz", "sz"):
        with on("2023-01-08", hour=10):
            file_and_submit(people[officer])
    with on("2023-01-10"):
        send_reminders.delay()
    assert mailoutbox == []


def test_reminders_can_be_turned_off_on_the_preferences_page(client, people, mailoutbox):
    client.force_login(people["gz"])
    client.post(reverse("preferences"), {"email": "gz@gd.invalid", "language": "zh-hans"})
    with on("2023-01-10"):
        send_reminders.delay()
    assert [to for to, _ in received(mailoutbox)] == ["en", "sz"]


def test_landing_shows_what_waits(client, people):
    with on("2023-01-15"):
        client.force_login(people["gz"])
        page = client.get(reverse("home"), follow=True).content.decode()
        assert "2022年第4季度：待填报，截止日期 2023-01-15" in page
    with on("2023-01-16"):
        client.force_login(people["gz"])
        page = client.get(reverse("home"), follow=True).content.decode()
        assert "2022年第4季度：已逾期（截止日期 2023-01-15），请尽快填报并提交" in page
        assert "待填报" not in page
        client.force_login(people["sheng"])
        page = client.get(reverse("home"), follow=True).content.decode()
        assert "2022年第4季度：21 个地市逾期" in page


def test_reminders_are_scheduled_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == send_reminders.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {0})


def test_plain_text_reminders_keep_what_people_wrote_as_written(people, mailoutbox):
    """E-mails are plain text: nothing in them is HTML-escaped (no &lt; or &#x27;)."""
    people["gz"].first_name = "Tom <O'Neil> & Co"
    people["gz"].save()
    ReportingPeriod.objects.filter(year=2022, quarter=4).update(due_date="2023-03-31")
    comment = "数量 < 上季度 & 说明 'A' \"B\""
    with on("2023-01-02", hour=10):
        submission = file_and_submit(people["gz"])
        return_submission(submission=submission, user=people["sheng"], comment=comment)
    with on("2023-01-05"):
        send_reminders.delay()
    [message] = [message for message in mailoutbox if message.to == ["gz@gd.invalid"]]
    assert comment in message.body
    assert "Tom <O'Neil> & Co" in message.body
    assert "&lt;" not in message.body + message.subject
    assert "&#x27;" not in message.body + message.subject


def test_provincial_staff_land_on_the_cities_the_late_digest_lists(
    people, django_assert_max_num_queries
):
    with on("2023-01-12"):
        file_and_submit(people["gz"])
    with on("2023-01-16"):
        file_and_submit(people["sz"])  # late, but reported: off the list
        today = timezone.localdate()
        digest = next(n for n in due_notices(today) if n.kind == Reminder.Kind.LATE_DIGEST)
        with django_assert_max_num_queries(8):  # the same whatever the cities and quarters
            waiting = waiting_for(people["sheng"], today)
    assert len(digest.late_cities) == 19
    assert waiting.late == [(digest.period, digest.late_cities)]
