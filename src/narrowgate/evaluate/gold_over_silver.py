"""gold-over-silver: gold and silver have not topped, but gold goes further than silver.

Measured from the last close before publication: each metal's return (LBMA spot decides;
the ETFs GLD/SLV are a cross-check that trades on the US calendar), whether either makes a
close above its pre-publication peak ("not topped"), and the gold/silver ratio (rising =
gold ahead). The claim is a forecast for 2026, so before its horizon the verdict is
"pending" and the figures are the interim reading; once the horizon has passed, data that
stop short of it leave the verdict "insufficient data" (a new high could still come).
The position the forecast implies — long gold / short silver, equal notional, entered at
the baseline close and held — is back-tested beside it on the same spot prices (evidence
only; it does not change the verdict).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
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
from narrowgate.evaluate.core.coverage import nothing_to_read_yet
from narrowgate.evaluate.hubdata import line_chart, price_need, read_closes
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
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.evaluate.watch import crossings

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.models.peaks import PeakCheck
    from narrowgate.thesis.schema import Claim


class GoldOverSilverParams(Params):
    gold: InstrumentId = Field(description="USD per troy ounce")
    silver: InstrumentId = Field(description="USD per troy ounce")
    gold_etf: InstrumentId | None = Field(None, description="cross-check, e.g. us:GLD")
    silver_etf: InstrumentId | None = Field(None, description="cross-check, e.g. us:SLV")
    baseline_date: date = Field(description="last close before publication")
    peak_lookback_start: date = Field(description="window for the pre-publication peak")
    min_outperformance_pp: float = Field(
        0.0, description="gold return minus silver return above this → 'further'"
    )
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)

    @model_validator(mode="after")
    def _consistent(self) -> GoldOverSilverParams:
        if self.peak_lookback_start >= self.baseline_date:
            raise ValueError("peak_lookback_start must come before baseline_date")
        if (self.gold_etf is None) != (self.silver_etf is None):
            raise ValueError("give both gold_etf and silver_etf, or neither")
        return self


def _pair_reading(
    closes: pd.DataFrame, gold: str, silver: str, params: GoldOverSilverParams, end: date
) -> tuple[date, date, float, float, PeakCheck, PeakCheck]:
    """Anchor, end, both returns (%) and both peak checks over the pair's common dates."""
    import pandas as pd

    from narrowgate.models.peaks import peak_check
    from narrowgate.models.performance import total_return

    both = closes[[gold, silver]].dropna()
    anchor = both.index[both.index <= pd.Timestamp(params.baseline_date)][-1].date()
    stop = both.index[both.index <= pd.Timestamp(end)][-1].date()
    if stop <= anchor:
        raise ValueError(f"no common close of {gold} and {silver} after {anchor}")
    window = both.loc[: pd.Timestamp(stop)]
    g_ret = total_return(window[gold], anchor, stop) * 100
    s_ret = total_return(window[silver], anchor, stop) * 100
    g_peak = peak_check(window[gold], params.peak_lookback_start, anchor)
    s_peak = peak_check(window[silver], params.peak_lookback_start, anchor)
    return anchor, stop, g_ret, s_ret, g_peak, s_peak


def _reading(further: bool, new_highs: list[bool]) -> Verdict:
    """Further and both topped-not → supported; neither → contradicted; else mixed."""
    if further and all(new_highs):
        return Verdict.SUPPORTED
    if not further and not any(new_highs):
        return Verdict.CONTRADICTED
    return Verdict.MIXED


def _peak_figures(name: str, check: PeakCheck, last_vs_peak: float) -> list[Figure]:
    key = name.split(":")[-1].lower()
    return [
        figure(f"{key}_prior_peak", f"{name} 发布前高点({check.prior_peak_date})",
               f"{name} pre-publication peak ({check.prior_peak_date})",
               round(check.prior_peak, 2), "USD/oz"),
        figure(f"{key}_after_max", f"{name} 发布后最高({check.after_max_date})",
               f"{name} highest close after publication ({check.after_max_date})",
               round(check.after_max, 2), "USD/oz"),
        figure(f"{key}_after_max_vs_peak", f"{name} 发布后最高相对前高",
               f"{name} post-publication high vs prior peak",
               pct(check.after_max_vs_peak * 100), "%", decisive=True),
        figure(f"{key}_last_vs_peak", f"{name} 最新收盘相对前高",
               f"{name} last close vs prior peak", pct(last_vs_peak), "%"),
    ]


