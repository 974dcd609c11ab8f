"""path: what one instrument does after a start date — a pull-back, then a return by the end.

"A long-term buy that first needs a pull-back", "falls at least 10 % within three months",
"ends the year higher": conditions on one instrument's path from the last close before
``start`` (default: publication) to ``end`` (default: the claim's horizon). A pull-back
condition is the largest peak-to-trough fall within ``pullback_within_days`` calendar days
reaching ``min_pullback_pct``; return conditions bound the return at the end. All set
conditions → supported; some → mixed; none → contradicted; the coverage gate keeps it
pending, with the interim reading, until the data reach the end. ``context`` groups
(equal-weight baskets, members without data named) are set against the instrument over
their common window, never deciding; with ``hold`` the instrument and each group are
back-tested as held positions beside the verdict.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import FETCH_OR_IMPORT, InstrumentId, date_figure, figure, pct, text
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.core.thresholds import conditions_held
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import interim_first
from narrowgate.evaluate.verdict import (
    VERDICT_LABELS,
    Assessment,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.evaluate.watch import crossings
from narrowgate.instruments import price_unit
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.evaluate.trade_backtest import TradePlan
    from narrowgate.thesis.schema import Claim

LOOKBACK = timedelta(days=10)  # closes read from this long before the start


class ContextGroup(Params):
    key: str = Field(pattern=r"^[a-z0-9_]+$", description="figure key prefix")
    label: LocalizedText
    members: list[InstrumentId] = Field(min_length=1, description="equal weight")
    trade: bool = Field(True, description="with hold: back-test holding the group too")


class PathParams(Params):
    instrument: InstrumentId
    label: LocalizedText | None = Field(None, description="default: the instrument id")
    start: date | None = Field(None, description="default: the thesis's publication date")
    end: date | None = Field(None, description="default: the claim's horizon")
    pullback_within_days: int | None = Field(None, gt=0, description="calendar days after "
                                                                     "the start")
    min_pullback_pct: float | None = Field(None, gt=0, le=100, description="largest fall "
                                           "from a peak within those days, at least this %")
    min_return_pct: float | None = Field(None, description="return at the end at least this")
    max_return_pct: float | None = Field(None, description="return at the end at most this")
    context: list[ContextGroup] = Field(default_factory=list)
    hold: bool = Field(False, description="back-test holding the instrument and each group")
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)

    @model_validator(mode="after")
    def _conditions(self) -> PathParams:
        if (self.pullback_within_days is None) != (self.min_pullback_pct is None):
            raise ValueError("pullback_within_days and min_pullback_pct go together")
        if self.pullback_within_days is None and self.min_return_pct is None \
                and self.max_return_pct is None:
            raise ValueError("set a pull-back or a return condition")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must come after start")
        return self

    @property
    def name(self) -> LocalizedText:
        return self.label or LocalizedText(zh=self.instrument, en=self.instrument)


def path_verdict(params: PathParams, pullback: float | None, ret: float) -> Verdict:
    """All set conditions → supported; some → mixed; none → contradicted (in %)."""
    held = []
    if params.min_pullback_pct is not None:
        held.append(pullback is not None and pullback >= params.min_pullback_pct)
    if params.min_return_pct is not None:
        held.append(ret >= params.min_return_pct)
    if params.max_return_pct is not None:
        held.append(ret <= params.max_return_pct)
    return conditions_held(held)


def _note_window_stability(params: PathParams, prices: pd.Series, anchor: pd.Timestamp,
                           reading: Verdict) -> None:
    """Stability: the same conditions with the start (the anchor close) and the last close
    moved a few trading days (``core.stability.window_kept``)."""
    import numpy as np
    import pandas as pd

    from narrowgate.evaluate.core.stability import note_replayed, window_kept

    values = prices.to_numpy(dtype="float64")
    days = prices.index
    short = (None if params.pullback_within_days is None
             else pd.Timedelta(days=params.pullback_within_days))

    def reading_at(i: int, j: int) -> Verdict:
        ret = (values[j] / values[i] - 1.0) * 100
        pullback = None
        if short is not None:
            stop = min(int(days.searchsorted(days[i] + short, side="right")), j + 1)
            part = values[i:stop] / values[i]
            pullback = float(np.max(1.0 - part / np.maximum.accumulate(part))) * 100
        return path_verdict(params, pullback, ret)

    first = int(days.searchsorted(anchor))
    note_replayed(window_kept(len(days), first, len(days) - 1, reading_at, reading), reading)


@register
class Path(Evaluator[PathParams]):
    test = "path"
    params_model = PathParams
    title = "One instrument's path after a date: a pull-back, a return by the end"

    def data_needs(self, params: PathParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.start or ctx.published
        ids = [params.instrument, *(m for g in params.context for m in g.members)]
        return [DataNeed(instrument=i, kind="bars", start=start, end=params.end or ctx.as_of,
                         why="closes since the start") for i in ids]

    def evaluate(self, claim: Claim, params: PathParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.evaluate.hubdata import line_chart, read_closes
        from narrowgate.models.peaks import deepest_drawdown
        from narrowgate.models.performance import max_drawdown

        w = measured_window(claim, ctx, start=params.start, end=params.end)
        first, due, stop = w.start, w.decides, w.stop
        closes, data = read_closes(ctx, [params.instrument], first - LOOKBACK, stop)
        prices = closes[params.instrument].dropna()
        before = prices.index[prices.index < pd.Timestamp(first)]
        if before.empty:
            from narrowgate.errors import DataNotFound

            raise DataNotFound(f"no {params.instrument} close before {first}", FETCH_OR_IMPORT,
                               fetch=(params.instrument,))
        anchor = before[-1]
        path = prices.loc[anchor:] / prices.loc[anchor]
        end = path.index[-1].date()
        ret = (float(path.iloc[-1]) - 1) * 100
        deep = deepest_drawdown(path)
        pullback = short_end = None
        if params.pullback_within_days is not None:
            short_end = anchor + pd.Timedelta(days=params.pullback_within_days)
            pullback = -max_drawdown(path.loc[:short_end]) * 100
        reading = path_verdict(params, pullback, ret)
        _note_window_stability(params, prices, anchor, reading)
        gate = coverage_gate(reading, decides_at=due, data_reaches=end, as_of=ctx.as_of)
        name = params.name
        figures = [figure("index_return", f"{name.zh} 起点以来涨跌(至 {end})",
                          f"{name.en} return since the start (to {end})", pct(ret), "%",
                          decisive=True)]
        if pullback is not None:
            days = params.pullback_within_days
            figures += [figure("short_term_pullback", f"{days} 天内最大回撤",
                               f"largest pull-back within {days} days", pct(pullback), "%",
                               decisive=True),
                        figure("digestion", "回撤是否达到门槛", "pull-back reached the threshold",
                               "yes" if pullback >= (params.min_pullback_pct or 0) else "no", "")]
        figures += [
            figure("max_drawdown", "起点以来最大回撤", "max drawdown since the start",
                   pct(deep.depth * 100), "%"),
            figure("drawdown_peak_trough", "最大回撤的高点→低点", "max drawdown peak → trough",
                   f"{deep.peak_date} → {deep.trough_date}", "dates"),
            figure("recovery_sessions", "修复所需交易日", "sessions from trough to recovery",
                   deep.sessions_to_recover if deep.recovered_date else "not recovered",
                   "trading days"),
            date_figure("data_end", "数据终点", "data end", end),
            figure("interim_reading", "当前读数", "interim reading", reading.value, ""),
            date_figure("start", "起点", "start", anchor.date()),
            *([date_figure("end", "终点", "end", due)] if due else []),
            *_threshold_figures(params)]
        ctx_figures, ctx_data, missing, frame, said = _context(params, ctx, path, anchor.date(),
                                                               stop)
        figures += ctx_figures
        data += ctx_data
        frame.insert(0, name.en, path)
        watch = _watch(params, pullback, ret, end, short_end)
        recovered = (f"{deep.recovered_date} 修复" if deep.recovered_date else "尚未修复",
                     f"recovered on {deep.recovered_date}" if deep.recovered_date
                     else "not recovered yet")
        pb_zh = pb_en = ""
        if pullback is not None:
            pb_zh = (f"{params.pullback_within_days} 天内最大回撤 {pullback:.1f}%(门槛 "
                     f"{params.min_pullback_pct:g}%),")
            pb_en = (f"largest pull-back within {params.pullback_within_days} days "
                     f"{pullback:.1f}% (threshold {params.min_pullback_pct:g}%), ")
        summary = text(
            f"{anchor.date()} 至 {end}:{name.zh} {ret:+.1f}%;{pb_zh}起点以来最大回撤 "
            f"{deep.depth * 100:.1f}%,{recovered[0]}。{said.zh if said else ''}当前读数:"
            f"{VERDICT_LABELS[reading].zh}。",
            f"{anchor.date()} to {end}: {name.en} {ret:+.1f}%; {pb_en}deepest drawdown since "
            f"the start {deep.depth * 100:.1f}%, {recovered[1]}. {said.en if said else ''}"
            "Interim reading: "
            f"{reading.value}.")
        chart = line_chart(text(f"{name.zh}与对照组(起点=1)", f"{name.en} and context "
                                "(start = 1)"), frame, "× start")
        assessment = Assessment(verdict=gate.verdict, summary=gate.said_first(summary),
                                evidence=Evidence(figures=figures, data=data, charts=[chart],
                                                  missing=missing, watch=watch,
                                                  notes=interim_first(gate, _method(params))))
        if not params.hold:
            return assessment
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: PathParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long the instrument, and long each context group's members that have closes
        after the start (equal weight), bought at the start close and held to the end or
        the data end (``start``/``end``: history from / up to)."""
        if not params.hold:
            return []
        first = params.start or ctx.published
        due = params.end or claim.horizon
        stop = min(end or ctx.as_of, due) if due else end
        entry = first  # bought at the last close before the start, as the verdict reads
        name = params.name
        plans = [ImpliedPlan(
            label=f"{claim.id}:index" if any(g.trade for g in params.context) else claim.id,
            name=text(f"多 {name.zh}", f"long {name.en}"), entry=entry,
            plan=partial(held_plan, ctx, params.implied_trade, long=[params.instrument],
                         currency=price_unit(params.instrument),
                         match_from=first - LOOKBACK, start=start, end=stop))]
        for group in (g for g in params.context if g.trade):
            plans.append(ImpliedPlan(
                label=f"{claim.id}:{group.key.replace('_', '-')}",
                prefix=f"trade_{group.key}_", entry=entry,
                name=text(f"多{group.label.zh}(有数据的成分)",
                          f"long {group.label.en} (members with data)"),
                plan=partial(_group_plan, ctx, params, group, first, entry, start, stop)))
        return plans


