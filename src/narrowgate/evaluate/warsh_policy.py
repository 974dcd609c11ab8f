"""warsh-policy: a Fed that cuts rates but shrinks the balance sheet presses on duration.

Two parts: the policy path (policy rate down and Fed total assets down between the
publication baseline and the data's end) decides the verdict; its claimed effect is shown
as history — Nasdaq vs Dow and BTC returns while the balance sheet shrank vs grew. The
equity-duration part (:mod:`narrowgate.evaluate.warsh_duration`) reads QQQ's and DIA's
trailing dividend yields at the baseline from two stored price files (raw and dividend
back-adjusted), turns them into Gordon durations and ±50 bp price effects, and sets them
against the actual 10-year yield move and fund returns since: context, not the verdict.
A P/E-based view appears only with sourced index P/Es in the params.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

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
from narrowgate.evaluate.core.coverage import data_gap, data_reach, nothing_to_read_yet
from narrowgate.evaluate.hubdata import line_chart, read_closes, read_series
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    Figure,
    Verdict,
)
from narrowgate.evaluate.warsh_duration import DurationInputs, SourcedPe, duration_part
from narrowgate.evaluate.watch import both_ways, crossings
from narrowgate.thesis.schema import Claim, LocalizedText

VERDICT_ZH = {
    Verdict.SUPPORTED: "成立",
    Verdict.CONTRADICTED: "被否定",
    Verdict.MIXED: "部分成立",
}


def with_horizon(
    interim: Verdict, claim: Claim, as_of: date, data_reaches: date | None
) -> tuple[Verdict, LocalizedText]:
    """The decision core's coverage gate on a reading: ``pending`` with the interim reading
    until as-of is past the horizon AND the data reach it; the interim reading stays in
    the figures and is said first in the summary."""
    from narrowgate.evaluate.core.coverage import coverage_gate

    gate = coverage_gate(interim, decides_at=claim.horizon, data_reaches=data_reaches,
                         as_of=as_of)
    if gate.interim is not None:
        return gate.verdict, gate.interim
    zh, en = VERDICT_ZH.get(interim, interim.value), interim.value
    return interim, text(f"判定:{zh}。", f"Verdict: {en}.")


def interim_figure(interim: Verdict) -> Figure:
    return figure("interim_verdict", "截至数据末的判定", "reading as of the data's end",
                  interim.value, "verdict", decisive=True)


class PolicyMixParams(Params):
    balance_sheet: InstrumentId = Field(description="Fed total assets, USD millions (weekly)")
    balance_sheet_source: str | None = Field(
        "series_macro_charts", description="stored source preferred for exact weekly values"
    )
    policy_rate: InstrumentId = Field(description="effective fed funds rate, % (monthly)")
    long_duration: list[InstrumentId] = Field(min_length=1)
    short_duration: InstrumentId
    baseline_date: date
    history_start: date
    min_rate_cut_pp: float = Field(0.25, gt=0, description="cut of at least this → 'cuts'")
    max_balance_sheet_change_pct: float = Field(
        0.0, description="total assets change at or below this % → 'shrinks'"
    )
    regime_window_weeks: int = Field(
        13, ge=2, le=104, description="trailing WALCL change whose sign names the regime"
    )
    gap_slack_days: int = Field(45, ge=0, description="data this much older than as-of is fine")
    dividend_growth: dict[InstrumentId, float] = Field(
        description="assumed long-run dividend growth per fund (decimal per year), for "
        "Gordon r = yield·(1+g) + g; needed for long_duration[0] and short_duration")
    dividend_raw_source: str = Field(
        "etf_daily_kittycapital", description="stored source of raw (not dividend-adjusted) "
        "closes of the two funds")
    dividend_adjusted_source: str = Field(
        "market_data_drrobanthony", description="stored source of dividend back-adjusted "
        "closes of the same funds")
    ten_year: InstrumentId = Field("fred:DGS10", description="10-year Treasury yield, %")
    rate_shift_bp: float = Field(50.0, gt=0, le=500, description="discount-rate move, bp")
    sourced_pe: list[SourcedPe] = Field(
        default_factory=list, description="sourced index P/Es for the P/E-based duration view")

    @model_validator(mode="after")
    def _growth_for_both(self) -> PolicyMixParams:
        wanted = {self.long_duration[0], self.short_duration}
        if not wanted <= set(self.dividend_growth):
            raise ValueError(f"dividend_growth needs {', '.join(sorted(wanted))}")
        return self


@register
class PolicyMix(AwaitingEvaluator[PolicyMixParams]):
    test = "warsh-policy"
    params_model = PolicyMixParams
    title = "Rate cuts with balance-sheet shrinkage, and long-duration assets"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后政策利率与美联储总资产的路径;历史上缩表与扩表期间纳指相对道指及 BTC 的表现;"
        "QQQ 与 DIA 的股息率久期、±50bp 影响,以及发布后十年期收益率的变动。",
        "Path of the policy rate and Fed total assets after publication; Nasdaq vs Dow and "
        "BTC in shrinking vs growing balance-sheet periods over history; QQQ vs DIA "
        "dividend-yield duration, ±50 bp effects and the 10-year move since publication.",
    )

    def data_needs(self, params: PolicyMixParams, ctx: EvalContext) -> list[DataNeed]:
        series = [DataNeed(instrument=i, kind="series", start=params.history_start,
                           end=ctx.as_of, why="policy path and balance-sheet regimes")
                  for i in (params.balance_sheet, params.policy_rate)]
        rates = DataNeed(instrument=params.ten_year, kind="series", start=params.baseline_date,
                         end=ctx.as_of, why="10-year yield move after publication")
        return [*series, rates, *bars_needs([*params.long_duration, params.short_duration],
                                            params.history_start, ctx.as_of,
                                            "returns by regime; dividends for duration")]

    def setup_figures(self, params: PolicyMixParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            figure("rate_cut_threshold", "视为降息的幅度", "cut that counts",
                   params.min_rate_cut_pp, "percentage points"),
            figure("shrink_threshold", "视为缩表的总资产变化",
                   "asset change that counts as shrinking",
                   params.max_balance_sheet_change_pct, "%"),
        ]

    def decide(
        self, claim: Claim, params: PolicyMixParams, ctx: EvalContext
    ) -> Assessment | None:
        """Verdict from the policy path; regime returns are context, not the decision (they
        describe history, not what the Fed did after publication)."""
        import pandas as pd

        from narrowgate.models.liquidity import level_change
        from narrowgate.models.macro import balance_sheet_regimes, returns_by_regime

        walcl, walcl_used = read_series(
            ctx, params.balance_sheet, params.history_start,
            prefer_source=params.balance_sheet_source)
        rate, rate_used = read_series(ctx, params.policy_rate, params.history_start)
        try:
            rate_path = level_change(rate, params.baseline_date, ctx.as_of)
            assets = level_change(walcl, params.baseline_date, ctx.as_of)
        except ValueError as exc:  # no observation after the baseline yet: nothing to read
            return nothing_to_read_yet(params.baseline_date, exc, [walcl_used, rate_used])
        def cuts(change: float) -> bool:
            return -change >= params.min_rate_cut_pp

        def shrinks(change_pct: float) -> bool:
            return change_pct <= params.max_balance_sheet_change_pct

        cut, shrank = cuts(rate_path.change), shrinks(assets.pct * 100)
        interim = both_ways(cut, shrank)
        watch = [
            *crossings(lambda x: both_ways(cuts(x), shrank), rate_path.change,
                       [-params.min_rate_cut_pp],
                       label=text("基准日以来政策利率变化",
                                  "policy rate change since the baseline"),
                       unit="percentage points", digits=2, instrument=params.policy_rate,
                       observed=rate_path.end),
            *crossings(lambda x: both_ways(cut, shrinks(x)), assets.pct * 100,
                       [params.max_balance_sheet_change_pct],
                       label=text("基准日以来美联储总资产变化",
                                  "Fed total assets change since the baseline"), unit="%",
                       digits=2, instrument=params.balance_sheet, observed=assets.end),
        ]
        reaches = [data_reach([d.date() for d in s.dropna().loc[:pd.Timestamp(ctx.as_of)].index])
                   for s in (rate, walcl)]
        verdict, lead = with_horizon(interim, claim, ctx.as_of,
                                     min((r for r in reaches if r is not None), default=None))

        equities = [i for i in [*params.long_duration, params.short_duration]
                    if not i.startswith("crypto:")]
        crypto = [i for i in params.long_duration if i.startswith("crypto:")]
        regimes = balance_sheet_regimes(walcl, params.regime_window_weeks)
        closes, bars_used = read_closes(ctx, equities + crypto, params.history_start)
        # Separate calendars: a weekday index for stocks (252/yr), every day for crypto (365/yr).
        tables = [returns_by_regime(closes[equities].dropna(), regimes, 252.0)]
        tables += [returns_by_regime(closes[[c]].dropna(), regimes, 365.0) for c in crypto]
        by_regime = pd.concat([t.drop(columns="days") for t in tables], axis=1) * 100
        nasdaq = params.long_duration[0]
        spread = by_regime[nasdaq] - by_regime[params.short_duration]

        figures = [
            interim_figure(interim),
            figure("rate_change", "政策利率变化", "policy rate change",
                   round(rate_path.change, 2), "percentage points", decisive=True),
            figure("rate_path", "政策利率", "policy rate",
                   f"{rate_path.start_value:.2f} ({rate_path.start}) → "
                   f"{rate_path.end_value:.2f} ({rate_path.end})", "%"),
            figure("balance_sheet_change", "美联储总资产变化", "Fed total assets change",
                   pct(assets.pct * 100, 2), "%", decisive=True),
            figure("balance_sheet_path", "美联储总资产", "Fed total assets",
                   f"{assets.start_value / 1000:,.0f} ({assets.start}) → "
                   f"{assets.end_value / 1000:,.0f} ({assets.end})", "USD bn"),
            *self.setup_figures(params, ctx),
        ]
        for regime in by_regime.index:
            zh = "缩表期" if regime == "shrinking" else "扩表期"
            for inst in by_regime.columns:
                figures.append(figure(f"{inst}_{regime}", f"{inst} {zh}年化收益",
                                      f"{inst} annualised return, {regime} balance sheet",
                                      pct(float(by_regime.loc[regime, inst])), "% per year"))
            figures.append(figure(f"nasdaq_minus_dow_{regime}", f"纳指减道指({zh})",
                                  f"{nasdaq} minus {params.short_duration} ({regime})",
                                  pct(float(spread.loc[regime])), "percentage points per year"))
        days = tables[0]["days"].to_dict()
        for regime, count in days.items():
            zh = "缩表期" if regime == "shrinking" else "扩表期"
            figures.append(figure(f"regime_days_{regime}", f"{zh}股票交易日数",
                                  f"stock trading days, {regime}", int(count), "days"))

        path = pd.DataFrame({"Fed total assets (USD tn)": walcl / 1e6,
                             "policy rate (%)": rate}).ffill()
        path = path.loc[pd.Timestamp(params.history_start):]
        chart = line_chart(text("美联储总资产与政策利率", "Fed total assets and the policy rate"),
                           path, "USD tn", y2_columns=["policy rate (%)"], y2_label="%",
                           digits=3)
        labels: list[str | float | int] = [str(c) for c in by_regime.columns]
        bars = Chart(
            title=text("缩表期与扩表期的年化收益", "Annualised returns, shrinking vs growing "
                       "balance sheet"),
            series=[ChartSeries(name=f"{r} balance sheet", x=labels, kind="bar",
                                y=[round(float(v), 2) for v in by_regime.loc[r]])
                    for r in by_regime.index],
            x_label="instrument", y_label="% per year", x_is_date=False,
        )
        missing = [m for m in (
            data_gap(params.policy_rate, rate_path.end, ctx.as_of, params.gap_slack_days),
            data_gap(params.balance_sheet, assets.end, ctx.as_of, params.gap_slack_days),
        ) if m]
        duration = duration_part(ctx, DurationInputs(
            nasdaq=nasdaq, dow=params.short_duration, baseline=params.baseline_date,
            raw_source=params.dividend_raw_source,
            adjusted_source=params.dividend_adjusted_source,
            growth=dict(params.dividend_growth), ten_year=params.ten_year,
            shift_bp=params.rate_shift_bp, sourced_pe=list(params.sourced_pe),
            gap_slack_days=params.gap_slack_days))
        missing += duration.missing
        shr, grw = ("shrinking", "growing")
        spread_en = ", ".join(f"{r} {spread.loc[r]:+.1f}" for r in (shr, grw) if r in spread)
        history_zh = history_en = ""
        if shr in spread and grw in spread:
            presses = spread.loc[shr] < spread.loc[grw]
            history_zh = ("缩表期纳指的优势较小,与“缩表压制长久期”方向一致但幅度有限。" if presses
                          else "缩表期纳指的优势并未缩小,历史不支持“缩表压制长久期”。")
            history_en = ("The Nasdaq's edge was smaller while the balance sheet shrank: the "
                          "direction the claim expects. " if presses else
                          "The Nasdaq's edge was not smaller while the balance sheet shrank: "
                          "history does not show the pressure the claim expects. ")
        summary = text(
            f"{lead.zh}政策利率 {rate_path.start}→{rate_path.end} 变化 {rate_path.change:+.2f} 个"
            f"百分点(降息需 ≥ {params.min_rate_cut_pp}),美联储总资产 {assets.start}→"
            f"{assets.end} 变化 {assets.pct * 100:+.2f}%(缩表需 ≤ "
            f"{params.max_balance_sheet_change_pct}%)。历史上纳指相对道指的年化超额:"
            + ",".join(f"{'缩表期' if r == shr else '扩表期'} {spread.loc[r]:+.1f} 个百分点"
                       for r in (shr, grw) if r in spread)
            + f"。{history_zh}{duration.summary.zh}",
            f"{lead.en} Policy rate {rate_path.change:+.2f} points from {rate_path.start} to "
            f"{rate_path.end} (a cut needs ≥ {params.min_rate_cut_pp}); Fed total assets "
            f"{assets.pct * 100:+.2f}% from {assets.start} to {assets.end} (shrinking needs ≤ "
            f"{params.max_balance_sheet_change_pct}%). Historically {nasdaq} minus "
            f"{params.short_duration}, annualised points: {spread_en}. {history_en}"
            f"{duration.summary.en}",
        )
        return Assessment(
            verdict=verdict,
            summary=summary,
            evidence=Evidence(figures=[*figures, *duration.figures],
                              data=[walcl_used, rate_used, *bars_used, *duration.data],
                              charts=[chart, bars, *duration.charts],
                              notes=[self.measures, *duration.notes], missing=missing,
                              watch=watch),
        )
