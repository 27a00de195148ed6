"""Rules for what a reporter may enter: the one set that the form, the Excel sheet and the
CSV import all call.

Each channel hands over what it received for an indicator (text it was typed as, or a
spreadsheet cell's value) to `read_entry`, which returns the Entry it means and, for each
part of it, the problem to show there: one message per problem, in the user's language.
Errors make a save fail and change nothing; warnings (`entry_warnings`) only ask for a
second look, acknowledged with a reason, before the figure goes further.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from targets.formatting import entered_decimals, entered_number, yes_no_words
from targets.models import Indicator
from targets.reporting import Entry

Kind = Indicator.Kind
# Beyond these a value is a typing slip (an extra zero, yuan entered as 亿元), not a figure.
UPPER_BOUNDS = {"亿元": Decimal(100_000), "名": Decimal(100)}
DEFAULT_UPPER_BOUND = Decimal(10_000_000)
SUSPICIOUS_GROWTH = 3
# An uploaded sheet or CSV file; a filled template is a few dozen kilobytes.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# The form's note box, an Excel note cell and a CSV note field alike.
NOTE_MAX_CHARS = 500
# What Excel itself keeps of a number: 3479.9999999999995 is the 3480 it shows.
EXCEL_SIGNIFICANT_DIGITS = 15
# Digits, at most one decimal point; signs only so that "-3" is told it is negative.
PLAIN_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)")
SCIENTIFIC = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+")
# Thousands separators: a comma or a space between groups of three digits, nowhere else.
SEPARATOR = re.compile(r"[, ]")
GROUPED = re.compile(r"-?\d{1,3}([, ]\d{3})+(\.\d*)?")
# Line breaks are what Alt+Enter puts in an Excel cell, and a tab comes with text pasted
# from several cells; every other control character is not text anyone typed (and
# PostgreSQL refuses NUL outright).
ALLOWED_CONTROLS = {"\n", "\r", "\t"}
PARTS = ("value", "denominator", "nothing_to_report", "note")


class Problem(ValueError):
    """What is wrong with one part of an entry, in words for the reporter."""


def upper_bound(indicator: Indicator) -> Decimal:
    return UPPER_BOUNDS.get(indicator.unit_zh, DEFAULT_UPPER_BOUND)


def needs_denominator(indicator: Indicator) -> bool:
    return indicator.kind == Kind.RATIO and not indicator.per_10k_residents


def is_yes_no(indicator: Indicator) -> bool:
    return indicator.kind in (Kind.COVERAGE, Kind.MILESTONE)


def part_label(part: str) -> str:
    """How the reporter knows a part of an entry: “数值”, “分母”, “本期无数据”, “备注”."""
    return {
        "value": _("value"),
        "denominator": _("denominator"),
        "nothing_to_report": _("nothing to report"),
        "note": _("note"),
    }[part]


def _shown(text: str) -> str:
    """What was typed, quoted back in a message without flooding it."""
    return text if len(text) <= 40 else text[:40] + "…"


def parse_amount(text: str | None) -> Decimal | None:
    """A typed number as an exact Decimal, or None for nothing typed. Full-width digits are
    fine, and commas or spaces between groups of three digits (1,234,567).

    Raises Problem when it is not a plain number: scientific notation (1e2) included, so
    that no exponent ever reaches Decimal arithmetic; a comma anywhere else (0,45 is a
    decimal comma, not forty-five); digits of other scripts or superscripts (0.6² would
    otherwise read as 0.62).
    """
    text = text or ""
    if any(_foreign_digit(character) for character in text):
        raise Problem(_("“%(text)s” is not a number.") % {"text": _shown(text)})
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        return None
    if SEPARATOR.search(cleaned):
        if not GROUPED.fullmatch(cleaned):
            raise Problem(
                _("“%(text)s”: a comma or a space only separates thousands, as in 1,234,567; "
                  "write decimals with a point, as in 0.45.") % {"text": _shown(text)}
            )  # fmt: skip
        cleaned = SEPARATOR.sub("", cleaned)
    if SCIENTIFIC.fullmatch(cleaned):
        raise Problem(
            _("“%(text)s” is in scientific notation: write the number out in full.")
            % {"text": _shown(text)}
        )
    if not PLAIN_NUMBER.fullmatch(cleaned):
        raise Problem(_("“%(text)s” is not a number.") % {"text": _shown(text)})
    return Decimal(cleaned)


def _foreign_digit(character: str) -> bool:
    """A digit other than 0–9 and the full-width ０–９ that Chinese input methods type."""
    return unicodedata.digit(character, None) is not None and not (
        "0" <= character <= "9" or "０" <= character <= "９"
    )


def cell_amount(value) -> Decimal | None:
    """A spreadsheet cell's value (as openpyxl reads it) as the number Excel shows.

    A float is taken at Excel's own 15 significant digits, so 31.049999999999997 is 31.05;
    text goes through `parse_amount`. Raises Problem for what is not a number, saying what
    the cell holds instead: a date, a time, TRUE/FALSE, a formula, an error.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise Problem(
            _("The cell holds the logical value %(value)s, not a number.")
            % {"value": "TRUE" if value else "FALSE"}
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Problem(_("The cell holds a number beyond what Excel can hold."))
        return Decimal(f"{value:.{EXCEL_SIGNIFICANT_DIGITS}g}")
    if isinstance(value, datetime):
        shown = f"{value.year}/{value.month}/{value.day}"
        if value.time() != time():
            shown += f" {value.hour}:{value.minute:02}"
        raise Problem(_date_problem(shown))
    if isinstance(value, date):
        raise Problem(_date_problem(f"{value.year}/{value.month}/{value.day}"))
    if isinstance(value, time | timedelta):
        raise Problem(
            _("The cell holds a time (%(time)s), not a number: format the cell as a number and "
              "type the figure again.") % {"time": _time_shown(value)}
        )  # fmt: skip
    if isinstance(value, str):
        if value.startswith("="):
            raise Problem(_("Formulas are not accepted: enter the value."))
        if value.startswith("#"):
            raise Problem(
                _("The cell shows the Excel error %(error)s: enter the value.")
                % {"error": _shown(value)}
            )
        return parse_amount(value)
    # openpyxl reads array and data-table formulas as objects of their own.
    raise Problem(_("Formulas are not accepted: enter the value."))


def _time_shown(value: time | timedelta) -> str:
    """A time as Excel shows it (12:30, 12:30:15); a duration in hours (36:00)."""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
    else:
        seconds = value.hour * 3600 + value.minute * 60 + value.second
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    sign = "-" if isinstance(value, timedelta) and value < timedelta(0) else ""
    return f"{sign}{hours}:{minutes:02}" + (f":{seconds:02}" if seconds else "")


def _date_problem(shown: str) -> str:
    return _(
        "The cell holds a date (%(date)s), not a number: Excel turns what looks like a date, "
        "such as 1/2, into one. Format the cell as a number and type the figure again."
    ) % {"date": shown}


def _choice_words(indicator: Indicator | None) -> dict[str, int]:
    """Every way of saying yes or no (done, not yet) in every language of the site, the CSV
    format's words and 1/0: a sheet downloaded in English reads the same when uploaded in
    Chinese."""
    words = {"1": 1, "0": 0, "true": 1, "false": 0}
    milestone = indicator is not None and indicator.kind == Kind.MILESTONE
    words |= {"done": 1, "not_done": 0} if milestone else {"yes": 1, "no": 0}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            yes, no = _answers(indicator)
        words |= {yes.lower(): 1, no.lower(): 0}
    return words


def _answers(indicator: Indicator | None) -> tuple[str, str]:
    return yes_no_words(indicator) if indicator else (_("yes"), _("no"))


def choice_amount(value, *, indicator: Indicator | None = None) -> Decimal | None:
    """A yes/no answer (done/not yet for a milestone `indicator`), typed or from a cell, as
    1 or 0; None when nothing was given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
        return Decimal(int(value))
    text = ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value)
    words = _choice_words(indicator)
    if (answer := words.get(unicodedata.normalize("NFKC", text).strip().lower())) is not None:
        return Decimal(answer)
    yes, no = _answers(indicator)
    raise Problem(
        _("“%(text)s” is not an answer here: enter “%(yes)s” or “%(no)s”.")
        % {"text": _shown(text), "yes": yes, "no": no}
    )


def note_problem(note: str) -> str | None:
    if len(note) > NOTE_MAX_CHARS:
        return _("The note is %(length)s characters long: shorten it to at most %(limit)s.") % {
            "length": len(note),
            "limit": NOTE_MAX_CHARS,
        }
    if any(unicodedata.category(c) == "Cc" and c not in ALLOWED_CONTROLS for c in note):
        return _("The note contains control characters (such as NUL) that are not text.")
    return None


def decimal_places(number: Decimal) -> int:
    """Digits after the point, trailing zeros not counted; exact whatever the context's
    precision (Decimal.normalize would round 300.000…001 to 300)."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    text = "".join(map(str, digits))
    return max(-exponent - (len(text) - len(text.rstrip("0"))), 0)


def amount_errors(indicator: Indicator, number: Decimal) -> list[str]:
    errors = []
    if number < 0:
        errors.append(_("It cannot be negative."))
    decimals = entered_decimals(indicator)
    if decimal_places(number) > decimals:
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
    if problem := note_problem(entry.note):
        errors["note"] = [problem]
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
        elif entry.value is not None and "value" not in errors and entry.value > entry.denominator:
            errors["value"] = [
                _("The numerator (%(numerator)s) cannot exceed the denominator (%(denominator)s).")
                % {"numerator": entry.value, "denominator": entry.denominator}
            ]
    elif entry.denominator is not None:
        errors["denominator"] = [_("This indicator has no denominator to enter.")]
    return errors


@dataclass
class Reading:
    """What one indicator's input means, and what is wrong with it, part by part."""

    entry: Entry
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def messages(self) -> list[tuple[str, str]]:
        """(part, message) pairs in the order of the entry's parts."""
        return [(part, m) for part in PARTS for m in self.errors.get(part, [])]


def read_entry(
    indicator: Indicator, *, value=None, denominator=None, nothing=False, note="", cells=False
) -> Reading:
    """Check what a channel received for one indicator and say what it means.

    `value` and `denominator` are what was typed (str) or, with `cells`, spreadsheet cell
    values; `nothing` whether “nothing to report” was chosen; `note` the note's text.
    A part that cannot be read gets that one problem and no other.
    """
    read = cell_amount if cells else parse_amount
    errors: dict[str, list[str]] = {}

    def amount(part, raw):
        try:
            if part == "value" and is_yes_no(indicator):
                return choice_amount(raw, indicator=indicator)
            if part == "denominator" and not needs_denominator(indicator) and raw not in (None, ""):
                raise Problem(_("This indicator has no denominator to enter."))
            return read(raw)
        except Problem as problem:
            errors[part] = [str(problem)]
            return None

    entry = Entry(
        value=amount("value", value),
        denominator=amount("denominator", denominator),
        nothing_to_report=bool(nothing),
        note=(note or "").strip(),
    )
    for part, messages in entry_errors(indicator, entry).items():
        errors.setdefault(part, messages)
    return Reading(entry, errors)


def entry_warnings(
    indicator: Indicator, entry: Entry, previous: Entry | None, quarter
) -> list[str]:
    """Values worth a second look against the previous quarter (`quarter` is this one's)."""
    if entry.value is None or previous is None or previous.value is None or is_yes_no(indicator):
        return []
    year_to_date = indicator.kind in (Kind.FLOW, Kind.CUMULATIVE)
    if year_to_date and quarter.quarter == 1:
        return []
    warnings, before = [], entered_number(previous.value, indicator)
    if indicator.kind == Kind.STOCK and entry.value < previous.value:
        warnings.append(
            _("Lower than last quarter's %(previous)s, though it is a stock.")
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
