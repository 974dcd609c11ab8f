"""Rolling correlation shown as context beside a claim that data cannot decide.

Why: some claims are about motives or causes ("gold and AI are one bet", "AI is the
dollar"). A correlation can neither prove nor refute them, but a reader wants to see how
the named assets actually moved together. An anchor series is correlated with one or
more groups (each an equal-weight basket of daily returns, rebalanced daily as a signal);
the labels come from the params. Members without data shrink their group and are named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import EvidenceParts, InstrumentId, figure, text
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params
from narrowgate.evaluate.verdict import Figure
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd


class CorrelationGroup(Params):
    label: LocalizedText
    members: list[InstrumentId] = Field(min_length=1)


class CorrelationContextParams(Params):
    anchor: InstrumentId = Field(description="the series every group is correlated with")
    anchor_label: LocalizedText
    groups: list[CorrelationGroup] = Field(min_length=1)
    window_days: int = Field(60, ge=10, description="observations per rolling window")
    start: date = Field(description="first day of the context")


@dataclass
class CorrelationContext(EvidenceParts):
    """Figures, provenance, one chart, gaps and a one-sentence reading."""

    sentences: list[LocalizedText] = field(default_factory=list)


def context_needs(params: CorrelationContextParams, as_of: date) -> list[DataNeed]:
    from narrowgate.evaluate.hubdata import price_need

    ids = [params.anchor, *(m for g in params.groups for m in g.members)]
    return [price_need(i, params.start, as_of, "context: rolling correlation")
            for i in dict.fromkeys(ids)]


def correlation_context(params: CorrelationContextParams, ctx: EvalContext
                        ) -> CorrelationContext:
    """Rolling and whole-span correlation of daily returns: anchor vs each group."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart
    from narrowgate.evaluate.partial_data import read_available

    out = CorrelationContext()
    ids = list(dict.fromkeys([params.anchor, *(m for g in params.groups for m in g.members)]))
    closes, out.data, out.missing = read_available(ctx, ids, params.start, ctx.as_of,
                                                   "context: rolling correlation")
    if closes is None or params.anchor not in closes.columns:
        return out
    paths: dict[str, pd.Series] = {}
    for index, group in enumerate(params.groups, start=1):
        found = _group_path(closes, params, group)
        if found is None:
            continue
        rolling, full = found
        paths[group.label.en] = rolling
        out.figures.extend(_group_figures(f"group{index}", group, params, rolling, full))
        last_day = rolling.index[-1].date()
        out.sentences.append(text(
            f"{params.anchor_label.zh}与{group.label.zh}日收益的 {params.window_days} 日滚动"
            f"相关在 {rolling.min():.2f} 至 {rolling.max():.2f} 之间,最新({last_day})"
            f"{rolling.iloc[-1]:.2f};全区间 {full:.2f}。",
            f"The {params.window_days}-day rolling correlation of daily returns between "
            f"{params.anchor_label.en} and {group.label.en} ranged from {rolling.min():.2f} "
            f"to {rolling.max():.2f}; latest ({last_day}) {rolling.iloc[-1]:.2f}; whole "
            f"span {full:.2f}."))
    if paths:
        out.charts.append(line_chart(
            text(f"{params.anchor_label.zh}({params.anchor})的 {params.window_days} 日滚动相关",
                 f"{params.window_days}-day rolling correlation with "
                 f"{params.anchor_label.en} ({params.anchor})"),
            pd.DataFrame(paths), "correlation", digits=3))
    return out


def _group_path(closes: pd.DataFrame, params: CorrelationContextParams,
                group: CorrelationGroup) -> tuple[pd.Series, float] | None:
    from narrowgate.models.correlation import (
        aligned_returns,
        equal_weight_returns,
        rolling_correlation,
    )

    members = [m for m in group.members if m in closes.columns and m != params.anchor]
    if not members:
        return None
    try:
        returns = aligned_returns(closes[[params.anchor, *members]])
        basket = equal_weight_returns(returns, members)
        rolling = rolling_correlation(returns[params.anchor], basket, params.window_days)
    except ValueError:
        return None  # too short an overlap for one window
    rolling = rolling.dropna()
    if rolling.empty:
        return None
    return rolling, float(returns[params.anchor].corr(basket))


def _group_figures(key: str, group: CorrelationGroup, params: CorrelationContextParams,
                   rolling: pd.Series, full: float) -> list[Figure]:
    day = rolling.index[-1].date()
    name_zh, name_en = group.label.zh, group.label.en
    return [
        figure(f"{key}_latest_correlation", f"{name_zh}:最新 {params.window_days} 日滚动相关"
               f"({day})", f"{name_en}: latest {params.window_days}-day rolling "
               f"correlation ({day})", round(float(rolling.iloc[-1]), 2), "correlation"),
        figure(f"{key}_correlation_min", f"{name_zh}:滚动相关最低",
               f"{name_en}: rolling correlation, lowest", round(float(rolling.min()), 2),
               "correlation"),
        figure(f"{key}_correlation_max", f"{name_zh}:滚动相关最高",
               f"{name_en}: rolling correlation, highest", round(float(rolling.max()), 2),
               "correlation"),
        figure(f"{key}_full_period_correlation", f"{name_zh}:全区间日收益相关",
               f"{name_en}: correlation of daily returns over the whole span",
               round(full, 2), "correlation"),
        figure(f"{key}_share_positive", f"{name_zh}:相关为正的窗口占比",
               f"{name_en}: share of windows with positive correlation",
               round(float((rolling > 0).mean()) * 100, 1), "%"),
    ]
