"""The optional equity-duration block of policy-mix: two funds' rate sensitivity.

Why it exists: a claim that a policy mix presses on "long-duration" equities implies one
fund is more rate-sensitive than another; this block measures that from dividends and
sets it against what the long-term yield and the funds actually did. Context, never the
verdict. Method (every step is stated in the evidence notes):

1. Trailing 12-month dividends per share at the baseline, inferred from two stored files
   of the same fund — raw closes and dividend back-adjusted closes
   (:mod:`narrowgate.models.dividends`); yield = dividends / raw close on the baseline.
2. Gordon growth: discount rate r = y·(1+g) + g with g the assumed long-run dividend growth
   per fund (thesis params, an assumption, not a forecast); modified duration
   1/(r − g) = 1 / forward yield (years); the exact price change for ±Δr with cash flows
   fixed (:func:`narrowgate.models.duration.perpetuity_price_change`). The equity risk
   premium is held fixed, so the discount rate moves one for one with the long yield.
3. Context: the actual move of the long yield series (percent) from the baseline to its
   last observation in the window, what duration × Δyield implied for each fund, and each
   fund's total return (dividend-adjusted closes) over the same dates.
4. A P/E-based view (two-stage, :func:`narrowgate.models.duration.compare_duration`) only
   from sourced P/Es in the params.

pandas is imported inside functions (kind modules must import cheaply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from narrowgate.evaluate.common import EvidenceParts, InstrumentId, figure, pct, text
from narrowgate.evaluate.core.coverage import data_gap
from narrowgate.evaluate.core.sanity import because_of, not_meaningful_figure
from narrowgate.evaluate.hubdata import provenance_to_data, read_series, require_hub
from narrowgate.evaluate.kinds.equity_duration_bounds import broken_bounds, screened
from narrowgate.evaluate.registry import EvalContext, Params
from narrowgate.evaluate.verdict import Chart, ChartSeries, DataUsed, MissingData
from narrowgate.instruments import currency_of
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.models.dividends import TrailingYield


class SourcedPe(BaseModel):
    """A sourced P/E of a fund for the P/E-based duration view (two-stage growth path)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: InstrumentId
    pe: float = Field(gt=0, description="price / earnings, x")
    basis: Literal["trailing", "forward"] = Field("forward", description="which earnings")
    growth: float = Field(description="earnings growth for `years` years, decimal per year")
    years: int = Field(ge=1, le=50, description="length of the first growth stage, years")
    terminal_growth: float = Field(description="growth after `years`, decimal per year")
    payout_ratio: float = Field(1.0, gt=0, le=1.5, description="(dividends+buybacks)/E")
    source: str = Field(min_length=1, description="where and when the P/E was published")


class EquityDurationParams(Params):
    """Two funds whose dividend-yield durations are compared (``long`` is expected to be
    the more rate-sensitive), and the yield series whose move is set against them."""

    long: InstrumentId = Field(description="the fund expected to be more rate-sensitive")
    short: InstrumentId = Field(description="the fund expected to be less rate-sensitive")
    dividend_growth: dict[InstrumentId, float] = Field(
        description="assumed long-run dividend growth per fund (decimal per year), for "
        "Gordon r = yield·(1+g) + g; needed for both funds")
    raw_source: str = Field(min_length=1, description="stored source of raw (not "
                            "dividend-adjusted) closes of the two funds")
    adjusted_source: str = Field(min_length=1, description="stored source of dividend "
                                 "back-adjusted closes of the same funds")
    yield_series: InstrumentId = Field(description="long-term government bond yield, % "
                                                   "(e.g. a 10-year yield)")
    rate_shift_bp: float = Field(50.0, gt=0, le=500, description="discount-rate move, bp")
    max_duration_years: float = Field(
        100.0, gt=0, le=1000, description="sanity bound: a duration above this many years "
        "is shown as not meaningful (with its price effects) and never decides")
    sourced_pe: list[SourcedPe] = Field(
        default_factory=list, description="sourced P/Es of the funds for the P/E-based view")

    @model_validator(mode="after")
    def _growth_for_both(self) -> EquityDurationParams:
        if self.long == self.short:
            raise ValueError("duration: long and short must be two different funds")
        wanted = {self.long, self.short}
        if not wanted <= set(self.dividend_growth):
            raise ValueError(f"dividend_growth needs {', '.join(sorted(wanted))}")
        return self