def _group_plan(ctx: EvalContext, params: PathParams, group: ContextGroup, first: date,
                entry: date, start: date | None, stop: date | None) -> TradePlan:
    from narrowgate.errors import DataNotFound
    from narrowgate.evaluate.partial_data import read_available

    _, used, _ = read_available(ctx, group.members, entry, stop, f"{group.key} trade")
    read = {d.instrument for d in used}
    members = [i for i in group.members if i in read]
    if not members:
        raise DataNotFound(f"no member of {group.label.en} ({', '.join(group.members)}) has "
                           f"closes after {first}", FETCH_OR_IMPORT, fetch=tuple(group.members))
    return held_plan(ctx, params.implied_trade, long=members,
                     currency=price_unit(members[0]), match_from=first,
                     start=start, end=stop)


def _threshold_figures(params: PathParams) -> list[Figure]:
    out = []
    if params.pullback_within_days is not None:
        out += [figure("short_term", "回撤窗口", "pull-back window", params.pullback_within_days,
                       "days"),
                figure("digestion_threshold", "回撤门槛", "pull-back threshold",
                       params.min_pullback_pct, "%")]
    if params.min_return_pct is not None:
        out.append(figure("long_term_threshold", "终点所需收益", "return needed at the end",
                          params.min_return_pct, "% (≥)"))
    if params.max_return_pct is not None:
        out.append(figure("return_ceiling", "终点收益上限", "return ceiling at the end",
                          params.max_return_pct, "% (≤)"))
    return out


