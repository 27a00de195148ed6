from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from targets.formatting import entry_text, join_names, plain_number, with_unit
from targets.models import Indicator, in_english
from targets.reporting import Entry

register = template.Library()


@register.filter
def target_text(indicator: Indicator) -> str:
    """The target as the plan states it: “≥ 30000 家”, “> 100 亿元”, “完成”."""
    if not indicator.has_target:
        return _("— (tracked without a target)")
    number = plain_number(indicator.target_value)
    match indicator.kind:
        case Indicator.Kind.MILESTONE:
            return _("done")
        case Indicator.Kind.COVERAGE:
            return _("all %(count)s cities") % {"count": number}
        case Indicator.Kind.RANK:
            return _("national rank %(rank)s") % {"rank": number}
    if indicator.direction == Indicator.Direction.AT_MOST:
        sign = "<" if indicator.strict else "≤"
    else:
        sign = ">" if indicator.strict else "≥"
    return f"{sign} {with_unit(number, indicator)}"


@register.filter
def subtitle(indicator: Indicator) -> str:
    """The line under an indicator's name: the plan's own (Chinese) wording, or in English
    what the indicator is and what it aims at."""
    if not in_english():
        return indicator.wording
    what = {"kind": indicator.get_kind_display(), "target": target_text(indicator)}
    if not indicator.has_target:
        return _("%(kind)s, tracked without a target.") % what
    what["quarter"] = indicator.target_period.label
    return _("%(kind)s; target %(target)s by %(quarter)s.") % what


register.filter("plain_number", plain_number)
# Names listed as the language lists them: “广州市、深圳市”, “Guangzhou, Shenzhen”.
register.filter("names", join_names)


@register.simple_tag(name="entry")
def entry_tag(indicator, entry) -> str:
    """{% entry indicator entry %}: an entered figure as every page shows it."""
    return entry_text(indicator, entry)


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
def change_mark(figure, previous):
    """The change from last quarter's approved value, marked up or down."""
    if previous is None or previous.value is None or figure.value is None:
        return "—"
    delta = figure.value - previous.value
    if not delta:
        return format_html('<span class="delta same">{}</span>', _("unchanged"))
    share = f" ({delta / previous.value:+.1%})" if previous.value else ""
    sign, direction = ("+", "up") if delta > 0 else ("−", "down")
    return format_html(
        '<span class="delta {}">{}{}{}</span>', direction, sign, plain_number(abs(delta)), share
    )
