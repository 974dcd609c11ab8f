"""event-study: a sourced log of dated events, the claim's headline event and count checked
against it, and prices around the events as context.

For claims about a run of announcements ("the exchange lifted the margin from 15% to 18%,
and 38 changes in two months made squeezes harder"; "the bank raised rates five times this
year"): the thesis logs each event with its date, who made it (``group``), what it
touched (``subject``), the value before and after (in ``unit``) and a source. The
headline event must be in the log (else insufficient data); the count of logged events in
the claim's window against its count (at least ``count_supported_share`` of it) decides
supported vs mixed — a log is rarely exhaustive, so a shortfall leaves the count
unconfirmed rather than refuted. Each before→after step can be shown through a
``derived`` measure (``inverse_pct``: 100 / value, e.g. a margin in % → the maximum
leverage it allows). Returns and realised volatility of a price in the N sessions before
and after each event are context, never the verdict: clustered events overlap.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    fetch_how,
    figure,
    missing_for_needs,
    recorded_data,
    text,
)
from narrowgate.evaluate.hubdata import price_need
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import joined
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

Name = str


class LoggedEvent(Params):
    """One logged event; ``before``/``after`` are in the claim's ``unit``."""

    effective: date
    group: Name = Field(min_length=1, description="who made it, e.g. an exchange")
    subject: Name = Field(min_length=1, description="what it touched, e.g. silver")
    change: Name = Field(min_length=1, description="what kind of change, e.g. percent, rule")
    before: float | None = None
    after: float | None = None
    conditional: bool = Field(False, description="applies only if a stated condition holds")
    note: str = ""
    source: RecordedSource


class Headline(Params):
    group: Name
    subject: Name
    before: float
    after: float


class Derived(Params):
    """A measure computed from each before/after value, shown as the steps."""

    formula: Literal["inverse_pct"] = Field(description="inverse_pct: 100 / value")
    label: LocalizedText
    unit: str = Field(min_length=1)


class EventStudyParams(Params):
    unit: str = Field(min_length=1, description="unit of before/after, e.g. % of notional")
    headline: Headline
    claimed_count: int = Field(gt=0, description="events the claim counts in the window")
    count_window_start: date
    count_window_end: date
    count_supported_share: float = Field(0.8, gt=0, le=1, description="logged / claimed "
                                                                      "at or above → supported")
    count_unverified: bool = Field(True, description="the claimed count could not be verified")
    events: list[LoggedEvent] = Field(min_length=1)
    derived: Derived | None = None
    price_instruments: list[InstrumentId] = Field(default_factory=list,
                                                  description="first one with data is studied")
    price_label: LocalizedText | None = Field(None, description="what the price is, e.g. silver")
    study_skip_subjects: list[Name] = Field(default_factory=list,
                                            description="subjects left out of the price study")
    event_window_days: int = Field(20, ge=3, description="trading days before and after")

    @model_validator(mode="after")
    def _window(self) -> EventStudyParams:
        if self.count_window_end < self.count_window_start:
            raise ValueError("count_window_end must not be before count_window_start")
        if self.derived is not None and self.derived.formula == "inverse_pct" and any(
                v is not None and v <= 0 for e in self.events for v in (e.before, e.after)):
            raise ValueError("inverse_pct needs positive before/after values")
        return self

    def derive(self, value: float) -> float:
        """The derived measure of a value (100 / value for inverse_pct)."""
        return 100.0 / value if self.derived is not None else value


def steps(params: EventStudyParams) -> list[tuple[LoggedEvent, float, float]]:
    """(event, measure before, measure after) for every event with both values, by date."""
    return [(e, params.derive(e.before), params.derive(e.after))
            for e in sorted(params.events, key=lambda e: e.effective)
            if e.before is not None and e.after is not None]


def study_dates(params: EventStudyParams) -> list[date]:
    """Distinct dates of unconditional events whose subject is studied."""
    return sorted({e.effective for e in params.events
                   if e.subject not in params.study_skip_subjects and not e.conditional})