@register
class GoldOverSilver(AwaitingEvaluator[GoldOverSilverParams]):
    test = "gold-over-silver"
    params_model = GoldOverSilverParams
    title = "Gold vs silver after publication"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后黄金与白银的收益、是否突破发布前高点,以及金银比的走势。",
        "Gold and silver returns after publication, new highs above the pre-publication "
        "peaks, and the gold/silver ratio.",
    )

    def _etfs(self, params: GoldOverSilverParams) -> list[str]:
        return [i for i in (params.gold_etf, params.silver_etf) if i is not None]

    def data_needs(self, params: GoldOverSilverParams, ctx: EvalContext) -> list[DataNeed]:
        spot = [price_need(i, params.peak_lookback_start, ctx.as_of, "daily prices")
                for i in (params.gold, params.silver)]
        return spot + bars_needs(self._etfs(params), params.peak_lookback_start, ctx.as_of,
                                 "ETF cross-check")

    def setup_figures(self, params: GoldOverSilverParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            date_figure("peak_lookback", "前高回看起点", "peak look-back from",
                        params.peak_lookback_start),
            figure("outperformance_threshold", "黄金领先门槛", "gold lead threshold",
                   params.min_outperformance_pp, "percentage points"),
        ]

    def decide(
        self, claim: Claim, params: GoldOverSilverParams, ctx: EvalContext
    ) -> Assessment | None:
        import pandas as pd

        from narrowgate.models.performance import max_drawdown

        horizon = claim.horizon or ctx.as_of
        end = min(ctx.as_of, horizon)
        spot, data = read_closes(ctx, [params.gold, params.silver],
                                 params.peak_lookback_start, end)
        try:
            anchor, stop, g_ret, s_ret, g_peak, s_peak = _pair_reading(
                spot, params.gold, params.silver, params, end)
        except ValueError as exc:  # no common close after the baseline yet: nothing to read
            return nothing_to_read_yet(params.baseline_date, exc, data)
        lead = g_ret - s_ret
        further = lead > params.min_outperformance_pp
        new_highs = [g_peak.new_high, s_peak.new_high]
        interim = _reading(further, new_highs)
        g_last = (float(spot[params.gold].loc[pd.Timestamp(stop)]) / g_peak.prior_peak - 1) * 100
        s_last = (float(spot[params.silver].loc[pd.Timestamp(stop)]) / s_peak.prior_peak - 1) * 100
        watch = self._watch(params, stop, lead, further, new_highs, g_last, s_last)
        ratio = (spot[params.gold] / spot[params.silver]).dropna()
        ratio_start = float(ratio.loc[pd.Timestamp(anchor)])
        ratio_end = float(ratio.loc[pd.Timestamp(stop)])
        after = spot.loc[pd.Timestamp(anchor):pd.Timestamp(stop)].ffill()
        figures = [
            figure("gold_return", f"{params.gold} 发布后涨跌", f"{params.gold} return since "
                   "baseline", pct(g_ret), "%", decisive=True),
            figure("silver_return", f"{params.silver} 发布后涨跌", f"{params.silver} return "
                   "since baseline", pct(s_ret), "%", decisive=True),
            figure("gold_lead", "黄金领先白银", "gold minus silver", pct(lead),
                   "percentage points", decisive=True),
            figure("ratio_start", "基准日金银比", "gold/silver ratio at baseline",
                   round(ratio_start, 2), "oz silver per oz gold"),
            figure("ratio_end", "最新金银比", "gold/silver ratio at the last common date",
                   round(ratio_end, 2), "oz silver per oz gold"),
            *_peak_figures(params.gold, g_peak, g_last),
            *_peak_figures(params.silver, s_peak, s_last),
            figure("gold_drawdown_after", f"{params.gold} 发布后最大回撤",
                   f"{params.gold} max drawdown after baseline",
                   pct(max_drawdown(after[params.gold]) * 100), "%"),
            figure("silver_drawdown_after", f"{params.silver} 发布后最大回撤",
                   f"{params.silver} max drawdown after baseline",
                   pct(max_drawdown(after[params.silver]) * 100), "%"),
            figure("window", "区间", "window", f"{anchor} → {stop}", "dates"),
            figure("interim_reading", "当前读数", "interim reading", interim.value, ""),
            *self.setup_figures(params, ctx),
        ]
        missing: list[MissingData] = []
        notes = [self.measures]
        paths = spot.loc[pd.Timestamp(params.peak_lookback_start):pd.Timestamp(stop)].ffill()
        paths = paths / paths.loc[pd.Timestamp(anchor)]
        etf_text = ("", "")
        if params.gold_etf and params.silver_etf:
            etfs, etf_data, etf_missing = read_available(
                ctx, [params.gold_etf, params.silver_etf], params.peak_lookback_start, end,
                "ETF cross-check of the spot reading")
            data += etf_data
            missing += etf_missing
            if etfs is not None and not etf_missing:
                _, e_stop, eg, es, _, _ = _pair_reading(
                    etfs, params.gold_etf, params.silver_etf, params, end)
                figures += [
                    figure("etf_gold_return", f"{params.gold_etf} 涨跌",
                           f"{params.gold_etf} return", pct(eg), "%"),
                    figure("etf_silver_return", f"{params.silver_etf} 涨跌",
                           f"{params.silver_etf} return", pct(es), "%"),
                    figure("etf_agrees", "ETF 与现货结论一致", "ETFs agree on who went further",
                           "yes" if (eg - es > params.min_outperformance_pp) == further
                           else "no", ""),
                ]
                etf_text = (f"ETF 交叉验证(至 {e_stop}):{params.gold_etf} {eg:+.1f}%,"
                            f"{params.silver_etf} {es:+.1f}%。",
                            f" ETF cross-check (to {e_stop}): {params.gold_etf} {eg:+.1f}%, "
                            f"{params.silver_etf} {es:+.1f}%.")
                e_paths = etfs.loc[pd.Timestamp(params.peak_lookback_start):pd.Timestamp(stop)]
                e_paths = e_paths.ffill()
                e_base = e_paths.loc[: pd.Timestamp(anchor)].iloc[-1]
                paths = pd.concat([paths, e_paths / e_base], axis=1, sort=True).ffill()
        verdict = interim
        if horizon > ctx.as_of:
            verdict = Verdict.PENDING
            notes.append(text(f"预测期限 {horizon} 未到,以上为中期读数。",
                              f"The horizon {horizon} is not reached: figures are interim."))
        elif stop < horizon:
            verdict = Verdict.INSUFFICIENT_DATA
            missing.append(MissingData(
                what=f"{params.gold} and {params.silver} prices up to the horizon",
                dates=f"{stop} to {horizon}", **fetch_how([params.gold, params.silver])))
        if stop < end:
            notes.append(text(f"现货数据止于 {stop},评估日为 {ctx.as_of}。",
                              f"Spot data end on {stop}; as-of is {ctx.as_of}."))
        topped = {True: ("已创新高", "made a new high"), False: ("未创新高", "no new high")}
        summary = text(
            f"{anchor} 至 {stop}:黄金 {g_ret:+.1f}%,白银 {s_ret:+.1f}%,黄金领先 {lead:+.1f} "
            f"个百分点(门槛 {params.min_outperformance_pp:g});金银比 {ratio_start:.1f}→"
            f"{ratio_end:.1f}。相对发布前高点:黄金{topped[g_peak.new_high][0]},白银"
            f"{topped[s_peak.new_high][0]}。当前读数:{VERDICT_LABELS[interim].zh}。" + etf_text[0],
            f"{anchor} to {stop}: gold {g_ret:+.1f}%, silver {s_ret:+.1f}%, gold ahead by "
            f"{lead:+.1f} points (threshold {params.min_outperformance_pp:g}); gold/silver "
            f"ratio {ratio_start:.1f}→{ratio_end:.1f}. Against the pre-publication peaks: gold "
            f"{topped[g_peak.new_high][1]}, silver {topped[s_peak.new_high][1]}. Interim "
            f"reading: {interim.value}." + etf_text[1],
        )
        charts = [
            line_chart(text("金银价格(基准日=1)", "Gold and silver (baseline = 1)"),
                       paths, "× baseline"),
            line_chart(text("金银比", "Gold/silver ratio"),
                       ratio.loc[pd.Timestamp(params.peak_lookback_start):].to_frame(
                           "gold/silver"), "oz silver per oz gold", digits=2),
        ]
        assessment = Assessment(verdict=verdict, summary=summary,
                                evidence=Evidence(figures=figures, data=data, charts=charts,
                                                  notes=notes, missing=missing, watch=watch))
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: GoldOverSilverParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long gold / short silver, equal notional, bought at the baseline close and held
        to the horizon or the data end, on the spot closes the claim reads (``start``/
        ``end``: history from / up to, instead of the params' and as-of)."""
        stop = min(end or ctx.as_of, claim.horizon or ctx.as_of)
        return [ImpliedPlan(
            label=claim.id, name=text("多黄金/空白银", "long gold / short silver"),
            entry=params.baseline_date + timedelta(days=1),
            plan=lambda: held_plan(ctx, params.implied_trade, long=[params.gold],
                                   short=[params.silver], currency="USD",
                                   match_from=params.peak_lookback_start, start=start,
                                   end=stop))]

    @staticmethod
    def _watch(params: GoldOverSilverParams, stop: date, lead: float, further: bool,
               new_highs: list[bool], g_last: float, s_last: float) -> list[WatchItem]:
        """Gold's lead vs its threshold; each metal's last close vs its prior peak (a close
        above it is a new high, which stays made: a metal already past it has no line)."""
        gold_high, silver_high = new_highs
        return [
            *crossings(lambda x: _reading(x > params.min_outperformance_pp, new_highs), lead,
                       [params.min_outperformance_pp],
                       label=text("黄金领先白银(发布后收益差)", "gold minus silver return "
                                  "since baseline"), unit="percentage points", digits=1,
                       instrument=f"{params.gold} − {params.silver}", observed=stop),
            *crossings(lambda x: _reading(further, [gold_high or x > 0, silver_high]), g_last,
                       [0.0], label=text("最新收盘相对发布前高点", "last close vs the "
                                         "pre-publication peak"), unit="%", digits=1,
                       instrument=params.gold, observed=stop),
            *crossings(lambda x: _reading(further, [gold_high, silver_high or x > 0]), s_last,
                       [0.0], label=text("最新收盘相对发布前高点", "last close vs the "
                                         "pre-publication peak"), unit="%", digits=1,
                       instrument=params.silver, observed=stop),
        ]
