"""policy-mix: several series move the expected way between a baseline and the end.

"The central bank will cut rates while shrinking its balance sheet", "rates rise while
credit spreads stay tight": each listed series changes from its last observation on or
before the baseline (default: publication) to its last on or before the end (the claim's
horizon, else as-of), in points of its own (scaled) unit or in % of the baseline value,
and is expected at or below ``at_most`` or at or above ``at_least``. Every series as
expected → supported; none → contradicted; some → mixed. The coverage gate holds the
reading back (pending, with the interim reading) until the data reach the horizon.

Two optional blocks are context, never the verdict: ``regime`` shows the claimed effect as
history (long- vs short-duration returns while a regime series shrank vs grew,
:mod:`.regime_returns`); ``duration`` compares two funds' dividend-yield durations and
what a yield move implied for them (:mod:`.equity_duration`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    text,
)
from narrowgate.evaluate.core.thresholds import conditions_held
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.kinds.equity_duration import EquityDurationParams
from narrowgate.evaluate.kinds.regime_returns import RegimeHistory
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, Chart, DataUsed, Evidence, Figure, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim


class PolicySeries(Params):
    """One series and the direction the claim expects it to move."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$",
                     description="short name used in figure keys, e.g. rate")
    instrument: InstrumentId
    label: LocalizedText = Field(description="what the series is, for labels")
    prefer_source: str | None = Field(None, description="stored source read first")
    measure: Literal["points", "percent"] = Field(
        description="change in points of the scaled unit, or in % of the baseline value")
    at_most: float | None = Field(None, description="expected: the change is at or below "
                                  "this (points or %), e.g. -0.25 for a cut of 25 bp or more")
    at_least: float | None = Field(None, description="expected: the change is at or above "
                                   "this (points or %)")
    scale: float = Field(1.0, gt=0, description="multiplies the stored values (0.001: "
                                                "millions → billions)")
    unit: str = Field(min_length=1, description="unit of the scaled values, e.g. % or USD bn")
    digits: int = Field(2, ge=0, le=6, description="decimals of the levels shown")

    @model_validator(mode="after")
    def _one_bound(self) -> PolicySeries:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError(f"series {self.key}: give exactly one of at_most and at_least")
        return self

    @property
    def threshold(self) -> float:
        return self.at_most if self.at_most is not None else float(self.at_least or 0.0)

    def expected(self, change: float) -> bool:
        return change <= self.threshold if self.at_most is not None else change >= self.threshold

    @property
    def change_unit(self) -> str:
        if self.measure == "percent":
            return "%"
        return "percentage points" if self.unit == "%" else self.unit

    def bound_text(self) -> tuple[str, str]:
        sign = "≤" if self.at_most is not None else "≥"
        unit = "%" if self.measure == "percent" else f" {self.change_unit}"
        zh = "%" if self.measure == "percent" else (
            " 个百分点" if self.unit == "%" else f" {self.unit}")
        return f"{sign} {self.threshold:g}{zh}", f"{sign} {self.threshold:g}{unit}"


class PolicyMixParams(Params):
    series: list[PolicySeries] = Field(min_length=1, description="the series whose "
                                       "directions decide, each with its expected change")
    baseline: date | None = Field(None, description="default: the thesis's publication date")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    chart_start: date | None = Field(None, description="first date in the chart (default: "
                                     "regime.start, else a year before the baseline)")
    regime: RegimeHistory | None = Field(None, description="history of long- vs short-"
                                         "duration returns by regime (context)")
    duration: EquityDurationParams | None = Field(None, description="dividend-yield "
                                                  "durations of two funds (context)")
    gap_slack_days: int = Field(45, ge=0, description="data this much older than as-of is fine")

    @model_validator(mode="after")
    def _consistent(self) -> PolicyMixParams:
        keys = [s.key for s in self.series]
        if len(set(keys)) != len(keys):
            raise ValueError(f"series keys must differ, got {keys}")
        if self.baseline and self.end and self.end <= self.baseline:
            raise ValueError("end must come after the baseline")
        if self.baseline and self.chart_start and self.chart_start > self.baseline:
            raise ValueError("chart_start must not come after the baseline")
        return self

    def reading(self, met: list[bool]) -> Verdict:
        """All as expected → supported, none → contradicted, some → mixed."""
        return conditions_held(met)


