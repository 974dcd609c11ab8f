"""if-vs-ic-im: long CSI 300 futures (IF), short CSI 500 (IC) and CSI 1000 (IM).

Back-tested as an equal-notional spread with the CFFEX contract multipliers, margins and
rolls, or on the index levels as a proxy where futures history is missing; since the
publication baseline and historically. The back-test engine (issue #6) runs it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    RecordedSource,
    bars_needs,
    date_figure,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import DataUsed, Figure


class FuturesLeg(Params):
    contract: InstrumentId = Field(description="CFFEX continuous contract, e.g. cnfut:IF")
    index_proxy: InstrumentId = Field(description="underlying index, e.g. cnidx:000300")
    side: Literal["long", "short"]
    notional_weight: float = Field(gt=0, le=1, description="share of that side's notional")
    multiplier_cny_per_point: float = Field(gt=0)
    min_margin_pct: float = Field(gt=0, le=100, description="contract-rule minimum margin")
    charged_margin_pct: float | None = Field(None, gt=0, le=100)
    charged_margin_unverified: bool = True
    source: RecordedSource


class IfVsIcImParams(Params):
    legs: list[FuturesLeg] = Field(min_length=2)
    entry_date: date
    backtest_start: date
    roll: Literal["front-month-before-expiry", "index-proxy"] = "front-month-before-expiry"
    cost_bps_per_trade: float = Field(2.0, ge=0)
    supported_min_return_pct: float = Field(0.0)

    @model_validator(mode="after")
    def _balanced(self) -> IfVsIcImParams:
        for side in ("long", "short"):
            total = sum(leg.notional_weight for leg in self.legs if leg.side == side)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"{side} notional weights must sum to 1, got {total:g}")
        return self


@register
class IfVsIcIm(AwaitingEvaluator[IfVsIcImParams]):
    test = "if-vs-ic-im"
    params_model = IfVsIcImParams
    title = "Long IF / short IC + IM futures spread"
    capability = Capability.BACKTEST
    measures = text(
        "按合约乘数、保证金与换月回测多 IF、空 IC 与 IM 的等名义价差(缺期货数据时以指数代替)。",
        "Back-test long IF / short IC+IM at equal notional with multipliers, margins and "
        "rolls (index levels as a proxy where futures data are missing).",
    )

    def data_needs(self, params: IfVsIcImParams, ctx: EvalContext) -> list[DataNeed]:
        ids = [leg.contract for leg in params.legs] + [leg.index_proxy for leg in params.legs]
        return bars_needs(ids, params.backtest_start, ctx.as_of, "futures or index closes")

    def setup_figures(self, params: IfVsIcImParams, ctx: EvalContext) -> list[Figure]:
        out = [date_figure("entry_date", "入场基准日", "entry baseline", params.entry_date),
               date_figure("backtest_start", "回测起点", "back-test start", params.backtest_start)]
        for leg in params.legs:
            out.append(figure(f"multiplier_{leg.contract}", f"{leg.contract} 合约乘数",
                              f"{leg.contract} multiplier", leg.multiplier_cny_per_point,
                              "CNY/pt"))
            out.append(figure(f"margin_{leg.contract}", f"{leg.contract} 最低保证金",
                              f"{leg.contract} minimum margin", leg.min_margin_pct, "%"))
        return out

    def recorded(self, params: IfVsIcImParams) -> list[DataUsed]:
        return [recorded_data(leg.source, leg.contract, "contract specification")
                for leg in params.legs]
