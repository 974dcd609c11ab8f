"""warsh-policy: a Warsh Fed cuts rates but shrinks the balance sheet, pressing on duration.

Two parts: the policy path (policy rate down and Fed total assets down between the
publication baseline and the horizon) and its effect (Nasdaq vs Dow and BTC in periods of
a shrinking vs a growing balance sheet, over history). Both read FRED series and daily
bars through the data hub.
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


class WarshPolicyParams(Params):
    balance_sheet: InstrumentId = Field(description="Fed total assets, USD millions (weekly)")
    policy_rate: InstrumentId = Field(description="effective fed funds rate, % (monthly)")
    long_duration: list[InstrumentId] = Field(min_length=1)
    short_duration: InstrumentId
    baseline_date: date
    history_start: date
    min_rate_cut_pp: float = Field(0.25, gt=0, description="cut of at least this → 'cuts'")
    max_balance_sheet_change_pct: float = Field(
        0.0, description="total assets change at or below this % → 'shrinks'"
    )


@register
class WarshPolicy(AwaitingEvaluator[WarshPolicyParams]):
    test = "warsh-policy"
    params_model = WarshPolicyParams
    title = "Rate cuts with balance-sheet shrinkage, and long-duration assets"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后政策利率与美联储总资产的路径;历史上缩表与扩表期间纳指相对道指及 BTC 的表现。",
        "Path of the policy rate and Fed total assets after publication; Nasdaq vs Dow and "
        "BTC in shrinking vs growing balance-sheet periods over history.",
    )

    def data_needs(self, params: WarshPolicyParams, ctx: EvalContext) -> list[DataNeed]:
        series = [DataNeed(instrument=i, kind="series", start=params.history_start,
                           end=ctx.as_of, why="policy path and balance-sheet regimes")
                  for i in (params.balance_sheet, params.policy_rate)]
        return series + bars_needs([*params.long_duration, params.short_duration],
                                   params.history_start, ctx.as_of, "returns by regime")

    def setup_figures(self, params: WarshPolicyParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            figure("rate_cut_threshold", "视为降息的幅度", "cut that counts",
                   params.min_rate_cut_pp, "percentage points"),
            figure("shrink_threshold", "视为缩表的总资产变化",
                   "asset change that counts as shrinking",
                   params.max_balance_sheet_change_pct, "%"),
        ]
