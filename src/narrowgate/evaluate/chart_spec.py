"""A library-neutral ``Chart`` as a Plotly figure: the report's JSON and a notebook figure.

Why beside the chart type and not in report/: the HTML report embeds this spec and
``Chart.to_plotly()`` (the Python API) builds a figure from the same spec, so a chart looks
the same in both. Plain dicts: plotly itself is imported only by :func:`plotly_figure`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.verdict import Chart
from narrowgate.thesis.schema import LocalizedText

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", '
    '"Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)
CHART_SIGNIFICANT_DIGITS = 6
YEAR_RANGE = (1900, 2200)  # integer x values in this range are (fiscal) years
MARK_LABELS: dict[str, tuple[str, str]] = {
    "en": ("published", "data end"),
    "zh": ("发表", "数据截止"),
}
MARK_COLOUR = "#555555"
#: two-panel charts: the lower panel's share of the plot height, the gap between the
#: panels (fractions of the plot) and the figure's height in CSS px
PANEL_SHARE = 0.3
PANEL_GAP = 0.06
PANEL_HEIGHT = 420


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


def chart_spec(chart: Chart, lang: Literal["zh", "en"] = "en", *,
               published: date | None = None,
               words: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A Plotly figure (data + layout) for one library-neutral ``Chart``.

    The title is not in the figure: the page shows it as bilingual HTML above the plot.
    ``words`` translates axis titles and series names (the report passes its zh table);
    ``lang`` picks the words of the vertical lines. A date axis gets a dashed line at
    ``published`` (the thesis's publication, when inside the data) and one at the data
    end; integer x values are ticked as integers, years one per tick (never "2,023.5").
    """
    say = words or (lambda text: text)
    traces: list[dict[str, Any]] = []
    for series in chart.series:
        trace: dict[str, Any] = {
            "type": "bar" if series.kind == "bar" else "scatter",
            "name": say(series.name),
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
        # Above the plot, not below it: a legend under the plot sat on the x-axis title.
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02,
                   "yanchor": "bottom"},
        "xaxis": {"title": {"text": say(chart.x_label)}, "automargin": True},
        "yaxis": {"title": {"text": say(chart.y_label)}, "automargin": True},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }
    if chart.x_is_date:
        layout["xaxis"]["type"] = "date"
        _date_marks(layout, chart, lang, published)
    else:
        layout["xaxis"].update(integer_axis([x for s in chart.series for x in s.x]))
    if chart.y2_label is not None or any(s.axis == "y2" for s in chart.series):
        layout["yaxis2"] = {
            "title": {"text": say(chart.y2_label or "")},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "automargin": True,
        }
    return {"data": traces, "layout": layout}


def can_stack(top: Chart, bottom: Chart) -> bool:
    """Two charts can share one date axis as two panels: both over dates, neither using a
    second y axis (the lower panel takes it)."""
    return (top.x_is_date and bottom.x_is_date and top.y2_label is None
            and bottom.y2_label is None
            and all(s.axis == "y" for s in (*top.series, *bottom.series)))


def stacked_chart(top: Chart, bottom: Chart) -> Chart:
    """``top`` and ``bottom`` as one chart whose ``y2`` series are the lower panel (draw it
    with :func:`panel_spec`); the title joins both, naming their common subject once."""
    if not can_stack(top, bottom):
        raise ValueError("only two date charts without a second y axis can be stacked")
    return Chart(
        title=LocalizedText(zh=_joined(top.title.zh, bottom.title.zh, ":", "；"),
                            en=_joined(top.title.en, bottom.title.en, ": ", "; ")),
        series=[*top.series, *(s.model_copy(update={"axis": "y2"}) for s in bottom.series)],
        x_label=top.x_label or bottom.x_label, y_label=top.y_label, y2_label=bottom.y_label)


def _joined(first: str, second: str, colon: str, separator: str) -> str:
    """'A: x' and 'A: y' → 'A: x; y' (the subject once); other titles are joined whole."""
    head, found, rest = second.partition(colon)
    if found and first.startswith(head + colon):
        return f"{first}{separator}{rest}"
    return f"{first}{separator}{second}"


def panel_spec(chart: Chart, lang: Literal["zh", "en"] = "en", *,
               published: date | None = None,
               words: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A :func:`stacked_chart` as two panels on one shared date axis: the ``y`` series above
    (``1 - PANEL_SHARE`` of the height), the ``y2`` series below, the dates ticked once at
    the foot and the publication and data-end lines through both panels."""
    spec = chart_spec(chart, lang, published=published, words=words)
    layout = spec["layout"]
    layout["height"] = PANEL_HEIGHT
    layout["yaxis"]["domain"] = [PANEL_SHARE + PANEL_GAP, 1.0]
    layout["yaxis2"].update({"domain": [0.0, PANEL_SHARE], "anchor": "x", "side": "left",
                             "showgrid": True})
    layout["yaxis2"].pop("overlaying", None)
    layout["xaxis"]["anchor"] = "y2"
    for trace in spec["data"]:
        if trace.get("yaxis") == "y2":
            trace["fill"] = "tozeroy"  # a drawdown reads as the area under zero
    return spec


def integer_axis(values: list[str | float | int]) -> dict[str, Any]:
    """Axis settings for numeric x values that are all integers: ticks as integers
    (``tickformat "d"``: no thousands separator, no 2023.5), one tick a year for years."""
    numbers = [v for v in values if not isinstance(v, (str, bool))]
    if not numbers or len(numbers) != len(values):
        return {}
    if not all(math.isfinite(v) and float(v).is_integer() for v in numbers):
        return {}
    settings: dict[str, Any] = {"tickformat": "d"}
    low, high = min(numbers), max(numbers)
    if YEAR_RANGE[0] <= low and high <= YEAR_RANGE[1]:
        settings["dtick"] = 1
    return settings


def _date_marks(layout: dict[str, Any], chart: Chart, lang: Literal["zh", "en"],
                published: date | None) -> None:
    """Dashed vertical lines at publication and at the data end, labelled at the top."""
    days = sorted(str(x)[:10] for s in chart.series for x in s.x if isinstance(x, str))
    if not days:
        return
    first, last = days[0], days[-1]
    marks: list[tuple[str, str]] = []
    if published is not None and first <= published.isoformat() <= last:
        marks.append((published.isoformat(), MARK_LABELS[lang][0]))
    if not marks or marks[0][0] != last:
        marks.append((last, MARK_LABELS[lang][1]))
    layout["shapes"] = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1,
         "line": {"color": MARK_COLOUR, "width": 1, "dash": "dash"}}
        for day, _ in marks
    ]
    layout["annotations"] = [
        {"xref": "x", "yref": "paper", "x": day, "y": 1, "yanchor": "top", "text": text,
         "showarrow": False, "xanchor": "right" if n == len(marks) - 1 else "left",
         "font": {"size": 10, "color": MARK_COLOUR}}
        for n, (day, text) in enumerate(marks)
    ]


def plotly_figure(chart: Chart, lang: Literal["zh", "en"] = "en") -> object:
    """A ``plotly.graph_objects.Figure`` of ``chart``, titled in ``lang`` (needs plotly)."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise NarrowgateError("plotly is not installed, so a chart cannot become a figure",
                              "pip install plotly (or narrowgate[plot])") from None
    spec = chart_spec(chart, lang)
    spec["layout"]["title"] = {"text": chart.title.get(lang)}
    spec["layout"]["margin"]["t"] = 48
    return go.Figure(spec)
