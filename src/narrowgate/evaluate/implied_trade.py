"""The position a claim implies, back-tested beside the claim's own test.

Why: a view or forecast ("storage beats AI hardware", "gold goes further than silver")
implies a position, and the reader wants to know what that position would have made after
costs, how deep it fell and how its timing ranks in history. The claim's verdict stays its
evaluator's own: everything here is added evidence — figures (keys prefixed, never
decisive), the engine's three charts, the timing note and a note saying what the trade is.
A trade that cannot run (no close after entry yet, data missing) becomes a note, never an
error. The running and wording are :mod:`narrowgate.evaluate.trade_backtest`'s.

Each such evaluator lists its trades once, in ``implied_plans(claim, params, ctx, start,
end)`` (a list of :class:`ImpliedPlan`): its ``decide`` turns them into evidence
(:func:`with_implied_trades`) and ``narrowgate backtest`` runs the same plans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import Field

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import text
from narrowgate.evaluate.registry import EvalContext, Params
from narrowgate.evaluate.trade_backtest import (
    TradePlan,
    definition,
    run_trade,
    timing_note,
    trade_charts,
    trade_figures,
)
from narrowgate.evaluate.verdict import Assessment, Chart, DataUsed, Figure
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd


class ImpliedTradeParams(Params):
    """Costs and history of an implied trade (every field has a default)."""

    cost_bps_per_trade: float = Field(5.0, ge=0, description="basis points of traded value")
    borrow_bps_per_year: float = Field(50.0, ge=0, description="on short market value")
    history_start: date | None = Field(
        None, description="closes read from here for the historical ranking (default: all)")
    trading_days_per_year: float = Field(252, gt=0, description="annualises Sharpe and vol")


@dataclass(frozen=True)
class ImpliedTrade:
    """Evidence to add to a claim's assessment; :meth:`added_to` leaves its verdict alone."""

    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    notes: list[LocalizedText] = field(default_factory=list)
    data: list[DataUsed] = field(default_factory=list)

    def added_to(self, assessment: Assessment) -> Assessment:
        ev = assessment.evidence
        return assessment.model_copy(update={"evidence": ev.model_copy(update={
            "figures": [*ev.figures, *self.figures], "charts": [*ev.charts, *self.charts],
            "notes": [*ev.notes, *self.notes], "data": [*ev.data, *self.data]})})


@dataclass(frozen=True)
class ImpliedPlan:
    """One position a claim implies, as its evaluator's evidence and ``narrowgate
    backtest`` both run it. ``label``: the claim id, ``claim:suffix`` when the claim implies
    two; ``plan``: the plan, or a zero-argument builder (reading closes can fail, so it
    stays lazy); ``entry``: the trade is bought at the last close before this date (the
    publication, or the day after the entry close: ``run_trade``'s ``published``);
    ``prefix``: of its figure keys; ``since``: the entry event when it is not the
    publication. ``pending`` (with no plan) says why it cannot run yet."""

    label: str
    name: LocalizedText
    plan: TradePlan | Callable[[], TradePlan] | None
    entry: date
    prefix: str = "trade_"
    since: LocalizedText | None = None
    pending: LocalizedText | None = None

    def __post_init__(self) -> None:
        if (self.plan is None) == (self.pending is None):
            raise ValueError(f"{self.label}: give a plan or say why it is pending, not both")

    def build(self) -> TradePlan:
        """The plan, read now if it is lazy (raises NarrowgateError when it cannot be)."""
        if self.plan is None:
            reason = self.pending.en if self.pending else "pending"
            raise NarrowgateError(f"{self.name.en}: {reason}")
        return self.plan() if callable(self.plan) else self.plan

    def evidence(self) -> ImpliedTrade:
        """The trade's figures, charts and notes, or the note saying why it is pending."""
        if self.plan is None:
            reason = self.pending or text("待观察", "pending")
            return ImpliedTrade(notes=[text(f"{self.name.zh}:{reason.zh}。",
                                            f"{self.name.en}: {reason.en}.")])
        return implied_trade(self.plan, name=self.name, published=self.entry,
                             prefix=self.prefix, since=self.since)


