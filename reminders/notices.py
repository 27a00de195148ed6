"""Who should be reminded of what on a given day, and sending it once.

A quarter counts as reported once it is submitted (rows marked "nothing to report"
included); submitting, even late, stops its reminders. Late is the one rule of
`targets.completeness.is_late`: a quarter the province returned or reopened after a
first submission on time is waiting for its city, not late.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role, User
from reminders.models import Reminder
from targets.access import is_reviewer
from targets.completeness import is_late
from targets.models import Prefecture, ReportingPeriod, Submission
from targets.reporting import lock_reasons

Kind = Reminder.Kind
Status = Submission.Status
REPORTED = (Status.SUBMITTED, Status.APPROVED)


@dataclass
class Notice:
    user: User
    kind: str
    period: ReportingPeriod
    prefecture: Prefecture | None = None
    submission: Submission | None = None
    late_cities: list = field(default_factory=list)

    @property
    def reference(self) -> str:
        if self.kind == Kind.RETURNED:
            return self.submission.reviewed_at.isoformat()
        return ""


def _recipients(role):
    users = User.objects.filter(groups__name=role, is_active=True, receives_reminders=True).exclude(
        email=""
    )
    return users.select_related("prefecture")


def _not_reported(prefectures, period, reported):
    """`reported`: the (prefecture id, period id) pairs submitted or approved."""
    return [prefecture for prefecture in prefectures if (prefecture.pk, period.pk) not in reported]


def _late(prefectures, period, submissions, reported, today):
    """The cities late with the quarter and still not reporting it. `submissions`: by
    (prefecture id, period id), at least those not reported."""
    return [
        prefecture
        for prefecture in _not_reported(prefectures, period, reported)
        if is_late(submissions.get((prefecture.pk, period.pk)), period, today)
    ]


def _reported(submissions) -> set:
    return {key for key, submission in submissions.items() if submission.status in REPORTED}


def due_notices(today: date) -> list[Notice]:
    periods = list(ReportingPeriod.objects.filter(is_open=True, due_date__isnull=False))
    prefectures = list(Prefecture.objects.all())
    submissions = {
        (s.prefecture_id, s.period_id): s
        for s in Submission.objects.filter(prefecture__isnull=False).select_related("period")
    }
    officers = defaultdict(list)
    for officer in _recipients(Role.CITY):
        officers[officer.prefecture_id].append(officer)
    staff = list(_recipients(Role.PROVINCIAL))
    reported = _reported(submissions)
    warning = timedelta(days=settings.REMINDER_DAYS_BEFORE_DUE)
    notices = []
    for period in periods:
        if today > period.due_date:
            kind = Kind.LATE
            waiting = _late(prefectures, period, submissions, reported, today)
        elif today >= period.due_date - warning:
            kind = Kind.DUE_SOON
            waiting = _not_reported(prefectures, period, reported)
        else:
            continue
        notices += [
            Notice(officer, kind, period, prefecture)
            for prefecture in waiting
            for officer in officers[prefecture.pk]
        ]
        if kind == Kind.LATE and waiting:
            notices += [
                Notice(user, Kind.LATE_DIGEST, period, late_cities=waiting) for user in staff
            ]
    patience = timedelta(days=settings.RETURNED_REMINDER_AFTER_DAYS)
    for submission in submissions.values():
        returned_on = submission.reviewed_at and timezone.localdate(submission.reviewed_at)
        if (
            submission.status == Status.RETURNED
            and returned_on + patience <= today
            and not lock_reasons(submission, submission.period)
        ):
            notices += [
                Notice(officer, Kind.RETURNED, submission.period, submission.prefecture, submission)
                for officer in officers[submission.prefecture_id]
            ]
    return notices


def _message(notice: Notice) -> tuple[str, str]:
    if notice.kind == Kind.LATE_DIGEST:
        link = reverse("completeness") + f"?year={notice.period.year}"
    else:
        link = reverse(
            "quarter_form",
            kwargs={"reporter": notice.prefecture.code, "quarter": notice.period.as_quarter},
        )
    context = {
        "notice": notice,
        "link": settings.SITE_URL + link,
        "quarter": notice.period.as_quarter,
    }
    with translation.override(notice.user.language):
        subject = render_to_string(f"reminders/{notice.kind}_subject.txt", context).strip()
        body = render_to_string(f"reminders/{notice.kind}.txt", context)
    return subject, body


def send_notices(notices: list[Notice]) -> int:
    """Send each notice that was not sent before; returns how many went out."""
    sent = 0
    for notice in notices:
        subject, body = _message(notice)
        with transaction.atomic():
            _, new = Reminder.objects.get_or_create(
                user=notice.user,
                kind=notice.kind,
                period=notice.period,
                reference=notice.reference,
                defaults={"subject": subject},
            )
            if new:
                # Inside the transaction: a failed send leaves no record, so the next run retries.
                send_mail(subject, body, None, [notice.user.email])
                sent += 1
    return sent


@dataclass
class Waiting:
    to_fill: list = field(default_factory=list)  # (period, submission or None, late)
    returned: list = field(default_factory=list)  # submissions
    to_review: int = 0
    late: list = field(default_factory=list)  # (period, [prefectures])


def waiting_for(user, today: date, periods=None) -> Waiting:
    """What waits for this user when they land: the same facts the reminders are about.
    `periods`: every reporting period, when the page has loaded them already."""
    waiting = Waiting()
    if user.role == Role.CITY and user.prefecture:
        own = {
            s.period_id: s
            for s in Submission.objects.filter(prefecture=user.prefecture).select_related("period")
        }
        waiting.to_fill = [
            (period, own.get(period.pk), is_late(own.get(period.pk), period, today))
            for period in _open(periods)
            if own.get(period.pk) is None or own[period.pk].status not in REPORTED
        ]
        waiting.returned = [s for s in own.values() if s.status == Status.RETURNED]
    elif is_reviewer(user):
        past_due = [period for period in _open(periods) if period.due_date < today]
        waiting.to_review, waiting.late = _for_reviewers(today, past_due)
    return waiting


def _open(periods) -> list:
    """The open periods with a due date, of `periods` (every period) or read."""
    if periods is None:
        return list(ReportingPeriod.objects.filter(is_open=True, due_date__isnull=False))
    return [period for period in periods if period.is_open and period.due_date is not None]


def _for_reviewers(today, past_due) -> tuple[int, list]:
    """(how many submissions wait for review, [(period, [prefectures late with it])] for the
    periods with any, of `past_due`: the open periods past their due date, the only ones that
    can have a late city (`is_late`).

    Almost every submission on record is a city's approved quarter, and neither question
    needs those one by one: the others (the province's own, and the cities' drafts, submitted
    and returned quarters: a few rows however many cities and quarters) are listed, and every
    submission is only counted per quarter, which the period index answers without reading
    the rows; counting the cities that reported each quarter read all of them, on every
    landing page."""
    others, on_record, cities = _tally(past_due)
    to_review = sum(status == Status.SUBMITTED for _prefecture, _period, status in others)
    # A city's submission is reported unless it is a draft or returned (`others` has those).
    not_by_cities = Counter(
        period
        for prefecture, period, status in others
        if prefecture is None or status not in REPORTED
    )
    short = [p for p in past_due if on_record.get(p.pk, 0) - not_by_cities[p.pk] < cities]
    if not short:
        return to_review, []
    prefectures = list(Prefecture.objects.all())
    of_cities = Submission.objects.filter(prefecture__isnull=False, period__in=short)
    reported = set(
        of_cities.filter(status__in=REPORTED).order_by().values_list("prefecture_id", "period_id")
    )
    not_reported = {
        (s.prefecture_id, s.period_id): s for s in of_cities.exclude(status__in=REPORTED).order_by()
    }
    late = [
        (period, late)
        for period in short
        if (late := _late(prefectures, period, not_reported, reported, today))
    ]
    return to_review, late


def _tally(past_due) -> tuple[list, dict, int]:
    """What `_for_reviewers` counts from, in one statement: (prefecture id, period id, status)
    of every submission other than a city's approved quarter; {period id: submissions on
    record} for the periods `past_due`; and how many cities there are (0 without `past_due`).
    Written out, as the ORM took longer to build its three queries than the database took to
    answer them (~1.5 of 2.5 ms on PostgreSQL)."""
    quote = connection.ops.quote_name
    submissions, prefectures = (quote(model._meta.db_table) for model in (Submission, Prefecture))
    # The condition of the partial index submission_not_city_approved, which reads these.
    parts = [
        f"SELECT period_id, prefecture_id, status, 0 FROM {submissions}"
        " WHERE NOT (prefecture_id IS NOT NULL AND status = %s)"
    ]
    params = [Status.APPROVED.value]
    if past_due:
        periods = ", ".join(["%s"] * len(past_due))
        parts += [
            f"SELECT period_id, NULL, NULL, COUNT(*) FROM {submissions}"
            f" WHERE period_id IN ({periods}) GROUP BY period_id",
            f"SELECT NULL, NULL, NULL, COUNT(*) FROM {prefectures}",
        ]
        params += [period.pk for period in past_due]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    # A submission always has a status: the rows without one are the counts.
    others = [(prefecture, period, status) for period, prefecture, status, _n in rows if status]
    on_record = {period: n for period, _p, status, n in rows if not status and period}
    cities = next((n for period, _p, status, n in rows if not status and not period), 0)
    return others, on_record, cities
