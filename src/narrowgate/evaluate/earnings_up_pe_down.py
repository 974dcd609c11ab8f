"""earnings-up-pe-down: once consensus is in the price, earnings rise while the P/E falls.

Tested by return decomposition (EPS growth × multiple change × dividends) of the AI-hardware
names over rolling windows: the claim holds where windows with rising EPS show a falling
P/E more often than the threshold. The valuation toolkit (issue #5) decomposes; the EPS
history comes from filings (US) or a provider's P/E series.
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


class EarningsUpPeDownParams(Params):
    instruments: list[InstrumentId] = Field(min_length=1, description="price series")
    filings: list[InstrumentId] = Field(default_factory=list, description="EPS facts (sec:*)")
    history_start: date
    window_months: int = Field(12, ge=3, le=60)
    supported_share_of_windows: float = Field(
        0.5, gt=0, le=1,
        description="share of EPS-up windows with a falling P/E above this → supported",
    )


@register
class EarningsUpPeDown(AwaitingEvaluator[EarningsUpPeDownParams]):
    test = "earnings-up-pe-down"
    params_model = EarningsUpPeDownParams
    title = "Return decomposition of the AI-hardware names"
    capability = Capability.VALUATION
    measures = text(
        "把 AI 硬件股的收益拆成盈利增长、估值变化与分红,看盈利上升的窗口里市盈率是否多数下降。",
        "Split the AI-hardware names' returns into EPS growth, multiple change and dividends; "
        "check whether windows of rising EPS mostly show a falling P/E.",
    )

    def data_needs(self, params: EarningsUpPeDownParams, ctx: EvalContext) -> list[DataNeed]:
        facts = [DataNeed(instrument=i, kind="facts", start=params.history_start, end=ctx.as_of,
                          why="diluted EPS and dividends per share") for i in params.filings]
        return bars_needs(params.instruments, params.history_start, ctx.as_of,
                          "closes (and P/E where the source has it)") + facts

    def setup_figures(self, params: EarningsUpPeDownParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("history_start", "历史起点", "history from", params.history_start),
            figure("window", "滚动窗口", "rolling window", params.window_months, "months"),
            figure("threshold", "支持所需窗口占比", "share of windows for 'supported'",
                   params.supported_share_of_windows, "ratio"),
        ]