def with_implied_trades(assessment: Assessment, plans: Iterable[ImpliedPlan]) -> Assessment:
    """``assessment`` with each plan's evidence added (its verdict untouched)."""
    for plan in plans:
        assessment = plan.evidence().added_to(assessment)
    return assessment


def held_plan(ctx: EvalContext, params: ImpliedTradeParams, *, long: Sequence[str],
              short: Sequence[str] = (), currency: str, match_from: date,
              start: date | None = None, end: date | None = None) -> TradePlan:
    """Equal weight within each leg, bought once and held (no rebalance): long/short at
    half of equity a side, or long only at all of equity less the entry fee (1/(1+fee), so
    the purchase is funded without the engine scaling it down by bisection — same result,
    a fraction of the time). See :func:`claim_closes` for the closes (``match_from``:
    where the claim's own reading starts; ``start``: history from here instead of
    ``params.history_start``)."""
    from narrowgate.backtest.api import Costs
    from narrowgate.backtest.strategies import Basket, LongShort

    closes, data = claim_closes(ctx, [*long, *short], match_from,
                                start or params.history_start, end)
    costs = Costs(fee=params.cost_bps_per_trade / 1e4,
                  borrow_per_year=params.borrow_bps_per_year / 1e4)
    strategy: Any = (
        LongShort(long=list(long), short=list(short), rebalance="once", costs=costs) if short
        else Basket(weights={i: 1.0 / (1.0 + costs.fee) / len(long) for i in long},
                    rebalance="once", costs=costs))
    return TradePlan(strategy=strategy, closes=closes, data=data,
                     periods_per_year=params.trading_days_per_year, currency=currency)


def claim_closes(ctx: EvalContext, instruments: Sequence[str], match_from: date,
                 start: date | None, end: date | None = None) -> tuple[pd.DataFrame,
                                                                      list[DataUsed]]:
    """Closes from ``start`` (None: all) to min(end, as-of) in the price basis the claim's
    own window (``match_from`` → end) is read in, so the trade runs on the same closes as
    the claim's figures and its history extends them backwards (the hub splices older
    sources onto the newest)."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import provenance_to_data, read_series, require_hub
    from narrowgate.instruments import kind_of

    hub = require_hub(ctx, instruments)
    stop = min(end, ctx.as_of) if end else ctx.as_of
    ids = list(dict.fromkeys(instruments))
    bar_ids = [i for i in ids if kind_of(i) == "bars"]
    parts: list[pd.DataFrame | pd.Series] = []
    data: list[DataUsed] = []
    if bar_ids:
        provs = hub.closes(bar_ids, match_from, stop).attrs.get("provenance", [])
        for basis in dict.fromkeys(p.basis for p in provs):
            group = [p.instrument for p in provs if p.basis == basis]
            wide = hub.closes(group, start, stop, basis=basis)
            data += [provenance_to_data(p) for p in wide.attrs.get("provenance", [])]
            wide.attrs = {}
            parts.append(wide)
    for i in ids:
        if i not in bar_ids:
            values, used = read_series(ctx, i, start, stop)
            parts.append(values.rename(i))
            data.append(used)
    frame = pd.concat(parts, axis=1, sort=True)
    frame.index = pd.DatetimeIndex(frame.index)
    return frame[ids], data


def implied_trade(plan: TradePlan | Callable[[], TradePlan], *, name: LocalizedText,
                  published: date, prefix: str = "trade_",
                  since: LocalizedText | None = None) -> ImpliedTrade:
    """Run ``plan`` (or build it: reading closes can fail too) from the last close before
    ``published``. ``since`` names the entry event when it is not the publication (e.g.
    "the selloff"): the engine's labels then say "since the selloff"."""
    try:
        plan = plan() if callable(plan) else plan
        run = run_trade(plan, published)
    except NarrowgateError as exc:
        what = _described(plan, None) if isinstance(plan, TradePlan) else None
        return ImpliedTrade(notes=[text(
            f"{name.zh}(论点隐含的头寸):暂无法回测({exc.message})。{what.zh if what else ''}",
            f"{name.en} (the position the claim implies): not back-tested yet "
            f"({exc.message}).{' ' + what.en if what else ''}")])
    from narrowgate.evaluate.kinds.trade_attribution import attribution_evidence

    pnl_figures, pnl_chart, pnl_note = attribution_evidence(run, name)
    figures = [f.model_copy(update={
        "key": prefix + f.key, "decisive": False,
        "label": _reworded(text(f"{name.zh}:{f.label.zh}", f"{name.en}: {f.label.en}"), since)})
        for f in [*trade_figures(run), *pnl_figures]]
    charts = [c.model_copy(update={"title": _reworded(c.title, since)})
              for c in [*trade_charts(run, name), pnl_chart]]
    timing = _reworded(timing_note(run), since)
    what = _described(plan, run.report.anchor.date())
    notes = [text(f"{name.zh}(论点隐含的头寸,不改变判定):{what.zh}",
                  f"{name.en} (the position the claim implies; it does not change the "
                  f"verdict): {what.en}"),
             text(f"{name.zh}:{definition(plan).zh}", f"{name.en}: {definition(plan).en}"),
             text(f"{name.zh}:{timing.zh}", f"{name.en}: {timing.en}"),
             _reworded(text(f"{name.zh}:{pnl_note.zh}", f"{name.en}: {pnl_note.en}"), since),
             *plan.notes]
    data = [d.model_copy(update={"note": "; ".join(filter(None, [
        f"implied trade: {name.en}", d.note]))}) for d in plan.data]
    return ImpliedTrade(figures=figures, charts=charts, notes=notes, data=data)


