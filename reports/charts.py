"""Plotly figures as plain dicts, built from stored progress rows.

The pages embed them in one JSON payload for plotly.js; the PDF summary draws the same
figures with matplotlib (`chart_svg`). Labels are translated here, so the charts speak the
user's language, and every value a chart shows (hover, data table) is formatted here by
`reports.display`, with its indicator's decimals.

Conventions every chart keeps:
- time is a time axis: every quarter from the first to the target period, whatever quarter
  is chosen (`timeline`);
- an incomplete province total (cities missing) is a hollow marker, never joined to the line
  of complete totals;
- a rank is drawn with first place at the top and whole-number ticks; coverage in cities
  covered (0 to all); a milestone as done or not yet.
"""

import math
from decimal import Decimal

from django.utils.translation import gettext as _

from reports import display
from reports.geography import TILE_GRID
from targets import progress
from targets.formatting import labelled, with_unit
from targets.models import Progress
from targets.periods import Quarter
from targets.templatetags.indicators import stated_target, target_text

STATUS_COLOURS = {
    "achieved": "#047857",
    "on_track": "#1d4ed8",
    "at_risk": "#b45309",
    "off_track": "#b91c1c",
    "incomplete": "#7c3aed",
    "no_target": "#475569",
    "no_data": "#d1d5db",
}
ACTUAL_COLOUR, TARGET_COLOUR, PATH_COLOUR = "#1d4ed8", "#a4161a", "#6b7280"
OTHER_PLAN_COLOUR = "#7c3aed"
NO_DATA_COLOUR = STATUS_COLOURS["no_data"]
FONT = {"family": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif", "size": 13}
# An incomplete total, on the web (Plotly) and in print (chart_svg reads the same symbol).
INCOMPLETE_MARKER = {
    "symbol": "circle-open",
    "size": 10,
    "color": ACTUAL_COLOUR,
    "line": {"width": 2},
}
INK, WHITE = "#111827", "#ffffff"
TILE = 0.94  # a tile's side, in grid steps: the rest is the gap between tiles
NOT_COVERED_COLOUR = "#fde68a"


def number(value):
    return None if value is None else float(value)


def timeline(indicator, periods, period, until=None) -> list[Quarter]:
    """Every quarter a chart of `indicator` spans: from the first reporting period to the
    target period (or the last reporting period, for an indicator without a target), and on
    to the chosen `period`, and to `until` (another plan's target period), should they come
    later."""
    quarters = [p.as_quarter for p in periods]
    if not quarters:
        return []
    first = min(quarters)
    last = indicator.target_period or max(quarters)
    last = max(last, period.as_quarter) if period else last
    last = max(last, until) if until else last
    return [first.shift(step) for step in range(first.quarters_until(last) + 1)]


def _time_axis(quarters) -> dict:
    labels = [str(q) for q in quarters]
    # Every quarter stays on the axis, with or without a value (a category range keeps those
    # beyond the data in view).
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": labels,
        "range": [-0.5, len(labels) - 0.5],
        "automargin": True,
    }


def _value_axis(indicator, unit_title) -> dict:
    """The y axis in the indicator's own terms."""
    axis = {"title": {"text": unit_title}, "rangemode": "tozero", "automargin": True}
    match indicator.kind:
        case progress.RANK:
            # First place at the top: reaching it must not look like a fall.
            return axis | {"autorange": "reversed", "rangemode": "normal", "dtick": 1}
        case progress.MILESTONE:
            words = [_("not yet"), _("done")]
            return axis | {"tickvals": [0, 1], "ticktext": words, "range": [-0.15, 1.25]}
        case progress.COVERAGE:
            return axis | {"dtick": _whole_step(indicator.target_value or 21), "tickformat": "d"}
    return axis


def _whole_step(top) -> int:
    return max(1, math.ceil(float(top) / 7))


def _layout(title, **extra):
    return {
        "title": {"text": title, "font": {"size": 15}, "x": 0, "xanchor": "left"},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"font": FONT},
        **extra,
    }


def _unit_title(indicator) -> str:
    match indicator.kind:
        case progress.COVERAGE:
            return _("cities covered")
        case progress.RANK:
            return _("national rank")
        case progress.MILESTONE:
            return ""
    return indicator.unit


def _trace(name, xs, values, indicator, targets, **extra) -> dict:
    """A scatter trace whose hover and data table print each value as the pages do: against
    its target (`targets`, one per value, None where there is none), never rounded across it."""
    texts = [
        None if v is None else display.amount_beside(v, target, indicator)
        for v, target in zip(values, targets, strict=True)
    ]
    return {
        "type": "scatter",
        "name": name,
        "x": xs,
        "y": [number(v) for v in values],
        "customdata": texts,
        "hovertemplate": "%{x}: %{customdata}<extra>" + name + "</extra>",
        **extra,
    }


