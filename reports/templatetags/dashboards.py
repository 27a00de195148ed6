import re

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports import display
from targets import progress
from targets.formatting import join_names

register = template.Library()
SPARK_WIDTH, SPARK_HEIGHT, SPARK_MARGIN = 120, 28, 3
SOLID = mark_safe('fill="#1d4ed8"')
HOLLOW = mark_safe('fill="#ffffff" stroke="#1d4ed8" stroke-width="1.5"')


@register.filter
def amount(value, indicator) -> str:
    """A value in its indicator's terms and decimals: “27404 家”, “已完成”, “18 个地市”."""
    return display.amount(value, indicator)


@register.filter
def percent(value) -> str:
    """A share (of the province, say) with one decimal: “12.3%”."""
    return display.share_text(value)


# A number with its sign and whatever follows it up to a bracket or a comma: its unit, in any
# language (“577 家”, “0.04 个百分点”, “≥ ¥81.82 亿”, “31.74 per 10 000 residents”).
AMOUNT = re.compile(r"(?:[≥≤<>] )?¥?\d[^()（）,，、;；:：]*")


@register.filter
def unbroken(text):
    """The text with each amount in it kept on one line (“107.49 亿元” is never split into
    “107.49 亿” and “元”), wherever the text around it wraps."""
    text = str(text)
    parts, start = [], 0
    for match in AMOUNT.finditer(text):
        parts.append((text[start : match.start()], match.group()))
        start = match.end()
    amounts = format_html_join("", '{}<span class="nowrap">{}</span>', parts)
    return format_html("{}{}", amounts, text[start:])


@register.filter
def unbroken_end(text):
    """The text with its end kept on one line, so that a wrapped title never leaves a lone
    character or word on its last line: the last four characters of Chinese, the last two
    words of English."""
    text = str(text)
    if " " in text.strip():
        head, *tail = text.rsplit(" ", 2)
        return format_html('{} <span class="nowrap">{}</span>', head, " ".join(tail))
    return format_html('{}<span class="nowrap">{}</span>', text[:-4], text[-4:])


@register.simple_tag
def quarter_options(periods, chosen):
    """A quarter picker's options, every reporting period, the chosen one selected. One tag
    rather than a loop in the template: a page lists every quarter on record (40 at ten
    years), and the loop took a millisecond of each dashboard's rendering."""
    options = []
    for period in periods:
        quarter = period.as_quarter
        selected = " selected" if period == chosen else ""
        # The value is a quarter like 2027Q4, nothing to escape; the label is a translation.
        options.append(f'<option value="{quarter}"{selected}>{escape(quarter.label)}</option>')
    return mark_safe("".join(options))


@register.simple_tag
def sparkline(trend, indicator):
    """A small trend line as inline SVG, with its values in its label for screen readers.

    `trend`: (actual, complete) by quarter, oldest first. The line joins complete totals only;
    an incomplete one is a hollow circle, as on the charts. A rank is drawn with first place at
    the top, so that rising to first reads as a rise."""
    points = [
        (index, float(v), complete) for index, (v, complete) in enumerate(trend) if v is not None
    ]
    if len(points) < 2:
        return "—"
    values = [value for _i, value, _c in points]
    low, high = min(values), max(values)
    spread = (high - low) or 1
    step = (SPARK_WIDTH - 2 * SPARK_MARGIN) / (len(trend) - 1)
    inverted = indicator.kind == progress.RANK

    def place(index, value):
        share = (value - low) / spread
        if inverted:
            share = 1 - share
        x = SPARK_MARGIN + index * step
        y = SPARK_HEIGHT - SPARK_MARGIN - share * (SPARK_HEIGHT - 2 * SPARK_MARGIN)
        return f"{x:.1f}", f"{y:.1f}"

    runs = []  # consecutive complete totals, each drawn as one line
    for index, value, complete in points:
        if complete and runs and runs[-1][-1][0] == index - 1:
            runs[-1].append((index, value))
        elif complete:
            runs.append([(index, value)])
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="#1d4ed8" stroke-width="2"/>',
        ((" ".join(",".join(place(i, v)) for i, v in run),) for run in runs if len(run) > 1),
    )
    alone = [(*place(i, v), SOLID) for run in runs if len(run) == 1 for i, v in run]
    hollow = [(*place(i, v), HOLLOW) for i, v, complete in points if not complete]
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="2.5" {}/>', alone + hollow)
    reported = [(v, complete) for v, complete in trend if v is not None]
    texts = display.amounts([v for v, _complete in reported], indicator)
    label = join_names(
        text if complete else _("%(value)s (incomplete)") % {"value": text}
        for text, (_v, complete) in zip(texts, reported, strict=True)
    )
    return format_html(
        '<svg class="spark" width="{}" height="{}" role="img" aria-label="{}">{}{}</svg>',
        SPARK_WIDTH,
        SPARK_HEIGHT,
        _("%(indicator)s: %(values)s") % {"indicator": indicator.name, "values": label},
        lines,
        dots,
    )


