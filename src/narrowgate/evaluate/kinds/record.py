"""record: an instrument closed at its highest (or lowest) level to date on a stated day.

A record close is a statement about the whole history, so the test reads the closes from
``history_start`` to the stated day and checks that the close on that day beats every
earlier one (in ``direction``). Later closes are read only for the chart and "when was it
beaten"; the verdict never looks past the stated day. Labels and caveats (a proxy for an
index, say) come from the params.

Optionally (``hold``), the position the record implies is back-tested beside it as
evidence, never as the verdict: long the instrument from the last close before the
thesis's publication, held.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field

from narrowgate.evaluate.common import (
    FETCH_OR_IMPORT,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    pct,
    text,
)
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import SIDE_WORDS, capitalized
from narrowgate.evaluate.verdict import Assessment, Evidence, Figure, Verdict
from narrowgate.instruments import price_unit
from narrowgate.thesis.schema import Claim, LocalizedText


class RecordParams(Params):
    instrument: InstrumentId
    label: LocalizedText = Field(description="what the instrument stands for, e.g. the Dow")
    record_date: date
    history_start: date = Field(description="first day of the history the record beats")
    direction: Literal["high", "low"] = "high"
    window_days: int = Field(5, ge=0, description="calendar days around record_date shown")
    chart_days: int = Field(90, ge=5, description="calendar days before and after the date "
                                                  "in the chart")
    caveat: LocalizedText | None = Field(None, description="e.g. why a proxy's record may "
                                                           "differ from the index's")
    hold: bool = Field(True, description="back-test holding the instrument from publication")
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)


#: closes whose daily moves set the record margin's noise (about a year of trading days)
YEAR_OF_CLOSES = 250


@register
class Record(Evaluator[RecordParams]):
    test = "record"
    params_model = RecordParams
    title = "A record close (highest or lowest to date) on a stated day (generic)"

    def data_needs(self, params: RecordParams, ctx: EvalContext) -> list[DataNeed]:
        end = min(ctx.as_of, params.record_date + timedelta(days=params.chart_days))
        return bars_needs([params.instrument], params.history_start, end,
                          "all closes up to the stated day, and the weeks after for the chart")

    def evaluate(self, claim: Claim, params: RecordParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.errors import DataNotFound
        from narrowgate.evaluate.hubdata import line_chart, read_closes
        from narrowgate.models.performance import is_record_close

        chart_end = params.record_date + timedelta(days=params.chart_days)
        closes, data = read_closes(ctx, [params.instrument], params.history_start, chart_end)
        prices = closes[params.instrument].dropna()
        day = pd.Timestamp(params.record_date)
        if day not in prices.index and (prices.empty or prices.index[-1] < day):
            reach = prices.index[-1].date() if len(prices) else None
            why = text(f"所述日期 {params.record_date} 的收盘尚不可得(评估日 {ctx.as_of},"
                       f"数据截至 {reach or '—'})。",
                       f"No close for the stated day {params.record_date} yet (as-of "
                       f"{ctx.as_of}; the data reach {reach or '—'}).")
            return Assessment(verdict=Verdict.PENDING, summary=why,
                              evidence=Evidence(data=data, notes=[why]))
        if day not in prices.index:
            raise DataNotFound(f"no {params.instrument} close on {params.record_date}",
                               FETCH_OR_IMPORT, fetch=(params.instrument,))
        sign = 1.0 if params.direction == "high" else -1.0
        close = float(prices.loc[day])
        record, prior_signed, prior_day = is_record_close(prices * sign, params.record_date)
        prior = prior_signed * sign
        margin = (close / prior - 1.0) * 100 if prior_day else float("nan")
        before = prices.loc[: day - pd.Timedelta(days=1)]
        prev_close = float(before.iloc[-1])
        later = prices.loc[day + pd.Timedelta(days=1):]
        beaten = later[later * sign > close * sign]
        verdict = Verdict.SUPPORTED if record else Verdict.CONTRADICTED
        if prior_day:  # stability: the margin against a typical day's move (σ, %)
            from narrowgate.evaluate.core.thresholds import banded

            sigma = float(before.pct_change().tail(YEAR_OF_CLOSES).std() * 100)
            banded(sign * margin, supported=0.0, contradicted=0.0, inclusive=False,
                   noise=sigma if sigma == sigma else 0.0)
        near = prices.loc[day - pd.Timedelta(days=params.window_days):
                          day + pd.Timedelta(days=params.window_days)]
        unit = price_unit(params.instrument)
        high = params.direction == "high"
        figures = [
            figure("close", f"{params.record_date} 收盘", f"close on {params.record_date}",
                   round(close, 2), unit, decisive=True),
            figure("prior_record", "此前纪录收盘", "prior record close", round(prior, 2), unit,
                   decisive=True),
            date_figure("prior_record_date", "此前纪录日", "prior record date", prior_day)
            if prior_day else figure("prior_record_date", "此前纪录日", "prior record date",
                                     None, "date"),
            figure("margin", "相对此前纪录", "margin over the prior record", pct(margin, 2), "%",
                   decisive=True),
            figure("day_change", "当日涨跌", "change on the day",
                   pct((close / prev_close - 1.0) * 100, 2), "%"),
            figure("closes_in_history", "计入的收盘数", "closes compared", len(before) + 1,
                   "closes"),
            figure("window_high" if high else "window_low",
                   f"前后 {params.window_days} 天{'最高' if high else '最低'}收盘",
                   f"{'highest' if high else 'lowest'} close within ±{params.window_days} days",
                   round(float(near.max() if high else near.min()), 2), unit),
            figure("next_higher_close" if high else "next_lower_close",
                   "之后首次突破的收盘", "first later close beyond it",
                   beaten.index[0].date().isoformat() if len(beaten) else "none in the data",
                   "date"),
            *_setup(params),
        ]
        window = prices.loc[day - pd.Timedelta(days=params.chart_days):]
        chart = line_chart(
            text(f"{params.label.zh}({params.instrument})收盘与此前纪录",
                 f"{params.label.en} ({params.instrument}): closes and the prior record"),
            pd.DataFrame({f"{params.instrument} close": window,
                          "prior record": pd.Series(prior, index=window.index)
                          .where(window.index < day)}),
            unit, digits=2)
        assessment = Assessment(verdict=verdict, summary=_summary(params, prices, close, record,
                                                                  prior, prior_day, margin),
                                evidence=Evidence(figures=figures, data=data, charts=[chart],
                                                  notes=[_measures(params)]))
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: RecordParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long the instrument, bought at the last close before publication and held, on
        the closes the record test reads (``start``/``end``: history from / up to)."""
        if not params.hold:
            return []
        return [ImpliedPlan(
            label=claim.id,
            name=text(f"持有{params.label.zh}({params.instrument})",
                      f"long {params.label.en} ({params.instrument})"),
            entry=ctx.published,
            plan=lambda: held_plan(ctx, params.implied_trade, long=[params.instrument],
                                   currency=price_unit(params.instrument),
                                   match_from=params.history_start, start=start, end=end))]