@register
class EventStudy(Evaluator[EventStudyParams]):
    test = "event-study"
    params_model = EventStudyParams
    title = "A sourced event log: the headline event, the count, prices around the events"

    def data_needs(self, params: EventStudyParams, ctx: EvalContext) -> list[DataNeed]:
        first = min(e.effective for e in params.events)
        lead = timedelta(days=2 * params.event_window_days)
        return [price_need(i, first - lead, ctx.as_of, "price around each event (event study)")
                for i in params.price_instruments]

    def evaluate(self, claim: Claim, params: EventStudyParams, ctx: EvalContext) -> Assessment:
        h = params.headline
        found = [e for e in params.events if (e.group, e.subject, e.before, e.after)
                 == (h.group, h.subject, h.before, h.after)]
        in_window = [e for e in params.events
                     if params.count_window_start <= e.effective <= params.count_window_end]
        share = len(in_window) / params.claimed_count
        count_ok = share >= params.count_supported_share
        _note_count_stability(share, params.count_supported_share, count_ok)
        figures = [
            *_headline_figures(params),
            figure("headline_logged", "论点所述事件是否有来源记录",
                   "headline event found in the sourced log", "yes" if found else "no", "",
                   decisive=True),
            figure("logged_changes", "窗口内记录到的事件数", "logged events in the window",
                   len(in_window), "events", decisive=True),
            figure("claimed_changes", "论点所称次数", "claimed count", params.claimed_count,
                   "events"),
            figure("logged_share", "记录数/所称数", "logged / claimed", round(share, 2),
                   "ratio")]
        for group, count in sorted(Counter(e.group for e in in_window).items()):
            figures.append(figure(f"logged_{group.lower()}", f"{group} 次数",
                                  f"{group} events logged", count, "events"))
        figures += _step_figures(params)
        data = [recorded_data(e.source, f"event:{e.group}:{e.subject}",
                              f"{e.effective} {e.change}" + (f": {e.note}" if e.note else ""))
                for e in params.events]
        charts = _step_chart(params)
        note, study_figures, study_data, study_charts, missing = _price_study(params, ctx)
        figures += study_figures
        data += study_data
        charts += study_charts
        notes = [note]
        if params.count_unverified:
            notes.append(text(f"论点所称的 {params.claimed_count} 次未经核实。",
                              f"The claimed count of {params.claimed_count} is UNVERIFIED."))
        head = f"{h.group} {h.subject} {h.before:g}→{h.after:g} {params.unit}"
        if not found:
            missing.append(MissingData(what=f"a sourced notice of {head}",
                                       how="add it to the 'events' list of the claim's params"))
            return Assessment(
                verdict=Verdict.INSUFFICIENT_DATA,
                summary=text(f"事件记录中找不到论点所述的 {head},无法核对。",
                             f"The claim's headline event ({head}) is not in the sourced log."),
                evidence=Evidence(figures=figures, data=data, charts=charts, notes=notes,
                                  missing=missing))
        window = f"{params.count_window_start}–{params.count_window_end}"
        step_zh = step_en = ""
        if params.derived is not None:
            d = params.derived
            b, a = params.derive(h.before), params.derive(h.after)
            step_zh = f"{d.label.zh}由 {b:.2f} {d.unit} 变为 {a:.2f} {d.unit}。"
            step_en = f" {d.label.en} goes from {b:.2f}{d.unit} to {a:.2f}{d.unit}."
        summary = text(
            f"{head} 有来源记录。{step_zh}{window} 期间记录到 {len(in_window)} 次,论点称 "
            f"{params.claimed_count} 次;记录并不完整,该次数"
            f"{'得到支持' if count_ok else '无法证实'}。",
            f"{head} is sourced.{step_en} The log holds {len(in_window)} events in {window} "
            f"against the claimed {params.claimed_count}; the log is not exhaustive, so the "
            f"count is {'supported' if count_ok else 'not confirmed'}.")
        return Assessment(verdict=Verdict.SUPPORTED if count_ok else Verdict.MIXED,
                          # the price study ran: its reading belongs in the summary too
                          summary=joined(summary, note if study_figures else None),
                          evidence=Evidence(figures=figures, data=data, charts=charts,
                                            notes=notes, missing=missing))


