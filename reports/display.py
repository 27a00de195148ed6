"""How a progress result reads, on every page, chart, data table, export and PDF.

One rule for the numbers: a value is shown with its indicator's decimals, and with as many
more as it takes never to cross its target in the rounding. A value short of the target never
reads as equal to it (24.96 %, not 25 %, against ≥ 25 %), a share of target never reads 100 %
unless the target is met (99.84 %, not 100 %), and a gap never reads 0 unless it is closed
(0.04 个百分点, not 0). `compare` is that rule on plain numbers; `reading` puts it in an
indicator's words (units, ranks, milestones, cities covered) for one stored result.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from targets import progress
from targets.formatting import join_names, rounded, with_unit, yes_no_text
from targets.models import Progress, in_english
from targets.validation import is_yes_no

SHARE_DECIMALS = 1
GROWTH_DECIMALS = 2
# Kinds counted in whole units: cities covered, a national rank.
WHOLE_KINDS = (progress.COVERAGE, progress.RANK)
SHORT, BEYOND, CLOSED, UNPASSED = "short", "beyond", "closed", "unpassed"


def beside(value: Decimal, threshold: Decimal, decimals: int) -> Decimal:
    """`value` rounded half up to `decimals` places, or to as many more as it takes to stay on
    the same side of `threshold` as the value itself (or on it, when it is equal)."""
    side = _sign(value - threshold)
    exact = max(decimals, -value.as_tuple().exponent)
    for places in range(decimals, exact + 1):
        shown = rounded(value, places)
        if _sign(shown - threshold) == side:
            return shown
    return value


def fixed(value: Decimal | None, decimals: int) -> str:
    """A number with exactly `decimals` places, as every table and chart prints values: “45.50”
    beside “31.00”, never “45.5” beside “31”. None prints as “—”."""
    return "—" if value is None else f"{rounded(value, decimals):f}"


def _sign(number: Decimal) -> int:
    return (number > 0) - (number < 0)


@dataclass(frozen=True)
class Comparison:
    """An actual against its target, as shown: numbers as text, never crossing the target.

    `gap` is the distance to the target, always positive, or "" when closed; `gap_side` says
    which side of the target the actual lies: SHORT of it, BEYOND it, CLOSED (met exactly)
    or UNPASSED (equal to a target that must be passed, 突破/超过)."""

    value: str
    share: str | None
    gap: str
    gap_side: str
    met: bool


def compare(
    actual: Decimal, target: Decimal, *, decimals: int, direction: str, strict: bool
) -> Comparison:
    """The rule for every display of an actual beside its target. `decimals`: the indicator's;
    `direction`: progress.AT_LEAST or AT_MOST; `strict`: met only when passed. The share of
    target is a percentage with one decimal or more; it is None for an "at most" actual of 0."""
    met = progress.meets_target(actual, target, direction, strict)
    share = progress.share_of_target(actual, target, direction)
    gap = progress.gap_to_target(actual, target, direction)
    if gap > 0:
        side = SHORT
    elif gap < 0:
        side = BEYOND
    else:
        side = UNPASSED if strict else CLOSED
    return Comparison(
        value=f"{beside(actual, target, decimals):f}",
        share=None if share is None else share_beside(share),
        gap="" if gap == 0 else f"{beside(abs(gap), Decimal(0), decimals):f}",
        gap_side=side,
        met=met,
    )


def share_beside(percent: Decimal) -> str:
    """A share of target as a number of percent: one decimal, or more where one would round
    onto 100 (99.96 reads “99.96”, never “100.0”)."""
    return f"{beside(percent, Decimal(100), SHARE_DECIMALS):f}"


def growth_text(ratio: Decimal | None) -> str:
    """A growth ratio (observed ÷ required growth) with two decimals, or more where two would
    round onto a bound of its category (0.9496 reads “0.9496”, not “0.95”, which is
    substantial progress)."""
    if ratio is None:
        return "—"
    shown = [
        f"{beside(ratio, bound, GROWTH_DECIMALS):f}"
        for bound, _category in progress.GROWTH_CATEGORIES
    ]
    return max(shown, key=len)


def amount(value: Decimal | None, indicator, english: bool | None = None) -> str:
    """A value in its indicator's terms and decimals: “27404 家”, “81.82 亿元”, “已完成”,
    “18 个地市”, “全国第 1 名”; “—” for none. `english`: whether the active language is
    English, when the caller has looked it up already (see `amounts`)."""
    if value is None:
        return "—"
    return _in_terms(fixed(value, indicator.decimals), value, indicator, english)


def amounts(values, indicator) -> list[str]:
    """`amount()` of each of a series of one indicator's values (a sparkline's label): the
    language looked up once for them all rather than for each, which took half the time."""
    english = in_english()
    return [amount(value, indicator, english) for value in values]


def _in_terms(number: str, value: Decimal, indicator, english: bool | None = None) -> str:
    match indicator.kind:
        case progress.MILESTONE:
            return _("done") if value >= 1 else _("not yet")
        case progress.RANK:
            return _("national rank %(rank)s") % {"rank": number}
        case progress.COVERAGE:
            count = int(value)
            return ngettext("%(count)s city", "%(count)s cities", count) % {"count": number}
    return with_unit(number, indicator, english)


def cell(value: Decimal | None, indicator) -> Decimal | str | None:
    """One city's value in a table of cities: 是/否 (is the city covered), 完成/未完成, or
    the number in the indicator's decimals, kept a number so that exports stay numeric."""
    if value is None:
        return None
    if is_yes_no(indicator):
        return yes_no_text(indicator, value)
    return rounded(value, indicator.decimals)