def _watch(params: PathParams, pullback: float | None, ret: float, end: date,
           short_end: pd.Timestamp | None) -> list[WatchItem]:
    """Where the return (and, while its window runs, the pull-back) would flip the reading."""
    lines = [b for b in (params.min_return_pct, params.max_return_pct) if b is not None]
    out = crossings(lambda x: path_verdict(params, pullback, x), ret, lines,
                    label=text("起点以来涨跌", "return since the start"), unit="%", digits=1,
                    instrument=params.instrument, observed=end) if lines else []
    if pullback is not None and short_end is not None and end < short_end.date():
        out += crossings(lambda x: path_verdict(params, x, ret), pullback,
                         [params.min_pullback_pct or 0.0],
                         label=text(f"{params.pullback_within_days} 天内最大回撤",
                                    f"largest pull-back within {params.pullback_within_days} "
                                    "days"),
                         unit="%", digits=1, instrument=params.instrument, observed=end)
    return out


def _context(params: PathParams, ctx: EvalContext, path: pd.Series, anchor: date, stop: date
             ) -> tuple[list[Figure], list[DataUsed], list[MissingData], pd.DataFrame,
                        LocalizedText | None]:
    """Each context group against the instrument over their common window."""
    import pandas as pd

    from narrowgate.evaluate.partial_data import read_available
    from narrowgate.models.performance import basket_path

    frame = pd.DataFrame(index=path.index)
    ids = list(dict.fromkeys(m for g in params.context for m in g.members))
    if not ids:
        return [], [], [], frame, None
    closes, data, missing = read_available(ctx, ids, anchor, stop, "context since the start")
    if closes is None:
        return [], data, missing, frame, text("对照组无起点后数据。",
                                              "No context data after the start. ")
    figures: list[Figure] = []
    zh: list[str] = []
    en: list[str] = []
    for group in params.context:
        cols = [m for m in group.members if m in closes.columns]
        both = pd.concat([closes[cols], path.rename("_path")], axis=1, sort=True).dropna() \
            if cols else pd.DataFrame()
        if both.empty or both.index[0].date() != anchor or len(both) < 2:
            continue
        first, last = both.index[0].date(), both.index[-1].date()
        basket = basket_path(both, {c: 1.0 for c in cols}, first, last)
        base = both["_path"] / both["_path"].iloc[0]
        g_ret, i_ret = (float(basket.iloc[-1]) - 1) * 100, (float(base.iloc[-1]) - 1) * 100
        label = "+".join(cols)
        figures += [figure(f"{group.key}_return", f"{label} 收益({first}→{last})",
                           f"{label} return ({first}→{last})", pct(g_ret), "%"),
                    figure(f"{group.key}_vs_index", f"{label} 相对 {params.instrument}",
                           f"{label} minus {params.instrument}", pct(g_ret - i_ret),
                           "percentage points")]
        frame[label] = basket
        zh.append(f"{label} {g_ret:+.1f}%(同期 {i_ret:+.1f}%,至 {last})")
        en.append(f"{label} {g_ret:+.1f}% ({params.instrument} {i_ret:+.1f}% to {last})")
    if missing:
        names = ", ".join(m.what.split(" ")[0] for m in missing)
        zh.append(f"缺少起点后数据:{names}")
        en.append(f"no data after the start for {names}")
    return (figures, data, missing, frame,
            text(";".join(zh) + "。", "; ".join(en) + ". ") if zh else None)


def _method(params: PathParams) -> LocalizedText:
    return text("自起点收盘起的价格路径:回撤为窗口内从高点到低点的最大跌幅;收益为终点相对起点;"
                "对照组为等权买入持有,只在共同区间比较,不参与判定。",
                "The price path from the start close: a pull-back is the largest fall from a "
                "peak inside the window; the return is the end against the start; context "
                "groups are equal-weight, bought and held, compared over their common window "
                "and never deciding.")
