"""How entered figures read, in every channel: the form, the review, previews, history, Excel."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from targets.models import Indicator, in_english

# Units that count things: a fraction of an enterprise or a patent makes no sense.
COUNTING_UNITS = {"家", "个", "件", "人", "家次", "个地市", "名"}
# Chinese money units that English keeps as they are, after a yuan sign: ¥81.82 亿, ¥350 万.
YUAN = "元"


def rounded(value: Decimal, decimals: int) -> Decimal:
    """Rounded half up to exactly `decimals` places (never a negative zero): the one rounding
    of every number the site shows (`reports.display` builds on it)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) + 0


def plain_number(value: Decimal | None) -> str:
    """A Decimal as people write it: 30000, 25, 0.5 (no trailing zeros, no exponent)."""
    return "" if value is None else f"{value.normalize():f}"


def entered_decimals(indicator) -> int:
    """Decimals allowed in what is typed: ratios are entered as counts of things (a rate per
    10 000 residents as its numerator), whatever decimals the rate itself is shown with."""
    if indicator.kind == Indicator.Kind.RATIO or indicator.unit_zh in COUNTING_UNITS:
        return 0
    return indicator.decimals


def entered_number(value: Decimal, indicator) -> str:
    """A value entered for `indicator`, in the decimals it is entered with as every table
    prints it (0.60 亿元 reads “0.60”, not “0.6”; a numerator of patents per 10 000 residents
    “114094”, not “114094.00”), and never with fewer digits than were entered."""
    places = max(entered_decimals(indicator), -value.normalize().as_tuple().exponent)
    return f"{rounded(value, places):f}"


def with_unit(number: str, indicator, english: bool | None = None) -> str:
    """A number already formatted, followed by its indicator's unit: “81.82 亿元”,
    “24.96 %”, “27404 家”. In English an amount in 亿元 or 万元 reads “¥81.82 亿” (亿 = 100
    million): the same number as in Chinese, so that both languages print the same figures.
    A count of one takes the singular of an English unit written as a plural (“1 city”).
    Pages and the PDF keep the number and its unit on one line with CSS (`nowrap`).
    `english`: `in_english()`, when the caller has looked it up already."""
    if english is None:
        english = in_english()
    if not english:
        return f"{number} {indicator.unit_zh}" if indicator.unit_zh else number
    unit_zh = indicator.unit_zh
    if unit_zh.endswith(YUAN):
        multiple = unit_zh.removesuffix(YUAN)
        return f"¥{number} {multiple}" if multiple else f"¥{number}"
    unit = indicator.unit_en
    if not unit:
        return number
    if number == "1":
        unit = singular(unit)
    return f"{number} {unit}"


def singular(unit: str) -> str:
    """The singular of an English unit whose first word is a plural: “cities” → “city”,
    “enterprise-times” → “enterprise-time”; “per 10 000 residents” stays as it is."""
    word, space, rest = unit.partition(" ")
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word + space + rest


def imported_text(rows: int, report) -> str:
    """What an import did, on the page and from the command: “Imported 3 rows: 1 figure
    changed in 1 quarter, 1 approved.” `report`: a targets.imports.ImportReport."""
    return _("%(rows)s: %(figures)s in %(quarters)s, %(approved)s approved.") % {
        "rows": ngettext("Imported %(count)s row", "Imported %(count)s rows", rows)
        % {"count": rows},
        "figures": ngettext(
            "%(count)s figure changed", "%(count)s figures changed", report.figures_changed
        )
        % {"count": report.figures_changed},
        "quarters": ngettext("%(count)s quarter", "%(count)s quarters", report.submissions_changed)
        % {"count": report.submissions_changed},
        "approved": report.submissions_approved,
    }


def months_so_far(quarter) -> str:
    """The months of the year up to the quarter's end, as a year-to-date figure counts them:
    “1–9月”, “January to September”."""
    return [
        _("January to March"),
        _("January to June"),
        _("January to September"),
        _("January to December"),
    ][quarter.quarter - 1]


def join_sentences(sentences) -> str:
    """Sentences one after another: after “.” a space, after “。” (or another full-width
    mark) none, as each language writes them."""
    text = ""
    for sentence in map(str, sentences):
        if text and sentence and not text.endswith(FULL_WIDTH_ENDS):
            text += " "
        text += sentence
    return text


# Chinese punctuation that ends a sentence or clause, after which no space is written.
FULL_WIDTH_ENDS = ("。", "！", "？", "；", "：", "）", "”")


def labelled(label, text) -> str:
    """A label and what follows it: “广州市：7139 家”, “Guangzhou: 7,139 enterprises”."""
    return f"{label}{pgettext('before what follows a label', ': ')}{text}"


def join_names(names) -> str:
    """Names as a list reads in the active language: “广州市、深圳市”, “Guangzhou, Shenzhen”."""
    return pgettext("list separator", ", ").join(str(name) for name in names)


def join_reasons(reasons) -> str:
    """Sentences one after another as the language separates them: “漏计三人；分子笔误”,
    “three missed; a typo”."""
    return pgettext("sentence separator", "; ").join(str(reason) for reason in reasons)


def yes_no_words(indicator) -> tuple[str, str]:
    """The words for 1 and 0 of a yes/no indicator: 完成/未完成 for a milestone, 是/否 else."""
    if indicator.kind == "milestone":
        return _("done"), _("not yet")
    return _("yes"), _("no")


def yes_no_text(indicator, value: Decimal) -> str:
    """A yes/no indicator's stored 1 or 0 in words (see yes_no_words)."""
    yes, no = yes_no_words(indicator)
    return yes if value else no


# A rate read off one city's figures shows at least this many decimals, so that a rate just
# short of its target (24.96 %) never reads as the target itself.
RATE_DECIMALS = 2


def rate_number(indicator, rate: Decimal) -> str:
    """A ratio's rate (or a change of it) as a number with fixed decimals: “24.96”, “24.00”."""
    return f"{rounded(rate, rate_decimals(indicator)):f}"


def rate_decimals(indicator) -> int:
    """The decimals a ratio's rate is shown with, and its change computed from."""
    return max(indicator.decimals, RATE_DECIMALS)


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
        return yes_no_text(indicator, entry.value)
    if entry.denominator is not None:
        fraction = f"{plain_number(entry.value)} / {plain_number(entry.denominator)}"
        if (rate := getattr(entry, "rate", None)) is not None:
            return f"{rate_text(indicator, rate)} ({fraction})"
        return fraction
    return entered_number(entry.value, indicator)