def amount_beside(value: Decimal | None, target: Decimal | None, indicator) -> str:
    """A value that is read against a target (a projection, an actual): in its indicator's
    decimals, or more where fewer would cross the target."""
    if value is None:
        return "—"
    if target is None:
        return amount(value, indicator)
    if indicator.kind in WHOLE_KINDS:
        shown = whole_beside(value, target)
    else:
        shown = beside(value, target, indicator.decimals)
    return _in_terms(f"{shown:f}", value, indicator)


def whole_beside(value: Decimal, threshold: Decimal) -> Decimal:
    """`value` as a whole number (a count of cities, a rank: a projection of 20.9 cities
    covered is 20 cities, not 20.9) on the same side of `threshold` as the value itself:
    rounded half up, or towards the value where rounding would reach or cross it."""
    shown = rounded(value, 0)
    if _sign(shown - threshold) == _sign(value - threshold):
        return shown
    towards = ROUND_FLOOR if value < threshold else ROUND_CEILING
    return value.to_integral_value(rounding=towards) + 0


def share_text(percent: Decimal | None) -> str:
    """A share (the province's, a city's) as a percentage with one decimal: “12.3%”."""
    return "—" if percent is None else f"{fixed(percent, SHARE_DECIMALS)}%"


@dataclass(frozen=True)
class Reading:
    """One stored result as every page prints it. `share` is the share of target or what
    stands in its place (“数据不完整：缺 1 个地市”, “仅监测”, “尚无数据”); `bar` is the
    progress bar's value (0–100), None where no bar is drawn; `incomplete` names the cities
    missing from an incomplete total (“数据不完整：缺 1 个地市（云浮市）”), or is empty."""

    value: str
    target: str
    share: str
    bar: int | None
    gap: str
    pace: str
    projection: str
    status: str
    status_label: str
    incomplete: str


