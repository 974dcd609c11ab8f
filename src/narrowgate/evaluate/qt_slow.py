"""qt-slow: balance-sheet shrinkage will be slow.

"Slow" is measured against the 2022–2025 runoff: the average weekly change of Fed total
assets after publication, as a share of the average weekly change in the reference window.
At or below the threshold share, shrinkage is slow; growth (a negative share) counts as
slow too. The helpers at the top (preferred-source series, data gaps, horizon handling) are
shared with warsh-policy and hstech-liquidity, which read the same Fed series.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    date_figure,
    figure,
    text,
)
from narrowgate.evaluate.core.coverage import data_gap, data_reach, nothing_to_read_yet
from narrowgate.evaluate.hubdata import line_chart, read_series
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Evidence,
    Figure,
    Verdict,
)
from narrowgate.evaluate.watch import crossings
from narrowgate.thesis.schema import Claim, LocalizedText

if TYPE_CHECKING:
    pass

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


class QtSlowParams(Params):
    balance_sheet: InstrumentId = Field(description="Fed total assets, USD millions (weekly)")
    balance_sheet_source: str | None = Field(
        "series_macro_charts",
        description="stored source preferred for exact weekly values (else the hub's pick)",
    )
    reference_start: date
    reference_end: date
    baseline_date: date
    slow_max_share: float = Field(
        0.5, gt=0, le=1, description="post-publication pace / reference pace at or below → slow"
    )
    fast_min_share: float = Field(
        1.0, gt=0, description="pace share at or above → as fast as the old runoff: contradicted"
    )
    chart_start: date = Field(date(2021, 1, 1), description="first date in the WALCL chart")
    gap_slack_days: int = Field(21, ge=0, description="data this much older than as-of is fine")

    @model_validator(mode="after")
    def _dates(self) -> QtSlowParams:
        if not self.reference_start < self.reference_end <= self.baseline_date:
            raise ValueError("need reference_start < reference_end <= baseline_date")
        if self.fast_min_share < self.slow_max_share:
            raise ValueError("fast_min_share must be at least slow_max_share")
        return self


@register
class QtSlow(AwaitingEvaluator[QtSlowParams]):
    test = "qt-slow"
    params_model = QtSlowParams
    title = "Pace of balance-sheet shrinkage after publication vs 2022–2025"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后美联储总资产的平均周变化,占 2022–2025 年缩表期平均周变化的比例。",
        "Average weekly change of Fed total assets after publication, as a share of the "
        "2022–2025 runoff's average weekly change.",
    )

    def data_needs(self, params: QtSlowParams, ctx: EvalContext) -> list[DataNeed]:
        return [DataNeed(instrument=params.balance_sheet, kind="series",
                         start=params.reference_start, end=ctx.as_of,
                         why="weekly total assets: reference window and after publication")]

    def setup_figures(self, params: QtSlowParams, ctx: EvalContext) -> list[Figure]:
        return [
            figure("reference_window", "参照缩表期", "reference runoff",
                   f"{params.reference_start}–{params.reference_end}", "dates"),
            date_figure("baseline", "基准日", "baseline", params.baseline_date),
            figure("slow_threshold", "视为缓慢的速度比", "pace share counted as slow",
                   params.slow_max_share, "ratio"),
            figure("fast_threshold", "视为快速的速度比", "pace share counted as fast",
                   params.fast_min_share, "ratio"),
        ]

    def decide(self, claim: Claim, params: QtSlowParams, ctx: EvalContext) -> Assessment | None:
        import pandas as pd

        from narrowgate.models.macro import balance_sheet_pace

        start = min(params.reference_start, params.chart_start)
        walcl, used = read_series(ctx, params.balance_sheet, start,
                                  prefer_source=params.balance_sheet_source)
        reference = balance_sheet_pace(walcl, params.reference_start, params.reference_end)
        try:
            after = balance_sheet_pace(walcl, params.baseline_date, ctx.as_of)
        except ValueError as exc:  # no second observation after the baseline yet
            return nothing_to_read_yet(params.baseline_date, exc, [used])
        share = after.per_week_usd_bn / reference.per_week_usd_bn
        interim = pace_reading(share, params)
        observed = [d.date() for d in walcl.dropna().loc[:pd.Timestamp(ctx.as_of)].index]
        verdict, lead = with_horizon(interim, claim, ctx.as_of, data_reach(observed))
        direction_zh = "扩张" if after.change_usd_bn > 0 else "收缩"
        direction_en = "grew" if after.change_usd_bn > 0 else "shrank"
        figures = [
            interim_figure(interim),
            figure("pace_ratio", "发布后速度 / 2022–2025 缩表速度",
                   "pace after publication / 2022–2025 runoff pace", round(share, 3), "ratio",
                   decisive=True),
            figure("pace_after", "发布后平均周变化", "average weekly change after publication",
                   round(after.per_week_usd_bn, 2), "USD bn/week", decisive=True),
            figure("pace_reference", "2022–2025 平均周变化", "2022–2025 average weekly change",
                   round(reference.per_week_usd_bn, 2), "USD bn/week"),
            figure("change_after", "发布后总资产变化", "total assets change after publication",
                   round(after.change_usd_bn, 1), "USD bn"),
            figure("change_reference", "参照期总资产变化", "total assets change in the reference",
                   round(reference.change_usd_bn, 1), "USD bn"),
            figure("window_after", "发布后所用观测", "observations used after publication",
                   f"{after.start} → {after.end}", "dates"),
            figure("window_reference", "参照期所用观测", "observations used in the reference",
                   f"{reference.start} → {reference.end}", "dates"),
            date_figure("data_end", "数据截至", "data end", after.end),
            *self.setup_figures(params, ctx),
        ]
        shown = walcl.loc[pd.Timestamp(params.chart_start):] / 1000.0
        chart = line_chart(
            text("美联储总资产(十亿美元),发布后另列", "Fed total assets (USD bn), after "
                 "publication drawn separately"),
            pd.DataFrame({
                f"{params.balance_sheet} (USD bn)": shown,
                "after publication": shown.where(shown.index >= pd.Timestamp(after.start)),
            }),
            "USD bn", digits=1,
        )
        missing = [m for m in [data_gap(params.balance_sheet, after.end, ctx.as_of,
                                        params.gap_slack_days)] if m]
        summary = text(
            f"{lead.zh}发布后({after.start} 至 {after.end},数据截至该日)美联储总资产{direction_zh}"
            f" {abs(after.change_usd_bn) * 10:,.0f} 亿美元,平均每周 "
            f"{after.per_week_usd_bn * 10:+.1f} 亿美元;2022–2025 年缩表期为每周 "
            f"{reference.per_week_usd_bn * 10:+.1f} 亿美元。速度比 {share:.2f}(≤ "
            f"{params.slow_max_share} 视为缓慢,负值表示不缩反扩)。"
            f"判定基于截至 {after.end} 的数据。",
            f"{lead.en} After publication ({after.start} to {after.end}, where the data ends) Fed "
            f"total assets {direction_en} by USD {abs(after.change_usd_bn):,.1f} bn, "
            f"{after.per_week_usd_bn:+.2f} bn a week, against {reference.per_week_usd_bn:+.2f} bn "
            f"a week in the 2022–2025 runoff: a pace ratio of {share:.2f} (≤ "
            f"{params.slow_max_share} counts as slow; negative means growth, not shrinkage). "
            f"The reading is as of {after.end}.",
        )
        return Assessment(
            verdict=verdict,
            summary=summary,
            evidence=Evidence(figures=figures, data=[used], charts=[chart],
                              notes=[self.measures], missing=missing, watch=crossings(
                                  lambda x: pace_reading(x, params), share,
                                  [params.slow_max_share, params.fast_min_share],
                                  label=text("缩表速度比(发布后 / 2022–2025)",
                                             "pace ratio (after publication / 2022–2025)"),
                                  unit="ratio", digits=3, instrument=params.balance_sheet,
                                  observed=after.end)),
        )


def pace_reading(share: float, params: QtSlowParams) -> Verdict:
    """At or below the slow share → supported, at or above the fast one → contradicted."""
    if share <= params.slow_max_share:
        return Verdict.SUPPORTED
    if share >= params.fast_min_share:
        return Verdict.CONTRADICTED
    return Verdict.MIXED