def progress_series(indicator, rows, quarters, target, target_label, title):
    """One scope's actual by quarter against its target (the plan's for the province, the
    allocation for a city), the straight-line path to it and the projection (dashed), with
    the target quarter marked. `rows`: the scope's progress by quarter, oldest first;
    `quarters`: the time axis (`timeline`)."""
    by_quarter = {str(row.period.as_quarter): row for row in rows}
    labels = [str(q) for q in quarters]
    complete = [row.actual if (row := by_quarter.get(q)) and row.complete else None for q in labels]
    traces = [
        _trace(
            _("actual"),
            labels,
            complete,
            indicator,
            [target] * len(labels),
            mode="lines+markers",
            line={"color": ACTUAL_COLOUR, "width": 3},
            marker={"color": ACTUAL_COLOUR, "size": 7},
        )
    ]
    partial = [row for row in rows if row.actual is not None and not row.complete]
    if partial:
        traces.append(
            _trace(
                _("incomplete total (cities missing)"),
                [str(row.period.as_quarter) for row in partial],
                [row.actual for row in partial],
                indicator,
                [target] * len(partial),
                mode="markers",
                marker=INCOMPLETE_MARKER,
            )
        )
    if target is not None:
        traces += _target_traces(indicator, rows, target, target_label)
    layout = _layout(
        title,
        xaxis=_time_axis(quarters),
        yaxis=_value_axis(indicator, _unit_title(indicator)),
    )
    return {"data": traces, "layout": layout}


def _target_traces(indicator, rows, target, target_label) -> list[dict]:
    target_quarter = str(indicator.target_period)
    traces = []
    if any(row.expected is not None for row in rows):
        quarters, values = _path_to(rows, indicator.target_period, target)
        traces.append(
            _trace(
                _("path to the target"),
                quarters,
                values,
                indicator,
                [target] * len(values),
                mode="lines",
                line={"color": PATH_COLOUR, "width": 2},
            )
        )
    # From the last complete total: an incomplete one is no point to project from.
    last = next((row for row in reversed(rows) if row.actual is not None and row.complete), None)
    if last is not None and last.projection is not None:
        traces.append(
            _trace(
                _("projection"),
                [str(last.period.as_quarter), target_quarter],
                [last.actual, last.projection],
                indicator,
                [target, target],
                mode="lines",
                line={"color": ACTUAL_COLOUR, "dash": "dash", "width": 2},
            )
        )
    traces.append(
        _trace(
            target_label,
            [target_quarter],
            [target],
            indicator,
            [target],
            mode="markers+text",
            marker={"symbol": "star", "size": 16, "color": TARGET_COLOUR},
            text=[target_label],
            textposition="top left",
            # The label may stand above the highest value: never cut it off.
            cliponaxis=False,
        )
    )
    return traces


def _path_to(rows, end, target) -> tuple[list[str], list]:
    """(quarters, values) of the expected path of `rows` (oldest first) before the target
    quarter `end`, then the target at `end`: a path ends at its target's date, however late
    the quarter in view."""
    path = [
        (row.period.as_quarter, row.expected)
        for row in rows
        if row.expected is not None and row.period.as_quarter < end
    ]
    return [str(q) for q, _v in path] + [str(end)], [v for _q, v in path] + [target]


def other_plan_traces(indicator, target, rows) -> list[dict]:
    """Another plan's target on the same series, drawn beside the plan in view: its expected
    path (its stored results' `expected`) and its target, dotted, named by the plan's years.
    `rows`: that plan's province results, oldest first."""
    name = _("%(start)s–%(end)s plan") % {
        "start": target.plan.start_date.year,
        "end": target.plan.target_date.year,
    }
    quarters, values = _path_to(rows, target.period, target.value)
    label = f"{name} · {stated_target(indicator, target)}"
    return [
        _trace(
            label,
            quarters,
            values,
            indicator,
            [target.value] * len(values),
            mode="lines+markers",
            line={"color": OTHER_PLAN_COLOUR, "width": 2, "dash": "dot"},
            marker={
                "symbol": ["circle"] * (len(values) - 1) + ["star"],
                "size": [4] * (len(values) - 1) + [14],
                "color": OTHER_PLAN_COLOUR,
            },
        )
    ]