def reading(indicator, row, target_label: str, city_names=()) -> Reading:
    """How a stored result reads. `row`: a Progress row or None, judged against `row.target`
    (the plan's target for the province, the allocation for a city); `target_label`: how that
    target reads; `city_names`: the names of the cities in `row.missing`."""
    status = row.status if row else progress.NO_DATA
    # In words now, as every other field: a lazy label is translated anew each time it prints.
    label = str(Progress.Status(status).label)
    if row is None or row.actual is None:
        nothing = _("no figure yet")
        return Reading("—", target_label, nothing, None, "—", "—", "—", status, label, "")
    incomplete = short = ""
    if not row.complete and row.missing:
        count = len(row.missing)
        short = ngettext(
            "incomplete: %(count)s city missing", "incomplete: %(count)s cities missing", count
        ) % {"count": count}
        incomplete = ngettext(
            "incomplete: %(count)s city missing (%(names)s)",
            "incomplete: %(count)s cities missing (%(names)s)",
            count,
        ) % {"count": count, "names": join_names(city_names)}
    target = row.target
    if target is None:
        share = short or _("no target")
        value = amount(row.actual, indicator)
        return Reading(value, target_label, share, None, "—", "—", "—", status, label, incomplete)
    shown = compare(
        row.actual,
        target,
        decimals=indicator.decimals,
        direction=indicator.plan_target.direction,
        strict=indicator.plan_target.strict,
    )
    share, bar = _share(indicator, shown)
    if status == progress.INCOMPLETE:
        share, bar = short, None
    return Reading(
        value=_in_terms(shown.value, row.actual, indicator),
        target=target_label,
        share=share,
        bar=bar,
        gap=_gap(indicator, shown),
        pace=_pace(indicator, row, shown),
        projection=_projection(indicator, row, target),
        status=status,
        status_label=label,
        incomplete=incomplete,
    )


def _share(indicator, shown: Comparison) -> tuple[str, int | None]:
    if indicator.kind in (progress.RANK, progress.MILESTONE):
        return (_("reached") if shown.met else _("not yet")), 100 if shown.met else 0
    if shown.share is None:
        return "—", None
    # A bar drawn full reads as met: short of the target, it stops short of the end.
    bar = max(0, min(100 if shown.met else 99, int(Decimal(shown.share))))
    if shown.gap_side == UNPASSED:
        return _("reached, not yet passed"), bar
    return f"{shown.share}%", bar


def _gap(indicator, shown: Comparison) -> str:
    """The gap in words: what is still to go, or by how much the target is passed."""
    if indicator.kind == progress.MILESTONE:
        return _("done") if shown.met else _("not yet done")
    if shown.gap_side == CLOSED:
        return _("reached")
    if shown.gap_side == UNPASSED:
        if indicator.plan_target.direction == progress.AT_MOST:
            return _("must fall below the target")
        return _("must pass the target")
    if indicator.kind == progress.RANK:
        places = {"count": shown.gap}
        if shown.gap_side == SHORT:
            return ngettext("%(count)s place to go", "%(count)s places to go", int(shown.gap)) % (
                places
            )
        return (
            ngettext(
                "%(count)s place ahead of the target",
                "%(count)s places ahead of the target",
                int(shown.gap),
            )
            % places
        )
    distance = _distance(shown.gap, indicator)
    if shown.gap_side == SHORT:
        if indicator.plan_target.direction == progress.AT_MOST:
            return _("%(amount)s above the target") % {"amount": distance}
        return distance
    if indicator.plan_target.direction == progress.AT_MOST:
        return _("%(amount)s below the target") % {"amount": distance}
    return _("exceeded by %(amount)s") % {"amount": distance}


def _distance(number: str, indicator) -> str:
    """A difference of two values: in percentage points for a percentage."""
    if indicator.unit_zh == "%":
        return _("%(points)s percentage points") % {"points": number}
    return _in_terms(number, Decimal(number), indicator)


def _pace(indicator, row, shown: Comparison) -> str:
    if indicator.kind in (progress.RANK, progress.MILESTONE) or row.pace_needed is None:
        return "—"
    if shown.met:
        return _("none: the target is met")
    pace = beside(row.pace_needed, Decimal(0), indicator.decimals)
    return _distance(f"{pace:f}", indicator)


def _projection(indicator, row, target) -> str:
    if indicator.kind == progress.MILESTONE:
        return "—"
    return amount_beside(row.projection, target, indicator)
