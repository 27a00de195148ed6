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

FONT_FAMILY = "Noto Sans SC"
FONT_FILES = ["fonts/NotoSansSC-Regular.ttf", "fonts/NotoSansSC-Bold.ttf"]
SIZE_INCHES = (6.6, 2.9)
PLOTLY_DASHES = {"dash": "--", "dot": ":", "dashdot": "-."}
PLOTLY_MARKERS = {"star": "*", "square": "s", "diamond": "D", "circle": "o"}
MAX_TICKS = 10
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
    """One figure of scatter traces on a category x axis (as `charts.province_series` builds)
    as an SVG element, ready to be placed in HTML."""
    with matplotlib.rc_context(STYLE):
        return _draw(figure)


def _draw(figure: dict) -> str:
    traces = figure["data"]
    categories = sorted({x for trace in traces for x in trace["x"]})
    position = {category: index for index, category in enumerate(categories)}
    chart = Figure(figsize=SIZE_INCHES)
    axes = chart.add_subplot()
    for trace in traces:
        points = [
            (position[x], y) for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None
        ]
        if not points:
            continue
        xs, ys = zip(*points, strict=True)
        _plot(axes, trace, xs, ys)
    layout = figure["layout"]
    axes.set_title(layout["title"]["text"], fontsize=9, loc="left")
    axes.set_ylabel(layout["yaxis"]["title"]["text"])
    if layout["yaxis"].get("rangemode") == "tozero":
        axes.set_ylim(bottom=min(0, axes.get_ylim()[0]))
    every = max(1, math.ceil(len(categories) / MAX_TICKS))
    axes.set_xticks(range(0, len(categories), every), categories[::every], fontsize=7)
    axes.grid(axis="y", color="#e5e7eb", linewidth=0.6)
    if axes.lines:
        axes.legend(loc="upper left", fontsize=7, frameon=False)
    # Fixed margins: tight_layout would draw the whole figure twice.
    chart.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.12)
    out = io.StringIO()
    chart.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def _plot(axes, trace, xs, ys):
    line, marker = trace.get("line", {}), trace.get("marker", {})
    mode = trace.get("mode", "lines")
    colour = line.get("color") or marker.get("color")
    axes.plot(
        xs,
        ys,
        label=trace.get("name"),
        color=colour,
        linestyle=PLOTLY_DASHES.get(line.get("dash"), "-") if "lines" in mode else "none",
        linewidth=line.get("width", 2) * PIXEL,
        marker=PLOTLY_MARKERS.get(marker.get("symbol"), "o") if "markers" in mode else None,
        markersize=marker.get("size", 6) * PIXEL if "size" in marker else 3,
    )
    for x, y, text in zip(xs, ys, trace.get("text", []), strict=False):
        axes.annotate(
            text, (x, y), textcoords="offset points", xytext=(-6, 6), ha="right", fontsize=7
        )