@register.simple_tag
def chart(figures, name, size="", table=None, table_title=""):
    """One chart of the page's payload: its title as a heading (which wraps on a narrow
    screen, and which no chart toolbar covers), the plot, and the data behind it; or, given
    `table` (an element id) and its title, a link to the page's own table of that data."""
    figure = figures[name]
    data = data_table(figure) if table is None else table_link(table, table_title)
    return format_html(
        '<section class="chart" aria-labelledby="chart-{}"><h2 class="chart-title" id="chart-{}">'
        '{}</h2><div data-chart="{}" class="plot {}"></div>{}</section>',
        name,
        name,
        figure["layout"]["title"]["text"],
        name,
        size,
        data,
    )


def table_link(table, title):
    return format_html(
        '<p class="chart-data">{} <a href="#{}">{}</a></p>',
        _("The numbers behind this chart, each linked to its sources, are in the table"),
        table,
        title,
    )


@register.filter
def without_sources(figures):
    """The charts' payload for plotly.js, less the sources links that only the data tables
    print (server-side): a heat map has one per cell."""
    return {
        name: figure | {"data": [_unlinked(trace) for trace in figure["data"]]}
        for name, figure in figures.items()
    }


def _unlinked(trace):
    meta = {key: value for key, value in trace.get("meta", {}).items() if key != "sources"}
    return {key: value for key, value in trace.items() if key != "meta"} | (
        {"meta": meta} if meta else {}
    )


@register.simple_tag
def data_table(figure):
    """The data behind a chart, as a table for screen readers and for copying: each value as
    the chart's hover prints it, in its indicator's decimals; points with no value are left
    out of a line, and print “—” in a heat map."""
    rows = []
    for trace in figure["data"]:
        name = trace.get("name", "")
        xs = trace.get("x", [])
        ys = trace.get("y", [])
        texts = trace.get("customdata")
        # Where a value comes from (reports.sources.link_points): its sources page.
        sources = trace.get("meta", {}).get("sources")
        if "hovertext" in trace:
            rows += [("", "", text) for text in trace["hovertext"]]
        elif trace.get("type") == "heatmap":
            for i, (y, row) in enumerate(zip(ys, texts, strict=True)):
                links = sources[i] if sources else [None] * len(xs)
                rows += [
                    (y, x, _linked(text, url)) for x, text, url in zip(xs, row, links, strict=True)
                ]
        else:
            links = sources or [None] * len(xs)
            rows += [
                (name, x, _linked(text, url))
                for x, text, url in zip(xs, texts, links, strict=True)
                if text is not None
            ]
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


@register.simple_tag
def matrix_cells(cells):
    """A table row's cells: each value linked to its sources page, “—” where there is none.
    `cells`: (value as text, url) or None each."""
    texts = ((_linked(*cell) if cell else "—",) for cell in cells)
    return format_html_join("", "<td>{}</td>", texts)


def _linked(value, url):
    if url is None or value is None:
        return value
    return format_html('<a href="{}">{}</a>', url, value)
