"""a-share-view: A-shares are a long-term buy that needs short-term digestion; exports favoured.

Measured on the CSI 300 from the publication baseline: a pull-back of at least the
threshold within the short-term window ("digestion"), a positive return at the long-term
review date, and an export-heavy basket against the index if its data are available.
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


class AShareViewParams(Params):
    index: InstrumentId
    export_basket: list[InstrumentId] = Field(default_factory=list)
    baseline_date: date
    short_term_days: int = Field(90, gt=0, description="calendar days of the short term")
    digestion_min_drawdown_pct: float = Field(5.0, gt=0)
    long_term_review: date = Field(description="date of the long-term check (project's choice)")
    long_term_min_return_pct: float = Field(0.0)

    @model_validator(mode="after")
    def _dates(self) -> AShareViewParams:
        if self.long_term_review <= self.baseline_date:
            raise ValueError("long_term_review must come after baseline_date")
        return self


@register
class AShareView(AwaitingEvaluator[AShareViewParams]):
    test = "a-share-view"
    params_model = AShareViewParams
    title = "CSI 300 after publication; export basket"
    capability = Capability.DATA_HUB
    measures = text(
        "沪深300 发布后短期是否回撤消化、长期复核日是否上涨,以及出口篮子相对指数的表现。",
        "CSI 300 after publication: a short-term pull-back, the return at the long-term "
        "review, and an export basket against the index.",
    )

    def data_needs(self, params: AShareViewParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([params.index, *params.export_basket], params.baseline_date,
                          ctx.as_of, "closes since publication")

    def setup_figures(self, params: AShareViewParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            figure("short_term", "短期窗口", "short-term window", params.short_term_days, "days"),
            figure("digestion_threshold", "视为消化的回撤", "pull-back counted as digestion",
                   params.digestion_min_drawdown_pct, "%"),
            date_figure("long_term_review", "长期复核日", "long-term review",
                        params.long_term_review),
        ]
