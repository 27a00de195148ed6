"""Who should be reminded of what on a given day, and sending it once.

A quarter counts as reported once it is submitted (rows marked "nothing to report"
included); submitting, even late, stops its reminders. Late is the one rule of
`targets.completeness.is_late`: a quarter the province returned or reopened after a
first submission on time is waiting for its city, not late.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role, User
from reminders.models import Reminder
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


def waiting_for(user, today: date) -> Waiting:
    """What waits for this user when they land: the same facts the reminders are about."""
    waiting = Waiting()
    if user.role == Role.CITY and user.prefecture:
        periods = ReportingPeriod.objects.filter(is_open=True, due_date__isnull=False)
        own = {
            s.period_id: s
            for s in Submission.objects.filter(prefecture=user.prefecture).select_related("period")
        }
        waiting.to_fill = [
            (period, own.get(period.pk), is_late(own.get(period.pk), period, today))
            for period in periods
            if own.get(period.pk) is None or own[period.pk].status not in REPORTED
        ]
        waiting.returned = [s for s in own.values() if s.status == Status.RETURNED]
    elif user.role == Role.PROVINCIAL or user.is_superuser:
        counts = _counts_by_period()
        waiting.to_review = sum(submitted for _reported, submitted in counts.values())
        waiting.late = _late_cities(today, counts)
    return waiting


def _counts_by_period() -> dict:
    """{period id: (cities that reported it, submissions waiting for review)}: one pass over
    the submissions, which both questions need."""
    counts = (
        Submission.objects.order_by()
        .values_list("period")
        .annotate(
            reported=Count("pk", filter=Q(prefecture__isnull=False, status__in=REPORTED)),
            submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        )
    )
    return {period: (reported, submitted) for period, reported, submitted in counts}


def _late_cities(today, counts) -> list:
    """[(period, [prefectures late with it])] for the open periods with any. Only a period
    past its due date can have a late city (`is_late`), and of those only the ones some city
    has not reported (`counts`: `_counts_by_period()`); for those alone are the submissions
    not reported loaded: a few rows, however many cities and quarters are on record."""
    cities = Prefecture.objects.count()
    short = [
        period
        for period in ReportingPeriod.objects.filter(is_open=True, due_date__lt=today)
        if counts.get(period.pk, (0, 0))[0] < cities
    ]
    if not short:
        return []
    city_submissions = Submission.objects.filter(prefecture__isnull=False, period__in=short)
    prefectures = list(Prefecture.objects.all())
    reported = set(
        city_submissions.filter(status__in=REPORTED).values_list("prefecture_id", "period_id")
    )
    submissions = {
        (s.prefecture_id, s.period_id): s for s in city_submissions.exclude(status__in=REPORTED)
    }
    return [
        (period, late)
        for period in short
        if (late := _late(prefectures, period, submissions, reported, today))
    ]
