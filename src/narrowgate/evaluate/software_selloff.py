"""software-selloff: software and services lost close to $1T of value since 2026-01-28.

Measured on a software ETF (IGV) against the S&P 500 (SPY): drawdown and relative return
from the last close before the selloff to the publication baseline. The dollar loss needs
constituents' market caps, which no provider supplies yet.
"""

from __future__ import annotations

from datetime import date

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


class SoftwareSelloffParams(Params):
    instrument: InstrumentId
    benchmark: InstrumentId
    base_date: date = Field(description="last close before the selloff began")
    end_date: date = Field(description="last close before publication")
    article_value_loss_usd_bn: float = Field(gt=0)
    supported_drawdown_pct: float = Field(10.0, gt=0, description="IGV fall at least this")
    supported_underperformance_pp: float = Field(
        5.0, gt=0, description="IGV behind the benchmark by at least this many points"
    )

    @model_validator(mode="after")
    def _dates(self) -> SoftwareSelloffParams:
        if self.end_date <= self.base_date:
            raise ValueError("end_date must come after base_date")
        return self


@register
class SoftwareSelloff(AwaitingEvaluator[SoftwareSelloffParams]):
    test = "software-selloff"
    params_model = SoftwareSelloffParams
    title = "Software selloff since 2026-01-28"
    capability = Capability.DATA_HUB
    measures = text(
        "软件 ETF 自抛售前收盘至发布前收盘的跌幅及相对标普 500 的超额收益。",
        "Software-ETF drawdown from the last close before the selloff to the last close "
        "before publication, and its return relative to the S&P 500.",
    )

    def data_needs(self, params: SoftwareSelloffParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([params.instrument, params.benchmark], params.base_date, ctx.as_of,
                          "closes from the selloff start to as-of")

    def setup_figures(self, params: SoftwareSelloffParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("base_date", "基准日", "base date", params.base_date),
            date_figure("end_date", "测量终点", "measured to", params.end_date),
            figure("article_loss", "文章所称市值损失", "article's value loss",
                   params.article_value_loss_usd_bn, "USD bn"),
            figure("drawdown_threshold", "支持所需跌幅", "drawdown for 'supported'",
                   params.supported_drawdown_pct, "%"),
            figure("underperformance_threshold", "支持所需跑输幅度",
                   "underperformance for 'supported'", params.supported_underperformance_pp,
                   "percentage points"),
        ]
