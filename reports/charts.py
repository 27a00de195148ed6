"""Plotly figures as plain dicts, built from stored progress rows.

The pages embed them in one JSON payload for plotly.js; the PDF summary draws the same
series. Labels are translated here, so the charts speak the user's language.
"""

from django.utils.translation import gettext as _

from reports.geography import TILE_GRID
from reports.templatetags.dashboards import amount
from targets.templatetags.indicators import target_text

STATUS_COLOURS = {
    "achieved": "#047857",
    "on_track": "#1d4ed8",
    "at_risk": "#b45309",
    "off_track": "#b91c1c",
    "no_data": "#6b7280",
}
FONT = {"family": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif", "size": 13}


def number(value):
    return None if value is None else float(value)


def _layout(title, unit, **extra):
    return {
        "title": {"text": title, "font": {"size": 15}},
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"font": FONT},
        **extra,
    }


def progress_series(indicator, rows, target, target_label, title):
    """One scope's actual by quarter against its target (the plan's for the province, the
    allocation for a city), the straight-line path to it and the projection (dashed), with
    the target quarter marked. `rows`: the scope's progress by quarter, oldest first."""
    quarters = [str(row.period.as_quarter) for row in rows]
    unit = indicator.unit
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("actual"),
            "x": quarters,
            "y": [number(row.actual) for row in rows],
            "line": {"color": "#1d4ed8", "width": 3},
            "hovertemplate": "%{x}: %{y} " + unit + "<extra>" + _("actual") + "</extra>",
        }
    ]
    if target is not None:
        target_quarter = str(indicator.target_period)
        expected = [(q, number(row.expected)) for q, row in zip(quarters, rows, strict=True)]
        expected = [(q, value) for q, value in expected if value is not None]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("path to the target"),
                "x": [q for q, _v in expected] + [target_quarter],
                "y": [v for _q, v in expected] + [number(target)],
                "line": {"color": "#6b7280", "width": 2},
                "hovertemplate": "%{x}: %{y} " + unit + "<extra>" + _("expected") + "</extra>",
            }
        )
        last = next((row for row in reversed(rows) if row.actual is not None), None)
        if last is not None and last.projection is not None:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _("projection"),
                    "x": [str(last.period.as_quarter), target_quarter],
                    "y": [number(last.actual), number(last.projection)],
                    "line": {"color": "#1d4ed8", "dash": "dash", "width": 2},
                    "hovertemplate": "%{x}: %{y} "
                    + unit
                    + "<extra>"
                    + _("projection")
                    + "</extra>",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": target_label,
                "x": [target_quarter],
                "y": [number(target)],
                "marker": {"symbol": "star", "size": 16, "color": "#a4161a"},
                "text": [target_label],
                "textposition": "top left",
                "hovertemplate": "%{x}: %{y} " + unit + "<extra>" + _("target") + "</extra>",
            }
        )
    return {"data": traces, "layout": _layout(title, unit, xaxis={"type": "category"})}


def province_series(indicator, rows):
    title = _("%(indicator)s: province against the target") % {"indicator": indicator.name}
    return progress_series(indicator, rows, indicator.target_value, target_text(indicator), title)


def city_series(indicator, prefecture, rows, allocation):
    """A city's own line, against its allocated target where it has one."""
    names = {"indicator": indicator.name, "city": prefecture.name}
    if allocation is None:
        title = _("%(indicator)s: %(city)s by quarter") % names
        return progress_series(indicator, rows, None, "", title)
    title = _("%(indicator)s: %(city)s against its allocation") % names
    return progress_series(indicator, rows, allocation, amount(allocation, indicator), title)


