"""Rules for what a reporter may enter, shared by the form and every import.

Errors make a save fail and change nothing; warnings only ask the reporter to confirm
the value, with a comment, before submitting.
"""

import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from targets.formatting import plain_number
from targets.models import Indicator
from targets.reporting import Entry

Kind = Indicator.Kind
# Units that count things: a fraction of an enterprise or a patent makes no sense.
COUNTING_UNITS = {"家", "个", "件", "人", "家次", "个地市", "名"}
# Beyond these a value is a typing slip (an extra zero, yuan entered as 亿元), not a figure.
UPPER_BOUNDS = {"亿元": Decimal(100_000), "名": Decimal(100)}
DEFAULT_UPPER_BOUND = Decimal(10_000_000)
SUSPICIOUS_GROWTH = 3
# An uploaded sheet or CSV file; a filled template is a few dozen kilobytes.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def entered_decimals(indicator: Indicator) -> int:
    """Decimals allowed in what is typed: ratios are entered as counts of things."""
    if indicator.kind == Kind.RATIO or indicator.unit_zh in COUNTING_UNITS:
        return 0
    return indicator.decimals


def upper_bound(indicator: Indicator) -> Decimal:
    return UPPER_BOUNDS.get(indicator.unit_zh, DEFAULT_UPPER_BOUND)


def needs_denominator(indicator: Indicator) -> bool:
    return indicator.kind == Kind.RATIO and not indicator.per_10k_residents


def is_yes_no(indicator: Indicator) -> bool:
    return indicator.kind in (Kind.COVERAGE, Kind.MILESTONE)


def parse_amount(text: str) -> Decimal | None:
    """A typed number as a Decimal; full-width digits, thousands separators and spaces are fine.

    Raises ValueError with a message for the reporter when it is not a number.
    """
    cleaned = unicodedata.normalize("NFKC", text or "").replace(",", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text}) from None
    if not number.is_finite():
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text})
    return number


def amount_errors(indicator: Indicator, number: Decimal) -> list[str]:
    errors = []
    if number < 0:
        errors.append(_("It cannot be negative."))
    decimals = entered_decimals(indicator)
    if number.normalize().as_tuple().exponent < -decimals:
        errors.append(
            _("Enter a whole number.")
            if decimals == 0
            else _("Use at most %(decimals)s decimal places.") % {"decimals": decimals}
        )
    if number > upper_bound(indicator):
        errors.append(
            _("It is beyond %(bound)s %(unit)s, more than this indicator can plausibly reach.")
            % {"bound": upper_bound(indicator), "unit": indicator.unit}
        )
    return errors


def entry_errors(indicator: Indicator, entry: Entry) -> dict[str, list[str]]:
    """Errors by part of the entry ("value", "denominator", "nothing_to_report", "note")."""
    errors: dict[str, list[str]] = {}
    if "\x00" in entry.note:  # from a file: PostgreSQL cannot store it
        errors["note"] = [_("The note holds a character that is not allowed.")]
    if entry.nothing_to_report and (entry.value is not None or entry.denominator is not None):
        errors["nothing_to_report"] = [
            _("Either enter a value or tick “nothing to report”, not both.")
        ]
        return errors
    if is_yes_no(indicator):
        if entry.value not in (None, 0, 1):
            errors["value"] = [_("Choose yes or no.")]
        return errors
    if entry.value is not None and (problems := amount_errors(indicator, entry.value)):
        errors["value"] = problems
    if needs_denominator(indicator):
        if entry.denominator is not None and (
            problems := amount_errors(indicator, entry.denominator)
        ):
            errors["denominator"] = problems
        elif entry.value is not None and entry.denominator is None:
            errors["denominator"] = [_("Enter the denominator too.")]
        elif entry.denominator == 0 and entry.value is not None:
            errors["denominator"] = [_("The denominator cannot be zero.")]
        elif entry.value is not None and entry.value > entry.denominator:
            errors["value"] = [
                _("The numerator (%(numerator)s) cannot exceed the denominator (%(denominator)s).")
                % {"numerator": entry.value, "denominator": entry.denominator}
            ]
    elif entry.denominator is not None:
        errors["denominator"] = [_("This indicator has no denominator to enter.")]
    return errors


def entry_warnings(
    indicator: Indicator, entry: Entry, previous: Entry | None, quarter
) -> list[str]:
    """Values worth a second look against the previous quarter (`quarter` is this one's)."""
    if entry.value is None or previous is None or previous.value is None or is_yes_no(indicator):
        return []
    year_to_date = indicator.kind in (Kind.FLOW, Kind.CUMULATIVE)
    if year_to_date and quarter.quarter == 1:
        return []
    warnings, before = [], plain_number(previous.value)
    if indicator.kind == Kind.STOCK and entry.value < previous.value:
        warnings.append(
            _("Lower than last quarter's approved %(previous)s, though it is a stock.")
            % {"previous": before}
        )
    if year_to_date and entry.value < previous.value:
        warnings.append(
            _("Lower than last quarter's %(previous)s, though it adds up from January.")
            % {"previous": before}
        )
    if previous.value > 0 and entry.value > SUSPICIOUS_GROWTH * previous.value:
        warnings.append(
            _("More than three times last quarter's %(previous)s.") % {"previous": before}
        )
    return warnings
