"""gold-over-silver: gold and silver have not topped, but gold goes further than silver.

Measured from the publication baseline to the horizon: each metal's return, whether either
makes a new high above its pre-publication peak ("not topped"), and the gold/silver ratio
(rising = gold ahead).
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


class GoldOverSilverParams(Params):
    gold: InstrumentId = Field(description="USD per troy ounce")
    silver: InstrumentId = Field(description="USD per troy ounce")
    alternates: list[InstrumentId] = Field(default_factory=list, description="ETF proxies")
    baseline_date: date
    peak_lookback_start: date = Field(description="window for the pre-publication peak")
    min_outperformance_pp: float = Field(
        0.0, description="gold return minus silver return above this → 'further'"
    )


@register
class GoldOverSilver(AwaitingEvaluator[GoldOverSilverParams]):
    test = "gold-over-silver"
    params_model = GoldOverSilverParams
    title = "Gold vs silver after publication"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后黄金与白银的收益、是否突破发布前高点,以及金银比的走势。",
        "Gold and silver returns after publication, new highs above the pre-publication "
        "peaks, and the gold/silver ratio.",
    )

    def data_needs(self, params: GoldOverSilverParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([params.gold, params.silver, *params.alternates],
                          params.peak_lookback_start, ctx.as_of, "daily prices")

    def setup_figures(self, params: GoldOverSilverParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            date_figure("peak_lookback", "前高回看起点", "peak look-back from",
                        params.peak_lookback_start),
            figure("outperformance_threshold", "黄金领先门槛", "gold lead threshold",
                   params.min_outperformance_pp, "percentage points"),
        ]
