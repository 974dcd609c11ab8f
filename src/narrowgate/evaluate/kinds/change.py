"""change: a set of indicators moved (or broke from their trend) as a claim expects.

Any thesis of the form "X will rise / fall" fits: each indicator names a series, how it is
read (level or year-on-year %), the direction the claim expects and the threshold a move
must pass to count. Against ``trend`` the reading at the end is compared with the line the
series followed over a baseline window before the start; against ``start`` with the last
value before it. The verdict counts indicators past their threshold in the expected
direction: at least ``supported_min`` → supported, at most ``contradicted_max`` →
contradicted, between → mixed (the band the params define). The coverage gate holds the
reading back (pending, with the interim reading) until the data reach the end date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, fetch_how, figure, text
from narrowgate.evaluate.core.coverage import coverage_gate, data_reach
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import SIDE_WORDS, interim_first
from narrowgate.evaluate.verdict import (
    VERDICT_LABELS,
    Assessment,
    Chart,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.models.trend import TrendReading
    from narrowgate.thesis.schema import Claim

#: extra history read before the baseline so a year-on-year transform has its year-ago values
_YOY_LOOKBACK = timedelta(days=400)


class Indicator(Params):
    """One series the claim expects to move, and the line its move must pass."""

    instrument: InstrumentId
    label: LocalizedText
    transform: Literal["level", "yoy_pct"] = Field(
        "level", description="level: as published; yoy_pct: % change from a year earlier")
    unit: str = Field(min_length=1, description="unit of the transformed series, e.g. '%'")
    smooth: int = Field(1, ge=1, le=52, description="observations averaged into the reading")
    expect: Literal["above", "below"] = Field(
        description="where the claim expects the reading: above or below the trend/start")
    threshold: float = Field(gt=0, description="size of a move that counts, in `deviation`")
    deviation: Literal["points", "percent"] = Field(
        "points", description="points: in the series' unit; percent: relative to expected")


class ChangeParams(Params):
    indicators: list[Indicator] = Field(min_length=1)
    against: Literal["trend", "start"] = Field(
        "trend", description="trend: the baseline line; start: the last value before start")
    start: date | None = Field(None, description="default: the thesis's publication date")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    baseline_years: float = Field(2.0, gt=0, le=30, description="years before start, for the trend")
    supported_min: int = Field(ge=1, description="indicators past threshold → supported")
    contradicted_max: int = Field(ge=0, description="at most this many → contradicted")

    @model_validator(mode="after")
    def _band(self) -> ChangeParams:
        if self.supported_min > len(self.indicators):
            raise ValueError(f"supported_min {self.supported_min} exceeds the "
                             f"{len(self.indicators)} indicators")
        if self.contradicted_max >= self.supported_min:
            raise ValueError("contradicted_max must be below supported_min")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must come after start")
        return self


@dataclass(frozen=True)
class _Read:
    indicator: Indicator
    reading: TrendReading
    reaches: date  # the last day the last observation covers
    state: Literal["signal", "within", "against"]


def _deviation_unit(ind: Indicator) -> str:
    """Percentage points for a move of a series quoted in %, else the series' unit; '%'
    for a relative deviation."""
    if ind.deviation == "percent":
        return "%"
    return "pp" if ind.unit.startswith("%") else ind.unit


def _state(ind: Indicator, deviation: float) -> Literal["signal", "within", "against"]:
    signed = deviation if ind.expect == "above" else -deviation
    if signed >= ind.threshold:
        return "signal"
    return "against" if signed <= -ind.threshold else "within"


def _count_verdict(signals: int, params: ChangeParams) -> Verdict:
    return banded(signals, supported=params.supported_min, contradicted=params.contradicted_max)


@register
class Change(Evaluator[ChangeParams]):
    test = "change"
    params_model = ChangeParams
    title = "Indicators move against their trend or start value (generic)"

    def _window(self, claim: Claim, params: ChangeParams, ctx: EvalContext
                ) -> tuple[date, date, date | None]:
        """start, the end measured to (≤ as-of), and the date that decides the claim."""
        w = measured_window(claim, ctx, start=params.start, end=params.end)
        return w.start, w.stop, w.decides

    def data_needs(self, params: ChangeParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.evaluate.hubdata import price_need

        start = params.start or ctx.published
        first = _baseline_start(start, params) - _YOY_LOOKBACK
        return [price_need(i.instrument, first, ctx.as_of, f"{i.label.en}: since {start}")
                for i in params.indicators]

    def evaluate(self, claim: Claim, params: ChangeParams, ctx: EvalContext) -> Assessment:
        start, stop, decides = self._window(claim, params, ctx)
        reads, data, missing, charts = _read_all(params, ctx, start, stop)
        if not reads:
            return Assessment(
                verdict=Verdict.INSUFFICIENT_DATA,
                summary=text("没有任何指标有足够的数据。", "No indicator has enough data."),
                evidence=Evidence(data=data, missing=missing))
        signals = sum(r.state == "signal" for r in reads)
        low = _count_verdict(signals, params)
        high = _count_verdict(signals + len(missing), params)
        figures = [_figures(r, params) for r in reads]
        flat = [f for group in figures for f in group]
        flat.append(figure("indicators_past_threshold", "达到阈值且方向符合的指标数",
                           "indicators past their threshold in the expected direction",
                           signals, f"of {len(params.indicators)}", decisive=True))
        reaches = min(r.reaches for r in reads)
        notes = [_rule_note(params, start)]
        if low is not high:
            notes.append(text(f"{len(missing)} 个指标缺数据,结论取决于它们。",
                              f"{len(missing)} indicators lack data and would decide it."))
            return Assessment(verdict=Verdict.INSUFFICIENT_DATA,
                              summary=text(f"数据不全:{signals} 个指标符合预期,"
                                           f"{len(missing)} 个缺数据。",
                                           f"Incomplete: {signals} indicators as expected, "
                                           f"{len(missing)} without data."),
                              evidence=Evidence(figures=flat, data=data, charts=charts,
                                                notes=notes, missing=missing))
        gate = coverage_gate(low, decides_at=decides, data_reaches=reaches, as_of=ctx.as_of)
        watch = [w for r in reads for w in _watch(r, reads, params)]
        return Assessment(verdict=gate.verdict,
                          summary=gate.said_first(_summary(reads, params, low)),
                          evidence=Evidence(figures=flat, data=data, charts=charts,
                                            notes=interim_first(gate, *notes), missing=missing,
                                            watch=watch))


def _baseline_start(start: date, params: ChangeParams) -> date:
    return start - timedelta(days=round(params.baseline_years * 365.25))


def _read_all(params: ChangeParams, ctx: EvalContext, start: date, stop: date
              ) -> tuple[list[_Read], list[DataUsed], list[MissingData], list[Chart]]:
    """Each indicator's reading; indicators without data become MissingData."""
    import pandas as pd

    from narrowgate.errors import DataNotFound
    from narrowgate.evaluate.hubdata import line_chart, read_closes
    from narrowgate.models.trend import deviation_from_trend, transform_series, trend_line

    base = _baseline_start(start, params)
    reads: list[_Read] = []
    data: list[DataUsed] = []
    missing: list[MissingData] = []
    charts: list[Chart] = []
    for ind in params.indicators:
        try:
            frame, used = read_closes(ctx, [ind.instrument], base - _YOY_LOOKBACK, stop)
            series = transform_series(frame[ind.instrument], ind.transform)
            reading = deviation_from_trend(
                series, baseline_start=base, start=start, end=stop, smooth=ind.smooth,
                against=params.against, unit=ind.deviation)
        except (DataNotFound, ValueError) as exc:
            missing.append(MissingData(what=f"{ind.instrument} ({ind.label.en}): {exc}",
                                       dates=f"{base} to {stop}",
                                       **fetch_how([ind.instrument])))
            continue
        data.extend(used)
        observed = [d.date() for d in series.loc[:pd.Timestamp(stop)].index]
        reaches = data_reach(observed) or reading.reading_date
        reads.append(_Read(ind, reading, reaches, _state(ind, reading.deviation)))
        shown = series.loc[pd.Timestamp(base) : pd.Timestamp(stop)].rename(ind.label.en)
        lines = [shown]
        if params.against == "trend":
            lines.append(trend_line(series, baseline_start=base, start=start, end=stop)
                         .rename(f"trend {reading.baseline_first}–{reading.baseline_last}"))
        charts.append(line_chart(
            text(f"{ind.label.zh}({ind.instrument})与发布前趋势",
                 f"{ind.label.en} ({ind.instrument}) against its pre-publication trend"),
            pd.concat(lines, axis=1), ind.unit, digits=3))
    return reads, data, missing, charts