@dataclass(frozen=True)
class DurationInputs:
    """The params of the block plus the window the kind hands it."""

    params: EquityDurationParams
    baseline: date
    end: date
    gap_slack_days: int = 45

    @property
    def long(self) -> str:
        return self.params.long

    @property
    def short(self) -> str:
        return self.params.short


@dataclass
class DurationPart(EvidenceParts):
    """Evidence pieces the evaluator merges into its own."""

    summary: LocalizedText = field(
        default_factory=lambda: text("久期部分缺少数据。", "The duration part lacks data."))


@dataclass
class FundReading:
    """One fund at the baseline: trailing yield, Gordon duration (years), the exact price
    changes for ±shift (decimals; ``down`` None where the perpetuity diverges), and the
    yield-move context (``implied`` = −duration × Δyield, ``actual`` total return)."""

    ttm: TrailingYield
    growth: float
    duration: float
    rate: float
    up: float
    down: float | None
    adjusted: pd.Series
    data: list[DataUsed]
    implied: float = float("nan")
    actual: float = float("nan")
    #: sanity bounds broken: "duration" and/or "implied" → the reason (empty: all sane)
    sane: dict[str, LocalizedText] = field(default_factory=dict)


def _closes(ctx: EvalContext, inst: str, start: date, source: str) -> tuple[pd.Series, DataUsed]:
    """Closes of one instrument from one named stored source, up to as-of, as stored."""
    hub = require_hub(ctx, [inst])
    bars = hub.bars(inst, start, ctx.as_of, adjust="raw", source=source)
    closes = bars.frame["close"].astype(float).dropna().sort_index()
    return closes, provenance_to_data(bars.provenance[0])


def _fund_reading(ctx: EvalContext, inputs: DurationInputs, inst: str) -> FundReading:
    """Trailing yield, Gordon duration and ±shift effects of one fund at the baseline."""
    from narrowgate.models.dividends import trailing_dividend_yield
    from narrowgate.models.duration import (
        duration_from_dividend_yield,
        perpetuity_price_change,
    )

    start = inputs.baseline - timedelta(days=400)
    raw, raw_used = _closes(ctx, inst, start, inputs.params.raw_source)
    adjusted, adj_used = _closes(ctx, inst, start, inputs.params.adjusted_source)
    ttm = trailing_dividend_yield(raw, adjusted, inputs.baseline)
    g = inputs.params.dividend_growth[inst]
    rate = ttm.dividend_yield * (1.0 + g) + g
    shift = inputs.params.rate_shift_bp / 10_000
    return FundReading(
        ttm=ttm, growth=g, rate=rate,
        duration=duration_from_dividend_yield(ttm.dividend_yield, growth=g),
        up=perpetuity_price_change(rate, g, shift),
        down=perpetuity_price_change(rate, g, -shift) if rate - shift > g else None,
        adjusted=adjusted, data=[raw_used, adj_used],
    )


