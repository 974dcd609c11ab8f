"""level: a series above (or below) a threshold at a date, or by a date.

"Gold holds above 4,000 at the end of June", "the 10-year yield falls below 4 % by
September": any instrument or series id, read in the params' price basis. ``rule: at``
reads the last observation on or before the date; ``rule: by`` the highest (``above``) or
lowest (``below``) observation from ``start`` (default: publication) to the date. The date
is ``on`` (default: the claim's horizon; without either, as-of decides). On the claimed
side of ``threshold`` → supported; ``mixed_band`` (in the series' unit) defines a band
beyond the line read as mixed; further → contradicted. The coverage gate holds a reading
back (pending, with the interim reading) until the data reach the date — except a line
crossed early under ``by``, which is final. Arithmetic: :mod:`narrowgate.models.level`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import InstrumentId, date_figure, figure, text
from narrowgate.evaluate.core.coverage import coverage_gate, data_reach, nothing_to_read_yet
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import SIDE_WORDS, capitalized, interim_first
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    Evidence,
    Figure,
    Verdict,
    WatchItem,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.models.level import LevelReading
    from narrowgate.thesis.schema import Claim

class LevelParams(Params):
    series: InstrumentId = Field(description="instrument or series id, e.g. lbma:GOLD, "
                                             "fred:DGS10")
    label: LocalizedText = Field(description="what the series is, e.g. {zh: 金价, en: gold}")
    side: Literal["above", "below"] = Field(description="where the claim puts the series")
    threshold: float = Field(description="the line, in the series' unit")
    rule: Literal["at", "by"] = Field("at", description="at: the value on the date; by: any "
                                                        "value from start to the date")
    on: date | None = Field(None, description="the date; default: the claim's horizon, "
                                              "else as-of")
    start: date | None = Field(None, description="first day read; default: publication")
    inclusive: bool = Field(True, description="a value exactly on the line counts as crossed")
    mixed_band: float = Field(0.0, ge=0, description="distance short of the line read as "
                                                     "mixed, in the series' unit (0: none)")
    basis: Literal["raw", "split", "total"] | None = Field(
        None, description="price basis of bar closes; default: the store's pick")
    unit: str | None = Field(None, description="unit of the values; default: the "
                                               "instrument's currency, else points")
    digits: int = Field(2, ge=0, le=6, description="decimals shown")
    chart_days: int = Field(365, ge=0, description="calendar days of history before start "
                                                   "in the chart")

    @model_validator(mode="after")
    def _dates(self) -> LevelParams:
        if self.start and self.on and self.on < self.start:
            raise ValueError(f"on ({self.on}) comes before start ({self.start})")
        return self


def _unit(params: LevelParams) -> str:
    from narrowgate.instruments import price_unit

    return params.unit or price_unit(params.series)


def _verdict(value: float, params: LevelParams) -> Verdict:
    """The claimed side of the line → supported; within ``mixed_band`` short → mixed."""
    up = params.side == "above"
    short = params.threshold - params.mixed_band if up else params.threshold + params.mixed_band
    return banded(value, supported=params.threshold, contradicted=short,
                  higher_is_better=up, inclusive=params.inclusive)


@register
class Level(Evaluator[LevelParams]):
    test = "level"
    params_model = LevelParams
    title = "A series above or below a threshold at or by a date (generic)"

    def data_needs(self, params: LevelParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.evaluate.hubdata import price_need

        start = (params.start or ctx.published) - timedelta(days=params.chart_days)
        return [price_need(params.series, start, ctx.as_of,
                           f"{params.label.en} against {params.threshold:g}")]

    def evaluate(self, claim: Claim, params: LevelParams, ctx: EvalContext) -> Assessment:
        from narrowgate.evaluate.hubdata import read_closes
        from narrowgate.models.level import level_reading

        w = measured_window(claim, ctx, start=params.start, end=params.on)
        if w.decides is not None and w.decides < w.start:
            raise NarrowgateError(f"level: the date read ({w.decides}) is before the window "
                                  f"starts ({w.start})",
                                  "set `on` (or the horizon) after `start` and publication")
        first = w.start - timedelta(days=params.chart_days)
        # read to as-of: observations after the date show the data reached it (a date on a
        # weekend is reached by the next session), though only those up to it are measured
        frame, data = read_closes(ctx, [params.series], first, ctx.as_of, basis=params.basis)
        values = frame[params.series].dropna()
        try:
            rd = level_reading(values, start=w.start, stop=w.stop, threshold=params.threshold,
                               side=params.side, rule=params.rule, inclusive=params.inclusive)
        except ValueError as exc:
            return nothing_to_read_yet(w.start, exc, data)
        reading = _verdict(rd.value, params)
        crossed_early = params.rule == "by" and reading is Verdict.SUPPORTED
        gate = coverage_gate(reading, decides_at=None if crossed_early else w.decides,
                             data_reaches=data_reach([d.date() for d in values.index]),
                             as_of=ctx.as_of)
        watch = _watch(params, rd) if gate.verdict is Verdict.PENDING or w.decides is None \
            else []
        return Assessment(
            verdict=gate.verdict, summary=gate.said_first(_summary(params, rd, w.start)),
            evidence=Evidence(figures=_figures(params, rd, w.start, w.stop), data=data,
                              charts=[_chart(params, values, w.stop)],
                              notes=interim_first(gate, _method(params, w.start, w.decides)),
                              watch=watch))


def _figures(params: LevelParams, rd: LevelReading, start: date, stop: date) -> list[Figure]:
    unit, n = _unit(params), params.digits
    name = params.label
    at = params.rule == "at"
    word_zh = "读数" if at else ("区间最高" if params.side == "above" else "区间最低")
    word_en = "reading" if at else ("highest in the window" if params.side == "above"
                                    else "lowest in the window")
    distance = rd.value - params.threshold
    figures = [
        figure("reading", f"{name.zh}{word_zh}", f"{name.en} {word_en}", round(rd.value, n),
               unit, decisive=True),
        date_figure("reading_date", "读数日期", "reading date", rd.on),
        figure("threshold", f"阈值({SIDE_WORDS[params.side].zh})",
               f"threshold ({params.side})", params.threshold, unit),
        figure("distance", "读数 − 阈值", "reading − threshold", round(distance, n), unit,
               decisive=True),
        figure("distance_pct", "相对阈值", "relative to the threshold",
               round(distance / abs(params.threshold) * 100, 2) if params.threshold else None,
               "%"),
        figure("latest", f"{name.zh}最新值({rd.latest_on})", f"{name.en} latest "
               f"({rd.latest_on})", round(rd.latest, n), unit),
        figure("window", "测量区间", "window measured", f"{start} → {stop}", "dates"),
    ]
    if not at:
        figures.append(figure("first_crossing", "首次越过阈值", "first crossing of the line",
                              rd.first_crossing.isoformat() if rd.first_crossing else "none",
                              "date"))
    return figures


def _method(params: LevelParams, start: date, decides: date | None) -> LocalizedText:
    when = decides.isoformat() if decides else "as-of"
    side_zh, band = SIDE_WORDS[params.side].zh, params.mixed_band
    band_zh = f";未越线但差距在 {band:g} 以内 → 部分成立" if band else ""
    band_en = f"; short of it by at most {band:g} → mixed" if band else ""
    if params.rule == "at":
        how_zh = f"{when} 当日(或之前最后一个)的值"
        how_en = f"the last value on or before {when}"
    else:
        how_zh = f"{start} 至 {when} 间的任一值(提前越线即成立)"
        how_en = f"any value from {start} to {when} (a line crossed early is final)"
    return text(f"方法:{params.label.zh}{how_zh}{side_zh} {params.threshold:g} → 成立"
                f"{band_zh};否则 → 被否定。",
                f"Method: {how_en} of {params.label.en} {params.side} {params.threshold:g} "
                f"→ supported{band_en}; otherwise → contradicted.")


def _summary(params: LevelParams, rd: LevelReading, start: date) -> LocalizedText:
    unit, n, name = _unit(params), params.digits, params.label
    name_en = capitalized(name.en)
    gap = rd.value - params.threshold
    side_zh = "高于" if gap > 0 else ("低于" if gap < 0 else "等于")
    side_en = "above" if gap > 0 else ("below" if gap < 0 else "on")
    if params.rule == "at":
        head_zh = f"{name.zh}({params.series})在 {rd.on} 为 {rd.value:,.{n}f} {unit}"
        head_en = f"{name_en} ({params.series}) stood at {rd.value:,.{n}f} {unit} on {rd.on}"
    else:
        word = SIDE_WORDS["high" if params.side == "above" else "low"]
        crossed = rd.first_crossing
        head_zh = (f"{name.zh}({params.series})自 {start} 起{word.zh} {rd.value:,.{n}f} "
                   f"{unit}({rd.on})," + (f"{crossed} 首次越线" if crossed else "未曾越线"))
        head_en = (f"{name_en} ({params.series}) has been {word.en} at {rd.value:,.{n}f} "
                   f"{unit} ({rd.on}) since {start}, "
                   + (f"first across the line on {crossed}" if crossed else "never across "
                      "the line"))
    return text(f"{head_zh},{side_zh}阈值 {params.threshold:g}(差 {gap:+,.{n}f})。",
                f"{head_en}: {side_en} the threshold {params.threshold:g} "
                f"({gap:+,.{n}f}).")


def _watch(params: LevelParams, rd: LevelReading) -> list[WatchItem]:
    """The latest value against the lines whose crossing changes the reading."""
    from narrowgate.evaluate.core.stability import unrecorded
    from narrowgate.evaluate.watch import crossings

    def reading(value: float) -> Verdict:  # what-if: not one of the claim's decisions
        with unrecorded():
            return _verdict(value, params)

    band = params.mixed_band if params.side == "above" else -params.mixed_band
    return crossings(reading, rd.latest,
                     [params.threshold, params.threshold - band], label=params.label,
                     unit=_unit(params), digits=params.digits, instrument=params.series,
                     observed=rd.latest_on)


def _chart(params: LevelParams, values: pd.Series, stop: date) -> Chart:
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart

    shown = values.loc[: pd.Timestamp(stop)]
    unit = _unit(params)
    return line_chart(
        text(f"{params.label.zh}({params.series})与阈值 {params.threshold:g}",
             f"{params.label.en} ({params.series}) and the line at {params.threshold:g}"),
        pd.DataFrame({f"{params.series} ({unit})": shown,
                      f"threshold {params.threshold:g}": pd.Series(params.threshold,
                                                                   index=shown.index)}),
        unit, digits=max(params.digits, 2))
