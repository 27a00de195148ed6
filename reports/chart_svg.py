"""The web charts' Plotly figures drawn again as SVG for print, by matplotlib.

The PDF summary gets the same traces the pages send to plotly.js, without a browser on the
server. Text stays text in the SVG (searchable, and a tenth of the size of glyph outlines),
in the font the PDF embeds, so that Chinese renders wherever the PDF is opened.
"""

import io
import math

import matplotlib
from django.contrib.staticfiles import finders
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FONT_FAMILY = "Noto Sans SC"
FONT_FILES = ["fonts/NotoSansSC-Regular.ttf", "fonts/NotoSansSC-Bold.ttf"]
SIZE_INCHES = (6.6, 2.9)
PLOTLY_DASHES = {"dash": "--", "dot": ":", "dashdot": "-."}
PLOTLY_MARKERS = {"star": "*", "square": "s", "diamond": "D", "circle": "o"}
MAX_TICKS = 10
HEADROOM = 0.12  # of the y range, above the highest point: the target's label stands there
PIXEL = 0.75  # points: plotly sizes are CSS pixels


def font_path(name: str) -> str:
    return finders.find(name)


for name in FONT_FILES:
    font_manager.fontManager.addfont(font_path(name))
STYLE = {
    "font.family": [FONT_FAMILY],
    "font.size": 8,
    "svg.fonttype": "none",
    # Fixed ids, so that the same data gives the same bytes.
    "svg.hashsalt": "ipplan",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def svg(figure: dict) -> str:
    """One figure of scatter traces on a category x axis (as `charts.progress_series` builds)
    as an SVG element, ready to be placed in HTML. It keeps the web chart's conventions: every
    quarter of the axis, hollow markers for incomplete totals, a rank's axis with first place
    at the top, milestones as done / not yet."""
    with matplotlib.rc_context(STYLE):
        chart = draw(figure)
        out = io.StringIO()
        chart.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def draw(figure: dict) -> Figure:
    """The figure drawn by matplotlib, not yet saved (call within `STYLE`)."""
    traces, layout = figure["data"], figure["layout"]
    categories = layout.get("xaxis", {}).get("categoryarray") or sorted(
        {x for trace in traces for x in trace["x"]}
    )
    position = {category: index for index, category in enumerate(categories)}
    chart = Figure(figsize=SIZE_INCHES)
    axes = chart.add_subplot()
    for trace in traces:
        # NaN where a value is missing: the line breaks there instead of joining across.
        ys = [math.nan if y is None else y for y in trace["y"]]
        if all(math.isnan(y) for y in ys):
            continue
        _plot(axes, trace, [position[x] for x in trace["x"]], ys)
    axes.set_title(layout["title"]["text"], fontsize=9, loc="left")
    _y_axis(axes, layout["yaxis"])
    every = max(1, math.ceil(len(categories) / MAX_TICKS))
    axes.set_xticks(range(0, len(categories), every), categories[::every], fontsize=7)
    axes.set_xlim(-0.5, len(categories) - 0.5)
    axes.grid(axis="y", color="#e5e7eb", linewidth=0.6)
    if axes.lines:
        # Below the plot, never over a line.
        axes.legend(
            loc="upper left",
            bbox_to_anchor=(0, -0.12),
            ncol=4,
            fontsize=7,
            frameon=False,
        )
    # Fixed margins: tight_layout would draw the whole figure twice.
    chart.subplots_adjust(left=0.1, right=0.98, top=0.86, bottom=0.24)
    return chart


def _y_axis(axes, axis: dict):
    axes.set_ylabel(axis["title"]["text"])
    low, high = axes.get_ylim()
    if axis.get("rangemode") == "tozero":
        low = min(0, low)
    # Room above the highest point for the target's label.
    axes.set_ylim(low, high + (high - low) * HEADROOM)
    if "range" in axis:
        axes.set_ylim(*axis["range"])
    if "tickvals" in axis:
        axes.set_yticks(axis["tickvals"], axis["ticktext"])
    elif axis.get("dtick") == 1 or axis.get("tickformat") == "d":
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    if axis.get("autorange") == "reversed":
        bottom, top = axes.get_ylim()
        axes.set_ylim(max(bottom, top), min(bottom, top) - (top - bottom) * HEADROOM)


def _plot(axes, trace, xs, ys):
    line, marker = trace.get("line", {}), trace.get("marker", {})
    mode = trace.get("mode", "lines")
    colour = line.get("color") or marker.get("color")
    symbol = marker.get("symbol", "circle")
    hollow = symbol.endswith("-open")
    axes.plot(
        xs,
        ys,
        label=trace.get("name"),
        color=colour,
        linestyle=PLOTLY_DASHES.get(line.get("dash"), "-") if "lines" in mode else "none",
        linewidth=line.get("width", 2) * PIXEL,
        marker=PLOTLY_MARKERS.get(symbol.removesuffix("-open"), "o") if "markers" in mode else None,
        markersize=marker.get("size", 6) * PIXEL if "size" in marker else 3,
        markerfacecolor="white" if hollow else colour,
        markeredgewidth=marker.get("line", {}).get("width", 1) * PIXEL,
    )
    for x, y, text in zip(xs, ys, trace.get("text", []), strict=False):
        axes.annotate(
            text,
            (x, y),
            textcoords="offset points",
            xytext=(-6, 6),
            ha="right",
            fontsize=7,
            annotation_clip=False,
        )
