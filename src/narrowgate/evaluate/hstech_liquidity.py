"""hstech-liquidity: Hang Seng Tech moves on liquidity because its EPS won't rise.

Two measurements: the relation of the index's monthly returns to liquidity proxies (Fed
total assets, the broad dollar index) — full-sample and rolling correlations — and a return
decomposition (EPS growth vs multiple change), which needs the index's earnings or P/E
series and the valuation toolkit (issue #5) and so is named as missing. Where the HSTECH
file stops, a labelled proxy index (HSI) carries the reading after publication.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    fetch_how,
    figure,
    missing_capability,
    pct,
    text,
)
from narrowgate.evaluate.hubdata import line_chart, read_closes, read_series
from narrowgate.evaluate.qt_slow import data_gap
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, DataUsed, Evidence, Figure, MissingData, Verdict
from narrowgate.thesis.schema import Claim

if TYPE_CHECKING:
    import pandas as pd


class HstechLiquidityParams(Params):
    index: InstrumentId
    proxy_index: InstrumentId | None = Field(
        None, description="labelled stand-in read after publication when the index file ends"
    )
    liquidity_proxies: list[InstrumentId] = Field(min_length=1)
    balance_sheet_source: str | None = Field(
        "series_macro_charts", description="stored source preferred for exact fred:WALCL"
    )
    history_start: date
    window_months: int = Field(12, ge=3, le=60)
    min_abs_correlation: float = Field(
        0.3, gt=0, le=1, description="|correlation| with a proxy at or above → 'moves on it'"
    )
    max_eps_growth_pct_per_year: float = Field(
        5.0, description="EPS growth at or below this → 'EPS won't rise'"
    )
    gap_slack_days: int = Field(10, ge=0, description="data this much older than as-of is fine")


def read_levels(
    ctx: EvalContext, instrument: str, start: date, source: str | None
) -> tuple[pd.Series, list[DataUsed]]:
    """Levels of a proxy whichever table it lives in (series such as fred:DTWEXBGS, or bars
    such as fx:DXY)."""
    from narrowgate.instruments import kind_of

    if kind_of(instrument) == "series":
        values, used = read_series(
            ctx, instrument, start,
            prefer_source=source if instrument == "fred:WALCL" else None)
        return values, [used]
    closes, data = read_closes(ctx, [instrument], start)
    return closes[instrument].dropna(), data


@register
class HstechLiquidity(AwaitingEvaluator[HstechLiquidityParams]):
    test = "hstech-liquidity"
    params_model = HstechLiquidityParams
    title = "Hang Seng Tech: EPS vs liquidity"
    capability = Capability.VALUATION
    measures = text(
        "恒生科技指数的收益拆分(盈利增长与估值变化)及其与流动性指标的相关性。",
        "Hang Seng Tech return decomposition (EPS growth vs multiple) and its correlation "
        "with liquidity proxies.",
    )

    def data_needs(self, params: HstechLiquidityParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.instruments import kind_of

        proxies = [DataNeed(instrument=i, kind=kind_of(i), start=params.history_start,
                            end=ctx.as_of, why="liquidity proxy")
                   for i in params.liquidity_proxies]
        indices = [params.index] + ([params.proxy_index] if params.proxy_index else [])
        return bars_needs(indices, params.history_start, ctx.as_of,
                          "index closes (and P/E where available)") + proxies

    def setup_figures(self, params: HstechLiquidityParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("history_start", "历史起点", "history from", params.history_start),
            figure("window", "滚动窗口", "rolling window", params.window_months, "months"),
            figure("corr_threshold", "相关性门槛", "correlation threshold",
                   params.min_abs_correlation, "abs correlation"),
            figure("eps_threshold", "视为盈利不增长的年增速", "EPS growth counted as flat",
                   params.max_eps_growth_pct_per_year, "% per year"),
        ]

    def decide(
        self, claim: Claim, params: HstechLiquidityParams, ctx: EvalContext
    ) -> Assessment | None:
        """Liquidity part from correlations; the EPS part is always missing for now, so the
        best verdict is 'mixed' (links found) and the worst 'contradicted' (no link)."""
        import pandas as pd

        from narrowgate.models.liquidity import (
            aligned_changes,
            full_correlation,
            rolling_correlation,
            share_at_least,
        )
        from narrowgate.models.performance import last_close_before

        closes, data = read_closes(ctx, [params.index], params.history_start)
        index = closes[params.index].dropna()
        index_end = index.index[-1].date()
        figures: list[Figure] = [date_figure("index_data_end", f"{params.index} 数据截至",
                                             f"{params.index} data end", index_end)]
        rolling: dict[str, pd.Series] = {}
        best: tuple[float, str] = (0.0, "")
        linked: list[str] = []
        full: dict[str, float] = {}
        proxy_levels: dict[str, pd.Series] = {}
        for proxy in params.liquidity_proxies:
            levels, used = read_levels(ctx, proxy, params.history_start,
                                       params.balance_sheet_source)
            data.extend(used)
            proxy_levels[proxy] = levels
            changes = aligned_changes(index, levels)
            corr = full_correlation(changes)
            roll = rolling_correlation(changes, params.window_months)
            rolling[f"vs {proxy}"] = roll
            share = share_at_least(roll, params.min_abs_correlation)
            full[proxy] = corr.value
            if abs(corr.value) >= params.min_abs_correlation:
                linked.append(proxy)
            best = max(best, (abs(corr.value), proxy))
            figures += [
                figure(f"corr_{proxy}", f"月度收益与 {proxy} 月变化的相关系数",
                       f"monthly return vs {proxy} monthly change, correlation",
                       round(corr.value, 3), f"correlation, {corr.months} months "
                       f"{corr.start}–{corr.end}", decisive=True),
                figure(f"rolling_share_{proxy}",
                       f"{params.window_months} 个月滚动相关 |r| ≥ 门槛的比例",
                       f"share of {params.window_months}-month windows with |r| ≥ threshold",
                       pct(share * 100), "% of windows"),
            ]
        figures.append(figure("best_r_squared", "最强代理可解释的月度波动",
                              "monthly variance explained by the best proxy",
                              pct(best[0] ** 2 * 100), f"% ({best[1]})", decisive=True))
        if len(linked) == len(params.liquidity_proxies):
            verdict, part = Verdict.MIXED, "all"
        elif linked:
            verdict, part = Verdict.MIXED, "some"
        else:
            verdict, part = Verdict.CONTRADICTED, "none"

        missing = [
            MissingData(what=f"{params.index} index EPS or P/E series (return decomposition)",
                        how="no provider supplies Hang Seng index earnings yet; "
                            + missing_capability(Capability.VALUATION).what),
        ]
        gap = data_gap(params.index, index_end, ctx.as_of, params.gap_slack_days)
        if gap is not None:
            missing.append(gap.model_copy(update=dict(fetch_how([params.index]))))
        proxy_zh = proxy_en = ""
        if params.proxy_index and index_end < ctx.published:
            proxy_closes, proxy_data = read_closes(ctx, [params.proxy_index], params.history_start)
            data.extend(proxy_data)
            hsi = proxy_closes[params.proxy_index].dropna()
            anchor = last_close_before(hsi, ctx.published)
            since = (float(hsi.iloc[-1]) / float(hsi.loc[pd.Timestamp(anchor)]) - 1.0) * 100
            figures.append(figure(
                "proxy_return_since_publication",
                f"代理指数 {params.proxy_index} 发布后涨跌({anchor}→{hsi.index[-1].date()})",
                f"proxy {params.proxy_index} since publication ({anchor}→{hsi.index[-1].date()})",
                pct(since), "%"))
            for proxy, levels in proxy_levels.items():
                corr = full_correlation(aligned_changes(hsi, levels))
                figures.append(figure(
                    f"proxy_corr_{proxy}", f"代理指数与 {proxy} 的相关系数",
                    f"proxy index vs {proxy}, correlation", round(corr.value, 3),
                    f"correlation, {corr.months} months {corr.start}–{corr.end}"))
            proxy_zh = (f"{params.index} 数据止于 {index_end};以 {params.proxy_index} 作为代理,"
                        f"发布后涨跌 {since:+.1f}%。")
            proxy_en = (f"{params.index} data stop on {index_end}; as a labelled proxy, "
                        f"{params.proxy_index} moved {since:+.1f}% since publication.")
        figures += self.setup_figures(params, ctx)
        chart = line_chart(
            text(f"{params.index} 与流动性代理的 {params.window_months} 个月滚动相关",
                 f"{params.index}: {params.window_months}-month rolling correlation with "
                 "liquidity proxies"),
            pd.DataFrame(rolling), "correlation", digits=3)
        corr_zh = ", ".join(f"{proxy} {value:+.2f}" for proxy, value in full.items())
        part_zh = {"all": "全部代理", "some": "部分代理", "none": "没有代理"}[part]
        summary = text(
            f"{params.index} 月度收益与流动性代理的相关系数:{corr_zh}(门槛 |r| ≥ "
            f"{params.min_abs_correlation}),{part_zh}达标;最强代理 {best[1]} 只解释约 "
            f"{best[0] ** 2:.0%} 的月度波动。盈利部分(EPS 不增长)需指数盈利数据与估值工具,"
            f"尚未检验。{proxy_zh}",
            f"{params.index} monthly returns vs liquidity proxies, correlation: {corr_zh} "
            f"(threshold |r| ≥ {params.min_abs_correlation}); {part} of the proxies pass. The "
            f"best, {best[1]}, explains about {best[0] ** 2:.0%} of monthly variance. The "
            "earnings part (EPS not rising) needs index earnings for the valuation toolkit "
            f"and is untested. {proxy_en}",
        )
        return Assessment(
            verdict=verdict,
            summary=summary,
            evidence=Evidence(figures=figures, data=data, charts=[chart],
                              notes=[self.measures], missing=missing),
        )
