"""The cycle kind's calendar reading: where publication and the entry date fall in a cycle
of dated events, from the sourced dates alone (no prices).

Why apart from the cycle kind: the calendar is arithmetic on the thesis's event dates and
stands on its own when no prices are read (pending before the entry date, insufficient data
after it); the price part (:func:`narrowgate.evaluate.kinds.cycle.price_assessment`) builds
on it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import date_figure, fetch_how, figure, recorded_data, text
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    MissingData,
    Verdict,
)
from narrowgate.instruments import price_unit
from narrowgate.models.cycles import (
    cycle_lengths,
    days_since_event,
    last_halving,
    same_phase_dates,
)

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.cycle import CycleParams
    from narrowgate.evaluate.registry import EvalContext


def baseline_day(ctx: EvalContext) -> date:
    """The day before publication: entry "now" is the last close before publication."""
    return ctx.published - timedelta(days=1)


def calendar_reading(params: CycleParams, ctx: EvalContext) -> Assessment:
    """The calendar reading alone (no prices): pending before the entry date, insufficient
    data after it."""
    ev = params.event_label
    pub = ctx.published
    current = last_halving(pub, params.events)
    d_pub = days_since_event(params.events, pub)
    d_entry = days_since_event(params.events, params.entry_date)
    d_asof = days_since_event(params.events, ctx.as_of)
    lengths = cycle_lengths(params.events)
    mean_len = sum(lengths) / len(lengths)
    earlier = [h for h in params.events if h < current]
    past_pub = list(same_phase_dates(d_pub, earlier).values())
    past_entry = list(same_phase_dates(d_entry, earlier).values())

    figures = [
        date_figure("last_event", f"最近一次{ev.zh}", f"last {ev.en}", current),
        figure("days_since_event_at_publication", f"发布日距最近{ev.zh}天数",
               f"days since the {ev.en} at publication", d_pub, "days", decisive=True),
        figure("days_since_event_at_entry", f"入场日距最近{ev.zh}天数",
               f"days since the {ev.en} at the entry date", d_entry, "days"),
        figure("days_since_event_at_as_of", f"评估日距最近{ev.zh}天数",
               f"days since the {ev.en} at as-of", d_asof, "days"),
        figure("mean_cycle_days", "历次完整周期平均天数", "mean completed cycle length",
               round(mean_len, 1), "days"),
        figure("phase_at_publication", "发布日所处周期位置", "cycle phase at publication",
               round(d_pub / mean_len * 100, 1), "% of mean cycle"),
        figure("phase_at_entry", "入场窗口所处周期位置", "cycle phase at the entry window",
               round(d_entry / mean_len * 100, 1), "% of mean cycle"),
    ]
    for event, at_pub, at_entry in zip(params.events, past_pub, past_entry, strict=False):
        figures.append(figure(
            f"same_phase_{event.year}", f"{event.year} 周期同相位日期(发布 / 入场)",
            f"{event.year} cycle, same phase (publication / entry)",
            f"{at_pub.isoformat()} / {at_entry.isoformat()}", "date"))
    data = [recorded_data(params.events_source, f"calendar:{params.instrument}",
                          f"{ev.en} dates " + ", ".join(h.isoformat() for h in params.events))]
    if params.cycle_peak and params.cycle_peak_close and params.cycle_peak_source:
        figures.append(figure("cycle_peak_close", f"本轮周期高点收盘({params.cycle_peak})",
                              f"cycle peak close ({params.cycle_peak})",
                              params.cycle_peak_close, price_unit(params.instrument)))
        figures.append(figure("days_event_to_peak", f"{ev.zh}至本轮高点天数",
                              f"days from the {ev.en} to this cycle's peak",
                              (params.cycle_peak - current).days, "days"))
        data.append(recorded_data(params.cycle_peak_source, params.instrument,
                                  "cycle-peak daily close"))

    labels: list[str | float | int] = [str(h.year) for h in params.events]
    n = len(params.events)
    chart = Chart(
        title=text(f"各{ev.zh}周期天数与本轮关键时点", f"Days into each {ev.en} cycle"),
        series=[
            ChartSeries(name="completed cycle length", x=labels, kind="bar",
                        y=[float(v) for v in lengths] + [None]),
            ChartSeries(name="publication phase", x=labels, kind="bar", y=[float(d_pub)] * n),
            ChartSeries(name="entry-window phase", x=labels, kind="bar",
                        y=[float(d_entry)] * n),
            ChartSeries(name="as-of (current cycle)", x=labels, kind="bar",
                        y=[None] * (n - 1) + [float(d_asof)]),
        ],
        x_label=f"cycle ({ev.en} year)", y_label=f"days since {ev.en}", x_is_date=False,
    )
    calendar = text(
        f"发布日处于 {current} {ev.zh}后第 {d_pub} 天(平均周期的 {d_pub / mean_len:.0%}),"
        f"入场窗口 {params.entry_date} 为第 {d_entry} 天。",
        f"At publication {params.label.en} was {d_pub} days past the {current} {ev.en} "
        f"({d_pub / mean_len:.0%} of a mean cycle); the {params.entry_date} entry window "
        f"is day {d_entry}.",
    )
    missing = [MissingData(
        what=f"{params.instrument} daily closes (price part of the claim)",
        dates=(f"{baseline_day(ctx)} and {params.entry_date} ± "
               f"{params.entry_days} days; past-cycle phase dates "
               + ", ".join(d.isoformat() for d in past_pub + past_entry)),
        **fetch_how([params.instrument]),
    )]
    evidence = Evidence(figures=figures, data=data, charts=[chart], missing=missing,
                        notes=[calendar])
    if ctx.as_of < params.entry_date:
        return Assessment(
            verdict=Verdict.PENDING,
            summary=text(calendar.zh + " 入场窗口未到。",
                         calendar.en + " The entry window has not come yet."),
            evidence=evidence,
        )
    return Assessment(
        verdict=Verdict.INSUFFICIENT_DATA,
        summary=text(
            calendar.zh + f" 价格部分需要 {params.instrument} 日线(从实时数据源获取或导入"
            "已记录的文件)。",
            calendar.en + f" The price part needs {params.instrument} daily closes (fetch "
            "them from the live source or import recorded files).",
        ),
        evidence=evidence,
    )