def _figures(r: _Read, params: ChangeParams) -> list[Figure]:
    ind, rd = r.indicator, r.reading
    key = ind.instrument.replace(":", "_").lower()
    ref_zh = "趋势值" if params.against == "trend" else "起点值"
    ref_en = "trend value" if params.against == "trend" else "start value"
    dev_unit = _deviation_unit(ind)
    return [
        figure(f"{key}_reading", f"{ind.label.zh}({rd.reading_date})",
               f"{ind.label.en} ({rd.reading_date})", round(rd.reading, 3), ind.unit),
        figure(f"{key}_expected", f"{ind.label.zh} {ref_zh}", f"{ind.label.en} {ref_en}",
               round(rd.expected, 3), ind.unit),
        figure(f"{key}_deviation", f"{ind.label.zh} 偏离(预期{SIDE_WORDS[ind.expect].zh},阈值 "
               f"{ind.threshold:g})", f"{ind.label.en} deviation (expected {ind.expect}, "
               f"threshold {ind.threshold:g})", round(rd.deviation, 3), dev_unit,
               decisive=True),
    ]


def _rule_note(params: ChangeParams, start: date) -> LocalizedText:
    base = _baseline_start(start, params)
    if params.against == "trend":
        how_zh = f"与 {base} 至 {start} 的线性趋势外推值比较"
        how_en = f"against the linear trend fitted from {base} to {start}, extended"
    else:
        how_zh, how_en = f"与 {start} 前最后一个值比较", f"against the last value before {start}"
    n = len(params.indicators)
    return text(
        f"方法:每个指标的读数{how_zh};≥{params.supported_min}/{n} 个指标超过阈值且方向符合 → "
        f"成立,≤{params.contradicted_max} 个 → 被否定,其间 → 部分成立。",
        f"Method: each indicator's reading {how_en}; ≥{params.supported_min} of {n} past "
        f"their threshold in the expected direction → supported, ≤{params.contradicted_max} "
        "→ contradicted, in between → mixed.")


