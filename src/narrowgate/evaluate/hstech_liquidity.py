"""hstech-liquidity: Hang Seng Tech moves on liquidity because its EPS won't rise.

Two measurements: a return decomposition of the index (EPS growth vs multiple change) over
rolling windows, and the relation of its returns to liquidity proxies (Fed total assets,
the broad dollar index). The decomposition needs the index's earnings or P/E series and the
valuation toolkit (issue #5).
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

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


class HstechLiquidityParams(Params):
    index: InstrumentId
    liquidity_proxies: list[InstrumentId] = Field(min_length=1)
    history_start: date
    window_months: int = Field(12, ge=3, le=60)
    min_abs_correlation: float = Field(
        0.3, gt=0, le=1, description="|correlation| with a proxy at or above → 'moves on it'"
    )
    max_eps_growth_pct_per_year: float = Field(
        5.0, description="EPS growth at or below this → 'EPS won't rise'"
    )


@register
class HstechLiquidity(AwaitingEvaluator[HstechLiquidityParams]):
    test = "hstech-liquidity"
    params_model = HstechLiquidityParams
    title = "Hang Seng Tech: EPS vs liquidity"
    capability = Capability.VALUATION
    measures = text(
        "恒生科技指数的收益拆分(盈利增长与估值变化)及其与流动性指标的相关性。",
        "Hang Seng Tech return decomposition (EPS growth vs multiple) and its correlation "
        "with liquidity proxies.",
    )

    def data_needs(self, params: HstechLiquidityParams, ctx: EvalContext) -> list[DataNeed]:
        series = [DataNeed(instrument=i, kind="series", start=params.history_start,
                           end=ctx.as_of, why="liquidity proxy") for i in params.liquidity_proxies]
        return bars_needs([params.index], params.history_start, ctx.as_of,
                          "index closes (and P/E where available)") + series

    def setup_figures(self, params: HstechLiquidityParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("history_start", "历史起点", "history from", params.history_start),
            figure("window", "滚动窗口", "rolling window", params.window_months, "months"),
            figure("corr_threshold", "相关性门槛", "correlation threshold",
                   params.min_abs_correlation, "abs correlation"),
            figure("eps_threshold", "视为盈利不增长的年增速", "EPS growth counted as flat",
                   params.max_eps_growth_pct_per_year, "% per year"),
        ]
