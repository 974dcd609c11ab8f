"""A library-neutral ``Chart`` as a Plotly figure: the report's JSON and a notebook figure.

Why beside the chart type and not in report/: the HTML report embeds this spec and
``Chart.to_plotly()`` (the Python API) builds a figure from the same spec, so a chart looks
the same in both. Plain dicts: plotly itself is imported only by :func:`plotly_figure`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.verdict import Chart

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", '
    '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)
CHART_SIGNIFICANT_DIGITS = 6


def chart_number(value: float | int | str | None) -> float | int | str | None:
    """Round to a few significant digits (a chart needs no more) and drop NaN/inf.

    JSON has no NaN; one would make ``JSON.parse`` throw and the chart vanish.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if not math.isfinite(value):
        return None
    if isinstance(value, int):
        return value
    return float(f"{value:.{CHART_SIGNIFICANT_DIGITS}g}")


def chart_spec(chart: Chart) -> dict[str, Any]:
    """A Plotly figure (data + layout) for one library-neutral ``Chart``.

    The title is not in the figure: the page shows it as bilingual HTML above the plot.
    """
    traces: list[dict[str, Any]] = []
    for series in chart.series:
        trace: dict[str, Any] = {
            "type": "bar" if series.kind == "bar" else "scatter",
            "name": series.name,
            "x": [chart_number(x) for x in series.x],
            "y": [chart_number(y) for y in series.y],
        }
        if series.kind != "bar":
            trace["mode"] = "lines" if series.kind == "line" else "markers"
        if series.axis == "y2":
            trace["yaxis"] = "y2"
        traces.append(trace)
    layout: dict[str, Any] = {
        "height": 320,
        "margin": {"l": 56, "r": 56, "t": 16, "b": 40},
        "font": {"family": FONT_STACK, "size": 12},
        "showlegend": len(traces) > 1,
        "legend": {"orientation": "h", "x": 0, "y": -0.18},
        "xaxis": {"title": {"text": chart.x_label}, "automargin": True},
        "yaxis": {"title": {"text": chart.y_label}, "automargin": True},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    if chart.x_is_date:
        layout["xaxis"]["type"] = "date"
    if chart.y2_label is not None or any(s.axis == "y2" for s in chart.series):
        layout["yaxis2"] = {
            "title": {"text": chart.y2_label or ""},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "automargin": True,
        }
    return {"data": traces, "layout": layout}


def plotly_figure(chart: Chart, lang: Literal["zh", "en"] = "en") -> object:
    """A ``plotly.graph_objects.Figure`` of ``chart``, titled in ``lang`` (needs plotly)."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise NarrowgateError("plotly is not installed, so a chart cannot become a figure",
                              "pip install plotly (or narrowgate[plot])") from None
    spec = chart_spec(chart)
    spec["layout"]["title"] = {"text": chart.title.get(lang)}
    spec["layout"]["margin"]["t"] = 48
    return go.Figure(spec)
