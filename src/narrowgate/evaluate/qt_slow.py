"""qt-slow: balance-sheet shrinkage will be slow.

"Slow" is measured against the 2022–2025 runoff: the average weekly change of Fed total
assets after publication, as a share of the average weekly change in the reference window.
At or below the threshold share, shrinkage is slow; growth counts as slow too.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    date_figure,
    figure,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Figure


class QtSlowParams(Params):
    balance_sheet: InstrumentId = Field(description="Fed total assets, USD millions (weekly)")
    reference_start: date
    reference_end: date
    baseline_date: date
    slow_max_share: float = Field(
        0.5, gt=0, le=1, description="post-publication pace / reference pace at or below → slow"
    )

    @model_validator(mode="after")
    def _dates(self) -> QtSlowParams:
        if not self.reference_start < self.reference_end <= self.baseline_date:
            raise ValueError("need reference_start < reference_end <= baseline_date")
        return self


@register
class QtSlow(AwaitingEvaluator[QtSlowParams]):
    test = "qt-slow"
    params_model = QtSlowParams
    title = "Pace of balance-sheet shrinkage after publication vs 2022–2025"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后美联储总资产的平均周变化,占 2022–2025 年缩表期平均周变化的比例。",
        "Average weekly change of Fed total assets after publication, as a share of the "
        "2022–2025 runoff's average weekly change.",
    )

    def data_needs(self, params: QtSlowParams, ctx: EvalContext) -> list[DataNeed]:
        return [DataNeed(instrument=params.balance_sheet, kind="series",
                         start=params.reference_start, end=ctx.as_of,
                         why="weekly total assets: reference window and after publication")]

    def setup_figures(self, params: QtSlowParams, ctx: EvalContext) -> list[Figure]:
        return [
            figure("reference_window", "参照缩表期", "reference runoff",
                   f"{params.reference_start}–{params.reference_end}", "dates"),
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            figure("slow_threshold", "视为缓慢的速度比", "pace share counted as slow",
                   params.slow_max_share, "ratio"),
        ]
