"""gold-ai-twins: "gold and AI are two faces of one bet on fiat money", kept qualitative.

Why not a market verdict: the claim is about what buyers of gold and of AI assets are
betting on, a motive. A rolling correlation between gold and an AI-hardware basket is
shown as context, but a high or low correlation would neither prove nor refute a shared
motive. Gold is read from a US-listed ETF by default so its daily returns close at the
same time as the basket's (the LBMA fix is set mid-afternoon in London, hours earlier).
Missing series shrink the context and are named; the verdict stays qualitative.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import InstrumentId, bars_needs, date_figure, figure, text
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim, LocalizedText


class GoldAiTwinsParams(Params):
    gold_instrument: InstrumentId
    ai_hardware_basket: list[InstrumentId] = Field(min_length=1)
    correlation_window_days: int = Field(60, ge=10, description="trading days per window")
    context_start: date = Field(description="first day of the context chart")


BASKET = "AI-hardware basket (equal weight)"


class _Context:
    """The correlation context: figures, provenance, chart, gaps and one sentence."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.data: list[DataUsed] = []
        self.charts: list[Chart] = []
        self.missing: list[MissingData] = []
        self.sentence: LocalizedText | None = None


def _correlation_context(params: GoldAiTwinsParams, ctx: EvalContext) -> _Context:
    """Rolling correlation of daily returns: gold with each member and with the basket."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart
    from narrowgate.evaluate.partial_data import read_available
    from narrowgate.models.correlation import (
        aligned_returns,
        equal_weight_returns,
        rolling_correlation,
    )

    out = _Context()
    gold = params.gold_instrument
    window = params.correlation_window_days
    closes, out.data, out.missing = read_available(
        ctx, [gold, *params.ai_hardware_basket], params.context_start, ctx.as_of,
        "context: rolling correlation with gold")
    members = [m for m in params.ai_hardware_basket
               if closes is not None and m in closes.columns]
    if closes is None or gold not in closes.columns or not members:
        return out
    paths: dict[str, pd.Series] = {}
    for member in members:
        try:
            returns = aligned_returns(closes[[gold, member]])
            paths[member] = rolling_correlation(returns[gold], returns[member], window)
        except ValueError:
            continue  # too short an overlap for one window: left out of the context
    try:
        basket_returns = aligned_returns(closes[[gold, *members]])
        basket = equal_weight_returns(basket_returns, members)
        paths[BASKET] = rolling_correlation(basket_returns[gold], basket, window)
        full = float(basket_returns[gold].corr(basket))
    except ValueError:
        full = float("nan")
    if not paths:
        return out
    frame = pd.DataFrame(paths)
    headline = frame[BASKET].dropna() if BASKET in frame else frame.iloc[:, 0].dropna()
    name = BASKET if BASKET in frame else str(frame.columns[0])
    latest, last_day = float(headline.iloc[-1]), headline.index[-1].date()
    low, high = float(headline.min()), float(headline.max())
    out.figures = [
        figure("latest_correlation", f"最新 {window} 日滚动相关({name},{last_day})",
               f"latest {window}-day rolling correlation ({name}, {last_day})",
               round(latest, 2), "correlation"),
        figure("correlation_min", "滚动相关最低", "rolling correlation, lowest",
               round(low, 2), "correlation"),
        figure("correlation_max", "滚动相关最高", "rolling correlation, highest",
               round(high, 2), "correlation"),
        figure("share_positive", "相关为正的窗口占比", "share of windows with positive "
               "correlation", round(float((headline > 0).mean()) * 100, 1), "%"),
    ]
    if full == full:
        out.figures.append(figure("full_period_correlation", "全区间日收益相关",
                                  "correlation of daily returns over the whole span",
                                  round(full, 2), "correlation"))
    for member, series in paths.items():
        if member != BASKET:
            day = series.dropna().index[-1].date()
            out.figures.append(figure(f"latest_correlation_{member}",
                                      f"{member} 最新滚动相关({day})",
                                      f"{member} latest rolling correlation ({day})",
                                      round(float(series.dropna().iloc[-1]), 2),
                                      "correlation"))
    out.charts = [line_chart(
        text(f"黄金({gold})与 AI 硬件的 {window} 日滚动相关",
             f"{window}-day rolling correlation of gold ({gold}) with AI hardware"),
        frame, "correlation", digits=3)]
    name_zh = "等权 AI 硬件篮子" if name == BASKET else name
    out.sentence = text(
        f"背景:{gold} 与 {name_zh} 日收益的 {window} 日滚动相关在 {low:.2f} 至 {high:.2f} 之间,"
        f"最新({last_day})为 {latest:.2f}。",
        f"Context: the {window}-day rolling correlation of daily returns between {gold} and "
        f"the {name} ranged from {low:.2f} to {high:.2f}; latest ({last_day}) {latest:.2f}.",
    )
    return out


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
        figures = [
            figure("correlation_window", "滚动相关窗口", "rolling correlation window",
                   params.correlation_window_days, "trading days"),
            figure("basket_size", "AI 硬件篮子成分数", "AI-hardware basket members",
                   len(params.ai_hardware_basket), "instruments"),
            date_figure("context_start", "背景数据起点", "context start", params.context_start),
        ]
        context = (_correlation_context(params, ctx) if ctx.hub is not None else None)
        notes = [reason]
        summary_zh, summary_en = "定性记录:" + reason.zh, "Recorded as qualitative: " + reason.en
        if context is not None and context.sentence is not None:
            notes.append(context.sentence)
            summary_zh += context.sentence.zh
            summary_en += " " + context.sentence.en
        else:
            notes.append(text(
                f"背景数据缺失:{params.gold_instrument} 与 AI 硬件篮子({basket})日收益的 "
                f"{params.correlation_window_days} 日滚动相关系数,自 {params.context_start} 起。",
                f"Context missing: the {params.correlation_window_days}-day rolling "
                f"correlation of daily returns between {params.gold_instrument} and the "
                f"AI-hardware basket ({basket}) from {params.context_start}: fetch or import "
                "each instrument.",
            ))
        evidence = Evidence(figures=figures, notes=notes)
        if context is not None:
            evidence = Evidence(figures=[*context.figures, *figures], data=context.data,
                                charts=context.charts, notes=notes, missing=context.missing)
        return Assessment(verdict=Verdict.QUALITATIVE, summary=text(summary_zh, summary_en),
                          evidence=evidence)
