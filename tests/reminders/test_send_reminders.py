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
from targets.models import Indicator, Prefecture, ReportingPeriod, Submission
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


def test_provincial_staff_see_every_late_city_and_every_quarter_to_review(people):
    """However a submission got its status (the workflow, an import, a fixture): the late
    cities are the late digest's, and every submitted quarter waits for review, the
    province's own and those of closed quarters included."""
    periods = {
        (year, q): ReportingPeriod.objects.get(year=year, quarter=q)
        for year in (2021, 2022)
        for q in (1, 2, 3, 4)
    }
    ReportingPeriod.objects.filter(year=2021, quarter__gte=2).update(is_open=True)
    ReportingPeriod.objects.filter(year=2022, quarter__in=(2, 3)).update(is_open=True)
    ReportingPeriod.objects.filter(pk=periods[2022, 3].pk).update(due_date="2023-03-31")
    cities = list(Prefecture.objects.order_by("display_order"))
    on_time = datetime(2022, 7, 10, tzinfo=SHANGHAI)  # 2022Q2 is due on 2022-07-15
    statuses = {
        # One city never filed, one only drafted, one returned after filing on time (not
        # late), one submitted, the rest approved; the province's own is submitted.
        (2022, 2): ["approved"] * 17 + ["draft", "returned", "submitted", None],
        (2021, 2): ["approved"] * 20 + ["draft"],  # every city filed, one still a draft
        (2021, 3): ["approved"] * 20 + ["submitted"],  # every city reported
        (2021, 4): ["approved"] * 20 + [None],  # the province's own quarter makes 21
        (2022, 3): ["submitted"] + ["draft"] * 20,  # not due on the day
        (2022, 4): ["draft"] * 3 + [None] * 17 + ["submitted"],
        (2022, 1): ["submitted"] + [None] * 20,  # closed
    }
    Submission.objects.bulk_create(
        Submission(
            prefecture=city,
            period=periods[key],
            status=status,
            submitted_at=on_time if status in ("submitted", "returned") else None,
            first_submitted_at=on_time if status == "returned" else None,
            reviewed_at=on_time if status == "returned" else None,
        )
        for key, by_city in statuses.items()
        for city, status in zip(cities, by_city, strict=True)
        if status
    )
    Submission.objects.create(period=periods[2022, 2], status="submitted", submitted_at=on_time)
    Submission.objects.create(period=periods[2021, 4], status="approved", submitted_at=on_time)
    with on("2023-01-16"):
        today = timezone.localdate()
        digests = [n for n in due_notices(today) if n.kind == Reminder.Kind.LATE_DIGEST]
        waiting = waiting_for(people["sheng"], today)
        as_a_page = waiting_for(people["sheng"], today, list(ReportingPeriod.objects.all()))
    late = [(n.period, n.late_cities) for n in digests]
    assert [(str(period), cities_late) for period, cities_late in late] == [
        ("2021Q2", [cities[20]]),
        ("2021Q4", [cities[20]]),
        ("2022Q2", [cities[17], cities[20]]),
        ("2022Q4", cities[:20]),
    ]
    assert waiting.late == as_a_page.late == late
    assert waiting.to_review == as_a_page.to_review == 6
