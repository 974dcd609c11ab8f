"""ai-hw-priced-in: the A-share optical-module leaders already price in 2027's profit.

The deciding quantity is the priced-in year: the first future year whose forecast net
profit, at the thesis's fair P/E, justifies the market value on the price date. The
valuation toolkit (issue #5) computes it from the recorded forecast paths (in the params,
with sources) and the close on the price date; where a stock has no sourced forecast the
result says so.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

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


class NetIncomeFigure(Params):
    """Net profit attributable to shareholders (归母净利润), in 亿元 (CNY 100 million)."""

    year: int = Field(ge=2015, le=2035)
    net_income_cny_100m: float
    kind: Literal["actual", "preliminary", "consensus", "broker"]
    source: RecordedSource


class CnStock(Params):
    instrument: InstrumentId
    name: str
    shares_100m: float | None = Field(None, gt=0, description="total shares, 亿股")
    shares_source: RecordedSource | None = None
    net_income: list[NetIncomeFigure] = Field(default_factory=list)


class AiHwPricedInParams(Params):
    stocks: list[CnStock] = Field(min_length=1)
    price_date: date = Field(description="close used for the market value")
    article_priced_in_year: int = Field(ge=2025, le=2035)
    fair_pe_x: float = Field(gt=0, description="P/E at which a year's profit 'justifies' a price")
    fair_pe_basis: str = Field(description="why this multiple")
    tolerance_years: int = Field(0, ge=0, description="priced-in year this close → supported")


@register
class AiHwPricedIn(AwaitingEvaluator[AiHwPricedInParams]):
    test = "ai-hw-priced-in"
    params_model = AiHwPricedInParams
    title = "Priced-in year of the A-share optical-module leaders"
    capability = Capability.VALUATION
    measures = text(
        "计算“计入年份”:按合理市盈率,哪一年的预测净利润足以支撑价格日的市值。",
        "Compute the priced-in year: the future year whose forecast profit, at the fair P/E, "
        "justifies the market value on the price date.",
    )

    def data_needs(self, params: AiHwPricedInParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([s.instrument for s in params.stocks], params.price_date, ctx.as_of,
                          "close on the price date and after")

    def setup_figures(self, params: AiHwPricedInParams, ctx: EvalContext) -> list[Figure]:
        out = [
            date_figure("price_date", "价格日", "price date", params.price_date),
            figure("fair_pe", "合理市盈率", "fair P/E", params.fair_pe_x, "x"),
            figure("article_year", "文章所称计入年份", "article's priced-in year",
                   params.article_priced_in_year, "year"),
        ]
        for s in params.stocks:
            for f in s.net_income:
                out.append(figure(f"ni_{s.instrument}_{f.year}_{f.kind}",
                                  f"{s.name} {f.year} 归母净利润({f.kind})",
                                  f"{s.instrument} {f.year} net profit ({f.kind})",
                                  f.net_income_cny_100m, "CNY 100m (亿元)"))
            if not any(f.year >= params.article_priced_in_year for f in s.net_income):
                out.append(figure(f"no_forecast_{s.instrument}", f"{s.name} 缺少远期预测",
                                  f"{s.instrument} has no sourced forecast to "
                                  f"{params.article_priced_in_year}", "missing", ""))
        return out

    def recorded(self, params: AiHwPricedInParams) -> list[DataUsed]:
        out = []
        for s in params.stocks:
            out += [recorded_data(f.source, s.instrument, f"{f.year} net profit ({f.kind})")
                    for f in s.net_income]
            if s.shares_source is not None:
                out.append(recorded_data(s.shares_source, s.instrument,
                                         f"total shares {s.shares_100m} 亿"))
        return out
