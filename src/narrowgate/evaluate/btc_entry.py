"""btc-cycle's entry timing as trades: BTC bought at publication vs at the entry window.

Why apart from btc_cycle: the cycle reading decides the claim; these two held positions
only add the engine's view of the same question (return after costs, drawdown, rank among
historical windows), so they live beside it and leave its verdict alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from narrowgate.evaluate.common import text
from narrowgate.evaluate.implied_trade import (
    ImpliedTrade,
    ImpliedTradeParams,
    held_plan,
    implied_trade,
)
from narrowgate.evaluate.registry import EvalContext


def entry_trades(ctx: EvalContext, params: ImpliedTradeParams, instrument: str,
                 read_from: date, baseline: date, window: date) -> list[ImpliedTrade]:
    """``instrument`` bought at the last close on or before ``baseline`` (the last close
    before publication), and at the first close on or after ``window``, each held to the
    latest close; closes from the source the claim read from ``read_from``.

    ``run_trade`` enters a strategy at the last close before the date it is given (a
    strategy's own ``entry`` is replaced), so the timed entry is given as that close + 1
    day. Before the data reach ``window`` the second trade is pending: a note says so.
    """
    import pandas as pd

    plan = held_plan(ctx, params, long=[instrument], currency="USD", match_from=read_from)
    closes = plan.closes[instrument].dropna()
    later = closes.index[closes.index >= pd.Timestamp(window)]
    at_window = text(f"{window} 起首个收盘买入 BTC",
                     f"BTC bought at the first close on/after {window}")
    trades = [implied_trade(plan, name=text("发布时买入 BTC", "BTC bought at publication"),
                            published=baseline + timedelta(days=1))]
    if len(later):
        trades.append(implied_trade(plan, name=at_window, prefix="trade_at_window_",
                                    published=later[0].date() + timedelta(days=1)))
    else:
        end = closes.index[-1].date()
        trades.append(ImpliedTrade(notes=[text(
            f"{at_window.zh}:待观察——数据止于 {end},早于入场日 {window}。",
            f"{at_window.en}: pending — the data end on {end}, before the entry date "
            f"{window}.")]))
    return trades
