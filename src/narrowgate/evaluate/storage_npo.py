"""storage-npo: storage and near-packaged optics are the preferred corner of AI hardware.

Scored as a basket race since the publication baseline: an equal-weight storage basket
against an AI-hardware basket and against the Nasdaq. No listed pure NPO play exists, so
the NPO half is noted, not measured. Returns are in each listing's own currency.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

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


class StorageNpoParams(Params):
    storage_basket: list[InstrumentId] = Field(min_length=1)
    ai_hardware_basket: list[InstrumentId] = Field(min_length=1)
    benchmark: InstrumentId
    start_date: date = Field(description="last close before publication")
    weighting: Literal["equal"] = "equal"
    supported_min_edge_pp: float = Field(
        0.0, description="storage ahead of both comparisons by more than this → supported"
    )


@register
class StorageNpo(AwaitingEvaluator[StorageNpoParams]):
    test = "storage-npo"
    params_model = StorageNpoParams
    title = "Storage basket vs AI hardware and the Nasdaq"
    capability = Capability.DATA_HUB
    measures = text(
        "发布以来等权存储篮子相对 AI 硬件篮子与纳指的收益。",
        "Equal-weight storage basket return since publication against the AI-hardware "
        "basket and the Nasdaq.",
    )

    def data_needs(self, params: StorageNpoParams, ctx: EvalContext) -> list[DataNeed]:
        ids = [*params.storage_basket, *params.ai_hardware_basket, params.benchmark]
        return bars_needs(ids, params.start_date, ctx.as_of, "closes since publication")

    def setup_figures(self, params: StorageNpoParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("start_date", "起点", "start", params.start_date),
            figure("storage_members", "存储篮子", "storage basket",
                   ", ".join(params.storage_basket), ""),
            figure("ai_hw_members", "AI 硬件篮子", "AI-hardware basket",
                   ", ".join(params.ai_hardware_basket), ""),
            figure("edge_threshold", "支持所需领先幅度", "edge for 'supported'",
                   params.supported_min_edge_pp, "percentage points"),
        ]