def _described(plan: TradePlan, entry: date | None) -> LocalizedText:
    """Legs with their weights (% of equity), entry, rebalancing and costs, in one line."""
    import pandas as pd

    strategy = plan.strategy
    ones = pd.DataFrame(1.0, index=pd.DatetimeIndex([entry or "2000-01-03"]),
                        columns=strategy.assets)
    row = strategy.daily_weights(ones).iloc[0]
    legs = {side: ", ".join(f"{a} {abs(w) * 100:.4g}%" for a, w in row.items()
                            if (w > 0) == (side == "long") and w != 0)
            for side in ("long", "short")}
    zh_legs = "多 " + legs["long"] + (f";空 {legs['short']}(占权益)" if legs["short"]
                                      else "(占权益,余额付入场费用)")
    en_legs = "long " + legs["long"] + (f"; short {legs['short']} of equity" if legs["short"]
                                        else " of equity (the rest pays the entry fee)")
    at_zh = f"{entry} 收盘" if entry else "入场日收盘"
    at_en = f"the {entry} close" if entry else "the entry close"
    held = strategy.rebalance == "once"
    fee, borrow = strategy.costs.fee * 1e4, strategy.costs.borrow_per_year * 1e4
    return text(
        f"{zh_legs};{at_zh}买入,"
        + ("持有不再平衡" if held else f"按 {strategy.rebalance} 调回目标权重")
        + f";成交额的 {fee:g} 个基点为交易成本"
        + (f",空头每年 {borrow:g} 个基点融券费" if legs["short"] else "") + "。",
        f"{en_legs}; bought at {at_en} and "
        + ("held (no rebalance)" if held else f"rebalanced {strategy.rebalance}")
        + f"; fees {fee:g} bp of traded value"
        + (f", borrow {borrow:g} bp/yr on shorts" if legs["short"] else "") + ".")


def _reworded(label: LocalizedText, since: LocalizedText | None) -> LocalizedText:
    """The engine's "publication" wording with another entry event put in its place."""
    if since is None:
        return label
    en = label.en.replace("since-publication result", f"result since {since.en}")
    return text(label.zh.replace("发布", since.zh), en.replace("publication", since.en))