def province_series(indicator, rows, quarters):
    title = _("%(indicator)s: province against the target") % {"indicator": indicator.name}
    target = indicator.target_value
    return progress_series(indicator, rows, quarters, target, target_text(indicator), title)


def city_series(indicator, prefecture, rows, quarters, allocation):
    """A city's own line, against its allocated target where it has one."""
    names = {"indicator": indicator.name, "city": prefecture.name}
    if allocation is None:
        title = _("%(indicator)s: %(city)s by quarter") % names
        return progress_series(indicator, rows, quarters, None, "", title)
    title = _("%(indicator)s: %(city)s against its allocation") % names
    label = display.amount(allocation, indicator)
    return progress_series(indicator, rows, quarters, allocation, label, title)


def prefecture_bars(indicator, rows, allocations):
    """Every city for one quarter, largest first; a city's allocation marked where it has one.
    Cities without a figure are left out (the data table and the heat map show them)."""
    ranked = sorted(
        (row for row in rows if row.actual is not None), key=lambda row: row.actual, reverse=True
    )
    names = [row.prefecture.name for row in ranked]
    traces = [
        _trace(
            _("actual"),
            names,
            [row.actual for row in ranked],
            indicator,
            [allocations.get(row.prefecture_id) for row in ranked],
            type="bar",
            marker={"color": ACTUAL_COLOUR},
        )
    ]
    allocated = [(row.prefecture.name, allocations.get(row.prefecture_id)) for row in ranked]
    allocated = [(name, value) for name, value in allocated if value is not None]
    if allocated:
        traces.append(
            _trace(
                _("allocated target"),
                [name for name, _value in allocated],
                [value for _name, value in allocated],
                indicator,
                [value for _name, value in allocated],
                mode="markers",
                marker={
                    "symbol": "line-ew-open",
                    "size": 24,
                    "color": TARGET_COLOUR,
                    "line": {"width": 3},
                },
            )
        )
    title = _("%(indicator)s by prefecture") % {"indicator": indicator.name}
    axis = {"tickangle": -45, "automargin": True, "type": "category"}
    yaxis = _value_axis(indicator, _unit_title(indicator))
    return {"data": traces, "layout": _layout(title, xaxis=axis, yaxis=yaxis)}


def heat_map(indicator, prefectures, quarters, values):
    """Prefectures down, quarters across; `values[(prefecture id, quarter)]` is the actual.
    Coverage reads covered / not covered, in two colours."""
    z = [[number(values.get((p.pk, q))) for q in quarters] for p in prefectures]
    text = [
        [display.amount(values.get((p.pk, q)), indicator) for q in quarters] for p in prefectures
    ]
    title = _("%(indicator)s: prefecture by quarter") % {"indicator": indicator.name}
    layout = _layout(
        title,
        xaxis=_time_axis(quarters),
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
    )
    trace = {
        "type": "heatmap",
        "x": [str(q) for q in quarters],
        "y": [p.name for p in prefectures],
        "z": z,
        "customdata": text,
        "colorscale": "Blues",
        "reversescale": True,
        "hoverongaps": False,
        "hovertemplate": "%{y} %{x}: %{customdata}<extra></extra>",
        "colorbar": {"title": {"text": _unit_title(indicator)}},
    }
    if indicator.kind == progress.COVERAGE:
        trace |= {
            "colorscale": [
                [0, NOT_COVERED_COLOUR],
                [0.5, NOT_COVERED_COLOUR],
                [0.5, STATUS_COLOURS["achieved"]],
                [1, STATUS_COLOURS["achieved"]],
            ],
            "reversescale": False,
            "zmin": 0,
            "zmax": 1,
            "colorbar": {"tickvals": [0.25, 0.75], "ticktext": [_("not covered"), _("covered")]},
        }
    return {"data": [trace], "layout": layout}