def duration_part(ctx: EvalContext, inputs: DurationInputs) -> DurationPart:
    """Figures, chart, notes and gaps of the duration reading; a missing input becomes a
    MissingData (the policy verdict never depends on this part)."""
    import pandas as pd

    from narrowgate.errors import DataNotFound
    from narrowgate.models.performance import return_as_of
    from narrowgate.models.valuation import ValuationInputError

    part = DurationPart(notes=_assumption_notes(inputs))
    _pe_view(inputs, part)
    funds = (inputs.long, inputs.short)
    try:
        readings = {inst: _fund_reading(ctx, inputs, inst) for inst in funds}
        tsy, tsy_used = read_series(ctx, inputs.params.yield_series,
                                    inputs.baseline - timedelta(days=10), inputs.end)
    except (DataNotFound, ValuationInputError) as exc:
        part.missing.append(MissingData(
            what=f"dividend-yield duration of {', '.join(funds)}: {exc}",
            fetch=sorted({*funds, inputs.params.yield_series}),
            how=f"raw source {inputs.params.raw_source!r} and dividend-adjusted source "
                f"{inputs.params.adjusted_source!r} are both needed"))
        return part
    for reading in readings.values():
        part.data.extend(reading.data)
    part.data.append(tsy_used)
    ys = inputs.params.yield_series
    gap = data_gap(ys, tsy.index[-1].date(), min(inputs.end, ctx.as_of), inputs.gap_slack_days)
    part.missing += [gap] if gap else []
    before = tsy[pd.DatetimeIndex(tsy.index) <= pd.Timestamp(inputs.baseline)]
    tsy_from, tsy_to = before.index[-1].date(), tsy.index[-1].date()
    d_yield = float(tsy.iloc[-1] - before.iloc[-1])  # percentage points
    bp = f"{inputs.params.rate_shift_bp:g}"
    for inst, r in readings.items():
        r.implied = -r.duration * d_yield / 100
        r.actual = return_as_of(r.adjusted, tsy_from, tsy_to)
        r.sane = broken_bounds(inputs.params.max_duration_years, r.duration, r.implied)
        down = None if r.down is None else pct(r.down * 100, 1)
        part.figures += screened(r.sane, [
            figure(f"dividend_yield_{inst}", f"{inst} 过去 12 个月股息率",
                   f"{inst} trailing 12-month dividend yield",
                   pct(r.ttm.dividend_yield * 100, 3), "%"),
            figure(f"dividends_ttm_{inst}", f"{inst} 过去 12 个月每股分红",
                   f"{inst} dividends, trailing 12 months", round(r.ttm.dividends, 4),
                   f"{currency_of(inst) or 'currency'} per share ({r.ttm.count} ex-dates)"),
            figure(f"discount_rate_{inst}", f"{inst} 隐含折现率(Gordon)",
                   f"{inst} implied discount rate (Gordon)", pct(r.rate * 100, 2),
                   "% per year"),
            figure(f"duration_{inst}", f"{inst} 股息率久期", f"{inst} dividend-yield duration",
                   round(r.duration, 1), "years"),
            figure(f"rate_up_{inst}", f"{inst} 折现率 +{bp}bp 的价格变化",
                   f"{inst} price change, discount rate +{bp} bp", pct(r.up * 100, 1), "%"),
            figure(f"rate_down_{inst}", f"{inst} 折现率 −{bp}bp 的价格变化",
                   f"{inst} price change, discount rate −{bp} bp", down,
                   "% (none: the perpetuity diverges)" if down is None else "%"),
            figure(f"rate_linear_{inst}", f"{inst} ±{bp}bp 一阶价格变化(久期 × 变动)",
                   f"{inst} first-order price change for ±{bp} bp (duration × move)",
                   pct(r.duration * inputs.params.rate_shift_bp / 100, 1), "% (∓)"),
            figure(f"rate_implied_{inst}", f"{inst} {ys} 变动隐含的价格变化",
                   f"{inst} price change implied by the {ys} move", pct(r.implied * 100, 1),
                   "%"),
            figure(f"return_{inst}", f"{inst} 同期总回报", f"{inst} total return, same dates",
                   pct(r.actual * 100, 1), "%"),
        ])
    lg, sh = readings[inputs.long], readings[inputs.short]
    pair = f"{inputs.long} minus {inputs.short}"
    pair_zh = f"{inputs.long} 减 {inputs.short}"
    gap_reason = next((r.sane[k] for r in (lg, sh) for k in ("duration", "implied")
                       if k in r.sane), None)
    gaps = [
        figure("duration_gap", f"久期差({pair_zh})", f"duration gap, {pair}",
               round(lg.duration - sh.duration, 1), "years"),
        figure("rate_up_gap", f"+{bp}bp 影响差({pair_zh})", f"+{bp} bp effect gap, {pair}",
               pct((lg.up - sh.up) * 100, 1), "percentage points"),
    ]
    part.figures += gaps if gap_reason is None else [
        not_meaningful_figure(f, because_of(text("基金的久期", "a fund's duration")))
        for f in gaps]
    part.figures += [
        figure("yield_change", f"基准日后 {ys} 变化", f"{ys} change since the baseline",
               round(d_yield, 2),
               f"percentage points ({tsy_from} → {tsy_to})"),
        figure("return_gap", f"同期总回报差({pair_zh})", f"total return gap, {pair}, same dates",
               pct((lg.actual - sh.actual) * 100, 1), "percentage points"),
    ]
    part.charts.append(_chart(inputs, readings))
    part.summary = _summary(inputs, readings, d_yield, tsy_from, tsy_to)
    return part


