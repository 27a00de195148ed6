"""Mid-term adjustments (中期调整): a started plan's target changed, with its history kept.

The province may change a target's value or date after its plan started (at mid-term, say),
but the quarters already judged keep the target they were judged against: an adjustment names
the first quarter judged against the new target, and records the old and new target, who made
the change, when and why (a `TargetChange`). The engine then judges each quarter against the
target in force at it (`progress.IndicatorSpec.in_force`). Before its plan starts, a target is
simply edited.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from targets.models import Target, TargetChange
from targets.periods import Quarter


def is_adjustment(target: Target, today: date | None = None) -> bool:
    """Whether changing `target`'s value or date now is a mid-term adjustment: the target is
    on record and its plan had started by `today` (default: today)."""
    today = today or timezone.localdate()
    return target.pk is not None and target.plan.start_date <= today


def adjustment(
    target: Target,
    value,
    period: Quarter | None,
    effective: Quarter | None,
    reason: str,
) -> TargetChange | None:
    """The unsaved `TargetChange` that giving `target` (as stored) the value `value`
    (a Decimal, or None for no target) due in `period` makes, to be saved with the edited
    target (its `by` left to the caller); None when the value and date are unchanged or the
    plan has not started.

    Raises ValidationError {"effective": …, "reason": …} in the user's language when the
    reason is blank, the effective quarter is missing, before the plan's first quarter or an
    earlier adjustment's, or after the target date (old or new)."""
    old = (target.value, target.period) if target.has_value else (None, None)
    new = (value, period) if value is not None else (None, None)
    if old == new or not is_adjustment(target):
        return None
    errors = {}
    if not reason.strip():
        errors["reason"] = _("Say why the target changes: the reason is kept with its history.")
    if effective is None:
        errors["effective"] = _(
            "Name the first quarter judged against the new target (e.g. 2021Q3)."
        )
    else:
        first = Quarter.containing(target.plan.start_date)
        latest = target.changes.order_by("-effective_year", "-effective_quarter").first()
        last = max(p for p in (old[1], new[1], first) if p is not None)
        if effective < first:
            errors["effective"] = _("The plan starts in %(first)s.") % {"first": first.label}
        elif latest is not None and effective < latest.effective:
            errors["effective"] = _(
                "An adjustment from %(quarter)s is on record already: a later adjustment takes "
                "effect from that quarter or after."
            ) % {"quarter": latest.effective.label}
        elif effective > last:
            errors["effective"] = _(
                "The target falls due in %(last)s: an adjustment takes effect by then."
            ) % {"last": last.label}
    if errors:
        raise ValidationError(errors)
    return TargetChange(
        target=target,
        effective_year=effective.year,
        effective_quarter=effective.quarter,
        old_value=old[0],
        old_year=old[1] and old[1].year,
        old_quarter=old[1] and old[1].quarter,
        new_value=new[0],
        new_year=new[1] and new[1].year,
        new_quarter=new[1] and new[1].quarter,
        reason=reason.strip(),
    )