def _note_count_stability(share: float, needed: float, count_ok: bool) -> None:
    """Stability: the logged/claimed share against its line moved across ±BAND of itself
    (the count decides between supported and mixed only)."""
    from narrowgate.evaluate.core.stability import note_scaled_line

    note_scaled_line(needed, lambda line: Verdict.SUPPORTED if share >= line
                     else Verdict.MIXED, Verdict.SUPPORTED if count_ok else Verdict.MIXED)


def _headline_figures(params: EventStudyParams) -> list[Figure]:
    d, h = params.derived, params.headline
    if d is None:
        return [figure("headline_before", "事件前", "before", h.before, params.unit),
                figure("headline_after", "事件后", "after", h.after, params.unit)]
    b, a = params.derive(h.before), params.derive(h.after)
    return [figure("leverage_before", f"事件前{d.label.zh}", f"{d.label.en} before",
                   round(b, 2), d.unit, decisive=True),
            figure("leverage_after", f"事件后{d.label.zh}", f"{d.label.en} after",
                   round(a, 2), d.unit, decisive=True),
            figure("leverage_cut_pct", f"{d.label.zh}变化", f"change in {d.label.en}",
                   round((a / b - 1) * 100, 1), "%")]


def _step_figures(params: EventStudyParams) -> list[Figure]:
    unit = params.derived.unit if params.derived else params.unit
    return [figure(f"step_{e.group.lower()}_{e.subject}_{e.effective.isoformat()}",
                   f"{e.effective} {e.group} {e.subject} {e.before:g}→{e.after:g}",
                   f"{e.effective} {e.group} {e.subject} {e.before:g}→{e.after:g}",
                   f"{b:.2f}→{a:.2f}", unit)
            for e, b, a in steps(params)]


def _step_chart(params: EventStudyParams) -> list[Chart]:
    """The measure before and after each event, one line per group (studied subjects)."""
    series = []
    for group in dict.fromkeys(e.group for e in params.events):
        xs: list[str | float | int] = []
        ys: list[float | None] = []
        for event, before, after in steps(params):
            if event.group == group and event.subject not in params.study_skip_subjects:
                xs += [event.effective.isoformat()] * 2
                ys += [round(before, 2), round(after, 2)]
        if xs:
            series.append(ChartSeries(name=f"{group} {params.headline.subject}", x=xs, y=ys))
    if not series:
        return []
    label = params.derived.label if params.derived else LocalizedText(zh="数值", en="value")
    unit = params.derived.unit if params.derived else params.unit
    return [Chart(title=text(f"各事件前后的{label.zh}", f"{label.en} across the events"),
                  series=series, x_label="effective date", y_label=f"{label.en} ({unit})")]