@register
class PolicyMix(AwaitingEvaluator[PolicyMixParams]):
    test = "policy-mix"
    params_model = PolicyMixParams
    title = "Several series move the expected way; long- vs short-duration history"
    capability = Capability.DATA_HUB
    measures = text(
        "基准日到期末各序列的变化是否符合预期方向;历史上某序列收缩与扩张期间长久期与短久期资产的"
        "表现;可选:两只基金的股息率久期与收益率变动。",
        "Whether each series moved the expected way from the baseline to the end; over "
        "history, long- vs short-duration returns while a regime series shrank vs grew; "
        "optionally two funds' dividend-yield durations against the yield move.",
    )

    def data_needs(self, params: PolicyMixParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.instruments import kind_of

        end = params.end or ctx.as_of
        first = params.baseline or ctx.published
        start = _chart_start(params, first)
        needs: dict[str, DataNeed] = {}

        def add(need: DataNeed) -> None:
            held = needs.get(need.instrument)
            if held is None or (need.start or end) < (held.start or end):
                needs[need.instrument] = need

        for s in params.series:
            add(DataNeed(instrument=s.instrument, kind=kind_of(s.instrument), start=start,
                         end=end, why="the change from the baseline to the end"))
        if params.regime:
            reg = params.regime
            add(DataNeed(instrument=reg.series, kind=kind_of(reg.series), start=reg.start,
                         end=end, why="regimes of the history"))
            for need in bars_needs([*reg.long, reg.short], reg.start, end, "returns by regime"):
                add(need)
        if params.duration:
            dur = params.duration
            add(DataNeed(instrument=dur.yield_series, kind="series",
                         start=first - timedelta(days=10), end=end,
                         why="the yield move after the baseline"))
            for need in bars_needs([dur.long, dur.short], first - timedelta(days=400), end,
                                   "dividends for the duration"):
                add(need)
        return list(needs.values())

    def setup_figures(self, params: PolicyMixParams, ctx: EvalContext) -> list[Figure]:
        out = [date_figure("baseline", "基准日", "baseline", params.baseline or ctx.published)]
        for s in params.series:
            zh, en = s.bound_text()
            out.append(figure(f"{s.key}_threshold", f"{s.label.zh}变化的预期({zh})",
                              f"expected {s.label.en} change ({en})", s.threshold,
                              s.change_unit))
        return out

    def decide(self, claim: Claim, params: PolicyMixParams, ctx: EvalContext
               ) -> Assessment | None:
        """The reading from the listed series; the regime and duration blocks add context."""
        from narrowgate.evaluate.core.coverage import (
            coverage_gate,
            data_gap,
            data_reach,
            nothing_to_read_yet,
        )
        from narrowgate.evaluate.hubdata import read_series
        from narrowgate.evaluate.kinds.equity_duration import DurationInputs, duration_part
        from narrowgate.evaluate.kinds.regime_returns import regime_part
        from narrowgate.evaluate.watch import crossings
        from narrowgate.models.liquidity import level_change

        w = measured_window(claim, ctx, start=params.baseline, end=params.end)
        first, due, stop = w.start, w.decides, w.stop
        start = _chart_start(params, first)
        read: dict[str, tuple[pd.Series, DataUsed]] = {}

        def series_of(inst: str, since: date, prefer: str | None) -> pd.Series:
            if inst not in read:
                read[inst] = read_series(ctx, inst, since, prefer_source=prefer)
            return read[inst][0]

        values = {s.key: series_of(s.instrument, start, s.prefer_source) for s in params.series}
        try:
            paths = {s.key: level_change(values[s.key], first, stop) for s in params.series}
        except ValueError as exc:  # no observation after the baseline yet: nothing to read
            return nothing_to_read_yet(first, exc, [used for _, used in read.values()])
        changes = {s.key: (paths[s.key].change * s.scale if s.measure == "points"
                           else paths[s.key].pct * 100) for s in params.series}
        met = [s.expected(changes[s.key]) for s in params.series]
        reading = params.reading(met)
        reaches = [data_reach([d.date() for d in v.dropna().index]) for v in values.values()]
        gate = coverage_gate(reading, decides_at=due, as_of=ctx.as_of,
                             data_reaches=min((r for r in reaches if r), default=None))
        figures: list[Figure] = [figure("interim_verdict", "截至数据末的读数",
                                        "reading as of the data's end", reading.value,
                                        "verdict", decisive=True)]
        watch = []
        for i, s in enumerate(params.series):
            p, ch = paths[s.key], changes[s.key]
            figures += [
                figure(f"{s.key}_change", f"{s.label.zh}变化", f"{s.label.en} change",
                       round(ch, 2), s.change_unit, decisive=True),
                figure(f"{s.key}_path", s.label.zh, s.label.en,
                       f"{p.start_value * s.scale:,.{s.digits}f} ({p.start}) → "
                       f"{p.end_value * s.scale:,.{s.digits}f} ({p.end})", s.unit),
            ]

            def flipped(x: float, i: int = i, s: PolicySeries = s) -> Verdict:
                return params.reading([*met[:i], s.expected(x), *met[i + 1:]])

            watch += crossings(flipped, ch, [s.threshold], digits=2, observed=p.end,
                               label=text(f"基准日以来{s.label.zh}变化",
                                          f"{s.label.en} change since the baseline"),
                               unit=s.change_unit, instrument=s.instrument)
        figures += self.setup_figures(params, ctx)
        missing = [m for s in params.series if (m := data_gap(
            s.instrument, paths[s.key].end, stop, params.gap_slack_days))]
        charts = [_path_chart(params, values, start)]
        notes: list[LocalizedText] = [self.measures]
        said = [text(
            ";".join(f"{s.label.zh} {paths[s.key].start}→{paths[s.key].end} 变化 "
                     f"{changes[s.key]:+.2f}{_zh_unit(s)}(预期 {s.bound_text()[0]})"
                     for s in params.series) + "。",
            "; ".join(f"{s.label.en} {changes[s.key]:+.2f}{_en_unit(s)} from "
                      f"{paths[s.key].start} to {paths[s.key].end} (expected "
                      f"{s.bound_text()[1]})" for s in params.series) + ".")]
        regime_data: list[DataUsed] = []
        if params.regime:
            reg = params.regime
            part = regime_part(ctx, reg, series_of(reg.series, reg.start, reg.prefer_source),
                               stop)
            figures += part.figures
            charts += part.charts
            said += [part.summary] if part.summary else []
            regime_data = part.data
        duration_data: list[DataUsed] = []
        if params.duration:
            dur = duration_part(ctx, DurationInputs(params.duration, first, stop,
                                                    params.gap_slack_days))
            figures += dur.figures
            charts += dur.charts
            missing += dur.missing
            notes += dur.notes
            said.append(dur.summary)
            duration_data = dur.data
        summary = gate.said_first(text("".join(t.zh for t in said),
                                       " ".join(t.en for t in said if t.en)))
        if gate.interim:
            notes.insert(0, gate.interim)
        return Assessment(verdict=gate.verdict, summary=summary, evidence=Evidence(
            figures=figures, data=[u for _, u in read.values()] + regime_data + duration_data,
            charts=charts, notes=notes, missing=missing, watch=watch))


def _chart_start(params: PolicyMixParams, first: date) -> date:
    """First date read and charted: a year before the baseline at least, so that a
    monthly or quarterly series has its last observation on or before the baseline."""
    start = params.chart_start or (params.regime.start if params.regime else first)
    return min(start, first - timedelta(days=366))


def _en_unit(s: PolicySeries) -> str:
    return "%" if s.measure == "percent" else f" {s.change_unit}"


def _zh_unit(s: PolicySeries) -> str:
    return "%" if s.measure == "percent" else (" 个百分点" if s.unit == "%" else f" {s.unit}")


def _path_chart(params: PolicyMixParams, values: dict[str, pd.Series], start: date
                ) -> Chart:
    """The listed series (scaled) from ``start``: the first series' unit on the left axis,
    other units on the right."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart

    first_unit = params.series[0].unit
    columns = {f"{s.label.en} ({s.unit})": values[s.key] * s.scale for s in params.series}
    frame = pd.DataFrame(columns).ffill().loc[pd.Timestamp(start):]
    right = [f"{s.label.en} ({s.unit})" for s in params.series if s.unit != first_unit]
    right_unit = next((s.unit for s in params.series if s.unit != first_unit), None)
    return line_chart(
        text("、".join(s.label.zh for s in params.series),
             ", ".join(s.label.en for s in params.series)),
        frame, first_unit, y2_columns=right, y2_label=right_unit, digits=3)
