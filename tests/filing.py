"""Filing a city's quarter through the workflow, as the workflow tests need it."""

from decimal import Decimal

from targets.models import Figure, Indicator, ReportingPeriod
from targets.reporting import Entry, save_quarter, submit_quarter


def save(user, quarter, values, *, seen_version=0, every_row=True, reason="", reasons=None):
    """Save `user`'s city's 2022 `quarter`: `values` by indicator code (a number, or a
    (numerator, denominator) pair), every other row nothing to report unless not
    `every_row`; `reasons` by code. Returns the submission."""
    indicators = {i.code: i for i in Indicator.objects.reported_by(user.prefecture)}
    entries = {i: Entry(nothing_to_report=True) for i in indicators.values()} if every_row else {}
    for code, value in values.items():
        numerator, denominator = value if isinstance(value, tuple) else (value, None)
        entries[indicators[code]] = Entry(
            Decimal(numerator), None if denominator is None else Decimal(denominator)
        )
    submission, _ = save_quarter(
        prefecture=user.prefecture,
        period=ReportingPeriod.objects.get(year=2022, quarter=quarter),
        user=user,
        entries=entries,
        seen_version=seen_version,
        reason=reason,
        reasons={indicators[code]: why for code, why in (reasons or {}).items()},
    )
    return submission


def file(user, quarter, values, **options):
    """Save as `save` does, then submit the quarter."""
    submission = save(user, quarter, values, **options)
    indicators = list(Indicator.objects.reported_by(user.prefecture))
    return submit_quarter(submission=submission, user=user, indicators=indicators)


def value_of(code, quarter=4):
    """The working value of a 2022 quarter's only figure for that indicator."""
    return Figure.objects.get(
        indicator__code=code, submission__period__year=2022, submission__period__quarter=quarter
    ).value