def _setup(params: RecordParams) -> list[Figure]:
    return [
        date_figure("record_date", "所称纪录日", "stated record date", params.record_date),
        date_figure("history_start", "历史起点", "history from", params.history_start),
        figure("window_days", "观察窗口", "window shown", params.window_days, "days"),
    ]


def _measures(params: RecordParams) -> LocalizedText:
    word = SIDE_WORDS[params.direction]
    return text(f"检查{params.label.zh}在所称日期的收盘是否为自 {params.history_start} 以来"
                f"{word.zh}。",
                f"Check whether {params.label.en}'s close on the stated date is its {word.en} "
                f"close since {params.history_start}.")


def _summary(params: RecordParams, prices: object, close: float, record: bool, prior: float,
             prior_day: date | None, margin: float) -> LocalizedText:
    import pandas as pd

    assert isinstance(prices, pd.Series)
    first = prices.index[0].date()
    unit = price_unit(params.instrument)
    word = SIDE_WORDS[params.direction]
    word_zh = ("是" if record else "不是") + word.zh
    word_en = ("was" if record else "was not") + f" its {word.en}"
    caveat_zh = params.caveat.zh if params.caveat else ""
    caveat_en = " " + params.caveat.en if params.caveat else ""
    return text(
        f"{params.label.zh}({params.instrument})在 {params.record_date} 收于 {close:.2f} "
        f"{unit},{word_zh}的收盘(自 {first} 起):此前纪录为 {prior_day} 的 {prior:.2f},"
        f"相差 {margin:+.2f}%。{caveat_zh}",
        f"{capitalized(params.label.en)} ({params.instrument}) closed at {close:.2f} {unit} on "
        f"{params.record_date}, which {word_en} close since {first}: the prior record was "
        f"{prior:.2f} on {prior_day} ({margin:+.2f}%).{caveat_en}")