def _summary(reads: list[_Read], params: ChangeParams, reading: Verdict) -> LocalizedText:
    parts_zh, parts_en = [], []
    for r in reads:
        ind, rd = r.indicator, r.reading
        unit = _deviation_unit(ind)
        parts_zh.append(f"{ind.label.zh} 偏离 {rd.deviation:+.2f}{unit}({rd.reading_date})")
        parts_en.append(f"{ind.label.en} {rd.deviation:+.2f} {unit} ({rd.reading_date})")
    label = VERDICT_LABELS[reading]
    signals = sum(r.state == "signal" for r in reads)
    return text(
        f"{signals}/{len(params.indicators)} 个指标按预期超过阈值({label.zh}):"
        + ";".join(parts_zh) + "。",
        f"{signals} of {len(params.indicators)} indicators past their threshold as expected "
        f"({label.en}): " + "; ".join(parts_en) + ".")


def _watch(r: _Read, reads: list[_Read], params: ChangeParams) -> list[WatchItem]:
    """Lines of this indicator whose crossing changes the count's verdict."""
    from narrowgate.evaluate.watch import crossings

    others = sum(o.state == "signal" for o in reads if o is not r)
    ind = r.indicator
    sign = 1.0 if ind.expect == "above" else -1.0

    def reading(deviation: float) -> Verdict:
        return _count_verdict(others + (_state(ind, deviation) == "signal"), params)

    return crossings(reading, r.reading.deviation, [sign * ind.threshold],
                     label=text(f"{ind.label.zh} 偏离", f"{ind.label.en} deviation"),
                     unit=_deviation_unit(ind), digits=3,
                     instrument=ind.instrument, observed=r.reading.reading_date)
