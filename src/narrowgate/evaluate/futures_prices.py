"""Where a CFFEX futures leg's daily prices come from, in the order they are trusted.

1. Single contracts in the store (``cnfut:IF2412`` …), rolled front month before expiry
   and ratio back-adjusted by :mod:`narrowgate.models.futures_roll`: real prices, the
   basis inside them.
2. Otherwise the index proxy plus an explicit annual basis (the evaluator's job). Sina's
   main continuous series (``cnfut:IF``) is *not* a price source: it splices contract
   months unadjusted and carries no contract code, so its roll days can only be guessed.
   It is read only to show the jumps it would have booked (:func:`main_continuous_check`).

Why a module of its own: the if-vs-ic-im evaluator words a verdict; reading dozens of
contracts, checking they cover the window and naming exactly what to pull is a separate
job. pandas and the calendar load inside functions (evaluator modules import cheaply).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.common import text
from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.verdict import DataUsed, MissingData
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.models.futures_roll import RolledSeries

NOT_FOR_PNL = "sina main continuous (unadjusted at rolls): read only to show its roll jumps, " \
              "not used for P&L"


@dataclass(frozen=True)
class RolledLegs:
    """Rolled closes (columns = the legs' ids, e.g. cnfut:IF), one aggregated DataUsed per
    leg and the roll model's result per leg (contracts held, roll dates, raw closes)."""

    closes: pd.DataFrame
    data: list[DataUsed]
    rolled: dict[str, RolledSeries]
    roll_days: int


def stored_ids(ctx: EvalContext, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the store holds as bars (a look at coverage: never fetches)."""
    return ctx.hub.held(ids, "bars") if ctx.hub is not None else set()


def _absent(leg: str, held: pd.Series, absent: list[str]) -> MissingData:
    need = list(dict.fromkeys(held))
    return MissingData(
        what=f"{leg} single-contract daily bars: {len(absent)} of the {len(need)} front-month "
             f"contracts {need[0]}…{need[-1]} are not in the store",
        dates=f"{held.index[0]:%Y-%m-%d} to {held.index[-1]:%Y-%m-%d}",
        fetch=list(absent), how=f"{len(absent)} contract ids")


def _leg_data(leg: str, rolled: RolledSeries, used: list[DataUsed], roll_days: int
              ) -> DataUsed:
    """One DataUsed for a leg's contracts (listing each would bury the evidence)."""
    fetched = [d.fetched_at for d in used if d.fetched_at is not None]
    held = rolled.contracts
    return DataUsed(
        instrument=leg, source=", ".join(sorted({d.source for d in used})),
        start=rolled.adjusted.index[0].date(), end=rolled.adjusted.index[-1].date(),
        fetched_at=min(fetched) if fetched else None, rows=len(rolled.adjusted),
        stale=any(d.stale for d in used),
        note=f"front month rolled from single contracts {held[0]}…{held[-1]} ({len(held)} "
             f"contracts, {len(rolled.rolls)} rolls at the close {roll_days} sessions before "
             "expiry), ratio back-adjusted")


def _read_contracts(ctx: EvalContext, held: pd.Series
                    ) -> tuple[dict[str, pd.Series], list[DataUsed]]:
    """Each contract's closes from just before its first held session (the roll day
    before it needs its close) to its last, so an expired contract is never re-fetched."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import read_closes

    closes: dict[str, pd.Series] = {}
    used: list[DataUsed] = []
    for instrument, days in held.groupby(held, sort=False).groups.items():
        first, last = pd.DatetimeIndex(days)[[0, -1]]
        try:
            frame, data = read_closes(ctx, [str(instrument)],
                                      (first - pd.Timedelta(days=15)).date(), last.date())
        except DataNotFound:
            continue  # the roll model names it
        closes[str(instrument)] = frame[instrument].dropna()
        used.extend(data)
    return closes, used


def read_rolled(ctx: EvalContext, schedules: Mapping[str, pd.Series], roll_days: int
                ) -> tuple[RolledLegs | None, list[MissingData]]:
    """Rolled closes when the store holds every contract every leg needs, else None and
    one MissingData per leg naming exactly the contracts to pull."""
    import contextlib

    import pandas as pd

    from narrowgate.models.futures_roll import RollError, roll_front_month

    present = stored_ids(ctx, [i for held in schedules.values() for i in held])
    missing = []
    for leg, held in schedules.items():
        absent = [i for i in dict.fromkeys(held) if i not in present]
        if absent:
            missing.append(_absent(leg, held, absent))
    if missing:
        return None, missing
    rolled: dict[str, RolledSeries] = {}
    data: list[DataUsed] = []
    with ctx.hub.session() if ctx.hub is not None else contextlib.nullcontext():
        for leg, held in schedules.items():
            closes, used = _read_contracts(ctx, held)
            try:
                rolled[leg] = roll_front_month(closes, held)
            except RollError as exc:
                missing.append(MissingData(
                    what=f"{leg} rolled from single contracts: {exc}",
                    dates=f"{held.index[0]:%Y-%m-%d} to {held.index[-1]:%Y-%m-%d}",
                    fetch=list(exc.contracts), how="re-fetch the contract's history"))
                continue
            data.append(_leg_data(leg, rolled[leg], used, roll_days))
    if missing:
        return None, missing
    wide = pd.concat({leg: r.adjusted for leg, r in rolled.items()}, axis=1, sort=True)
    return RolledLegs(closes=wide, data=data, rolled=rolled, roll_days=roll_days), []


def rolled_note(legs: RolledLegs, published: date) -> LocalizedText:
    """Which contracts and roll dates the rolled series used, and the largest roll gap the
    back-adjustment kept out of P&L (what the unadjusted main series would have booked)."""
    import numpy as np
    import pandas as pd

    parts, gaps = [], []
    for leg, rolled in legs.rolled.items():
        held = rolled.contracts
        parts.append(f"{leg}: {held[0]}…{held[-1]} ({len(held)} contracts)")
        if len(rolled.rolls):
            step = rolled.rolls["ratio"] - 1
            at = int(np.argmax(np.abs(step.to_numpy())))
            gaps.append(f"{leg} {step.iloc[at]:+.2%} ({step.index[at]:%Y-%m-%d})")
    since = sorted({d for r in legs.rolled.values() for d in r.rolls.index
                    if d >= pd.Timestamp(published)})
    dates = ", ".join(f"{d:%Y-%m-%d}" for d in since) or "none"
    n = legs.roll_days
    return text(
        f"使用存储中的单个合约:每条腿持有近月合约,在到期日(合约月第三个周五,遇节假日顺延)前 {n} "
        f"个交易日收盘换入下月合约,并按比例向前复权,换月价差不计入盈亏;基差已含在价格中,不另计。"
        f"合约:{'; '.join(parts)}。发布以来的换月日:{dates}。复权剔除的最大换月价差:"
        f"{'; '.join(gaps) or '无'}。",
        f"Single contracts from the store: each leg holds the front month and rolls into the "
        f"next at the close {n} sessions before expiry (third Friday of the contract month, "
        f"next session if a holiday), ratio back-adjusted so a roll's price gap is not P&L; "
        f"the basis is in the prices, so none is added. Contracts: {'; '.join(parts)}. Roll "
        f"dates since publication: {dates}. Largest roll gap kept out of P&L: "
        f"{'; '.join(gaps) or 'none'}.")


def main_continuous_check(ctx: EvalContext, legs: Mapping[str, str], start: date, stop: date,
                          index_closes: pd.DataFrame) -> tuple[LocalizedText | None,
                                                               list[DataUsed]]:
    """When the store holds sina main continuous series for legs (``cnfut:IF`` → its index
    proxy in ``legs``), say why they are not used and show the jumps they carry."""
    from narrowgate.evaluate.hubdata import read_closes
    from narrowgate.models.futures_roll import (
        ContractMonth,
        cffex_sessions,
        expiry_session,
        suspected_main_rolls,
    )
    from narrowgate.models.futures_schedule import CALENDAR_AHEAD, CALENDAR_BACK

    held = sorted(stored_ids(ctx, list(legs)))
    if not held or start > stop:
        return None, []
    try:
        main, data = read_closes(ctx, held, start, stop)
    except DataNotFound:
        return None, []
    sessions = cffex_sessions(start - CALENDAR_BACK, stop + CALENDAR_AHEAD)
    expiries = []
    # contract months up to the one after stop's: later expiries lie beyond the calendar
    last_month = (stop + timedelta(days=31)).replace(day=1)
    for year in range(start.year, stop.year + 1):
        for month in range(1, 13):
            if date(year, month, 1) > last_month:
                break
            expiry = expiry_session(ContractMonth("IF", year, month), sessions)
            if start <= expiry.date() <= stop:
                expiries.append(expiry)
    shown = []
    for leg in held:
        found = suspected_main_rolls(main[leg].dropna(), index_closes[legs[leg]].dropna(),
                                     expiries)
        if found.empty:
            continue
        top = found.iloc[int(found["excess_return"].abs().to_numpy().argmax())]
        shown.append(f"{leg}: {len(found)}, {top['excess_return']:+.2%} "
                     f"({top['date']:%Y-%m-%d}), Σ {found['excess_return'].sum():+.1%}")
    detail = "; ".join(shown) or "—"
    return text(
        f"存储中有新浪主力连续 {', '.join(held)},但它在换月时直接拼接不同月份合约、未做复权:"
        "换月日的跳空是两个月份之间的价差,不是盈亏。它没有合约代码,只能猜换月日(新浪按成交量和持仓量切换"
        "主力,不在固定日期);猜错要么留下虚假盈亏,要么删掉一天真实行情。因此不用于盈亏,改用指数"
        f"加年化基差,直到拉取单个合约。到期前后偏离指数最大的日子(疑似换月日数、最大值、合计):"
        f"{detail}。",
        f"The store holds sina's main continuous {', '.join(held)}, but it splices contract "
        "months without adjusting: the jump on a switch day is the spread between two months, "
        "not P&L. It carries no contract code, so the switch days can only be guessed (sina "
        "switches on volume and open interest, not on a fixed day); a wrong guess either keeps "
        "a spurious gain or deletes a real day's move. So it is not used for P&L: the index "
        "proxy with its explicit basis stands in until the single contracts are pulled. "
        f"Days around each expiry departing most from the index (suspected switches, largest, "
        f"sum): {detail}."), [d.model_copy(update={"note": NOT_FOR_PNL}) for d in data]


def roll_cost_note(cost_bps: float, notional_per_side_x: float, rolls_per_year: int = 12
                   ) -> LocalizedText:
    """When no roll dates can be computed (a leg that is no CFFEX stock-index product), the
    roll trades real futures would make, sized from the params so the reader can weigh
    them; otherwise the back-test pays them (``TradePlan.rolls``)."""
    pct = rolls_per_year * 2 * 2 * notional_per_side_x * cost_bps / 100
    return text(
        f"换月交易(平旧开新,每年约 {rolls_per_year} 次,两边)的成本未计入回测:按每笔 {cost_bps:g} "
        f"个基点约为每年权益的 {pct:.2f}%。",
        f"The roll trades themselves (close the old contract, open the next; about "
        f"{rolls_per_year} a year on both sides) are not charged: at {cost_bps:g} bp a trade "
        f"that is about {pct:.2f}% of equity a year.")
