"""The cycle kind's entry timing as trades: bought at publication vs at the entry date.

Why apart from the cycle kind: the cycle reading decides the claim; these two held positions
only add the engine's view of the same question (return after costs, drawdown, rank among
historical windows), so they live beside it and leave its verdict alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from narrowgate.evaluate.common import text
from narrowgate.evaluate.implied_trade import ImpliedPlan, ImpliedTradeParams, held_plan
from narrowgate.evaluate.registry import EvalContext
from narrowgate.thesis.schema import LocalizedText


def entry_plans(ctx: EvalContext, params: ImpliedTradeParams, instrument: str, *,
                name: LocalizedText, currency: str,
                label: str, read_from: date, baseline: date, window: date,
                start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
    """``instrument`` bought at the last close on or before ``baseline`` (the last close
    before publication), and at the first close on or after ``window``, each held to the
    latest close (or ``end``); closes from the source the claim read from ``read_from``
    (history from ``start`` instead of ``params.history_start``).

    ``run_trade`` enters a strategy at the last close before the date it is given (a
    strategy's own ``entry`` is replaced), so the timed entry is given as that close + 1
    day. Before the data reach ``window`` the second trade is pending and says why.
    """
    import pandas as pd

    plan = held_plan(ctx, params, long=[instrument], currency=currency, match_from=read_from,
                     start=start, end=end)
    closes = plan.closes[instrument].dropna()
    later = closes.index[closes.index >= pd.Timestamp(window)]
    at_window = text(f"{window} 起首个收盘买入{name.zh}",
                     f"{name.en} bought at the first close on/after {window}")
    at_publication = ImpliedPlan(label=f"{label}:at-publication", plan=plan,
                                 name=text(f"发布时买入{name.zh}",
                                           f"{name.en} bought at publication"),
                                 entry=baseline + timedelta(days=1))
    if len(later):
        return [at_publication, ImpliedPlan(
            label=f"{label}:at-window", name=at_window, plan=plan, prefix="trade_at_window_",
            entry=later[0].date() + timedelta(days=1), since=text("入场窗口", "the entry window"))]
    last = closes.index[-1].date()
    return [at_publication, ImpliedPlan(
        label=f"{label}:at-window", name=at_window, plan=None, entry=window,
        pending=text(f"待观察——数据止于 {last},早于入场日 {window}",
                     f"pending — the data end on {last}, before the entry date {window}"))]