def _chart(inputs: DurationInputs, readings: dict[str, FundReading]) -> Chart:
    """Bars per fund: ±shift effects, the yield-implied change and the actual return."""
    labels: list[str | float | int] = list(readings)
    bp = f"{inputs.params.rate_shift_bp:g}"

    def values(pick: Callable[[FundReading], float | None]) -> list[float | None]:
        return [None if (v := pick(r)) is None else round(v * 100, 2) for r in readings.values()]

    def sane(pick: Callable[[FundReading], float | None], *keys: str
             ) -> Callable[[FundReading], float | None]:
        """None where a broken sanity bound makes the value meaningless (never drawn)."""
        return lambda r: None if any(k in r.sane for k in keys) else pick(r)

    rows: list[tuple[str, Callable[[FundReading], float | None]]] = [
        (f"+{bp} bp (exact)", sane(lambda r: r.up, "duration")),
        (f"−{bp} bp (exact)", sane(lambda r: r.down, "duration")),
        (f"implied by the {inputs.params.yield_series} move",
         sane(lambda r: r.implied, "duration", "implied")),
        ("actual total return", lambda r: r.actual),
    ]
    return Chart(
        title=text("股息率久期下的利率敏感度与实际表现",
                   "Rate sensitivity from dividend-yield duration, and what happened"),
        series=[ChartSeries(name=name, x=labels, kind="bar", y=values(pick))
                for name, pick in rows],
        x_label="fund", y_label="% price change", x_is_date=False,
    )


def _summary(inputs: DurationInputs, readings: dict[str, FundReading], d_yield: float,
             tsy_from: date, tsy_to: date) -> LocalizedText:
    ys = inputs.params.yield_series
    zh, en = [], []
    for inst, r in readings.items():
        y, impl, act = r.ttm.dividend_yield * 100, r.implied * 100, r.actual * 100
        if "duration" in r.sane:
            cap = f"{inputs.params.max_duration_years:g}"
            zh.append(f"{inst} 股息率 {y:.2f}%、久期无意义(算得约 {r.duration:.0f} 年,超过 "
                      f"{cap} 年,隐含变化亦无意义)、实际 {act:+.1f}%")
            en.append(f"{inst} yield {y:.2f}%, duration not meaningful (computed "
                      f"~{r.duration:.0f} years, beyond {cap}; so is the implied move), "
                      f"actual {act:+.1f}%")
            continue
        said_zh = "无意义(跌幅超过 100%)" if "implied" in r.sane else f"{impl:+.0f}%"
        said_en = "not meaningful (beyond −100%)" if "implied" in r.sane else f"{impl:+.0f}%"
        zh.append(f"{inst} 股息率 {y:.2f}%、久期约 {r.duration:.0f} 年、隐含 {said_zh}、"
                  f"实际 {act:+.1f}%")
        en.append(f"{inst} yield {y:.2f}%, duration ~{r.duration:.0f} years, implied "
                  f"{said_en}, actual {act:+.1f}%")
    return text(
        f"久期(股息贴现,基准日 {inputs.baseline}):{ys} {tsy_from}→{tsy_to} 变化 "
        f"{d_yield:+.2f} 个百分点;" + ";".join(zh) + "。股息率久期不计回购,"
        "幅度不可作预测,只看方向。",
        f"Duration (dividend discount, baseline {inputs.baseline}): {ys} moved "
        f"{d_yield:+.2f} points from {tsy_from} to {tsy_to}; " + "; ".join(en) + ". "
        "Dividend-yield durations leave buybacks out: read the direction, not the size.",
    )


