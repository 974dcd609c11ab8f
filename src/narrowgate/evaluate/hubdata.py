"""Reading hub data inside evaluators: closes and series clipped to the as-of date, their
provenance as ``DataUsed``, and frames turned into compact charts.

Why here: every data-backed evaluator needs the same three steps, and the evidence must
always say which source, which dates and when it was fetched — one place gets that right.
pandas is imported inside functions (evaluator modules must import cheaply).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from narrowgate.data.need import FETCH_OR_IMPORT
from narrowgate.errors import DataNotFound
from narrowgate.evaluate.registry import DataNeed, EvalContext
from narrowgate.evaluate.verdict import Chart, ChartSeries, DataUsed
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.data.basis import Basis
    from narrowgate.data.view import DataView

MAX_CHART_POINTS = 400


def provenance_to_data(prov: Any, note: str | None = None) -> DataUsed:
    """A hub ``Provenance`` as evidence (the layers stay one-way: data knows no verdicts)."""
    source = prov.source if not prov.provider else f"{prov.provider}: {prov.source}"
    return DataUsed(
        instrument=prov.instrument,
        source=source,
        start=prov.first,
        end=prov.last,
        fetched_at=prov.fetched_at,
        rows=prov.rows,
        note=note or (prov.request or None),
        stale=bool(prov.stale),
        basis=getattr(prov, "basis", None),
    )


def last_common_day(closes: pd.DataFrame, ids: Sequence[str]) -> date | None:
    """The last day every one of ``ids`` has a value in ``closes`` (None: no common day):
    how far the data of a multi-instrument reading reach, for the coverage gate."""
    common = closes[list(ids)].dropna(how="any")
    return common.index[-1].date() if len(common) else None


def require_hub(ctx: EvalContext, instruments: Sequence[str]) -> DataView:
    if ctx.hub is None:
        raise DataNotFound(
            f"no data store in this run for {', '.join(instruments)}",
            "evaluate with a DataView over the local store",
            fetch=tuple(instruments),
        )
    return ctx.hub


def price_need(instrument: str, start: date | None, end: date | None, why: str) -> DataNeed:
    """A data need for a price-like instrument, in the store table it lives in (LBMA spot
    prices are series, ETFs are bars): evaluators need not know which."""
    from narrowgate.instruments import kind_of

    return DataNeed(instrument=instrument, kind=kind_of(instrument), start=start, end=end, why=why)


def read_closes(
    ctx: EvalContext, instruments: Sequence[str], start: date | None, end: date | None = None,
    *, basis: Basis | None = None, prefer_source: str | None = None,
) -> tuple[pd.DataFrame, list[DataUsed]]:
    """Wide closes (adjusted where the source adjusts) from ``start`` to min(end, as-of).

    ``basis`` names the price basis of bar closes (raw, split, total); None lets the hub
    pick one basis for the whole read; ``prefer_source`` is passed to :func:`read_series`
    for instruments stored as series.

    Instruments stored as series (e.g. lbma:GOLD) join as columns of their values. The
    window is clipped at as-of, so ``--as-of`` replays what was knowable then. Missing
    instruments raise DataNotFound naming the command that fetches them.
    """
    import pandas as pd

    from narrowgate.instruments import kind_of

    hub = require_hub(ctx, instruments)
    stop = min(end, ctx.as_of) if end else ctx.as_of
    bar_ids = [i for i in instruments if kind_of(i) == "bars"]
    columns: list[pd.DataFrame | pd.Series] = []
    data: list[DataUsed] = []
    if bar_ids:
        wide = hub.closes(bar_ids, start, stop, basis)
        data.extend(provenance_to_data(p) for p in wide.attrs.get("provenance", []))
        wide.attrs = {}
        columns.append(wide)
    for instrument in instruments:
        if instrument not in bar_ids:
            values, used = read_series(ctx, instrument, start, stop,
                                       prefer_source=prefer_source)
            columns.append(values.rename(instrument))
            data.append(used)
    frame = pd.concat(columns, axis=1, sort=True) if len(columns) > 1 else columns[0]
    frame = frame.to_frame() if isinstance(frame, pd.Series) else frame
    for instrument in instruments:
        column = frame.get(instrument)
        if column is None or column.dropna().empty:
            raise DataNotFound(
                f"no closes for {instrument} between {start} and {stop}",
                FETCH_OR_IMPORT, fetch=(instrument,),
            )
    return frame, data


def read_series(
    ctx: EvalContext,
    instrument: str,
    start: date | None,
    end: date | None = None,
    *,
    prefer_source: str | None = None,
) -> tuple[pd.Series, DataUsed]:
    """One dated series (e.g. fred:WALCL) clipped at as-of, spliced from every stored
    source, with its provenance.

    ``prefer_source`` wins wherever it has data and the other sources extend it. Why:
    fred:WALCL is stored as exact FRED values and as a dashboard rounded to ±5,000 M that
    runs a few weeks longer; paces of a few USD bn a week need the exact values, while the
    newer files still extend the series to their last date.
    """
    hub = require_hub(ctx, [instrument])
    stop = min(end, ctx.as_of) if end else ctx.as_of
    result = hub.series(instrument, start, stop, prefer=prefer_source)
    values = result.frame["value"].astype(float).sort_index()
    if values.dropna().empty:
        raise DataNotFound(
            f"no observations of {instrument} between {start} and {stop}",
            FETCH_OR_IMPORT, fetch=(instrument,),
        )
    return values, provenance_to_data(result.provenance[0])


def line_chart(
    title: LocalizedText,
    frame: pd.DataFrame,
    y_label: str,
    *,
    y2_columns: Sequence[str] = (),
    y2_label: str | None = None,
    digits: int = 4,
) -> Chart:
    """A date-indexed frame as a line chart, thinned to at most ``MAX_CHART_POINTS`` rows
    (evenly spaced, last row kept) so a report with many charts stays small."""
    frame = frame.dropna(how="all")
    if len(frame) > MAX_CHART_POINTS:
        step = -(-len(frame) // MAX_CHART_POINTS)
        positions = list(range(0, len(frame), step))
        if positions[-1] != len(frame) - 1:
            positions.append(len(frame) - 1)
        frame = frame.iloc[positions]
    x = [stamp.date().isoformat() for stamp in frame.index]
    series = [
        ChartSeries(
            name=str(column),
            x=list(x),
            y=[None if value != value else round(float(value), digits) for value in frame[column]],
            axis="y2" if column in y2_columns else "y",
        )
        for column in frame.columns
    ]
    return Chart(title=title, series=series, y_label=y_label, y2_label=y2_label)

