"""dow-record: the Dow closed at a record on the Friday after the software selloff.

A record close is a statement about the whole history, so the test reads the Dow proxy's
closes from its first day to the record date and checks that the close on that date is the
highest so far.
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


class DowRecordParams(Params):
    instrument: InstrumentId = Field(description="Dow proxy; an ETF's price record can differ "
                                                 "slightly from the index's after distributions")
    record_date: date
    history_start: date
    window_days: int = Field(5, ge=0, description="calendar days around record_date shown")


@register
class DowRecord(AwaitingEvaluator[DowRecordParams]):
    test = "dow-record"
    params_model = DowRecordParams
    title = "Dow record close around publication"
    capability = Capability.DATA_HUB
    measures = text(
        "检查道指代理在所称日期的收盘是否为历史最高。",
        "Check whether the Dow proxy's close on the stated date is its highest close to date.",
    )

    def data_needs(self, params: DowRecordParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([params.instrument], params.history_start, ctx.as_of,
                          "all closes up to the record date")

    def setup_figures(self, params: DowRecordParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("record_date", "所称创纪录日", "stated record date", params.record_date),
            date_figure("history_start", "历史起点", "history from", params.history_start),
            figure("window_days", "观察窗口", "window shown", params.window_days, "days"),
        ]
