"""dow-record: the Dow closed at a record on the Friday after the software selloff.

A record close is a statement about the whole history, so the test reads the Dow proxy's
closes from its first day to the record date and checks that the close on that date is the
highest so far.

The position the fact implies is back-tested beside it (evidence only; the verdict is the
record): long the Dow proxy, bought at the last close before publication and held. Long
alone, not Dow minus Nasdaq: these params name only the Dow proxy, and the relative bet
(long Dow and Russell / short Nasdaq and software) is the rotation-trade claim's own test,
so repeating it here would count one position twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field

from narrowgate.evaluate.common import (
    FETCH_OR_IMPORT,
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    pct,
    text,
)
from narrowgate.evaluate.hubdata import line_chart, read_closes
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Figure, Verdict
from narrowgate.thesis.schema import Claim


class DowRecordParams(Params):
    instrument: InstrumentId = Field(description="Dow proxy; an ETF's price record can differ "
                                                 "slightly from the index's after distributions")
    record_date: date
    history_start: date
    window_days: int = Field(5, ge=0, description="calendar days around record_date shown")
    chart_days: int = Field(
        90, ge=5, description="calendar days before and after record_date in the chart"
    )
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)


@register
class DowRecord(AwaitingEvaluator[DowRecordParams]):
    test = "dow-record"
    params_model = DowRecordParams
    title = "Dow record close around publication"
    capability = Capability.DATA_HUB
    measures = text(
        "检查道指代理在所称日期的收盘是否为历史最高。",
        "Check whether the Dow proxy's close on the stated date is its highest close to date.",
    )

    def data_needs(self, params: DowRecordParams, ctx: EvalContext) -> list[DataNeed]:
        end = min(ctx.as_of, params.record_date + timedelta(days=params.chart_days))
        return bars_needs([params.instrument], params.history_start, end,
                          "all closes up to the record date, and the weeks after for the chart")

    def setup_figures(self, params: DowRecordParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("record_date", "所称创纪录日", "stated record date", params.record_date),
            date_figure("history_start", "历史起点", "history from", params.history_start),
            figure("window_days", "观察窗口", "window shown", params.window_days, "days"),
        ]

    def decide(self, claim: Claim, params: DowRecordParams, ctx: EvalContext) -> Assessment | None:
        """Record or not, from every close since ``history_start`` up to the record date.

        Later closes are read only for the chart and the "held for how long" context; the
        verdict never looks past the record date.
        """
        import pandas as pd

        from narrowgate.errors import DataNotFound
        from narrowgate.models.performance import is_record_close

        chart_end = params.record_date + timedelta(days=params.chart_days)
        closes, data = read_closes(ctx, [params.instrument], params.history_start, chart_end)
        prices = closes[params.instrument].dropna()
        day = pd.Timestamp(params.record_date)
        if day not in prices.index:
            raise DataNotFound(
                f"no {params.instrument} close on {params.record_date}",
                FETCH_OR_IMPORT, fetch=(params.instrument,),
            )
        close = float(prices.loc[day])
        record, prior, prior_day = is_record_close(prices, params.record_date)
        margin = (close / prior - 1.0) * 100 if prior_day else float("nan")
        before = prices.loc[: day - pd.Timedelta(days=1)]
        prev_close = float(before.iloc[-1])
        later = prices.loc[day + pd.Timedelta(days=1) :]
        beaten = later[later > close]
        verdict = Verdict.SUPPORTED if record else Verdict.CONTRADICTED

        near = prices.loc[day - pd.Timedelta(days=params.window_days) :
                          day + pd.Timedelta(days=params.window_days)]
        figures = [
            figure("close", f"{params.record_date} 收盘", f"close on {params.record_date}",
                   round(close, 2), "USD", decisive=True),
            figure("prior_record", "此前最高收盘", "prior record close", round(prior, 2), "USD",
                   decisive=True),
            date_figure("prior_record_date", "此前最高收盘日", "prior record date", prior_day)
            if prior_day else figure("prior_record_date", "此前最高收盘日", "prior record date",
                                     None, "date"),
            figure("margin", "高出此前纪录", "margin over the prior record", pct(margin, 2), "%",
                   decisive=True),
            figure("day_change", "当日涨跌", "change on the day",
                   pct((close / prev_close - 1.0) * 100, 2), "%"),
            figure("closes_in_history", "计入的收盘数", "closes compared", len(before) + 1,
                   "closes"),
            figure("window_high", f"前后 {params.window_days} 天最高收盘",
                   f"highest close within ±{params.window_days} days",
                   round(float(near.max()), 2), "USD"),
            figure("next_higher_close", "之后首次更高收盘", "first later close above it",
                   beaten.index[0].date().isoformat() if len(beaten) else "none in the data",
                   "date"),
            *self.setup_figures(params, ctx),
        ]
        window = prices.loc[day - pd.Timedelta(days=params.chart_days) :]
        chart_frame = pd.DataFrame({
            f"{params.instrument} close": window,
            "prior record": pd.Series(prior, index=window.index).where(window.index < day),
        })
        chart = line_chart(
            text(f"道指代理 {params.instrument} 收盘与此前纪录",
                 f"Dow proxy {params.instrument}: closes and the prior record"),
            chart_frame, "USD", digits=2,
        )
        word_zh = "是" if record else "不是"
        word_en = "was" if record else "was not"
        summary = text(
            f"{params.instrument} 在 {params.record_date} 收于 {close:.2f} 美元,{word_zh}"
            f"自 {prices.index[0].date()} 以来的最高收盘:此前纪录为 {prior_day} 的 "
            f"{prior:.2f} 美元,高出 {margin:+.2f}%。DIA 是指数的价格代理,派息后其纪录可能与"
            "道指本身略有出入。",
            f"{params.instrument} closed at ${close:.2f} on {params.record_date}, which {word_en} "
            f"its highest close since {prices.index[0].date()}: the prior record was ${prior:.2f} "
            f"on {prior_day} ({margin:+.2f}%). DIA is a price proxy for the index; after "
            "distributions its record can differ slightly from the Dow's own.",
        )
        assessment = Assessment(
            verdict=verdict,
            summary=summary,
            evidence=Evidence(figures=figures, data=data, charts=[chart],
                              notes=[self.measures]),
        )
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: DowRecordParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long the Dow proxy, bought at the last close before publication and held, on
        the closes the record test reads (``start``/``end``: history from / up to, instead
        of the implied-trade params' and as-of)."""
        return [ImpliedPlan(
            label=claim.id,
            name=text(f"多道指({params.instrument})", f"long the Dow ({params.instrument})"),
            entry=ctx.published,
            plan=lambda: held_plan(ctx, params.implied_trade, long=[params.instrument],
                                   currency="USD", match_from=params.history_start,
                                   start=start, end=end))]
