from django import template
from django.template.defaultfilters import date as date_format
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from targets.formatting import (
    entry_text,
    join_names,
    join_sentences,
    plain_number,
    rate_decimals,
    rate_number,
    rounded,
    with_unit,
)
from targets.models import Indicator, Target, in_english
from targets.reporting import Entry

register = template.Library()


@register.filter
def target_text(indicator: Indicator) -> str:
    """The target of the plan in view as the plan states it: “≥ 30000 家”, “> 100 亿元”,
    “完成”."""
    return stated_target(indicator, indicator.plan_target)


def stated_target(indicator: Indicator, target: Target | None) -> str:
    """`target` (any plan's, on this series) as its plan states it."""
    return stated_value(indicator, target, target and target.value)


def stated_value(indicator: Indicator, target: Target | None, value) -> str:
    """`value` stated as `target` states its own (its sign, the kind's wording); None: no
    target."""
    if target is None or value is None:
        return _("— (tracked without a target)")
    number = plain_number(value)
    match indicator.kind:
        case Indicator.Kind.MILESTONE:
            return _("done")
        case Indicator.Kind.COVERAGE:
            return _("all %(count)s cities") % {"count": number}
        case Indicator.Kind.RANK:
            return _("national rank %(rank)s") % {"rank": number}
    return _signed(indicator, target, value)


@register.simple_tag(name="judged_target")
def judged_target(indicator: Indicator, result) -> str:
    """The province target a result (a Progress row or engine Result; None: not computed
    yet, read the plan's) was judged against, as the plan in view states it: for a quarter
    before a mid-term adjustment took effect, the target it replaced."""
    target = indicator.plan_target
    value = (target and target.value) if result is None else result.target
    return stated_value(indicator, target, value)


@register.simple_tag
def adjusted_target(indicator: Indicator, change, side: str) -> str:
    """One side ("old" or "new") of a mid-term adjustment (a TargetChange) as the plan states
    it, with its date: “≥ 30000 家 · 2022 Q4”."""
    if side == "old":
        value, period = change.old_value, change.old_period
    else:
        value, period = change.new_value, change.new_period
    text = stated_value(indicator, change.target, value)
    return f"{text} · {period.label}" if period else text


@register.simple_tag
def allocation_text(indicator: Indicator, value) -> str:
    """A city's own share of the target of the plan in view, signed as that target:
    “≥ 8519 家”."""
    return _signed(indicator, indicator.plan_target, value)


def _signed(indicator, target: Target | None, value) -> str:
    strict = target is not None and target.strict
    if target is not None and target.direction == Target.Direction.AT_MOST:
        sign = "<" if strict else "≤"
    else:
        sign = ">" if strict else "≥"
    return f"{sign} {with_unit(plain_number(value), indicator)}"


@register.simple_tag
def reporter_target(indicator: Indicator, allocation, city: bool) -> tuple[str, str]:
    """The target a reporter's sheet shows, and whose it is: a city's own share
    (目标任务分解) when it has one; otherwise the plan's target, which a city is told is
    the province's. (text, whose), whose empty for the province's own sheet."""
    if allocation is not None:
        return allocation_text(indicator, allocation), _("your city's own target")
    if city and indicator.has_target:
        return target_text(indicator), _("the province's target")
    return target_text(indicator), ""


@register.filter
def subtitle(indicator: Indicator) -> str:
    """The line under an indicator's name: the plan's own (Chinese) wording, or in English
    what the indicator is and what it aims at."""
    target = indicator.plan_target
    if not in_english():
        return target.wording if target else ""
    what = {"kind": indicator.get_kind_display(), "target": target_text(indicator)}
    if not indicator.has_target:
        return _("%(kind)s, tracked without a target.") % what
    what["quarter"] = indicator.target_period.label
    return _("%(kind)s; target %(target)s by %(quarter)s.") % what


register.filter("plain_number", plain_number)
# Names listed as the language lists them: “广州市、深圳市”, “Guangzhou, Shenzhen”.
register.filter("names", join_names)
register.filter("sentences", join_sentences)


@register.simple_tag(name="entry")
def entry_tag(indicator, entry) -> str:
    """{% entry indicator entry %}: an entered figure as every page shows it."""
    return entry_text(indicator, entry)


@register.simple_tag
def by_at(user, at) -> str:
    """{% by_at user at %}: who and when, as the history tables print them: “guangzhou ·
    2022-10-15 10:00”; the time alone where nobody was recorded (a figure the demo loaded for
    a city without a demo officer), and “—” without a time (or without the record itself,
    which a template reads as "")."""
    if not at:
        return "—"
    when = date_format(timezone.localtime(at), "Y-m-d H:i")
    return f"{user} · {when}" if user else when


@register.simple_tag
def revision_entry(revision, side: str) -> str:
    """{% revision_entry revision "old" %} or "new": one side of a revision, as entered."""
    entry = Entry(
        getattr(revision, f"{side}_value"),
        getattr(revision, f"{side}_denominator"),
        getattr(revision, f"{side}_nothing_to_report"),
    )
    return entry_text(revision.figure.indicator, entry)


@register.simple_tag
def change_mark(indicator, now, before):
    """The change from `before` to `now` (entries, or readings with a rate), marked up or
    down: for a ratio, the change of its rate in its unit (percentage points for %)."""
    if before is None or now is None or before.value is None or now.value is None:
        return "—"
    if indicator.kind in (Indicator.Kind.COVERAGE, Indicator.Kind.MILESTONE):
        if bool(now.value) == bool(before.value):
            return format_html('<span class="delta same">{}</span>', _("unchanged"))
        return format_html(
            '<span class="delta">{} → {}</span>',
            entry_text(indicator, before),
            entry_text(indicator, now),
        )
    rates = getattr(now, "rate", None), getattr(before, "rate", None)
    if None not in rates:
        # The change of the rates as shown, so that it is their difference on the page.
        places = rate_decimals(indicator)
        delta = rounded(rates[0], places) - rounded(rates[1], places)
        number, share = f"{rate_number(indicator, abs(delta))} {_rate_unit(indicator)}", ""
    else:
        delta = now.value - before.value
        number = plain_number(abs(delta))
        share = f" ({rounded(delta / before.value * 100, 1):+f}%)" if before.value else ""
    if not delta:
        return format_html('<span class="delta same">{}</span>', _("unchanged"))
    sign, direction = ("+", "up") if delta > 0 else ("−", "down")
    return format_html('<span class="delta {}">{}{}{}</span>', direction, sign, number, share)


def _rate_unit(indicator) -> str:
    """The unit of a change of rate: percentage points for a percentage."""
    if indicator.unit_zh == "%":
        return _("percentage points")
    return indicator.unit
