"""margin-hikes: what the silver margin hikes did to the leverage a trader can carry.

Why leverage: a margin of m (share of notional) caps leverage at 1/m, so 15% → 18% cuts the
maximum from 6.67x to 5.56x; that is the mechanism behind "squeezes got harder". The
evaluator checks the article's headline hike against a sourced margin log (an event list
in the params), turns every percentage change into its leverage step, and counts the
logged changes in the article's two-month window against its "38". The log is not
exhaustive, so a shortfall leaves the count unconfirmed rather than refuted. Price
behaviour around the logged silver changes (returns and realised volatility in the N
sessions before and after each) is shown as context: the claim is a fact about the hikes,
and overlapping windows of clustered events cannot prove that squeezes got harder.
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

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim, LocalizedText

Exchange = Literal["CME", "SHFE", "SGE"]


def max_leverage(margin_pct: float) -> float:
    """Maximum leverage (x) allowed by a margin given as % of notional: 100 / margin."""
    if margin_pct <= 0:
        raise ValueError("a margin must be positive")
    return 100.0 / margin_pct


class MarginEvent(Params):
    """One logged margin or rule change; percentages are % of contract notional."""

    effective: date
    exchange: Exchange
    product: Literal["silver", "gold", "gold-and-silver", "metals-and-others"]
    change: Literal["percent", "usd-per-contract", "switch-to-percent", "rule"]
    before_pct: float | None = Field(None, gt=0, le=100)
    after_pct: float | None = Field(None, gt=0, le=100)
    before_usd: float | None = Field(None, gt=0, description="USD per contract")
    after_usd: float | None = Field(None, gt=0, description="USD per contract")
    conditional: bool = Field(False, description="applies only if a stated market condition")
    note: str = ""
    source: RecordedSource

    @model_validator(mode="after")
    def _values_fit_change(self) -> MarginEvent:
        if self.change == "percent" and (self.before_pct is None or self.after_pct is None):
            raise ValueError("a 'percent' change needs before_pct and after_pct")
        if self.change == "usd-per-contract" and self.after_usd is None:
            raise ValueError("a 'usd-per-contract' change needs after_usd")
        return self


class MarginHikesParams(Params):
    article_exchange: Exchange
    article_before_pct: float = Field(gt=0, le=100, description="margin before, % of notional")
    article_after_pct: float = Field(gt=0, le=100, description="margin after, % of notional")
    article_change_count: int = Field(gt=0, description="changes the article counts")
    count_window_start: date
    count_window_end: date
    count_supported_share: float = Field(
        0.8, gt=0, le=1, description="logged/article count at or above this → count supported"
    )
    count_unverified: bool = Field(True, description="the fact sheet could not verify the count")
    events: list[MarginEvent] = Field(min_length=1)
    price_instruments: list[InstrumentId] = Field(
        default_factory=list, description="silver prices for the event study"
    )
    event_window_days: int = Field(
        20, ge=3, description="trading days before and after each change in the event study")

    @model_validator(mode="after")
    def _window(self) -> MarginHikesParams:
        if self.count_window_end < self.count_window_start:
            raise ValueError("count_window_end must not be before count_window_start")
        return self


def leverage_steps(events: list[MarginEvent]) -> list[tuple[MarginEvent, float, float]]:
    """(event, leverage before, leverage after) for every percentage change, by date."""
    out = []
    for event in sorted(events, key=lambda e: e.effective):
        if event.before_pct is not None and event.after_pct is not None:
            out.append((event, max_leverage(event.before_pct), max_leverage(event.after_pct)))
    return out


def events_in_window(params: MarginHikesParams) -> list[MarginEvent]:
    return [e for e in params.events
            if params.count_window_start <= e.effective <= params.count_window_end]


def _headline_missing(params: MarginHikesParams) -> MissingData:
    return MissingData(
        what=(f"a sourced {params.article_exchange} silver margin notice "
              f"{params.article_before_pct:g}%→{params.article_after_pct:g}%"),
        how="add the exchange notice to the 'events' list of the claim's params",
    )


def study_dates(events: list[MarginEvent]) -> list[date]:
    """Distinct effective dates of unconditional changes touching silver (gold-only and
    conditional notices are left out: they did not bind silver traders)."""
    return sorted({e.effective for e in events if e.product != "gold" and not e.conditional})


class EventStudy:
    """What the event study adds to the evidence (all empty when it could not run)."""

    def __init__(self, note: LocalizedText) -> None:
        self.note = note
        self.figures: list[Figure] = []
        self.data: list[DataUsed] = []
        self.charts: list[Chart] = []
        self.missing: list[MissingData] = []


def event_study(params: MarginHikesParams, ctx: EvalContext) -> EventStudy:
    """Silver returns and realised volatility in the N sessions before and after each change,
    on the first price instrument that has data; context, not the verdict."""
    dates = study_dates(params.events)
    if ctx.hub is None or not params.price_instruments or not dates:
        study = EventStudy(text("事件研究需要白银价格数据(本次运行未读取)。",
                                "The event study needs silver prices (none were read in "
                                "this run)."))
        study.missing = missing_for_needs(
            [price_need(i, dates[0] if dates else None, ctx.as_of,
                        "silver price around each change (event study)")
             for i in params.price_instruments], ctx.as_of)
        return study
    return _run_study(params, ctx, dates, params.event_window_days)


def _run_study(params: MarginHikesParams, ctx: EvalContext, dates: list[date],
               n: int) -> EventStudy:
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart, read_closes
    from narrowgate.models.event_study import summarise_events
    from narrowgate.models.events import event_window_stats

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
        if stats.empty:
            continue
        summary = summarise_events(stats)
        break
    else:
        study = EventStudy(text("没有白银价格覆盖事件窗口,事件研究未运行。",
                                "No silver price covers the event windows: no event study."))
        study.missing = missing or missing_for_needs(
            [price_need(i, start, ctx.as_of, "silver price around each change")
             for i in params.price_instruments], ctx.as_of)
        return study
    lower = summary.share_lower_vol_after
    reading = ("事后波动多数走低,与“逼空更难”一致" if lower > 0.5
               else "事后波动并未多数走低,不支持“逼空更难”",
               "volatility was lower afterwards in most events, consistent with harder "
               "squeezes" if lower > 0.5 else "volatility was not lower afterwards in most "
               "events, so the data do not show harder squeezes")
    study = EventStudy(text(
        f"事件研究(背景,不决定结论):{instrument} 在 {summary.events} 个调整日前后各 {n} 个"
        f"交易日;调整后平均收益 {summary.mean_return_after * 100:+.1f}%,"
        f"{lower * 100:.0f}% 的事件调整后波动率低于调整前——{reading[0]}。"
        "调整日密集,窗口相互重叠,事件并不独立。",
        f"Event study (context, not the verdict): {instrument} over {n} sessions before and "
        f"after {summary.events} change dates; mean return after "
        f"{summary.mean_return_after * 100:+.1f}%, and {lower * 100:.0f}% of events were "
        f"followed by lower realised volatility: {reading[1]}. The changes cluster, so the "
        "windows overlap and the events are not independent."))
    study.missing = missing
    study.data = used
    left_out = len(dates) - summary.events
    study.figures = [
        figure("event_instrument", "事件研究价格", "event-study price", instrument, ""),
        figure("event_window", "事件窗口", "event window (each side)", n, "trading days"),
        figure("events_studied", "纳入的调整日", "change dates studied", summary.events,
               "events"),
        figure("events_left_out", "窗口不完整而剔除", "left out (window beyond the data)",
               left_out, "events"),
        figure("mean_return_before", "调整前平均收益", "mean return before",
               round(summary.mean_return_before * 100, 1), "%"),
        figure("mean_return_after", "调整后平均收益", "mean return after",
               round(summary.mean_return_after * 100, 1), "%"),
        figure("median_return_after", "调整后收益中位数", "median return after",
               round(summary.median_return_after * 100, 1), "%"),
        figure("share_negative_after", "调整后下跌的事件占比", "share of events with a fall "
               "after", round(summary.share_negative_after * 100, 1), "%"),
        figure("mean_vol_before", "调整前平均已实现波动率", "mean realised volatility before",
               round(summary.mean_vol_before * 100, 1), "% annualised"),
        figure("mean_vol_after", "调整后平均已实现波动率", "mean realised volatility after",
               round(summary.mean_vol_after * 100, 1), "% annualised"),
        figure("share_lower_vol_after", "调整后波动走低的事件占比", "share of events followed "
               "by lower volatility", round(lower * 100, 1), "%"),
    ]
    anchors: list[str | float | int] = [a.isoformat() for a in stats["anchor"]]
    study.charts = [
        Chart(title=text(f"各调整日前后 {n} 日已实现波动率", f"Realised volatility {n} sessions "
                         "before and after each change"),
              series=[ChartSeries(name="before", x=anchors, kind="bar",
                                  y=[round(v * 100, 1) for v in stats["vol_before"]]),
                      ChartSeries(name="after", x=anchors, kind="bar",
                                  y=[round(v * 100, 1) for v in stats["vol_after"]])],
              x_label="change date (last close on or before)", y_label="% annualised"),
        line_chart(text(f"白银价格({instrument})与调整期", f"Silver ({instrument}) around "
                        "the changes"),
                   prices.loc[pd.Timestamp(start):pd.Timestamp(dates[-1]) + pd.Timedelta(
                       days=3 * n)].to_frame(instrument), "USD", digits=3),
    ]
    return study


@register
class MarginHikes(Evaluator[MarginHikesParams]):
    test = "margin-hikes"
    params_model = MarginHikesParams
    title = "Silver margin hikes as leverage steps, and the count of changes"

    def data_needs(self, params: MarginHikesParams, ctx: EvalContext) -> list[DataNeed]:
        first = min(e.effective for e in params.events)
        lead = timedelta(days=2 * params.event_window_days)
        return [price_need(i, first - lead, ctx.as_of,
                           "silver price around each change (event study)")
                for i in params.price_instruments]

    def evaluate(self, claim: Claim, params: MarginHikesParams, ctx: EvalContext) -> Assessment:
        headline = [
            e for e in params.events
            if e.exchange == params.article_exchange and e.product == "silver"
            and e.before_pct == params.article_before_pct
            and e.after_pct == params.article_after_pct
        ]
        lev_before = max_leverage(params.article_before_pct)
        lev_after = max_leverage(params.article_after_pct)
        in_window = events_in_window(params)
        share = len(in_window) / params.article_change_count
        count_ok = share >= params.count_supported_share
        by_exchange = Counter(e.exchange for e in in_window)

        figures = [
            figure("leverage_before", "上调前最大杠杆", "max leverage before",
                   round(lev_before, 2), "x", decisive=True),
            figure("leverage_after", "上调后最大杠杆", "max leverage after",
                   round(lev_after, 2), "x", decisive=True),
            figure("leverage_cut_pct", "最大杠杆降幅", "cut in max leverage",
                   round((lev_after / lev_before - 1) * 100, 1), "%"),
            figure("headline_hike_logged", "文章所述上调是否有来源记录",
                   "headline hike found in the sourced log", "yes" if headline else "no", "",
                   decisive=True),
            figure("logged_changes", "窗口内记录到的调整次数", "logged changes in the window",
                   len(in_window), "changes", decisive=True),
            figure("article_changes", "文章所称调整次数", "article's count",
                   params.article_change_count, "changes"),
            figure("logged_share", "记录数/文章数", "logged / article count",
                   round(share, 2), "ratio"),
        ]
        for exchange, count in sorted(by_exchange.items()):
            figures.append(figure(f"logged_{exchange.lower()}", f"{exchange} 调整次数",
                                  f"{exchange} changes logged", count, "changes"))
        steps = leverage_steps(params.events)
        for event, before, after in steps:
            figures.append(figure(
                f"step_{event.exchange.lower()}_{event.product}_{event.effective.isoformat()}",
                f"{event.effective} {event.exchange} {event.product} 保证金 "
                f"{event.before_pct:g}%→{event.after_pct:g}%",
                f"{event.effective} {event.exchange} {event.product} margin "
                f"{event.before_pct:g}%→{event.after_pct:g}%",
                f"{before:.2f}→{after:.2f}", "x"))

        data = [recorded_data(e.source, f"margin:{e.exchange}:{e.product}",
                              f"{e.effective} {e.change}" + (f": {e.note}" if e.note else ""))
                for e in params.events]

        series = []
        for exchange in ("CME", "SHFE", "SGE"):
            xs: list[str | float | int] = []
            ys: list[float | None] = []
            for event, before, after in steps:
                if event.exchange == exchange and event.product != "gold":
                    xs += [event.effective.isoformat()] * 2
                    ys += [round(before, 2), round(after, 2)]
            if xs:
                series.append(ChartSeries(name=f"{exchange} silver", x=xs, y=ys))
        charts = [Chart(title=text("白银最大杠杆随保证金调整的变化",
                                   "Maximum silver leverage across margin changes"),
                        series=series, x_label="effective date", y_label="max leverage (x)")]

        study = event_study(params, ctx)
        figures += study.figures
        data += study.data
        charts += study.charts
        missing = list(study.missing)
        notes = [study.note]
        if params.count_unverified:
            notes.append(text("文章的“38次”未经核实(事实表标记为未核实)。",
                              "The article's count of 38 is UNVERIFIED in the fact sheet."))

        if not headline:
            missing.append(_headline_missing(params))
            return Assessment(
                verdict=Verdict.INSUFFICIENT_DATA,
                summary=text("保证金记录中找不到文章所述的上调,无法核对。",
                             "The article's headline hike is not in the sourced margin log."),
                evidence=Evidence(figures=figures, data=data, charts=charts, notes=notes,
                                  missing=missing),
            )
        verdict = Verdict.SUPPORTED if count_ok else Verdict.MIXED
        w = f"{params.count_window_start}–{params.count_window_end}"
        summary = text(
            f"{params.article_exchange} 白银保证金 {params.article_before_pct:g}%→"
            f"{params.article_after_pct:g}% 有来源记录,最大杠杆由 {lev_before:.2f} 倍降至 "
            f"{lev_after:.2f} 倍。{w} 期间记录到 {len(in_window)} 次调整,文章称 "
            f"{params.article_change_count} 次;记录并不完整,该次数"
            f"{'得到支持' if count_ok else '无法证实'}。",
            f"{params.article_exchange} silver margin {params.article_before_pct:g}%→"
            f"{params.article_after_pct:g}% is sourced: maximum leverage falls from "
            f"{lev_before:.2f}x to {lev_after:.2f}x. The log holds {len(in_window)} changes in "
            f"{w} against the article's {params.article_change_count}; the log is not "
            f"exhaustive, so the count is {'supported' if count_ok else 'not confirmed'}.",
        )
        if study.figures:  # the event study ran: its reading belongs in the summary too
            summary = text(summary.zh + study.note.zh, f"{summary.en} {study.note.en}")
        return Assessment(verdict=verdict, summary=summary,
                          evidence=Evidence(figures=figures, data=data, charts=charts,
                                            notes=notes, missing=missing))
