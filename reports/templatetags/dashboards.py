from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from targets.formatting import plain_number

register = template.Library()
SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def rounded(value: Decimal, decimals: int) -> str:
    return plain_number(value.quantize(Decimal(1).scaleb(-decimals)))


@register.filter
def amount(value, indicator) -> str:
    """A value in its indicator's terms: “27404 家”, “已完成”, “18 个地市”, “全国第 1 名”."""
    if value is None:
        return "—"
    match indicator.kind:
        case "milestone":
            return _("done") if value >= 1 else _("not yet")
        case "rank":
            return _("national rank %(rank)s") % {"rank": plain_number(value)}
    return f"{rounded(value, indicator.decimals)} {indicator.unit}".strip()


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


@register.filter
def bar_value(value) -> int:
    """A percentage of target for a progress bar, within 0–100."""
    return 0 if value is None else max(0, min(100, int(value)))


@register.simple_tag
def sparkline(values, label):
    """A small trend line as inline SVG, with its values in the title for screen readers."""
    points = [float(v) for v in values if v is not None]
    if len(points) < 2:
        return "—"
    low, high = min(points), max(points)
    spread = (high - low) or 1
    step = SPARK_WIDTH / (len(points) - 1)
    coordinates = " ".join(
        f"{index * step:.1f},{SPARK_HEIGHT - 2 - (value - low) / spread * (SPARK_HEIGHT - 4):.1f}"
        for index, value in enumerate(points)
    )
    return format_html(
        '<svg class="spark" width="{}" height="{}" role="img" aria-label="{}">'
        '<polyline points="{}" fill="none" stroke="#1d4ed8" stroke-width="2"/></svg>',
        SPARK_WIDTH,
        SPARK_HEIGHT,
        label,
        coordinates,
    )


@register.simple_tag
def data_table(figure):
    """The data behind a chart, as a table for screen readers and for copying."""
    rows = []
    for trace in figure["data"]:
        name = trace.get("name", "")
        xs = trace.get("x", [])
        ys = trace.get("y", [])
        # Where a value comes from (reports.sources.link_points): its sources page.
        sources = trace.get("meta", {}).get("sources")
        if "hovertext" in trace:
            rows += [("", "", text) for text in trace["hovertext"]]
        elif trace.get("type") == "heatmap":
            for i, (y, values) in enumerate(zip(ys, trace["z"], strict=True)):
                links = sources[i] if sources else [None] * len(xs)
                rows += [
                    (y, x, _linked(v, url)) for x, v, url in zip(xs, values, links, strict=True)
                ]
        else:
            links = sources or [None] * len(xs)
            rows += [(name, x, _linked(y, url)) for x, y, url in zip(xs, ys, links, strict=True)]
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
    return format_html(
        '<details class="chart-data"><summary>{}</summary><table><thead><tr>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table></details>",
        _("Data behind this chart"),
        _("Series"),
        _("Category"),
        _("Value"),
        body,
    )


def _linked(value, url):
    if url is None or value is None:
        return value
    return format_html('<a href="{}">{}</a>', url, value)
