"""Charts indexed by fiscal year (not by date): bars and lines on one axis.

Why apart from :func:`narrowgate.evaluate.hubdata.line_chart`: fiscal years are labels,
not dates (a June fiscal year 2025 is not calendar 2025), so the chart says
``x_is_date=False`` and the x values stay integers. pandas is only a type here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from narrowgate.evaluate.verdict import Chart, ChartSeries
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

SeriesKind = Literal["line", "bar", "scatter"]


def year_chart(
    title: LocalizedText,
    frame: pd.DataFrame,
    y_label: str,
    *,
    kinds: Mapping[str, SeriesKind] | None = None,
    x_label: str = "fiscal year",
    digits: int = 3,
) -> Chart:
    """One series per column of a frame indexed by (integer) fiscal year; NaN → gap.

    ``kinds`` picks bar/line per column (default line); column names become legend names.
    """
    kinds = kinds or {}
    x: list[str | float | int] = [int(year) for year in frame.index]
    series = [
        ChartSeries(
            name=str(column), x=list(x),
            y=[None if value != value else round(float(value), digits)
               for value in frame[column]],
            kind=kinds.get(str(column), "line"),
        )
        for column in frame.columns
        if frame[column].notna().any()
    ]
    return Chart(title=title, series=series, x_label=x_label, y_label=y_label, x_is_date=False)