def _assumption_notes(inputs: DurationInputs) -> list[LocalizedText]:
    ys = inputs.params.yield_series
    growth = ", ".join(f"{k} {v:.1%}" for k, v in inputs.params.dividend_growth.items())
    return [
        text(
            f"股息:同一基金的未复权收盘({inputs.params.raw_source})与分红前复权收盘"
            f"({inputs.params.adjusted_source})之比在除息日跳升,"
            "股息 = 前一日收盘 × (1 − 前一日因子/当日因子);"
            f"股息率 = 基准日前 12 个月股息 / 基准日收盘。",
            f"Dividends: the ratio of the fund's dividend back-adjusted closes "
            f"({inputs.params.adjusted_source}) to its raw closes ({inputs.params.raw_source}) "
            "steps up on each ex-date; dividend = previous raw close × "
            "(1 − previous factor / factor). "
            "Yield = dividends with ex-dates in the 12 months to the baseline / the raw close "
            "on the baseline.",
        ),
        text(
            f"Gordon 模型:折现率 r = 股息率 × (1+g) + g,g 为假设的长期股息增速({growth});"
            "修正久期 = 1/(r − g) = 1/远期股息率,与 g 几乎无关;风险溢价不变,"
            f"折现率随 {ys} 一对一变动;±变动的价格影响按现金流不变精确计算,"
            "折现率降至 g 以下时永续价值发散(记为空)。",
            f"Gordon: discount rate r = yield × (1+g) + g with g an assumed long-run dividend "
            f"growth ({growth}); modified duration 1/(r − g) = 1 / forward yield, nearly "
            "independent of g. The equity risk premium is held fixed, so r moves one for one "
            f"with {ys}; ± effects are exact with cash flows fixed, and where the "
            "cut takes r to or below g the perpetuity diverges (shown as none).",
        ),
        text(
            "局限:股息率久期只计股息。主要以回购和留存收益回报股东的公司,"
            "股东现金收益率远高于股息率,按现金流不变计算的久期 1/(股东现金收益率) "
            f"远短于 1/股息率:对这样的基金,此处的久期与 {inputs.long} 减 {inputs.short} "
            "的差距都是高估的上限,只说明方向。",
            "Limits: the dividend-yield duration counts dividends only. Companies that return "
            "cash mostly through buybacks and retained earnings have a cash yield to holders "
            "well above their dividend yield, so their fixed-cash-flow duration "
            "1/(cash yield) is far shorter than 1/(dividend yield): for such a fund the "
            f"duration and the {inputs.long}-minus-{inputs.short} gap here are upper bounds "
            "that show direction, not size.",
        ),
    ]


def _pe_view(inputs: DurationInputs, part: DurationPart) -> None:
    """Two-stage P/E durations from sourced P/Es in the params, else a MissingData."""
    from narrowgate.models.duration import EquityAssumptions, compare_duration

    held = {p.instrument: p for p in inputs.params.sourced_pe}
    bp = f"{inputs.params.rate_shift_bp:g}"
    if not {inputs.long, inputs.short} <= set(held):
        part.missing.append(MissingData(
            what=(f"sourced P/E and growth for {inputs.long} and {inputs.short} (P/E-based "
                  "duration, two-stage model)"),
            how="record them with sources under `duration.sourced_pe` in the thesis params; "
                "no provider supplies fund P/Es yet",
        ))
        return
    table = compare_duration(
        [EquityAssumptions(i, p.pe, p.growth, p.years, p.terminal_growth, p.payout_ratio,
                           p.basis, p.source) for i, p in held.items()
         if i in (inputs.long, inputs.short)],
        shift=inputs.params.rate_shift_bp / 10_000,
    )
    for inst, row in table.iterrows():
        part.figures += [
            figure(f"pe_duration_{inst}", f"{inst} 市盈率久期(两阶段)",
                   f"{inst} P/E duration (two-stage)", round(float(row["modified"]), 1),
                   "years"),
            figure(f"pe_rate_up_{inst}", f"{inst} 市盈率视角 +{bp}bp", f"{inst} P/E view, +{bp} bp",
                   pct(float(row["price_change"]) * 100, 1), "%"),
        ]
        part.notes.append(text(f"{inst} 市盈率来源:{row['source']}",
                               f"{inst} P/E source: {row['source']}"))
