"""relative-return: "X will do better (or worse) than Y" — a generic test for any thesis.

A buy-and-hold basket (weights fixed at entry, then drifting) from the last close before
the start date (default: the thesis's publication) to the end date (default: the claim's
horizon, else as-of), against a benchmark basket. The conditions the params set are the
test: the basket beats (``expect: outperform``) or lags (``underperform``) the benchmark
by at least ``min_excess_pp``, and optionally its own return is at least
``min_return_pct`` or at most ``max_return_pct`` (a fall of at least 10 % is
``max_return_pct: -10``). All set conditions hold → supported; some hold, or the excess
points the expected way → mixed; otherwise contradicted. The basket's max drawdown in the
window is shown beside. The coverage gate holds the reading back until every instrument
has a close on or after the end date. With ``hold``, the position the claim implies (long
the basket / short the benchmark, or the reverse) is back-tested beside it as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, figure, pct, text
from narrowgate.evaluate.core.coverage import coverage_gate, nothing_to_read_yet
from narrowgate.evaluate.core.thresholds import conditions_held
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.hubdata import last_common_day, line_chart, price_need, read_closes
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.kinds.relative_checks import CrossCheck, NewHigh, new_highs, ratio_figures
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import joined
from narrowgate.evaluate.verdict import (
    Assessment,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.evaluate.watch import crossings
from narrowgate.instruments import currency_of
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim


class MissingPart(Params):
    """Data the claim would need beyond prices (said as missing; it never decides)."""

    what: str = Field(min_length=1)
    how: str = Field(min_length=1, description="how to get it, or why it is not available")


class Comparison(Params):
    """One benchmark among several: a key for figure names and trade labels, a label."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="e.g. vs-nasdaq")
    label: LocalizedText
    members: dict[InstrumentId, float] = Field(min_length=1, description="instrument → weight")


class RelativeReturnParams(Params):
    basket: dict[InstrumentId, float] = Field(min_length=1, description="instrument → weight")
    basket_label: LocalizedText | None = Field(None, description="default: the members' ids")
    benchmark: dict[InstrumentId, float] | None = Field(
        None, description="instrument → weight (or several in `benchmarks`)")
    benchmarks: list[Comparison] = Field(
        default_factory=list, description="several benchmarks: every one is a condition")
    start: date | None = Field(None, description="default: the thesis's publication date")
    start_event: LocalizedText | None = Field(None, description="what happened at start, "
                                                                "e.g. the selloff")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    expect: Literal["outperform", "underperform"] = Field(
        "outperform", description="the basket beats the benchmark, or lags it")
    min_excess_pp: float = Field(0.0, ge=0, description="by at least this many percentage "
                                                       "points, in the expected direction")
    min_return_pct: float | None = Field(None, description="optional floor on the basket's "
                                                           "own return, %")
    max_return_pct: float | None = Field(None, description="optional ceiling on the basket's "
                                                           "own return, % (-10: a fall of 10%)")
    note: LocalizedText | None = Field(None, description="what the measurement stands for, "
                                                         "said in the summary")
    missing: list[MissingPart] = Field(default_factory=list)
    new_high_members: list[InstrumentId] = Field(
        default_factory=list, description="members that must close above their peak before "
                                          "the start by the end ('not topped')")
    peak_since: date | None = Field(None, description="the pre-start peak is taken from here")
    cross_check: CrossCheck | None = None
    hold: bool = Field(False, description="back-test the implied position from the start")
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)

    @model_validator(mode="after")
    def _weights(self) -> RelativeReturnParams:
        if (self.benchmark is None) == (not self.benchmarks):
            raise ValueError("give either benchmark or benchmarks (not both)")
        if len({c.key for c in self.benchmarks}) != len(self.benchmarks):
            raise ValueError("benchmarks need distinct keys")
        for name, legs in (("basket", self.basket),
                           *((c.key, c.members) for c in self.comparisons)):
            if any(w <= 0 for w in legs.values()):
                raise ValueError(f"{name} weights must be positive")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must come after start")
        if self.new_high_members and self.peak_since is None:
            raise ValueError("new_high_members need peak_since")
        if set(self.new_high_members) - set(self.basket) - {
                i for c in self.comparisons for i in c.members}:
            raise ValueError("new_high_members must be members of the basket or a benchmark")
        if self.min_return_pct is not None and self.max_return_pct is not None \
                and self.max_return_pct < self.min_return_pct:
            raise ValueError("max_return_pct cannot be below min_return_pct")
        return self

    @property
    def comparisons(self) -> list[Comparison]:
        """The benchmarks as comparisons (a single ``benchmark`` is key "benchmark")."""
        if self.benchmark is None:
            return list(self.benchmarks)
        ids = "+".join(self.benchmark)
        return [Comparison(key="benchmark", label=LocalizedText(zh=ids, en=ids),
                           members=self.benchmark)]

    @property
    def label(self) -> LocalizedText:
        ids = "+".join(self.basket)
        return self.basket_label or LocalizedText(zh=ids, en=ids)

    @property
    def sign(self) -> float:
        """+1 when the basket should beat the benchmark, -1 when it should lag."""
        return 1.0 if self.expect == "outperform" else -1.0


