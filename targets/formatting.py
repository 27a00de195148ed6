"""How entered figures read, in every channel: the form, the review, previews, history, Excel."""

from decimal import Decimal

from django.utils.translation import gettext as _


def plain_number(value: Decimal | None) -> str:
    """A Decimal as people write it: 30000, 25, 0.5 (no trailing zeros, no exponent)."""
    return "" if value is None else f"{value.normalize():f}"


def yes_no_words(indicator) -> tuple[str, str]:
    """The words for 1 and 0 of a yes/no indicator: 完成/未完成 for a milestone, 是/否 else."""
    if indicator.kind == "milestone":
        return _("done"), _("not yet")
    return _("yes"), _("no")


# A rate read off one city's figures shows at least this many decimals, so that a rate just
# short of its target (24.96 %) never reads as the target itself.
RATE_DECIMALS = 2


def rate_number(indicator, rate: Decimal) -> str:
    """A ratio's rate (or a change of it) as a number with fixed decimals: “24.96”, “24.00”."""
    return f"{rate.quantize(Decimal(1).scaleb(-max(indicator.decimals, RATE_DECIMALS))):f}"


def rate_text(indicator, rate: Decimal) -> str:
    """A ratio's rate in its unit: “24.96 %”, “29.45 件/万人”."""
    return f"{rate_number(indicator, rate)} {indicator.unit}".strip()


def entry_text(indicator, entry) -> str:
    """What was entered for `indicator`, in its own terms: “是”, “完成”, “742”, “2496 / 10000”,
    “本期无数据”, or “—” for nothing. `entry` is anything with `value`, `denominator` and
    `nothing_to_report` (an Entry, a Figure), or None; one with a `rate` too (a ratio read
    for review) reads “24.96 % (2496 / 10000)”."""
    if entry is None:
        return "—"
    if entry.nothing_to_report:
        return _("nothing to report")
    if entry.value is None:
        return "—"
    if indicator.kind in ("coverage", "milestone"):
        yes, no = yes_no_words(indicator)
        return yes if entry.value else no
    if entry.denominator is not None:
        fraction = f"{plain_number(entry.value)} / {plain_number(entry.denominator)}"
        if (rate := getattr(entry, "rate", None)) is not None:
            return f"{rate_text(indicator, rate)} ({fraction})"
        return fraction
    return plain_number(entry.value)