def prefecture_bars(indicator, rows, allocations):
    """Every city for one quarter, largest first; a city's allocation marked where it has one."""
    ranked = sorted(rows, key=lambda row: number(row.actual) or 0, reverse=True)
    names = [row.prefecture.name for row in ranked]
    traces = [
        {
            "type": "bar",
            "name": _("actual"),
            "x": names,
            "y": [number(row.actual) for row in ranked],
            "marker": {"color": "#1d4ed8"},
            "hovertemplate": "%{x}: %{y} " + indicator.unit + "<extra></extra>",
        }
    ]
    allocated = [(row.prefecture.name, allocations.get(row.prefecture_id)) for row in ranked]
    if any(value is not None for _name, value in allocated):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("allocated target"),
                "x": [name for name, value in allocated if value is not None],
                "y": [number(value) for _name, value in allocated if value is not None],
                "marker": {
                    "symbol": "line-ew-open",
                    "size": 24,
                    "color": "#a4161a",
                    "line": {"width": 3},
                },
            }
        )
    title = _("%(indicator)s by prefecture") % {"indicator": indicator.name}
    return {"data": traces, "layout": _layout(title, indicator.unit, xaxis={"tickangle": -45})}


def heat_map(indicator, prefectures, periods, values):
    """Prefectures down, quarters across; `values[(prefecture id, period id)]` is the actual."""
    z = [[number(values.get((p.pk, q.pk))) for q in periods] for p in prefectures]
    title = _("%(indicator)s: prefecture by quarter") % {"indicator": indicator.name}
    layout = _layout(title, "", yaxis={"autorange": "reversed", "type": "category"})
    layout["margin"]["l"] = 80
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [str(q.as_quarter) for q in periods],
                "y": [p.name for p in prefectures],
                "z": z,
                "colorscale": "Blues",
                "reversescale": True,
                "hoverongaps": False,
                "hovertemplate": "%{y} %{x}: %{z} " + indicator.unit + "<extra></extra>",
                "colorbar": {"title": {"text": indicator.unit}},
            }
        ],
        "layout": layout,
    }


def tile_map(title, cells):
    """The 21 cities as tiles placed by their geography. `cells`: (prefecture, text, colour,
    hover) per city. A scatter of squares: no geographic data is fetched from anywhere."""
    cells = [cell for cell in cells if cell[0].code in TILE_GRID]
    columns = [TILE_GRID[prefecture.code][0] for prefecture, *_rest in cells]
    rows = [TILE_GRID[prefecture.code][1] for prefecture, *_rest in cells]
    axis = {"visible": False, "fixedrange": True}
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": columns,
                "y": rows,
                "marker": {
                    "symbol": "square",
                    "size": 84,
                    "color": [colour for _p, _t, colour, _h in cells],
                    "line": {"color": "#ffffff", "width": 2},
                },
                "text": [f"{prefecture.name}<br>{text}" for prefecture, text, _c, _h in cells],
                "textfont": {"color": "#ffffff", "size": 11},
                "hovertext": [hover for *_rest, hover in cells],
                "hoverinfo": "text",
                "showlegend": False,
            }
        ],
        "layout": {
            "title": {"text": title, "font": {"size": 15}},
            "font": FONT,
            "xaxis": {**axis, "range": [-0.6, 7.6]},
            "yaxis": {**axis, "range": [4.6, -0.6]},
            "height": 560,
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        },
    }


VALUE_SHADES = ["#dbeafe", "#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a"]


def value_cells(rows, unit):
    """Tiles shaded by value in five equal steps, and the legend that explains the steps."""
    values = [number(row.actual) for row in rows if row.actual is not None]
    top = max(values, default=0) or 1
    step = top / len(VALUE_SHADES)
    cells = []
    for row in rows:
        value = number(row.actual)
        if value is None:
            cells.append((row.prefecture, _("no data"), "#9ca3af", _("no data")))
            continue
        shade = VALUE_SHADES[min(int(value / step), len(VALUE_SHADES) - 1)]
        text = f"{value:g}"
        cells.append((row.prefecture, text, shade, f"{row.prefecture.name}: {text} {unit}"))
    legend = [
        (f"{index * step:g} – {(index + 1) * step:g} {unit}", shade)
        for index, shade in enumerate(VALUE_SHADES)
    ] + [(_("no data"), "#9ca3af")]
    return cells, legend