def tile_map(title, cells):
    """The 21 cities as square tiles placed by their geography, drawn in the plot's own
    coordinates so that they scale with it and never overlap on a narrow screen. `cells`:
    (prefecture, text, colour, hover) per city. No geographic data is fetched from anywhere."""
    cells = [cell for cell in cells if cell[0].code in TILE_GRID]
    places = [TILE_GRID[prefecture.code] for prefecture, *_rest in cells]
    axis = {"visible": False, "fixedrange": True}
    half = TILE / 2
    shapes = [
        {
            "type": "rect",
            "x0": column - half,
            "x1": column + half,
            "y0": row - half,
            "y1": row + half,
            "fillcolor": colour,
            "line": {"width": 0},
            "layer": "below",
        }
        for (column, row), (_p, _t, colour, _h) in zip(places, cells, strict=True)
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "text",
                "x": [column for column, _row in places],
                "y": [row for _column, row in places],
                "text": [f"{prefecture.name}<br>{text}" for prefecture, text, _c, _h in cells],
                "textfont": {
                    "color": [label_colour(colour) for _p, _t, colour, _h in cells],
                    "size": 11,
                },
                "hovertext": [hover for *_rest, hover in cells],
                "hoverinfo": "text",
                "showlegend": False,
            }
        ],
        "layout": {
            "title": {"text": title, "font": {"size": 15}, "x": 0, "xanchor": "left"},
            "font": FONT,
            "xaxis": {**axis, "range": [-0.5, 7.5]},
            "yaxis": {**axis, "range": [4.5, -0.5], "scaleanchor": "x"},
            "shapes": shapes,
            "margin": {"l": 0, "r": 0, "t": 50, "b": 4},
            "meta": {"tile": TILE},
        },
    }


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def label_colour(fill: str) -> str:
    """White or near-black, whichever reads better on `fill` (always at least WCAG AA's 4.5)."""
    return WHITE if contrast(fill, WHITE) >= contrast(fill, INK) else INK


VALUE_SHADES = ["#dbeafe", "#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a"]
NICE_STEPS = [Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)]


def legend_step(top: Decimal, bins: int = len(VALUE_SHADES)) -> Decimal:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) that covers 0 to `top`
    in at most `bins` steps."""
    if top <= 0:
        return Decimal(1)
    raw = top / bins
    power = Decimal(10) ** math.floor(math.log10(raw))
    return next(nice * power for nice in NICE_STEPS if nice * power >= raw)


def value_cells(rows, indicator):
    """Tiles shaded by value in round steps from 0, each tile labelled with its value in the
    indicator's decimals, and the legend that explains the steps (the lower bound of a step
    belongs to it)."""
    top = max((row.actual for row in rows if row.actual is not None), default=Decimal(0))
    step = legend_step(top)
    bins = min(len(VALUE_SHADES), int(top / step) + 1)
    shades = _spread(VALUE_SHADES, bins)
    cells = []
    for row in rows:
        if row.actual is None:
            cells.append((row.prefecture, _("no data"), NO_DATA_COLOUR, _("no data")))
            continue
        shade = shades[min(int(row.actual / step), bins - 1)]
        text = display.fixed(row.actual, indicator.decimals)
        hover = labelled(row.prefecture.name, display.amount(row.actual, indicator))
        cells.append((row.prefecture, text, shade, hover))
    decimals = max(0, -step.normalize().as_tuple().exponent)
    legend = [
        (_step_label(index * step, (index + 1) * step, decimals, indicator), shade)
        for index, shade in enumerate(shades)
    ] + [(_("no data"), NO_DATA_COLOUR)]
    return cells, legend


def _step_label(low, high, decimals, indicator) -> str:
    return with_unit(f"{display.fixed(low, decimals)} – {display.fixed(high, decimals)}", indicator)


def _spread(shades, count):
    """`count` shades from light to dark, as far apart as the palette allows."""
    if count == 1:
        return [shades[len(shades) // 2]]
    return [shades[round(i * (len(shades) - 1) / (count - 1))] for i in range(count)]


def status_cells(rows, indicator):
    """Tiles coloured by status against each city's allocation; a city without one shows
    its value and “no target”, never “no data”."""
    cells = []
    for row in rows:
        label = row.get_status_display()
        hover = labelled(row.prefecture.name, f"{display.amount(row.actual, indicator)} · {label}")
        cells.append((row.prefecture, label, STATUS_COLOURS[row.status], hover))
    legend = [(label, STATUS_COLOURS[value]) for value, label in Progress.Status.choices]
    return cells, legend


def coverage_cells(rows):
    """Tiles of a coverage indicator: covered or not, for each city."""
    cells = []
    for row in rows:
        if row.actual is None:
            cells.append((row.prefecture, _("no data"), NO_DATA_COLOUR, _("no data")))
            continue
        covered = row.actual >= 1
        text = _("covered") if covered else _("not covered")
        colour = STATUS_COLOURS["achieved"] if covered else NOT_COVERED_COLOUR
        cells.append((row.prefecture, text, colour, labelled(row.prefecture.name, text)))
    legend = [
        (_("covered"), STATUS_COLOURS["achieved"]),
        (_("not covered"), NOT_COVERED_COLOUR),
        (_("no data"), NO_DATA_COLOUR),
    ]
    return cells, legend
