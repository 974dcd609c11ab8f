"""rotation-trade: sell software and the Nasdaq, buy the Dow and the Russell 2000.

Run as a long/short book of equal gross on each side (long DIA+IWM, short QQQ+IGV) on the
back-test engine: from the last close before publication to the latest close every leg
has, after fees and borrow; then ranked among historical windows of the same length, with
rolling 3/6/12-month spread returns, so the timing reads as skill, luck or late.
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
from narrowgate.evaluate.trade_backtest import TradePlan, trade_assessment
from narrowgate.evaluate.verdict import Assessment, Figure
from narrowgate.thesis.schema import Claim


class Leg(Params):
    instrument: InstrumentId
    side: Literal["long", "short"]
    weight: float = Field(gt=0, le=1, description="share of that side's gross exposure")


class RotationTradeParams(Params):
    legs: list[Leg] = Field(min_length=2)
    gross: float = Field(1.0, gt=0, le=4, description="long + |short| notional, × equity")
    rebalance: Literal["once", "weekly", "monthly"] = Field(
        "monthly", description="back to target weights at the first close of each period")
    backtest_start: date = Field(description="history from here (or the first common close)")
    cost_bps_per_trade: float = Field(5.0, ge=0, description="basis points of traded value")
    borrow_bps_per_year: float = Field(0.0, ge=0, description="on short market value")
    trading_days_per_year: float = Field(252, gt=0, description="annualises Sharpe and vol")
    supported_min_return_pct: float = Field(
        0.0, description="since-publication return above this (after costs) → supported")
    contradicted_max_return_pct: float = Field(
        0.0, description="below this → contradicted; between the two → mixed")

    @model_validator(mode="after")
    def _equal_gross(self) -> RotationTradeParams:
        for side in ("long", "short"):
            total = sum(leg.weight for leg in self.legs if leg.side == side)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"{side} leg weights must sum to 1 (equal gross), got {total:g}")
        if self.contradicted_max_return_pct > self.supported_min_return_pct:
            raise ValueError("contradicted_max_return_pct cannot exceed supported_min_return_pct")
        return self

    def side(self, which: Literal["long", "short"]) -> dict[str, float]:
        """Instrument → weight within one side."""
        return {leg.instrument: leg.weight for leg in self.legs if leg.side == which}


@register
class RotationTrade(AwaitingEvaluator[RotationTradeParams]):
    test = "rotation-trade"
    params_model = RotationTradeParams
    title = "Long Dow + Russell 2000 / short Nasdaq + software"
    capability = Capability.DATA_HUB
    measures = text(
        "多道指与罗素2000、空纳指与软件 ETF(两边等额):发布前最后收盘至最新数据的收益(扣除成本),"
        "及其在历史同长度窗口中的排名、滚动 3/6/12 个月价差收益。",
        "Long DIA+IWM / short QQQ+IGV at equal gross: return from the last close before "
        "publication to the latest data, after costs; its rank among historical windows of "
        "the same length; rolling 3/6/12-month spread returns.",
    )

    def data_needs(self, params: RotationTradeParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([leg.instrument for leg in params.legs], params.backtest_start,
                          ctx.as_of, "daily closes of every leg")

    def setup_figures(self, params: RotationTradeParams, ctx: EvalContext) -> list[Figure]:
        out = [
            date_figure("published", "发布日", "published", ctx.published),
            date_figure("backtest_start", "回测起点(参数)", "back-test start (params)",
                        params.backtest_start),
            figure("gross", "总敞口", "gross exposure", params.gross, "× equity (long + |short|)"),
            figure("cost", "交易成本", "trading cost", params.cost_bps_per_trade,
                   "bp of traded value"),
            figure("borrow", "融券费率", "borrow fee", params.borrow_bps_per_year,
                   "bp per year of short value"),
            figure("supported_threshold", "成立阈值", "supported above",
                   params.supported_min_return_pct, "%"),
            figure("contradicted_threshold", "否定阈值", "contradicted below",
                   params.contradicted_max_return_pct, "%"),
        ]
        out += [figure(f"leg_{leg.instrument}", f"{leg.side} {leg.instrument}",
                       f"{leg.side} {leg.instrument}", leg.weight, "share of side gross")
                for leg in params.legs]
        return out

    def backtest_plan(self, params: RotationTradeParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> TradePlan:
        """The engine strategy and the closes it runs on (columns = instrument ids)."""
        from narrowgate.backtest.api import Costs
        from narrowgate.backtest.strategies import LongShort
        from narrowgate.evaluate.hubdata import read_closes

        ids = [leg.instrument for leg in params.legs]
        closes, data = read_closes(ctx, ids, start or params.backtest_start, end)
        strategy = LongShort(
            name="rotation-trade", long=params.side("long"), short=params.side("short"),
            gross=params.gross, net=0.0, rebalance=params.rebalance,
            costs=Costs(fee=params.cost_bps_per_trade / 1e4,
                        borrow_per_year=params.borrow_bps_per_year / 1e4))
        notes = [text(
            f"每边 {params.gross / 2:g} 倍权益;每期({params.rebalance})首个收盘调回目标权重;"
            f"成交额的 {params.cost_bps_per_trade:g} 个基点为交易成本,空头每年 "
            f"{params.borrow_bps_per_year:g} 个基点融券费;现金不计利息(夏普的无风险利率取 0)。"
            "若收盘价未做分红复权(导入的 ETF 文件即如此),多头(DIA、IWM)较高的股息未计入,"
            "价差收益因此偏低约两边股息率之差的一半。",
            f"{params.gross / 2:g}× equity a side, back to target weights at the first close "
            f"of each {params.rebalance} period; fees {params.cost_bps_per_trade:g} bp of "
            f"traded value, borrow {params.borrow_bps_per_year:g} bp/yr on shorts; no interest "
            "on cash (Sharpe's risk-free rate is 0). Where closes are not dividend-adjusted "
            "(the imported ETF files are not), the long side's higher dividends (DIA, IWM) are "
            "missing, understating the spread by about half the yield gap.")]
        return TradePlan(strategy=strategy, closes=closes, data=data,
                         periods_per_year=params.trading_days_per_year, currency="USD",
                         notes=notes)

    def decide(self, claim: Claim, params: RotationTradeParams,
               ctx: EvalContext) -> Assessment | None:
        return trade_assessment(
            self.backtest_plan(params, ctx),
            name=text("多道指+罗素/空纳指+软件", "long DIA+IWM / short QQQ+IGV"),
            published=ctx.published, as_of=ctx.as_of,
            supported_min_pct=params.supported_min_return_pct,
            contradicted_max_pct=params.contradicted_max_return_pct,
            setup=self.setup_figures(params, ctx), measures=self.measures)
