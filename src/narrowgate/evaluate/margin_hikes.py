"""margin-hikes: what the silver margin hikes did to the leverage a trader can carry.

Why leverage: a margin of m (share of notional) caps leverage at 1/m, so 15% → 18% cuts the
maximum from 6.67x to 5.56x; that is the mechanism behind "squeezes got harder". The
evaluator checks the article's headline hike against a sourced margin log (an event list
in the params), turns every percentage change into its leverage step, and counts the
logged changes in the article's two-month window against its "38". The log is not
exhaustive, so a shortfall leaves the count unconfirmed rather than refuted. The price
behaviour after hikes (an event study) waits for the back-test engine.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    Capability,
    InstrumentId,
    RecordedSource,
    figure,
    missing_capability,
    missing_for_needs,
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
    event_window_days: int = Field(20, gt=0, description="trading days after a hike to study")

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


@register
class MarginHikes(Evaluator[MarginHikesParams]):
    test = "margin-hikes"
    params_model = MarginHikesParams
    title = "Silver margin hikes as leverage steps, and the count of changes"

    def data_needs(self, params: MarginHikesParams, ctx: EvalContext) -> list[DataNeed]:
        first = min(e.effective for e in params.events)
        return [DataNeed(instrument=i, kind="bars", start=first, end=ctx.as_of,
                         why="silver price after each hike (event study)")
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

        needs = self.data_needs(params, ctx)
        missing = [*missing_for_needs(needs, ctx.as_of), missing_capability(Capability.BACKTEST)]
        notes = [text(
            "提保后的价格表现(事件研究)待回测引擎与白银行情数据。",
            "Price behaviour after the hikes (event study) awaits the back-test engine and "
            "silver price data.")]
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
        return Assessment(verdict=verdict, summary=summary,
                          evidence=Evidence(figures=figures, data=data, charts=charts,
                                            notes=notes, missing=missing))
