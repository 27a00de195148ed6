from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from targets.models import Indicator

register = template.Library()


def plain_number(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 30000, 25, 0.5."""
    return f"{value.normalize():f}"


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
