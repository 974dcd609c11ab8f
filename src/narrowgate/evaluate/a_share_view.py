"""a-share-view: A-shares are a long-term buy that needs short-term digestion; exports favoured.

Measured on the CSI 300 from the last close before publication: a pull-back of at least
the threshold within the short-term window ("digestion"), the return at the long-term
review date, and the deepest drawdown with its recovery time. An export/AI-hardware basket
(optical-module leaders) and a sector index are set against the index as context, with
members that lack data named rather than sinking the assessment. Before the review date
the verdict is "pending" and the figures are the interim reading. The positions the view
implies — long the CSI 300 (index level as the proxy), and long the export basket's members
that have closes after the baseline, equal weight — are back-tested beside it, entered at
the baseline close and held (evidence only; they do not change the verdict).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.common import (
    FETCH_OR_IMPORT,
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    fetch_how,
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
from narrowgate.evaluate.partial_data import read_available
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    VERDICT_LABELS,
    Assessment,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.evaluate.watch import both_ways, crossings

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.evaluate.trade_backtest import TradePlan
    from narrowgate.thesis.schema import Claim, LocalizedText

LOOKBACK = timedelta(days=10)  # index closes read from this long before the baseline


class AShareViewParams(Params):
    index: InstrumentId
    export_basket: list[InstrumentId] = Field(default_factory=list)
    export_index: InstrumentId | None = Field(None, description="sector index for context")
    baseline_date: date
    short_term_days: int = Field(90, gt=0, description="calendar days of the short term")
    digestion_min_drawdown_pct: float = Field(5.0, gt=0)
    long_term_review: date = Field(description="date of the long-term check (project's choice)")
    long_term_min_return_pct: float = Field(0.0)
    implied_trade: ImpliedTradeParams = Field(  # A-shares trade ~244 sessions a year
        default_factory=lambda: ImpliedTradeParams(trading_days_per_year=244))

    @model_validator(mode="after")
    def _dates(self) -> AShareViewParams:
        if self.long_term_review <= self.baseline_date:
            raise ValueError("long_term_review must come after baseline_date")
        return self

    def context_ids(self) -> list[str]:
        return [*self.export_basket, *([self.export_index] if self.export_index else [])]


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
        return bars_needs([params.index, *params.context_ids()], params.baseline_date,
                          ctx.as_of, "closes since publication")

    def setup_figures(self, params: AShareViewParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            figure("short_term", "短期窗口", "short-term window", params.short_term_days, "days"),
            figure("digestion_threshold", "视为消化的回撤", "pull-back counted as digestion",
                   params.digestion_min_drawdown_pct, "%"),
            date_figure("long_term_review", "长期复核日", "long-term review",
                        params.long_term_review),
            figure("long_term_threshold", "长期所需收益", "long-term return needed",
                   params.long_term_min_return_pct, "%"),
        ]

    def decide(self, claim: Claim, params: AShareViewParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.models.peaks import deepest_drawdown
        from narrowgate.models.performance import max_drawdown

        lookback = params.baseline_date - LOOKBACK
        stop = min(ctx.as_of, params.long_term_review)
        closes, data = read_closes(ctx, [params.index], lookback, stop)
        prices = closes[params.index].dropna()
        anchor = prices.index[prices.index <= pd.Timestamp(params.baseline_date)][-1]
        path = prices.loc[anchor:] / prices.loc[anchor]
        end = path.index[-1].date()
        ret = (float(path.iloc[-1]) - 1) * 100
        short_end = anchor + pd.Timedelta(days=params.short_term_days)
        short_dd = -max_drawdown(path.loc[:short_end]) * 100
        digested = short_dd >= params.digestion_min_drawdown_pct
        deep = deepest_drawdown(path)
        long_ok = ret >= params.long_term_min_return_pct
        figures = [
            figure("index_return", f"{params.index} 发布后涨跌(至 {end})",
                   f"{params.index} return since baseline (to {end})", pct(ret), "%",
                   decisive=True),
            figure("short_term_pullback", f"{params.short_term_days} 天内最大回撤",
                   f"largest pull-back within {params.short_term_days} days",
                   pct(short_dd), "%", decisive=True),
            figure("digestion", "短期是否回调消化", "short-term digestion seen",
                   "yes" if digested else "no", ""),
            figure("max_drawdown", "发布后最大回撤", "max drawdown since baseline",
                   pct(deep.depth * 100), "%"),
            figure("drawdown_peak_trough", "最大回撤的高点→低点", "max drawdown peak → trough",
                   f"{deep.peak_date} → {deep.trough_date}", "dates"),
            figure("recovery_sessions", "修复所需交易日", "sessions from trough to recovery",
                   deep.sessions_to_recover if deep.recovered_date else "not recovered",
                   "trading days"),
            date_figure("data_end", "数据终点", "data end", end),
        ]
        ctx_figures, ctx_data, missing, chart_frame, basket_text = self._export_context(
            params, ctx, path, anchor.date(), stop)
        figures += ctx_figures + self.setup_figures(params, ctx)
        data += ctx_data
        interim = both_ways(digested, long_ok)
        watch = crossings(lambda x: both_ways(digested, x >= params.long_term_min_return_pct),
                          ret, [params.long_term_min_return_pct],
                          label=text("发布后涨跌", "return since baseline"), unit="%", digits=1,
                          instrument=params.index, observed=end)
        if end < short_end.date():  # the pull-back can still deepen inside the short term
            watch += crossings(
                lambda x: both_ways(x >= params.digestion_min_drawdown_pct, long_ok), short_dd,
                [params.digestion_min_drawdown_pct],
                label=text(f"{params.short_term_days} 天内最大回撤",
                           f"largest pull-back within {params.short_term_days} days"),
                unit="%", digits=1, instrument=params.index, observed=end)
        figures.append(figure("interim_reading", "当前读数", "interim reading",
                              interim.value, ""))
        verdict = interim
        notes = [self.measures, text(
            f"数据止于 {end};评估日为 {ctx.as_of}。",
            f"The local data end on {end}; as-of is {ctx.as_of}.")]
        if params.long_term_review > ctx.as_of:
            verdict = Verdict.PENDING
            notes.append(text(f"长期复核日 {params.long_term_review} 未到,为中期读数。",
                              f"The long-term review {params.long_term_review} is not reached: "
                              "figures are interim."))
        elif end < params.long_term_review:
            verdict = Verdict.INSUFFICIENT_DATA
            missing.append(MissingData(what=f"{params.index} closes up to the long-term review",
                                       dates=f"{end} to {params.long_term_review}",
                                       **fetch_how([params.index])))
        recovered = (f"{deep.recovered_date} 修复" if deep.recovered_date else "尚未修复",
                     f"recovered on {deep.recovered_date}" if deep.recovered_date
                     else "not recovered yet")
        summary = text(
            f"{anchor.date()} 至 {end}:{params.index} {ret:+.1f}%;"
            f"{params.short_term_days} 天内最大回撤 {short_dd:.1f}%(消化门槛 "
            f"{params.digestion_min_drawdown_pct:g}%),发布后最大回撤 {deep.depth * 100:.1f}%,"
            f"{recovered[0]}。{basket_text.zh}当前读数:{VERDICT_LABELS[interim].zh};长期复核日 "
            f"{params.long_term_review}。",
            f"{anchor.date()} to {end}: {params.index} {ret:+.1f}%; largest pull-back within "
            f"{params.short_term_days} days {short_dd:.1f}% (digestion threshold "
            f"{params.digestion_min_drawdown_pct:g}%), deepest drawdown since baseline "
            f"{deep.depth * 100:.1f}%, {recovered[1]}. {basket_text.en}Interim reading: "
            f"{interim.value}; long-term review on {params.long_term_review}.",
        )
        chart = line_chart(text("沪深300 与出口篮子(基准日=1)",
                                "CSI 300 and the export basket (baseline = 1)"),
                           chart_frame, "× baseline")
        assessment = Assessment(verdict=verdict, summary=summary,
                                evidence=Evidence(figures=figures, data=data, charts=[chart],
                                                  notes=notes, missing=missing, watch=watch))
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: AShareViewParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long the index, and long the export basket's members that have closes after
        the baseline (equal weight), each bought at the baseline close and held to the
        review date or the data end (``start``/``end``: history from / up to, instead of
        the implied-trade params' and as-of)."""
        stop = min(end or ctx.as_of, params.long_term_review)
        entry = params.baseline_date + timedelta(days=1)
        index = ImpliedPlan(
            label=f"{claim.id}:index" if params.export_basket else claim.id,
            name=text(f"多沪深300({params.index})", f"long CSI 300 ({params.index})"),
            entry=entry,
            plan=partial(held_plan, ctx, params.implied_trade, long=[params.index],
                         currency="CNY", match_from=params.baseline_date - LOOKBACK,
                         start=start, end=stop))
        if not params.export_basket:
            return [index]

        def exports() -> TradePlan:
            _, used, _ = read_available(ctx, params.export_basket, entry, stop,
                                        "export basket trade")
            read = {d.instrument for d in used}
            members = [i for i in params.export_basket if i in read]
            if not members:
                raise DataNotFound(
                    f"no member of the export basket ({', '.join(params.export_basket)}) "
                    f"has closes after {params.baseline_date}",
                    FETCH_OR_IMPORT, fetch=tuple(params.export_basket))
            return held_plan(ctx, params.implied_trade, long=members, currency="CNY",
                             match_from=params.baseline_date, start=start, end=stop)

        return [index, ImpliedPlan(
            label=f"{claim.id}:exports", prefix="trade_export_", entry=entry, plan=exports,
            name=text("多出口篮子(有数据的成分)", "long the export basket (members with data)"))]

    def _export_context(
        self, params: AShareViewParams, ctx: EvalContext, path: pd.Series, anchor: date,
        stop: date,
    ) -> tuple[list[Figure], list[DataUsed], list[MissingData], pd.DataFrame,
               LocalizedText]:
        """Export basket and sector index against the index over their common window."""
        import pandas as pd

        from narrowgate.models.performance import basket_path

        frame = pd.DataFrame({params.index: path})
        ids = params.context_ids()
        if not ids:
            return [], [], [], frame, text("", "")
        closes, data, missing = read_available(ctx, ids, anchor, stop,
                                               "export context since publication")
        figures: list[Figure] = []
        zh: list[str] = []
        en: list[str] = []
        if closes is None:
            return figures, data, missing, frame, text("出口篮子无发布后数据。",
                                                       "No export data after publication. ")
        members = [i for i in params.export_basket if i in closes.columns]
        groups = {"export basket": members} if members else {}
        if params.export_index and params.export_index in closes.columns:
            groups[params.export_index] = [params.export_index]
        for name, cols in groups.items():
            both = pd.concat([closes[cols], path.rename("_index")], axis=1, sort=True).dropna()
            if both.empty or both.index[0].date() != anchor or len(both) < 2:
                continue
            start, end = both.index[0].date(), both.index[-1].date()
            group = basket_path(both, {c: 1.0 for c in cols}, start, end)
            index = both["_index"] / both["_index"].iloc[0]
            g_ret, i_ret = (float(group.iloc[-1]) - 1) * 100, (float(index.iloc[-1]) - 1) * 100
            key = "export_basket" if name == "export basket" else "export_index"
            label = "+".join(cols)
            figures += [
                figure(f"{key}_return", f"{label} 收益({start}→{end})",
                       f"{label} return ({start}→{end})", pct(g_ret), "%"),
                figure(f"{key}_vs_index", f"{label} 相对 {params.index}",
                       f"{label} minus {params.index}", pct(g_ret - i_ret), "percentage points"),
            ]
            frame[label] = group
            zh.append(f"{label} {g_ret:+.1f}%(同期指数 {i_ret:+.1f}%,至 {end})")
            en.append(f"{label} {g_ret:+.1f}% (index {i_ret:+.1f}% to {end})")
        if missing:
            names = ", ".join(m.what.split(" ")[0] for m in missing)
            zh.append(f"缺少发布后数据:{names}")
            en.append(f"no post-publication data for {names}")
        return (figures, data, missing, frame,
                text(";".join(zh) + "。" if zh else "", "; ".join(en) + ". " if en else ""))
