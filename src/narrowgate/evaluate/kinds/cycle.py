"""cycle: where an instrument stands in a cycle of dated events, and whether waiting paid.

For cycles anchored on events (bitcoin's halvings, elections, a central bank's meetings):
the calendar part — days since the last event, the same phase in past cycles, the phase of
an ``entry_date`` — is arithmetic on sourced event dates and needs no prices
(:mod:`narrowgate.evaluate.kinds.cycle_calendar`). The price
part reads daily closes: past cycles aligned on their events, the drawdown from the cycle
high at the same phase, whether the price kept falling after publication ("a falling
knife"), and entry at publication vs entry on ``entry_date``. The reading: still
correcting and the knife kept falling → supported, one → mixed, neither → contradicted;
with the entry close known it must agree, else mixed. The coverage gate keeps it pending,
with the interim reading, until the data reach ``entry_date``. Both entries are also
back-tested as held positions (:mod:`narrowgate.evaluate.kinds.cycle_entry`: evidence only).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    bars_needs,
    fetch_how,
    figure,
    text,
)
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.core.thresholds import conditions_held
from narrowgate.evaluate.hubdata import read_closes
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    with_implied_trades,
)
from narrowgate.evaluate.kinds.cycle_calendar import baseline_day, calendar_reading
from narrowgate.evaluate.kinds.cycle_entry import entry_plans
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import (
    VERDICT_LABELS,
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.evaluate.watch import crossings
from narrowgate.instruments import price_unit
from narrowgate.models.cycles import last_halving
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from narrowgate.thesis.schema import Claim


class CycleParams(Params):
    instrument: InstrumentId
    label: LocalizedText = Field(description="what the instrument is, e.g. bitcoin")
    events: list[date] = Field(min_length=2, description="the dated events the cycles start on")
    event_label: LocalizedText = Field(description="what an event is, e.g. halving")
    events_source: RecordedSource
    entry_date: date = Field(description="the entry date the claim names")
    entry_days: int = Field(14, ge=0, description="± days counted as 'around' the date")
    waiting_gain_min_pct: float = Field(
        0.0, description="price at the entry date at least this % below the publication "
                         "entry → waiting paid"
    )
    correcting_min_drawdown_pct: float = Field(
        20.0, gt=0, description="last close at least this % under the pre-publication cycle "
        "high → still correcting",
    )
    knife_min_fall_pct: float = Field(
        10.0, ge=0, description="a close after publication at least this % under the "
        "baseline close → the knife kept falling",
    )
    overlay_days: int = Field(1460, ge=100, description="days after each event in the charts")
    overlay_step_days: int = Field(5, ge=1, description="one chart point every this many days")
    cycle_peak: date | None = None
    cycle_peak_close: float | None = Field(None, gt=0, description="recorded close at the "
                                                                   "cycle peak")
    cycle_peak_source: RecordedSource | None = None
    implied_trade: ImpliedTradeParams = Field(  # crypto trades every day of the year
        default_factory=lambda: ImpliedTradeParams(trading_days_per_year=365))

    @model_validator(mode="after")
    def _ordered(self) -> CycleParams:
        if any(b <= a for a, b in pairwise(self.events)):
            raise ValueError("events must be strictly increasing dates")
        return self


@register
class Cycle(Evaluator[CycleParams]):
    test = "cycle"
    params_model = CycleParams
    title = "Phase in a cycle of dated events, and entry now vs on a date"

    def data_needs(self, params: CycleParams, ctx: EvalContext) -> list[DataNeed]:
        end = max(ctx.as_of, params.entry_date + timedelta(days=params.entry_days))
        return bars_needs([params.instrument], params.events[0], end,
                          "daily closes at baseline, entry window and past-cycle phases")

    def evaluate(self, claim: Claim, params: CycleParams, ctx: EvalContext) -> Assessment:
        calendar_only = calendar_reading(params, ctx)
        if ctx.hub is None:
            return calendar_only
        assessment = price_assessment(params, ctx, calendar_only)
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: CycleParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """The instrument bought at publication and at the entry date, held: see
        :func:`~narrowgate.evaluate.kinds.cycle_entry.entry_plans` (reads the closes now)."""
        return entry_plans(ctx, params.implied_trade, params.instrument, label=claim.id,
                           read_from=params.events[0], baseline=baseline_day(ctx),
                           name=params.label, currency=price_unit(params.instrument),
                           window=params.entry_date, start=start, end=end)

def price_assessment(params: CycleParams, ctx: EvalContext, calendar: Assessment) -> Assessment:
    """The calendar reading plus prices: correction since publication, phase vs past cycles,
    and the entry comparison once the data reaches the entry window.

    Verdict: "still correcting" (last close ≥ ``correcting_min_drawdown_pct`` under the
    pre-publication cycle high) and "the knife kept falling" (a later close ≥
    ``knife_min_fall_pct`` under the baseline) both → supported, neither → contradicted, one
    → mixed. With the entry close known it must agree, else mixed. Before the entry window
    the verdict is pending with that reading (the decision core's coverage gate).
    """
    import pandas as pd

    from narrowgate.models.cycle_phase import read_phase, running_drawdown, thin_days
    from narrowgate.models.cycles import cycle_paths

    ev, cur = params.event_label, price_unit(params.instrument)
    closes, used = read_closes(ctx, [params.instrument], params.events[0])
    prices = closes[params.instrument].dropna()
    data_end = prices.index[-1].date()
    current = last_halving(ctx.published, params.events)
    base = prices.loc[prices.index < pd.Timestamp(ctx.published)]
    base_day, base_close = base.index[-1].date(), float(base.iloc[-1])
    so_far = prices.loc[pd.Timestamp(current) : pd.Timestamp(base_day)]
    high_day = so_far.index[int(so_far.to_numpy().argmax())].date()
    high_close = float(so_far.max())
    last_close = float(prices.iloc[-1])
    drawdown_now = (last_close / high_close - 1.0) * 100
    after = prices.loc[pd.Timestamp(base_day) + pd.Timedelta(days=1) :]
    low_day = after.index[int(after.to_numpy().argmin())].date() if len(after) else base_day
    low_close = float(after.min()) if len(after) else base_close
    fall_after = (low_close / base_close - 1.0) * 100

    def corrects(drawdown: float) -> bool:  # last close under the high by the threshold
        return drawdown < 0 and -drawdown >= params.correcting_min_drawdown_pct

    correcting = corrects(drawdown_now)
    knife = -fall_after >= params.knife_min_fall_pct
    part = conditions_held((correcting, knife))

    inst = params.instrument
    figures: list[Figure] = [
        figure("baseline_close", f"发布时入场价({base_day})", f"entry at publication ({base_day})",
               round(base_close), cur, decisive=True),
        figure("cycle_high", f"发布前本轮高点({high_day})", f"pre-publication cycle high "
               f"({high_day})", round(high_close), cur),
        figure("last_close", f"最新收盘({data_end})", f"last close ({data_end})",
               round(last_close), cur),
        figure("drawdown_now", "距本轮高点回撤", "drawdown from the cycle high",
               round(drawdown_now, 1), "%", decisive=True),
        figure("low_after_publication", f"发布后最低收盘({low_day})",
               f"lowest close after publication ({low_day})", round(low_close), cur),
        figure("fall_after_publication", "发布后最大跌幅(相对入场价)",
               "deepest fall below the publication entry", round(fall_after, 1), "%",
               decisive=True),
        figure("return_since_publication", "发布至今涨跌", "return since publication",
               round((last_close / base_close - 1.0) * 100, 1), "%"),
        figure("correcting_threshold", "视为仍在调整的回撤", "drawdown counted as correcting",
               -params.correcting_min_drawdown_pct, "%"),
        figure("knife_threshold", "视为继续下跌的跌幅", "fall counted as a falling knife",
               -params.knife_min_fall_pct, "%"),
    ]
    missing: list[MissingData] = []
    entry_verdict: Verdict | None = None
    if data_end >= params.entry_date:
        entry = prices.loc[: pd.Timestamp(params.entry_date)]
        entry_close = float(entry.iloc[-1])
        gain = (base_close / entry_close - 1.0) * 100
        entry_verdict = (Verdict.SUPPORTED if -((entry_close / base_close - 1.0) * 100)
                         >= params.waiting_gain_min_pct else Verdict.CONTRADICTED)
        figures += [
            figure("entry_close", f"入场窗口收盘({entry.index[-1].date()})",
                   f"close at the entry window ({entry.index[-1].date()})", round(entry_close),
                   cur, decisive=True),
            figure("waiting_gain", "等待入场的多得(发布价/窗口价−1)",
                   "gain from waiting (publication / window close − 1)", round(gain, 1), "%",
                   decisive=True),
        ]
    else:
        missing.append(MissingData(
            what=f"{inst} closes at the entry window (entry on publication vs on "
                 f"{params.entry_date})",
            dates=f"{data_end + timedelta(days=1)} to "
                  f"{params.entry_date + timedelta(days=params.entry_days)}",
            **fetch_how([inst]),
        ))

    paths = cycle_paths(prices, params.events, params.overlay_days)
    d_base, d_now = (base_day - current).days, (data_end - current).days
    at_now = {r.cycle: r for r in read_phase(paths, d_now)}
    at_base = {r.cycle: r for r in read_phase(paths, d_base)}
    for cycle, reading in at_now.items():
        year = cycle[:4]
        then = at_base.get(cycle)
        figures.append(figure(
            f"cycle_{year}_drawdown", f"{year} 周期在第 {d_base} / {d_now} 天的回撤",
            f"{year} cycle drawdown at day {d_base} / {d_now}",
            f"{then.drawdown * 100:.1f} / {reading.drawdown * 100:.1f}" if then
            else f"{reading.drawdown * 100:.1f}", "%"))
        if cycle != current.isoformat():
            figures.append(figure(
                f"cycle_{year}_low", f"{year} 周期高点后的低点", f"{year} cycle low after its high",
                f"day {reading.low_day}, {reading.low_drawdown * 100:.1f}%", "day, %"))
    absent = [h for h in params.events if h.isoformat() not in paths.columns]
    if absent:
        missing.append(MissingData(
            what=f"{inst} closes from the {ev.en}(s) {', '.join(map(str, absent))}",
            dates=f"{absent[0]} to {prices.index[0].date() - timedelta(days=1)}",
            **fetch_how([inst]),
        ))
    step = params.overlay_step_days
    charts = [
        _overlay(text(f"各{ev.zh}周期价格路径({ev.zh}日=1)",
                      f"{ev.en} cycles aligned ({ev.en} close = 1)"),
                 thin_days(paths, step), f"× {ev.en} close", 1.0, ev.en),
        _overlay(text("距周期高点的回撤(%)", "Drawdown from the cycle high (%)"),
                 thin_days(running_drawdown(paths), step), "%", 100.0, ev.en),
        *calendar.evidence.charts,
    ]

    def overall(drawdown: float) -> Verdict:  # the reading with the drawdown moved
        moved = conditions_held((corrects(drawdown), knife))
        return moved if entry_verdict in (None, moved) else Verdict.MIXED

    watch = crossings(overall, drawdown_now, [-params.correcting_min_drawdown_pct],
                      label=text("距发布前本轮高点的回撤", "drawdown from the pre-publication "
                                 "cycle high"), unit="%", digits=1, instrument=inst,
                      observed=data_end)
    combined = part if entry_verdict in (None, part) else Verdict.MIXED
    waiting = (-((entry_close / base_close - 1.0) * 100) if entry_verdict is not None
               else None)
    _note_line_stability(params, drawdown_now, fall_after, waiting, combined)
    gate = coverage_gate(combined, decides_at=params.entry_date, data_reaches=data_end,
                         as_of=ctx.as_of)
    verdict = gate.verdict
    past = [r for c, r in at_now.items() if c != current.isoformat()]
    past_zh = ",".join(f"{r.cycle[:4]} 周期 {r.drawdown * 100:.0f}%(低点在第 {r.low_day} 天)"
                       for r in past)
    past_en = ", ".join(f"{r.cycle[:4]} cycle {r.drawdown * 100:.0f}% (low on day {r.low_day})"
                        for r in past)
    entry_zh = ("入场日数据已有。" if entry_verdict else
                f"数据止于 {data_end},尚无法比较发布日入场与 {params.entry_date} 入场。")
    entry_en = ("The entry date is in the data." if entry_verdict else
                f"The data ends {data_end}, so entry at publication cannot yet be compared with "
                f"entry on {params.entry_date}.")
    notes = calendar.evidence.notes
    summary = text(
        f"{notes[0].zh} 价格部分(判定:{VERDICT_LABELS[part].zh}):{data_end} 收盘 "
        f"{last_close:,.0f} {cur},"
        f"距 {high_day} 的本轮高点 {drawdown_now:.1f}%;发布后最低 {low_close:,.0f} {cur}"
        f"({low_day},"
        f"较入场价 {fall_after:+.1f}%)。同一阶段(第 {d_now} 天)以往:{past_zh}。{entry_zh}",
        f"{notes[0].en} Prices (reading: {part.value}): {last_close:,.0f} {cur} on {data_end}, "
        f"{drawdown_now:.1f}% from the {high_day} cycle high; after publication the low was "
        f"{low_close:,.0f} {cur} on {low_day} ({fall_after:+.1f}% from the entry). At the same "
        f"phase (day {d_now}) earlier cycles were at {past_en}. {entry_en}",
    )
    summary = gate.said_first(summary)
    return Assessment(
        verdict=verdict,
        summary=summary,
        evidence=Evidence(
            figures=figures + calendar.evidence.figures,
            data=[*used, *calendar.evidence.data],
            charts=charts,
            notes=notes,
            missing=missing,
            watch=watch,
        ),
    )


def _overlay(title: LocalizedText, frame: pd.DataFrame, y_label: str, scale: float,
             event: str) -> Chart:
    """Cycles side by side on a days-since-event axis (not dates)."""
    x: list[str | float | int] = [int(d) for d in frame.index]
    return Chart(
        title=title,
        series=[ChartSeries(name=f"cycle from {c}", x=list(x),
                            y=[None if v != v else round(float(v) * scale, 4)
                               for v in frame[c]])
                for c in frame.columns],
        x_label=f"days since {event}", y_label=y_label, x_is_date=False,
    )


def _note_line_stability(params: CycleParams, drawdown_now: float, fall_after: float,
                         waiting_gain: float | None, verdict: Verdict) -> None:
    """Stability: each of the reading's lines (correcting drawdown, knife fall, waiting
    gain; all in %) moved across ±BAND of itself, the others as set; each line's kept share
    is one decision (the claim reports the weakest)."""
    from narrowgate.evaluate.core.stability import note_scaled_line

    lines = {"correcting": params.correcting_min_drawdown_pct,
             "knife": params.knife_min_fall_pct, "waiting": params.waiting_gain_min_pct}

    def reading(at: dict[str, float]) -> Verdict:
        correcting = drawdown_now < 0 and -drawdown_now >= at["correcting"]
        part = conditions_held((correcting, -fall_after >= at["knife"]))
        if waiting_gain is None:
            return part
        entry = Verdict.SUPPORTED if waiting_gain >= at["waiting"] else Verdict.CONTRADICTED
        return part if entry is part else Verdict.MIXED

    def moved(name: str) -> Callable[[float], Verdict]:
        return lambda at: reading({**lines, name: at})

    for name in lines if waiting_gain is not None else ("correcting", "knife"):
        note_scaled_line(lines[name], moved(name), verdict)
