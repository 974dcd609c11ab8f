"""capex-chain's last link: "long-duration valuations take the first hit", tested as the
total return of a long-duration proxy minus that of a short-duration one since the start
(publication by default), in one price basis.

Why returns and not forward P/E: a dated forward P/E history of both proxies is not in
the store; the return gap is what a holder of the long-duration side would have felt.
Supported when the long side trails by at least ``min_gap_pp`` percentage points,
contradicted when it leads by as much, mixed between; pending until the data pass the
start. Both instruments come from the params (no instrument is named in code).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.common import EvidenceParts, fetch_how, figure, text
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.kinds.capex_chain_links import DurationLink, LinkResult
from narrowgate.evaluate.verdict import Chart, ChartSeries, MissingData, Verdict

if TYPE_CHECKING:
    from narrowgate.evaluate.registry import EvalContext

#: calendar days read before the start, to find the last close on or before it
_LOOKBACK_DAYS = 10


def duration_link(link: DurationLink, ctx: EvalContext) -> tuple[LinkResult, EvidenceParts]:
    """The link's verdict, its figures (returns in %, gap in pp), a chart of both legs
    (× start against calendar days since the start) and the data used."""
    from narrowgate.evaluate.hubdata import read_closes

    start = link.start or ctx.published
    parts = EvidenceParts()
    ids = [link.long, link.short]
    if ctx.as_of <= start:  # nothing to measure yet: the window opens after as-of
        return LinkResult("duration", Verdict.PENDING, detail=text(
            f"窗口 {start} 起,晚于评估日 {ctx.as_of}", f"the window opens on {start}, after "
            f"as-of {ctx.as_of}")), parts
    if not hasattr(ctx.hub, "closes"):  # a facts-only source: no prices in this run
        parts.missing.append(MissingData(what=f"{link.long}, {link.short}: no price data in "
                                              "this run", **fetch_how(ids)))
        return LinkResult("duration", Verdict.INSUFFICIENT_DATA), parts
    try:
        closes, parts.data = read_closes(ctx, ids, start - timedelta(days=_LOOKBACK_DAYS),
                                         basis=link.basis)
    except DataNotFound as exc:
        parts.missing.append(MissingData(what=exc.message, **fetch_how(ids)))
        return LinkResult("duration", Verdict.INSUFFICIENT_DATA), parts
    import pandas as pd

    both = closes[ids].dropna(how="any")
    cut = pd.Timestamp(start)
    before, after = both[both.index <= cut], both[both.index > cut]
    if before.empty or after.empty:
        parts.missing.append(MissingData(
            what=f"{link.long} and {link.short}: common closes on or before {start} and "
                 f"after it", **fetch_how(ids)))
        return LinkResult("duration", Verdict.PENDING if not before.empty
                          else Verdict.INSUFFICIENT_DATA), parts
    base, last = before.iloc[-1], after.iloc[-1]
    growth = both[both.index >= before.index[-1]] / base  # from the base close: 1.0
    r_long, r_short = (float(last[i] / base[i] - 1) * 100 for i in ids)
    gap = r_long - r_short
    verdict = banded(gap, supported=-link.min_gap_pp, contradicted=link.min_gap_pp,
                     higher_is_better=False)
    end, base_day = after.index[-1].date(), before.index[-1].date()
    parts.figures += [
        figure("duration_start", "长久期环节起点(此日或之前最后收盘)",
               "duration link start (last close on or before)", base_day.isoformat(), "date"),
        figure("duration_end", "长久期环节终点", "duration link end", end.isoformat(), "date"),
        figure("duration_long_return", f"{link.long} 起点以来收益({link.basis})",
               f"{link.long} return since the start ({link.basis} basis)", round(r_long, 2),
               "%"),
        figure("duration_short_return", f"{link.short} 起点以来收益({link.basis})",
               f"{link.short} return since the start ({link.basis} basis)", round(r_short, 2),
               "%"),
        figure("duration_gap_threshold", "收益差阈值", "return gap that counts",
               link.min_gap_pp, "percentage points"),
    ]
    days = [(d.date() - base_day).days for d in growth.index]
    parts.charts.append(Chart(
        title=text(f"长久期对短久期:{link.long} 与 {link.short}({base_day} 起)",
                   f"Long vs short duration: {link.long} and {link.short} since {base_day}"),
        series=[ChartSeries(name=i, x=list(days), y=[round(float(v), 4) for v in growth[i]])
                for i in ids],
        x_label="days", y_label="× start", x_is_date=False))
    detail = text(f"{link.long} {r_long:+.1f}% 对 {link.short} {r_short:+.1f}%"
                  f"({base_day} 至 {end})",
                  f"{link.long} {r_long:+.1f}% vs {link.short} {r_short:+.1f}% "
                  f"({base_day} to {end})")
    return LinkResult("duration", verdict, gap, detail=detail), parts
