"""btc-cycle: where bitcoin stands in its four-year halving cycle, and whether waiting paid.

Why split in two: the calendar part (days since the last halving, the same phase in past
cycles, the phase of the October-1 entry window) is arithmetic on sourced halving dates and
is decided here. The price part (entry on publication vs entry on Oct 1, and the path of
past cycles at the same phase) needs daily BTC-USD closes; without them the verdict is
"pending" before the entry window and "insufficient data" after it.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    date_figure,
    fetch_how,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    MissingData,
    Verdict,
)

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class BtcCycleParams(Params):
    instrument: InstrumentId
    halvings: list[date] = Field(min_length=2, description="block-subsidy halving dates (UTC)")
    halvings_source: RecordedSource
    baseline_date: date = Field(description="last close before publication (entry 'now')")
    entry_window: date = Field(description="the article's entry date (China's National Day)")
    entry_window_days: int = Field(14, ge=0, description="± days counted as 'around' the date")
    waiting_gain_min_pct: float = Field(
        0.0, description="BTC at the entry window at least this % below baseline → supported"
    )
    cycle_peak: date | None = None
    cycle_peak_close_usd: float | None = Field(None, gt=0)
    cycle_peak_source: RecordedSource | None = None

    @model_validator(mode="after")
    def _ordered(self) -> BtcCycleParams:
        if any(b <= a for a, b in pairwise(self.halvings)):
            raise ValueError("halvings must be strictly increasing dates")
        if self.entry_window <= self.baseline_date:
            raise ValueError("entry_window must come after baseline_date")
        return self


def last_halving(halvings: list[date], on: date) -> date:
    """The most recent halving on or before ``on``."""
    past = [h for h in halvings if h <= on]
    if not past:
        raise ValueError(f"no halving on or before {on}")
    return past[-1]


def days_since_halving(halvings: list[date], on: date) -> int:
    return (on - last_halving(halvings, on)).days


def cycle_lengths(halvings: list[date]) -> list[int]:
    """Days between consecutive halvings (one per completed cycle)."""
    return [(b - a).days for a, b in pairwise(halvings)]


def same_phase_dates(halvings: list[date], days: int, current: date) -> list[date]:
    """The date ``days`` after each halving before ``current`` (same cycle phase)."""
    return [h + timedelta(days=days) for h in halvings if h < current]


@register
class BtcCycle(Evaluator[BtcCycleParams]):
    test = "btc-cycle"
    params_model = BtcCycleParams
    title = "Bitcoin halving-cycle phase and the October entry window"

    def data_needs(self, params: BtcCycleParams, ctx: EvalContext) -> list[DataNeed]:
        end = max(ctx.as_of, params.entry_window + timedelta(days=params.entry_window_days))
        return [DataNeed(instrument=params.instrument, kind="bars",
                         start=params.halvings[0], end=end,
                         why="daily closes at baseline, entry window and past-cycle phases")]

    def evaluate(self, claim: Claim, params: BtcCycleParams, ctx: EvalContext) -> Assessment:
        pub = ctx.published
        current = last_halving(params.halvings, pub)
        d_pub = days_since_halving(params.halvings, pub)
        d_entry = days_since_halving(params.halvings, params.entry_window)
        d_asof = days_since_halving(params.halvings, ctx.as_of)
        lengths = cycle_lengths(params.halvings)
        mean_len = sum(lengths) / len(lengths)
        past_pub = same_phase_dates(params.halvings, d_pub, current)
        past_entry = same_phase_dates(params.halvings, d_entry, current)

        figures = [
            date_figure("last_halving", "最近一次减半", "last halving", current),
            figure("days_since_halving_at_publication", "发布日距最近减半天数",
                   "days since the halving at publication", d_pub, "days", decisive=True),
            figure("days_since_halving_at_entry", "入场窗口距最近减半天数",
                   "days since the halving at the entry window", d_entry, "days"),
            figure("days_since_halving_at_as_of", "评估日距最近减半天数",
                   "days since the halving at as-of", d_asof, "days"),
            figure("mean_cycle_days", "历次完整周期平均天数", "mean completed cycle length",
                   round(mean_len, 1), "days"),
            figure("phase_at_publication", "发布日所处周期位置", "cycle phase at publication",
                   round(d_pub / mean_len * 100, 1), "% of mean cycle"),
            figure("phase_at_entry", "入场窗口所处周期位置", "cycle phase at the entry window",
                   round(d_entry / mean_len * 100, 1), "% of mean cycle"),
        ]
        for halving, at_pub, at_entry in zip(params.halvings, past_pub, past_entry, strict=False):
            figures.append(figure(
                f"same_phase_{halving.year}", f"{halving.year} 周期同相位日期(发布 / 入场)",
                f"{halving.year} cycle, same phase (publication / entry)",
                f"{at_pub.isoformat()} / {at_entry.isoformat()}", "date"))
        data = [recorded_data(params.halvings_source, "calendar:btc-halvings",
                              "halving dates " + ", ".join(h.isoformat() for h in params.halvings))]
        if params.cycle_peak and params.cycle_peak_close_usd and params.cycle_peak_source:
            figures.append(figure("cycle_peak_close", f"本轮周期高点收盘({params.cycle_peak})",
                                  f"cycle peak close ({params.cycle_peak})",
                                  params.cycle_peak_close_usd, "USD"))
            figures.append(figure("days_halving_to_peak", "减半至本轮高点天数",
                                  "days from the halving to this cycle's peak",
                                  (params.cycle_peak - current).days, "days"))
            data.append(recorded_data(params.cycle_peak_source, params.instrument,
                                      "cycle-peak daily close"))

        labels: list[str | float | int] = [str(h.year) for h in params.halvings]
        n = len(params.halvings)
        chart = Chart(
            title=text("各减半周期天数与本轮关键时点", "Days into each halving cycle"),
            series=[
                ChartSeries(name="completed cycle length", x=labels, kind="bar",
                            y=[float(v) for v in lengths] + [None]),
                ChartSeries(name="publication phase", x=labels, kind="bar", y=[float(d_pub)] * n),
                ChartSeries(name="entry-window phase", x=labels, kind="bar",
                            y=[float(d_entry)] * n),
                ChartSeries(name="as-of (current cycle)", x=labels, kind="bar",
                            y=[None] * (n - 1) + [float(d_asof)]),
            ],
            x_label="cycle (halving year)", y_label="days since halving", x_is_date=False,
        )
        calendar = text(
            f"发布日处于 {current} 减半后第 {d_pub} 天(平均周期的 {d_pub / mean_len:.0%}),"
            f"入场窗口 {params.entry_window} 为第 {d_entry} 天。",
            f"At publication BTC was {d_pub} days past the {current} halving "
            f"({d_pub / mean_len:.0%} of a mean cycle); the {params.entry_window} entry window "
            f"is day {d_entry}.",
        )
        missing = [MissingData(
            what=f"{params.instrument} daily closes (price part of the claim)",
            dates=(f"{params.baseline_date} and {params.entry_window} ± "
                   f"{params.entry_window_days} days; past-cycle phase dates "
                   + ", ".join(d.isoformat() for d in past_pub + past_entry)),
            how=fetch_how([params.instrument]),
        )]
        evidence = Evidence(figures=figures, data=data, charts=[chart], missing=missing,
                            notes=[calendar])
        if ctx.as_of < params.entry_window:
            return Assessment(
                verdict=Verdict.PENDING,
                summary=text(calendar.zh + " 入场窗口未到。",
                             calendar.en + " The entry window has not come yet."),
                evidence=evidence,
            )
        # TODO(data hub): with ctx.hub, compare the close at baseline_date with the lowest
        # close within the entry window and the past cycles' same-phase paths.
        return Assessment(
            verdict=Verdict.INSUFFICIENT_DATA,
            summary=text(
                calendar.zh + f" 价格部分需要 {params.instrument} 日线:"
                f"运行 `narrowgate data import ../shared/data` 或 "
                f"`narrowgate data pull {params.instrument}`。",
                calendar.en + f" The price part needs {params.instrument} daily closes: run "
                f"`narrowgate data import ../shared/data` or "
                f"`narrowgate data pull {params.instrument}`.",
            ),
            evidence=evidence,
        )