def relative_verdict(basket_ret: float, excesses: list[float], params: RelativeReturnParams,
                     highs: Sequence[bool] = ()) -> Verdict:
    """Every set condition holds → supported; some hold, or an excess points the expected
    way → mixed; else contradicted (returns in %, excesses in percentage points, one per
    benchmark; ``highs``: whether each new-high member made one)."""
    held = [*(params.sign * x >= params.min_excess_pp for x in excesses), *highs]
    if params.min_return_pct is not None:
        held.append(basket_ret >= params.min_return_pct)
    if params.max_return_pct is not None:
        held.append(basket_ret <= params.max_return_pct)
    return conditions_held(held, leaning=any(params.sign * x > 0 for x in excesses))


@register
class RelativeReturn(Evaluator[RelativeReturnParams]):
    test = "relative-return"
    params_model = RelativeReturnParams
    title = "A basket against one or more benchmarks between two dates (generic)"

    def data_needs(self, params: RelativeReturnParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.start or ctx.published
        end = params.end or ctx.as_of
        needs = [price_need(i, min(start, params.peak_since or start), end,
                            "basket vs benchmark") for i in _ids(params)]
        if params.cross_check is not None:
            needs += [price_need(i, start, end, "cross-check")
                      for i in dict.fromkeys([*params.cross_check.basket,
                                              *params.cross_check.benchmark])]
        return needs

    def evaluate(self, claim: Claim, params: RelativeReturnParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.models.performance import (
            basket_path,
            common_window,
            last_close_before,
            max_drawdown,
        )

        w = measured_window(claim, ctx, start=params.start, end=params.end)
        start_day, due, end_day = w.start, w.decides, w.stop
        ids = _ids(params)
        lookback = (pd.Timestamp(start_day) - pd.Timedelta(days=10)).date()
        if params.peak_since is not None:
            lookback = min(lookback, params.peak_since)
        closes, data = read_closes(ctx, ids, lookback, end_day)
        common = closes[ids].dropna()
        anchor = last_close_before(common, start_day)
        window = common_window(closes[ids], anchor, end_day)
        if window.end <= window.start:
            return nothing_to_read_yet(window.start, "no common close after it", data)
        basket = basket_path(common, params.basket, window.start, window.end)
        paths = {c.key: basket_path(common, c.members, window.start, window.end)
                 for c in params.comparisons}
        basket_ret = (float(basket.iloc[-1]) - 1) * 100
        rets = {k: (float(p.iloc[-1]) - 1) * 100 for k, p in paths.items()}
        excesses = {k: basket_ret - r for k, r in rets.items()}
        highs = new_highs(closes, params.new_high_members, params.peak_since, window.start,
                          window.end) if params.peak_since else []
        reading = relative_verdict(basket_ret, list(excesses.values()), params,
                                   [h.made for h in highs])
        _note_window_stability(common, params, window.start, window.end, reading,
                               [h.made for h in highs])
        gate = coverage_gate(reading, decides_at=due, data_reaches=last_common_day(closes, ids),
                             as_of=ctx.as_of)
        figures = _figures(params, basket_ret, rets, excesses, max_drawdown(basket) * 100,
                           window.start, window.end)
        figures.append(figure("interim_reading", "当前读数", "interim reading", reading.value,
                              ""))
        comps = params.comparisons
        charts = []
        if len(params.basket) == 1 and len(comps) == 1 and len(comps[0].members) == 1:
            ratio, ratio_chart = ratio_figures(common, next(iter(params.basket)),
                                               next(iter(comps[0].members)), window.start,
                                               window.end)
            figures += ratio
            charts.append(ratio_chart)
        for high in highs:
            figures += high.figures
        if len(ids) > 2:
            last = {i: closes[i].dropna().index[-1].date() for i in ids}
            limiting = sorted(i for i, d in last.items() if d == window.end)
            figures.append(figure("window_limited_by", "区间终点受限于",
                                  "window ends where data end for", ", ".join(limiting), ""))
            for i in ids:
                move = float(common[i].loc[pd.Timestamp(window.end)]
                             / common[i].loc[pd.Timestamp(window.start)] - 1) * 100
                figures.append(figure(f"return_{i}", f"{i} 收益", f"{i} return", pct(move),
                                      "%"))
        chart = line_chart(
            text(f"{params.label.zh}与基准(起点=1)", f"{params.label.en} vs benchmark (start = 1)"),
            pd.DataFrame({params.label.en: basket,
                          **{c.label.en: paths[c.key] for c in params.comparisons}}),
            "× start")
        summary = _summary(params, basket_ret, rets, excesses, window.start, window.end)
        missing = [MissingData(what=m.what, how=m.how) for m in params.missing]
        if params.cross_check is not None:
            from narrowgate.evaluate.kinds.relative_checks import cross_check

            first = next(iter(excesses.values()))
            more, used, lacking, said = cross_check(  # over the reading's own window
                ctx, params.cross_check, start_day, window.end, params.sign,
                params.min_excess_pp, params.sign * first >= params.min_excess_pp)
            figures += more
            data += used
            missing += lacking
            summary = joined(summary, said)
        if highs:
            made_zh = ",".join(f"{h.instrument}{'已' if h.made else '未'}创新高" for h in highs)
            made_en = ", ".join(f"{h.instrument} {'made' if h.made else 'no'} new high"
                                for h in highs)
            summary = text(f"{summary.zh}相对起点前高点:{made_zh}。",
                           f"{summary.en} Against the peaks before the start: {made_en}.")
        summary = gate.said_first(summary)
        assessment = Assessment(
            verdict=gate.verdict, summary=summary,
            evidence=Evidence(
                figures=figures, data=data, charts=[chart, *charts], notes=[_method(params)],
                missing=missing, watch=_watch(params, basket_ret, excesses, window.end, highs)))
        if not params.hold:
            return assessment
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: RelativeReturnParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Per benchmark: long the basket / short it (the reverse when the basket should
        lag), equal weight within each leg, bought at the last close before the start and
        held (``start``/``end``: history from / up to, instead of the params' and as-of).
        With several benchmarks each trade is labelled ``claim:key``."""
        if not params.hold:
            return []
        first = params.start or ctx.published
        since = (params.start_event or text(f"{first}", f"{first}")) if params.start else None
        several = len(params.comparisons) > 1
        plans = []
        for n, comp in enumerate(params.comparisons):
            up, down = list(params.basket), list(comp.members)
            long, short = (up, down) if params.sign > 0 else (down, up)
            names = (params.label, comp.label) if params.sign > 0 else (comp.label, params.label)
            currency = next((c for c in map(currency_of, [*long, *short]) if c), "points")
            plans.append(ImpliedPlan(
                label=f"{claim.id}:{comp.key}" if several else claim.id,
                name=text(f"多 {names[0].zh} / 空 {names[1].zh}",
                          f"long {names[0].en} / short {names[1].en}"),
                entry=first, since=since,
                prefix="trade_" if n == 0 else f"trade_{comp.key.replace('-', '_')}_",
                plan=partial(held_plan, ctx, params.implied_trade, long=long, short=short,
                             currency=currency, match_from=first - timedelta(days=1),
                             start=start, end=end)))
        return plans


def _note_window_stability(common: pd.DataFrame, params: RelativeReturnParams, start: date,
                           end: date, reading: Verdict, made: list[bool]) -> None:
    """Stability: the same conditions over windows whose ends move a few trading days
    (``core.stability.window_kept``); buy-and-hold baskets, as the reading."""
    import numpy as np
    import pandas as pd

    from narrowgate.evaluate.core.stability import note_replayed, window_kept

    prices = common.to_numpy(dtype="float64")
    column = {name: k for k, name in enumerate(common.columns)}
    legs = [(np.array([column[i] for i in members]),
             np.array(list(members.values()), dtype="float64") / sum(members.values()))
            for members in (params.basket, *(c.members for c in params.comparisons))]

    def reading_at(i: int, j: int) -> Verdict:
        rets = [float((prices[j, cols] / prices[i, cols]) @ w - 1.0) * 100 for cols, w in legs]
        return relative_verdict(rets[0], [rets[0] - r for r in rets[1:]], params, made)

    index = common.index
    first, last = (int(index.searchsorted(pd.Timestamp(d))) for d in (start, end))
    note_replayed(window_kept(len(index), first, last, reading_at, reading), reading)


def _ids(params: RelativeReturnParams) -> list[str]:
    return list(dict.fromkeys([*params.basket,
                               *(i for c in params.comparisons for i in c.members)]))


def _key(params: RelativeReturnParams, key: str, single: str, several: str) -> str:
    """Figure keys: the single-benchmark names stay as they were; several get the key."""
    return single if params.benchmark is not None else f"{several}_{key.replace('-', '_')}"


def _figures(params: RelativeReturnParams, basket_ret: float, rets: dict[str, float],
             excesses: dict[str, float], drawdown: float, start: date, end: date
             ) -> list[Figure]:
    needed = params.sign * params.min_excess_pp
    label = params.label
    out = [figure("basket_return", f"{label.zh} 收益", f"{label.en} return", pct(basket_ret),
                  "%", decisive=True)]
    for comp in params.comparisons:
        out.append(figure(_key(params, comp.key, "benchmark_return", "return"),
                          f"{comp.label.zh} 收益", f"{comp.label.en} return",
                          pct(rets[comp.key]), "%"))
        out.append(figure(_key(params, comp.key, "excess_return", "excess"),
                          f"相对 {comp.label.zh} 的超额收益", f"excess over {comp.label.en}",
                          pct(excesses[comp.key]), "percentage points", decisive=True))
    out += [figure("max_drawdown", f"{label.zh} 区间最大回撤", f"{label.en} max drawdown "
                   "in window", pct(drawdown), "%"),
            figure("threshold", "所需超额", "excess needed", needed,
                   "percentage points (≥)" if params.sign > 0 else "percentage points (≤)"),
            figure("window", "区间", "window", f"{start} → {end}", "dates")]
    for key, zh, en, value in (("min_return", "收益下限", "return floor", params.min_return_pct),
                               ("max_return", "收益上限", "return ceiling",
                                params.max_return_pct)):
        if value is not None:
            out.append(figure(key, zh, en, value, "%"))
    return out


def _watch(params: RelativeReturnParams, basket_ret: float, excesses: dict[str, float],
           observed: date, highs: Sequence[NewHigh] = ()) -> list[WatchItem]:
    """Where each excess (and the basket's own return, if bounded, and each member short
    of a new high) would flip the verdict."""
    made = [h.made for h in highs]
    needed = params.sign * params.min_excess_pp
    keys = list(excesses)
    out: list[WatchItem] = []
    for comp in params.comparisons:
        def reading(x: float, key: str = comp.key) -> Verdict:
            return relative_verdict(basket_ret, [x if k == key else excesses[k] for k in keys],
                                    params, made)
        out += crossings(reading, excesses[comp.key], [needed, 0.0],
                         label=text(f"相对 {comp.label.zh} 的超额收益",
                                    f"excess over {comp.label.en}"),
                         unit="percentage points", digits=1, instrument="+".join(params.basket),
                         observed=observed)
    bounds = [b for b in (params.min_return_pct, params.max_return_pct) if b is not None]
    if bounds:
        out += crossings(lambda x: relative_verdict(x, list(excesses.values()), params, made),
                         basket_ret, bounds, label=text(f"{params.label.zh} 收益",
                                                        f"{params.label.en} return"),
                         unit="%", digits=1, instrument="+".join(params.basket),
                         observed=observed)
    for n, high in enumerate(highs):
        if high.made:  # a new high stays made: no line to watch
            continue

        def beyond(x: float, n: int = n) -> Verdict:
            return relative_verdict(basket_ret, list(excesses.values()), params,
                                    [x > 0 if i == n else m for i, m in enumerate(made)])
        out += crossings(beyond, high.last_vs_peak, [0.0],
                         label=text("最新收盘相对起点前高点", "last close vs the peak before "
                                    "the start"), unit="%", digits=1,
                         instrument=high.instrument, observed=observed)
    return out


def _summary(params: RelativeReturnParams, basket_ret: float, rets: dict[str, float],
             excesses: dict[str, float], start: date, end: date) -> LocalizedText:
    op = "≥" if params.sign > 0 else "≤"
    needed = params.sign * params.min_excess_pp
    comps = params.comparisons
    zh = ",".join(f"{c.label.zh} {rets[c.key]:+.1f}%(超额 {excesses[c.key]:+.1f} 个百分点)"
                  for c in comps)
    en = ", ".join(f"{c.label.en} {rets[c.key]:+.1f}% (excess {excesses[c.key]:+.1f} points)"
                   for c in comps)
    out = text(f"{start} 至 {end}:{params.label.zh} {basket_ret:+.1f}%,{zh};所需超额 {op} "
               f"{needed:g}。",
               f"{start} to {end}: {params.label.en} {basket_ret:+.1f}%, {en}; excess needed "
               f"{op} {needed:g}.")
    return joined(out, params.note)


def _method(params: RelativeReturnParams) -> LocalizedText:
    return text("各篮子在起点按权重买入后持有(权重随价格漂移),收益以各自上市货币计,"
                "区间为所有成员共同有收盘的日期。",
                "Each basket is bought at its weights at the start and held (weights drift); "
                "returns are in each listing's currency, over the dates every member has a "
                "close.")

