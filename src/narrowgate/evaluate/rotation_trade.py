"""rotation-trade: sell software and the Nasdaq, buy the Dow and the Russell 2000.

Tracked as a long/short basket of equal gross on each side: performance since the
publication baseline, a historical back-test, and rolling relative strength. The
back-test engine (issue #6) runs it; the legs and costs are fixed here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Figure


class Leg(Params):
    instrument: InstrumentId
    side: Literal["long", "short"]
    weight: float = Field(gt=0, le=1, description="share of that side's gross exposure")


class RotationTradeParams(Params):
    legs: list[Leg] = Field(min_length=2)
    entry_date: date = Field(description="last close before publication")
    backtest_start: date
    rebalance: Literal["none", "monthly", "quarterly"] = "monthly"
    rolling_window_days: int = Field(63, gt=1, description="trading days of relative strength")
    cost_bps_per_trade: float = Field(5.0, ge=0, description="basis points per traded notional")
    supported_min_return_pct: float = Field(
        0.0, description="long-minus-short return since entry above this → supported"
    )

    @model_validator(mode="after")
    def _equal_gross(self) -> RotationTradeParams:
        for side in ("long", "short"):
            total = sum(leg.weight for leg in self.legs if leg.side == side)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"{side} leg weights must sum to 1 (equal gross), got {total:g}")
        if self.backtest_start >= self.entry_date:
            raise ValueError("backtest_start must come before entry_date")
        return self


@register
class RotationTrade(AwaitingEvaluator[RotationTradeParams]):
    test = "rotation-trade"
    params_model = RotationTradeParams
    title = "Long Dow + Russell 2000 / short Nasdaq + software"
    capability = Capability.BACKTEST
    measures = text(
        "多道指与罗素2000、空纳指与软件 ETF(两边等额):发布以来收益、历史回测与滚动相对强弱。",
        "Long DIA+IWM / short QQQ+IGV at equal gross: return since publication, a historical "
        "back-test and rolling relative strength.",
    )

    def data_needs(self, params: RotationTradeParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([leg.instrument for leg in params.legs], params.backtest_start,
                          ctx.as_of, "daily closes of every leg")

    def setup_figures(self, params: RotationTradeParams, ctx: EvalContext) -> list[Figure]:
        out = [
            date_figure("entry_date", "入场基准日", "entry baseline", params.entry_date),
            date_figure("backtest_start", "回测起点", "back-test start", params.backtest_start),
            figure("cost", "交易成本", "trading cost", params.cost_bps_per_trade, "bp"),
        ]
        out += [figure(f"leg_{leg.instrument}", f"{leg.side} {leg.instrument}",
                       f"{leg.side} {leg.instrument}", leg.weight, "share of side gross")
                for leg in params.legs]
        return out
