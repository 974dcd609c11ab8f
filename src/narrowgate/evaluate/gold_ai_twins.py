"""gold-ai-twins: "gold and AI are two faces of one bet on fiat money", kept qualitative.

Why not a market verdict: the claim is about what buyers of gold and of AI assets are
betting on, a motive. A rolling correlation between gold and an AI-hardware basket can be
shown as context, but a high or low correlation would neither prove nor refute a shared
motive. The context series are declared as data needs so a run fetches them.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import InstrumentId, bars_needs, date_figure, figure, text
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class GoldAiTwinsParams(Params):
    gold_instrument: InstrumentId
    ai_hardware_basket: list[InstrumentId] = Field(min_length=1)
    correlation_window_days: int = Field(60, ge=10, description="trading days per window")
    context_start: date = Field(description="first day of the context chart")


@register
class GoldAiTwins(Evaluator[GoldAiTwinsParams]):
    test = "gold-ai-twins"
    params_model = GoldAiTwinsParams
    title = "Gold and AI as one bet on fiat money (qualitative)"

    def data_needs(self, params: GoldAiTwinsParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([params.gold_instrument, *params.ai_hardware_basket],
                          params.context_start, ctx.as_of,
                          "context only: rolling correlation of daily returns")

    def evaluate(self, claim: Claim, params: GoldAiTwinsParams, ctx: EvalContext) -> Assessment:
        basket = ", ".join(params.ai_hardware_basket)
        reason = text(
            "这是关于投资者动机的判断(都在押注或对冲信用货币),不是可以用行情检验的命题;"
            "相关性高低都不能证明或否定共同的动机。",
            "This is a statement about motive (both bet on, or hedge, fiat money), not a "
            "market-testable proposition: neither a high nor a low correlation proves or "
            "refutes a shared motive.",
        )
        context = text(
            f"背景数据(待加入):{params.gold_instrument} 与 AI 硬件篮子({basket})日收益的 "
            f"{params.correlation_window_days} 日滚动相关系数,自 {params.context_start} 起。",
            f"Context to be added: the {params.correlation_window_days}-day rolling correlation "
            f"of daily returns between {params.gold_instrument} and the AI-hardware basket "
            f"({basket}) from {params.context_start}; it needs `narrowgate data import "
            f"../shared/data` or `narrowgate data pull` for each instrument.",
        )
        figures = [
            figure("correlation_window", "滚动相关窗口", "rolling correlation window",
                   params.correlation_window_days, "trading days"),
            figure("basket_size", "AI 硬件篮子成分数", "AI-hardware basket members",
                   len(params.ai_hardware_basket), "instruments"),
            date_figure("context_start", "背景数据起点", "context start", params.context_start),
        ]
        return Assessment(
            verdict=Verdict.QUALITATIVE,
            summary=text("定性记录:" + reason.zh, "Recorded as qualitative: " + reason.en),
            evidence=Evidence(figures=figures, notes=[reason, context]),
        )