def _price_study(params: EventStudyParams, ctx: EvalContext
                 ) -> tuple[LocalizedText, list[Figure], list[DataUsed], list[Chart],
                            list[MissingData]]:
    """Returns and realised volatility N sessions before and after each event date, on the
    first price instrument with data; context, not the verdict."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart, read_closes
    from narrowgate.models.event_study import summarise_events
    from narrowgate.models.events import event_window_stats

    dates, n = study_dates(params), params.event_window_days
    name = params.price_label or LocalizedText(zh="价格", en="the price")
    if ctx.hub is None or not params.price_instruments or not dates:
        needs = [price_need(i, dates[0] if dates else None, ctx.as_of,
                            "price around each event (event study)")
                 for i in params.price_instruments]
        return (text(f"事件研究需要{name.zh}数据(本次运行未读取)。",
                     f"The event study needs {name.en} prices (none were read in this run)."),
                [], [], [], missing_for_needs(needs, ctx.as_of))
    start = dates[0] - timedelta(days=3 * n + 10)
    missing: list[MissingData] = []
    for instrument in params.price_instruments:
        try:
            closes, used = read_closes(ctx, [instrument], start, ctx.as_of)
        except DataNotFound as err:
            missing.append(MissingData(what=f"{instrument}: {err.message}",
                                       dates=f"{start} to {ctx.as_of}",
                                       **fetch_how(err.fetch or [instrument])))
            continue
        prices = closes[instrument].dropna()
        stats = event_window_stats(prices, dates, days=n)
        if not stats.empty:
            break
    else:
        needs = [price_need(i, start, ctx.as_of, "price around each event")
                 for i in params.price_instruments]
        return (text(f"没有{name.zh}价格覆盖事件窗口,事件研究未运行。",
                     f"No {name.en} price covers the event windows: no event study."),
                [], [], [], missing or missing_for_needs(needs, ctx.as_of))
    s = summarise_events(stats)
    lower = s.share_lower_vol_after
    calmer = lower > 0.5
    note = text(
        f"事件研究(背景,不决定结论):{instrument} 在 {s.events} 个事件日前后各 {n} 个交易日;"
        f"事件后平均收益 {s.mean_return_after * 100:+.1f}%,{lower * 100:.0f}% 的事件之后波动率"
        f"低于之前({'多数走低' if calmer else '并未多数走低'})。"
        "事件密集时窗口相互重叠,事件并不独立。",
        f"Event study (context, not the verdict): {instrument} over {n} sessions before and "
        f"after {s.events} event dates; mean return after {s.mean_return_after * 100:+.1f}%, "
        f"and {lower * 100:.0f}% of events were followed by lower realised volatility "
        f"({'most' if calmer else 'not most'} of them). Clustered events overlap, so they "
        "are not independent.")
    figures = [
        figure("event_instrument", "事件研究价格", "event-study price", instrument, ""),
        figure("event_window", "事件窗口", "event window (each side)", n, "trading days"),
        figure("events_studied", "纳入的事件日", "event dates studied", s.events, "events"),
        figure("events_left_out", "窗口不完整而剔除", "left out (window beyond the data)",
               len(dates) - s.events, "events"),
        figure("mean_return_before", "事件前平均收益", "mean return before",
               round(s.mean_return_before * 100, 1), "%"),
        figure("mean_return_after", "事件后平均收益", "mean return after",
               round(s.mean_return_after * 100, 1), "%"),
        figure("median_return_after", "事件后收益中位数", "median return after",
               round(s.median_return_after * 100, 1), "%"),
        figure("share_negative_after", "事件后下跌的占比", "share of events with a fall after",
               round(s.share_negative_after * 100, 1), "%"),
        figure("mean_vol_before", "事件前平均已实现波动率", "mean realised volatility before",
               round(s.mean_vol_before * 100, 1), "% annualised"),
        figure("mean_vol_after", "事件后平均已实现波动率", "mean realised volatility after",
               round(s.mean_vol_after * 100, 1), "% annualised"),
        figure("share_lower_vol_after", "事件后波动走低的占比", "share of events followed by "
               "lower volatility", round(lower * 100, 1), "%"),
    ]
    anchors: list[str | float | int] = [a.isoformat() for a in stats["anchor"]]
    charts = [
        Chart(title=text(f"各事件日前后 {n} 日已实现波动率",
                         f"Realised volatility {n} sessions before and after each event"),
              series=[ChartSeries(name="before", x=anchors, kind="bar",
                                  y=[round(v * 100, 1) for v in stats["vol_before"]]),
                      ChartSeries(name="after", x=anchors, kind="bar",
                                  y=[round(v * 100, 1) for v in stats["vol_after"]])],
              x_label="event date (last close on or before)", y_label="% annualised"),
        line_chart(text(f"{name.zh}({instrument})与事件期", f"{name.en} ({instrument}) around "
                        "the events"),
                   prices.loc[pd.Timestamp(start):pd.Timestamp(dates[-1])
                              + pd.Timedelta(days=3 * n)].to_frame(instrument),
                   "price", digits=3),
    ]
    return note, figures, list(used), charts, missing
