"""storage-npo: storage and near-packaged optics are the preferred corner of AI hardware.

Scored as a basket race since the publication baseline: an equal-weight, buy-and-hold
storage basket against an AI-hardware basket and against the Nasdaq, over the common
window where every member has closes (files end on different dates; the window used is
reported). No listed pure NPO play exists, so the NPO half is noted, not measured. Returns
are in each listing's own currency, so the bundled baskets are US-listed (all USD).

The positions the view implies are back-tested beside it (evidence only, the verdict is
the race above): long the storage basket / short the AI-hardware basket, and long storage
/ short the benchmark, equal weight within legs, entered at the start-date close and held.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Literal

from pydantic import Field

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    pct,
    text,
)
from narrowgate.evaluate.hubdata import line_chart, read_closes
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Figure, Verdict
from narrowgate.evaluate.watch import both_ways, crossings
from narrowgate.thesis.schema import Claim

LOOKBACK = timedelta(days=10)  # closes read from this long before the start date


class StorageNpoParams(Params):
    storage_basket: list[InstrumentId] = Field(min_length=1)
    ai_hardware_basket: list[InstrumentId] = Field(min_length=1)
    benchmark: InstrumentId
    start_date: date = Field(description="last close before publication")
    weighting: Literal["equal"] = "equal"
    supported_min_edge_pp: float = Field(
        0.0, description="storage ahead of both comparisons by more than this → supported"
    )
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)


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

    def decide(self, claim: Claim, params: StorageNpoParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.models.performance import basket_path, total_return

        ids = list(dict.fromkeys(
            [*params.storage_basket, *params.ai_hardware_basket, params.benchmark]))
        lookback = params.start_date - LOOKBACK
        closes, data = read_closes(ctx, ids, lookback, ctx.as_of)
        common = closes[ids].dropna()
        anchors = common.index[common.index <= pd.Timestamp(params.start_date)]
        if len(anchors) == 0 or common.index[-1] <= anchors[-1]:
            from narrowgate.errors import DataNotFound

            raise DataNotFound(
                f"no common closes of {', '.join(ids)} on both sides of {params.start_date}",
                "fetch or import the instrument that ends first", fetch=tuple(ids),
            )
        start, end = anchors[-1].date(), common.index[-1].date()
        last_dates = {i: closes[i].dropna().index[-1].date() for i in ids}
        limiting = sorted(i for i, d in last_dates.items() if d == end)
        equal = {i: 1.0 for i in params.storage_basket}
        storage = basket_path(common, equal, start, end)
        ai_hw = basket_path(common, {i: 1.0 for i in params.ai_hardware_basket}, start, end)
        bench = common[params.benchmark].loc[pd.Timestamp(start):pd.Timestamp(end)]
        bench = bench / bench.iloc[0]
        s_ret = (float(storage.iloc[-1]) - 1) * 100
        a_ret = (float(ai_hw.iloc[-1]) - 1) * 100
        b_ret = (float(bench.iloc[-1]) - 1) * 100
        edge_ai, edge_bench = s_ret - a_ret, s_ret - b_ret
        thr = params.supported_min_edge_pp
        ahead_ai, ahead_bench = edge_ai > thr, edge_bench > thr
        verdict = both_ways(ahead_ai, ahead_bench)
        storage_ids = "+".join(params.storage_basket)
        watch = [
            *crossings(lambda x: both_ways(x > thr, ahead_bench), edge_ai, [thr],
                       label=text("存储领先 AI 硬件", "storage minus AI hardware"),
                       unit="percentage points", digits=1, instrument=storage_ids,
                       observed=end),
            *crossings(lambda x: both_ways(ahead_ai, x > thr), edge_bench, [thr],
                       label=text(f"存储领先 {params.benchmark}",
                                  f"storage minus {params.benchmark}"),
                       unit="percentage points", digits=1, instrument=storage_ids,
                       observed=end),
        ]
        figures = [
            figure("storage_return", "存储篮子收益", "storage basket return", pct(s_ret), "%",
                   decisive=True),
            figure("ai_hw_return", "AI 硬件篮子收益", "AI-hardware basket return",
                   pct(a_ret), "%"),
            figure("benchmark_return", f"{params.benchmark} 收益",
                   f"{params.benchmark} return", pct(b_ret), "%"),
            figure("edge_vs_ai_hw", "存储领先 AI 硬件", "storage minus AI hardware",
                   pct(edge_ai), "percentage points", decisive=True),
            figure("edge_vs_benchmark", f"存储领先 {params.benchmark}",
                   f"storage minus {params.benchmark}", pct(edge_bench), "percentage points",
                   decisive=True),
            figure("window", "共同区间", "common window", f"{start} → {end}", "dates"),
            figure("window_limited_by", "区间终点受限于", "window ends where data end for",
                   ", ".join(limiting), ""),
        ]
        for i in ids:
            figures.append(figure(f"return_{i}", f"{i} 收益", f"{i} return",
                                  pct(total_return(common[i], start, end) * 100), "%"))
        figures += self.setup_figures(params, ctx)
        chart = line_chart(
            text("存储篮子、AI 硬件篮子与纳指(起点=1)",
                 "Storage basket, AI-hardware basket and the Nasdaq (start = 1)"),
            pd.DataFrame({"storage (equal weight)": storage, "AI hardware (equal weight)": ai_hw,
                          params.benchmark: bench}),
            "× start",
        )
        words = {Verdict.SUPPORTED: ("领先两者", "ahead of both"),
                 Verdict.MIXED: ("只领先其一", "ahead of only one"),
                 Verdict.CONTRADICTED: ("落后两者", "behind both")}[verdict]
        summary = text(
            f"{start} 至 {end}(共同区间,止于 {', '.join(limiting)} 数据终点):存储篮子 "
            f"{s_ret:+.1f}%,AI 硬件篮子 {a_ret:+.1f}%,{params.benchmark} {b_ret:+.1f}%;"
            f"存储{words[0]}(领先 {edge_ai:+.1f} / {edge_bench:+.1f} 个百分点,门槛 "
            f"{params.supported_min_edge_pp:g})。NPO 无上市纯标的,未计量。",
            f"{start} to {end} (common window, ending where {', '.join(limiting)} data end): "
            f"storage basket {s_ret:+.1f}%, AI-hardware basket {a_ret:+.1f}%, "
            f"{params.benchmark} {b_ret:+.1f}%; storage is {words[1]} (edges {edge_ai:+.1f} / "
            f"{edge_bench:+.1f} points, threshold {params.supported_min_edge_pp:g}). NPO has "
            "no listed pure play and is not measured.",
        )
        notes = [
            self.measures,
            text("篮子在起点等权买入后持有(权重随价格漂移),收益以各自上市货币计。",
                 "Baskets are bought equal-weight at the start and held (weights drift); "
                 "returns are in each listing's currency."),
            text(f"评估日 {ctx.as_of},但共同数据止于 {end}。",
                 f"As-of is {ctx.as_of}, but the common data end on {end}."),
        ]
        assessment = Assessment(verdict=verdict, summary=summary,
                                evidence=Evidence(figures=figures, data=data, charts=[chart],
                                                  notes=notes, watch=watch))
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: StorageNpoParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long the storage basket against the AI-hardware basket and against the
        benchmark, bought at the start-date close and held, on the closes the race reads
        (``start``/``end``: history from / up to, instead of the params' and as-of)."""
        bm = params.benchmark
        trades = (
            ("vs-ai-hardware", "trade_", params.ai_hardware_basket,
             text("多存储/空 AI 硬件", "long storage / short AI hardware")),
            ("vs-nasdaq", "trade_vs_benchmark_", [bm],
             text(f"多存储/空 {bm}", f"long storage / short {bm}")))
        return [ImpliedPlan(
            label=f"{claim.id}:{suffix}", name=name, prefix=prefix,
            entry=params.start_date + timedelta(days=1),
            plan=partial(held_plan, ctx, params.implied_trade, long=params.storage_basket,
                         short=short, currency="USD", match_from=params.start_date - LOOKBACK,
                         start=start, end=end))
            for suffix, prefix, short, name in trades]
