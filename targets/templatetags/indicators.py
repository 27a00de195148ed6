from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from targets.formatting import plain_number
from targets.models import Indicator

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
    return f"{sign} {number} {indicator.unit}".strip()


register.filter("plain_number", plain_number)


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
