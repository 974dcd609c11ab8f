"""pace: a series changes slower (or faster) after a date than in a reference window.

"Shrinkage will be gradual", "hiring slows from last year's pace": the average change per
period (``per``: day, week, month, year) from the first observation on/after ``start``
(default: publication) to the last on/before the end (the claim's horizon, else as-of),
divided by the same pace over ``reference_start``–``reference_end``. For ``expect:
slower`` a ratio at or below ``supported_ratio`` is supported (a negative ratio — the
series turned — counts as slower), at or above ``contradicted_ratio`` contradicted; for
``faster`` the other way round. The coverage gate holds the reading back until the data
reach the horizon. Arithmetic: :func:`narrowgate.models.macro.pace`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, date_figure, figure, text
from narrowgate.evaluate.core.coverage import (
    coverage_gate,
    data_gap,
    data_reach,
    nothing_to_read_yet,
)
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import interim_first
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict
from narrowgate.evaluate.watch import crossings
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}


class PaceParams(Params):
    series: InstrumentId
    label: LocalizedText
    prefer_source: str | None = Field(None, description="stored source read first (e.g. "
                                                        "exact values over a rounded copy)")
    scale: float = Field(1.0, gt=0, description="multiplies the stored values (0.001: "
                                                "millions → billions)")
    unit: str = Field(min_length=1, description="unit of the scaled values, e.g. USD bn")
    per: Literal["day", "week", "month", "year"] = "week"
    reference_start: date
    reference_end: date
    start: date | None = Field(None, description="default: the thesis's publication date")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    expect: Literal["slower", "faster"] = "slower"
    supported_ratio: float = Field(description="pace after / reference pace at or beyond "
                                               "this (≤ for slower, ≥ for faster) → supported")
    contradicted_ratio: float = Field(description="at or beyond this the other way → "
                                                  "contradicted; between → mixed")
    chart_start: date | None = Field(None, description="first date in the chart (default: "
                                                       "reference_start)")
    gap_slack_days: int = Field(21, ge=0, description="data this much older than as-of is fine")

    @model_validator(mode="after")
    def _dates(self) -> PaceParams:
        if not self.reference_start < self.reference_end:
            raise ValueError("reference_start must come before reference_end")
        if self.start is not None and self.start < self.reference_end:
            raise ValueError("start must not come before reference_end")
        slower = self.expect == "slower"
        if (self.contradicted_ratio < self.supported_ratio) if slower \
                else (self.contradicted_ratio > self.supported_ratio):
            raise ValueError("contradicted_ratio must lie beyond supported_ratio (above it "
                             "for 'slower', below it for 'faster')")
        return self

    def reading(self, ratio: float) -> Verdict:
        """The verdict a pace ratio reads as under the thresholds."""
        return banded(ratio, supported=self.supported_ratio, contradicted=self.contradicted_ratio,
                      higher_is_better=self.expect == "faster")


@register
class Pace(Evaluator[PaceParams]):
    test = "pace"
    params_model = PaceParams
    title = "A series' pace after a date against a reference window"

    def data_needs(self, params: PaceParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.instruments import kind_of

        return [DataNeed(instrument=params.series, kind=kind_of(params.series),
                         start=params.reference_start, end=params.end or ctx.as_of,
                         why="the reference window and after the start")]

    def evaluate(self, claim: Claim, params: PaceParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.evaluate.hubdata import line_chart, read_series
        from narrowgate.models.macro import pace

        w = measured_window(claim, ctx, start=params.start, end=params.end)
        first, due, stop = w.start, w.decides, w.stop
        chart_start = params.chart_start or params.reference_start
        raw, used = read_series(ctx, params.series, min(params.reference_start, chart_start),
                                stop, prefer_source=params.prefer_source)
        values = raw * params.scale
        days = PERIOD_DAYS[params.per]
        reference = pace(values, params.reference_start, params.reference_end, days)
        try:
            after = pace(values, first, stop, days)
        except ValueError as exc:  # no second observation after the start yet
            return nothing_to_read_yet(first, exc, [used])
        ratio = after.per_period / reference.per_period
        reading = params.reading(ratio)
        observed = [d.date() for d in values.dropna().index]
        gate = coverage_gate(reading, decides_at=due, data_reaches=data_reach(observed),
                             as_of=ctx.as_of)
        rate = f"{params.unit}/{params.per}"
        name = params.label
        ref_span = f"{reference.start}–{reference.end}"
        figures = [
            figure("interim_verdict", "截至数据末的读数", "reading as of the data's end",
                   reading.value, "verdict", decisive=True),
            figure("pace_ratio", f"起点后速度 / 参照期速度({ref_span})",
                   f"pace after the start / reference pace ({ref_span})", round(ratio, 3),
                   "ratio", decisive=True),
            figure("pace_after", f"起点后平均每{_PER_ZH[params.per]}变化",
                   f"average change per {params.per} after the start",
                   round(after.per_period, 2), rate, decisive=True),
            figure("pace_reference", f"参照期平均每{_PER_ZH[params.per]}变化",
                   f"average change per {params.per} in the reference window",
                   round(reference.per_period, 2), rate),
            figure("change_after", "起点后变化", "change after the start",
                   round(after.change, 1), params.unit),
            figure("change_reference", "参照期变化", "change in the reference window",
                   round(reference.change, 1), params.unit),
            figure("window_after", "起点后所用观测", "observations used after the start",
                   f"{after.start} → {after.end}", "dates"),
            figure("window_reference", "参照期所用观测", "observations used in the reference",
                   f"{reference.start} → {reference.end}", "dates"),
            date_figure("data_end", "数据截至", "data end", after.end),
            figure("supported_ratio", "成立的速度比", "ratio for 'supported'",
                   params.supported_ratio, "≤" if params.expect == "slower" else "≥"),
            figure("contradicted_ratio", "否定的速度比", "ratio for 'contradicted'",
                   params.contradicted_ratio, "≥" if params.expect == "slower" else "≤"),
        ]
        shown = values.loc[pd.Timestamp(chart_start):]
        chart = line_chart(
            text(f"{name.zh}({params.unit}),起点后另列",
                 f"{name.en} ({params.unit}), after the start drawn separately"),
            pd.DataFrame({f"{params.series} ({params.unit})": shown,
                          "after the start": shown.where(
                              shown.index >= pd.Timestamp(after.start))}),
            params.unit, digits=1)
        missing = [m for m in [data_gap(params.series, after.end, stop, params.gap_slack_days)]
                   if m]
        summary = text(
            f"{after.start} 至 {after.end}(数据截至该日):{name.zh}变化 {after.change:+,.1f} "
            f"{params.unit},平均每{_PER_ZH[params.per]} {after.per_period:+.2f};参照期 {ref_span} "
            f"为 {reference.per_period:+.2f}。速度比 {ratio:.2f}(预期{_EXPECT_ZH[params.expect]},"
            f"成立阈值 {params.supported_ratio:g},否定阈值 {params.contradicted_ratio:g})。",
            f"{after.start} to {after.end} (where the data end): {name.en} changed "
            f"{after.change:+,.1f} {params.unit}, {after.per_period:+.2f} a {params.per}, "
            f"against {reference.per_period:+.2f} in {ref_span}: a pace ratio of {ratio:.2f} "
            f"(expected {params.expect}; supported at {params.supported_ratio:g}, contradicted "
            f"at {params.contradicted_ratio:g}; a negative ratio means the series turned).")
        summary = gate.said_first(summary)
        watch = crossings(params.reading, ratio,
                          [params.supported_ratio, params.contradicted_ratio],
                          label=text(f"{name.zh}速度比", f"{name.en} pace ratio"), unit="ratio",
                          digits=3, instrument=params.series, observed=after.end)
        return Assessment(verdict=gate.verdict, summary=summary, evidence=Evidence(
            figures=figures, data=[used], charts=[chart], missing=missing, watch=watch,
            notes=interim_first(gate, _method(params))))


_PER_ZH = {"day": "日", "week": "周", "month": "月", "year": "年"}
_EXPECT_ZH = {"slower": "放缓", "faster": "加快"}


def _method(params: PaceParams) -> LocalizedText:
    return text(
        f"起点后的平均每{_PER_ZH[params.per]}变化(首个观测到最后一个观测的差除以期间长度),"
        "除以参照期 "
        f"{params.reference_start}–{params.reference_end} 的同一速度。",
        f"The average change per {params.per} after the start (last minus first observation "
        f"over the time between them), divided by the same pace over "
        f"{params.reference_start}–{params.reference_end}.")
