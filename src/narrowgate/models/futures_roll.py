"""CFFEX stock-index futures: expiry dates, the front-month schedule, and one continuous
series rolled from single contracts and back-adjusted so that a roll is not P&L.

Why: sina's main continuous series (``IF0`` …) splices contracts without adjusting, so
each switch shows the spread between two contract months as a price jump. For IC/IM,
whose discount runs to several percent of the index a year, those jumps are booked as
P&L by any back-test that takes the series as a price. A series built here from the
contracts themselves knows which contract it holds every day and rolls on a fixed rule.

Conventions: contract codes are product + YYMM (``IF2412``). A contract expires on the
third Friday of its month, or on the next session when that Friday is a holiday (CFFEX
rule: 合约到期月份的第三个周五,遇国家法定假日顺延). The front month is the nearest
expiry, i.e. the current month's contract until it rolls. Sessions are a DatetimeIndex of
trading days supplied by the caller (:func:`cffex_sessions` gives XSHG's). Pure: series
in, series out, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: First trading day and first contract month of each stock-index product (CFFEX listing
#: notices: IF on 2010-04-16 with IF1005 as its nearest month; IH and IC on 2015-04-16
#: with 1505; IM on 2022-07-22 with IM2208). Sessions before them hold nothing.
FIRST_LISTED: dict[str, tuple[date, tuple[int, int]]] = {
    "IF": (date(2010, 4, 16), (2010, 5)),
    "IH": (date(2015, 4, 16), (2015, 5)),
    "IC": (date(2015, 4, 16), (2015, 5)),
    "IM": (date(2022, 7, 22), (2022, 8)),
}
_CODE = re.compile(r"^(IF|IH|IC|IM)(\d{2})(\d{2})$")


class RollError(ValueError):
    """A roll that cannot be computed from the closes given; the message says which
    contract and day, ``contracts`` holds the codes whose closes are lacking."""

    def __init__(self, message: str, contracts: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.contracts = tuple(contracts)


@dataclass(frozen=True, order=True)
class ContractMonth:
    """One contract of a product, e.g. ``ContractMonth("IF", 2024, 12)`` = IF2412."""

    product: str
    year: int
    month: int

    @classmethod
    def parse(cls, code: str) -> ContractMonth:
        """``IF2412`` (or ``cnfut:IF2412``) → ContractMonth; ValueError on anything else."""
        match = _CODE.match(code.rpartition(":")[2].strip().upper())
        if match is None or not 1 <= int(match[3]) <= 12:
            raise ValueError(f"{code!r} is not a CFFEX stock-index contract code like IF2412")
        return cls(match[1], 2000 + int(match[2]), int(match[3]))

    @property
    def code(self) -> str:
        return f"{self.product}{self.year % 100:02d}{self.month:02d}"

    def next(self) -> ContractMonth:
        """The following calendar month's contract (the next front month)."""
        year, month = divmod(self.year * 12 + self.month, 12)
        return ContractMonth(self.product, year, month + 1)


def third_friday(year: int, month: int) -> date:
    """The third Friday of a month (the nominal CFFEX last trading day)."""
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def _sessions(sessions: Any) -> pd.DatetimeIndex:
    import pandas as pd

    return pd.DatetimeIndex(sessions).normalize().unique().sort_values()


def expiry_session(contract: ContractMonth, sessions: pd.DatetimeIndex) -> pd.Timestamp:
    """The contract's last trading day: the first session on or after its third Friday."""
    import pandas as pd

    friday = pd.Timestamp(third_friday(contract.year, contract.month))
    if len(sessions) == 0 or sessions[0] > friday:
        raise RollError(f"the sessions start after {contract.code}'s third Friday "
                        f"({friday:%Y-%m-%d}); pass a calendar that reaches back to it")
    pos = int(sessions.searchsorted(friday))
    if pos == len(sessions):
        raise RollError(f"the sessions end before {contract.code}'s expiry ({friday:%Y-%m-%d}); "
                        "pass a calendar that reaches it")
    return pd.Timestamp(sessions[pos])


def roll_session(contract: ContractMonth, sessions: pd.DatetimeIndex,
                 roll_days: int) -> pd.Timestamp:
    """The session at whose close the position moves out of ``contract``: ``roll_days``
    sessions before its expiry (0 = on the expiry day itself)."""
    import pandas as pd

    pos = int(sessions.searchsorted(expiry_session(contract, sessions))) - roll_days
    if pos < 0:
        raise RollError(f"the sessions start after {contract.code}'s roll day")
    return pd.Timestamp(sessions[pos])


def front_month_schedule(product: str, sessions: Iterable[object], *, roll_days: int = 2,
                         start: date | None = None, end: date | None = None) -> pd.Series:
    """The contract held on each session in [start, end] when holding the front month and
    rolling at the close ``roll_days`` sessions before its expiry.

    A contract is held up to and including its roll session; the next session holds the
    following month. Sessions before the product's listing are left out. ``sessions``
    must reach the expiry of the last month in the window. Returns a Series of codes
    (``IF2412``) indexed by session, named ``contract``.
    """
    import pandas as pd

    if product not in FIRST_LISTED:
        raise ValueError(f"unknown product {product!r}: use one of {', '.join(FIRST_LISTED)}")
    if not 0 <= roll_days <= 10:
        raise ValueError(f"roll_days must be 0…10 sessions before expiry, got {roll_days}")
    calendar = _sessions(sessions)
    listed, (first_year, first_month) = FIRST_LISTED[product]
    lo = max(pd.Timestamp(start) if start else calendar[0], pd.Timestamp(listed))
    window = calendar[(calendar >= lo) & (calendar <= (pd.Timestamp(end) if end else
                                                       calendar[-1]))]
    held: list[str] = []
    rolls: dict[tuple[int, int], pd.Timestamp] = {}
    first = ContractMonth(product, first_year, first_month)
    for day in window:
        month = ContractMonth(product, day.year, day.month)
        key = (day.year, day.month)
        if key not in rolls:
            rolls[key] = roll_session(month, calendar, roll_days)
        contract = month if day <= rolls[key] else month.next()
        held.append(max(contract, first).code)  # before the first month: none listed
    return pd.Series(held, index=window, name="contract", dtype=object)


@dataclass(frozen=True)
class RolledSeries:
    """A front-month series: ``adjusted`` (ratio back-adjusted, equal to ``raw`` on the
    latest contract), ``raw`` (the held contract's own close), ``held`` (its code), one
    row per roll in ``rolls`` (index = roll session; from, to, from_close, to_close,
    ratio = to_close / from_close) and the sessions whose held contract had no close
    (``gaps``, left out of the three series)."""

    adjusted: pd.Series
    raw: pd.Series
    held: pd.Series
    rolls: pd.DataFrame
    gaps: pd.DatetimeIndex

    @property
    def contracts(self) -> list[str]:
        """The contracts held, in order."""
        return list(dict.fromkeys(self.held))


def roll_front_month(closes: Mapping[str, pd.Series] | pd.DataFrame,
                     schedule: pd.Series) -> RolledSeries:
    """Splice per-contract closes along ``schedule`` and back-adjust by ratio.

    At a roll session R the position is closed in the old contract and opened in the new
    one at R's close, so the series' return into R uses the old contract and the return
    out of R the new one. Every price up to R is multiplied by new(R)/old(R) (cumulated
    over later rolls), so each day's return is the held contract's own return and the
    latest segment is the traded price.

    Why ratio, not difference: the back-test sizes lots on notional (lots = notional /
    (price × multiplier)), and under a ratio adjustment both that notional and the daily
    CNY P&L equal those of the real contracts, and returns are exact. A difference
    adjustment keeps point moves for a fixed lot count but shifts old levels by the sum of
    every later spread — for IC/IM a decade of discounts is thousands of points — which
    distorts percentage returns and the lots sized on them.

    ``closes`` maps each code in ``schedule`` to its daily closes (a dict of Series or a
    wide frame). Raises :class:`RollError` naming the contract and session when a held
    contract has no closes at all or a roll session lacks either close.
    """
    import numpy as np
    import pandas as pd

    if schedule.empty:
        raise RollError("the schedule holds no sessions")
    absent = sorted({c for c in schedule if closes.get(c) is None})
    if absent:
        raise RollError(f"no closes for {', '.join(absent)}", absent)
    # one long (contract, date) → close series: one lookup for all held days and rolls
    codes = list(dict.fromkeys(schedule))
    parts = [pd.Series(closes[code]).astype("float64") for code in codes]
    long = pd.concat([p.set_axis(pd.DatetimeIndex(p.index).normalize()) for p in parts],
                     keys=codes).groupby(level=[0, 1]).last()

    def lookup(contracts: pd.Series) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays([contracts.to_numpy(dtype=object), contracts.index])
        return long.reindex(keys).to_numpy()

    raw = pd.Series(lookup(schedule), index=schedule.index, name="close")
    if raw.dropna().empty:
        raise RollError(f"no close of {schedule.iloc[0]}…{schedule.iloc[-1]} on their "
                        "scheduled sessions", codes)
    first, last = raw.first_valid_index(), raw.last_valid_index()
    held, raw = schedule.loc[first:last], raw.loc[first:last]
    switch = held.ne(held.shift(-1)).to_numpy(copy=True)
    switch[-1] = False
    olds, news = held[switch], held.shift(-1)[switch]
    rows = []
    for day, old, new, old_close, new_close in zip(olds.index, olds, news, lookup(olds),
                                                   lookup(news), strict=True):
        for code, value in ((old, old_close), (new, new_close)):
            if not np.isfinite(value) or value <= 0:
                raise RollError(f"cannot roll {old} → {new} at the close of {day:%Y-%m-%d}: "
                                f"no close of {code} that day", [code])
        rows.append((day, old, new, float(old_close), float(new_close),
                     float(new_close / old_close)))
    rolls = pd.DataFrame(rows, columns=["date", "from", "to", "from_close", "to_close",
                                        "ratio"]).set_index("date")
    step = pd.Series(1.0, index=raw.index)
    step.loc[rolls.index] = rolls["ratio"].to_numpy()
    factor = step.iloc[::-1].cumprod().iloc[::-1]
    keep = raw.notna()
    return RolledSeries(adjusted=(raw * factor)[keep].rename("adjusted_close"),
                        raw=raw[keep], held=held[keep], rolls=rolls,
                        gaps=pd.DatetimeIndex(raw.index[~keep]))


def suspected_main_rolls(main: pd.Series, index: pd.Series, expiries: Iterable[object],
                         window: int = 5) -> pd.DataFrame:
    """Where a main continuous series (no contract identity) most likely switched contract.

    Diagnostic only, never a price for P&L: sina switches its main contract on volume and
    open interest, not on a fixed day, so the switch can only be guessed. For each expiry
    this takes the session from ``window`` sessions before it to the one after it whose
    return departs most from the index's (the spread between two months shows up there)
    and returns expiry, date and ``excess_return`` (main return − index return, a
    fraction). Open interest would hint too, but the store does not keep it.
    """
    import numpy as np
    import pandas as pd

    joint = pd.concat([main.rename("main"), index.rename("index")], axis=1,
                      sort=True).dropna()
    excess = (joint["main"].pct_change() - joint["index"].pct_change()).dropna()
    rows = []
    for expiry in _sessions(expiries):
        if excess.empty or not excess.index[0] <= expiry <= excess.index[-1]:
            continue
        pos = int(excess.index.searchsorted(expiry, side="right"))  # sessions ≤ expiry
        part = excess.iloc[max(pos - window, 0):pos + 1]
        at = int(np.argmax(np.abs(part.to_numpy())))
        rows.append((expiry, part.index[at], float(part.iloc[at])))
    return pd.DataFrame(rows, columns=["expiry", "date", "excess_return"])


def cffex_sessions(start: date, end: date) -> pd.DatetimeIndex:
    """CFFEX trading days (the XSHG calendar of exchange_calendars) from start to end.

    exchange_calendars records XSHG holidays only to a fixed year (2026 in 4.13); past its
    last session this continues with weekdays, so an expiry in a later year that falls on
    a holiday is off by the holiday until the library is updated.
    """
    import warnings

    import exchange_calendars as xc
    import pandas as pd

    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    with warnings.catch_warnings():  # the library's own pandas deprecations
        warnings.simplefilter("ignore")
        calendar = xc.get_calendar("XSHG")
        first, last = calendar.first_session.tz_localize(None), \
            calendar.last_session.tz_localize(None)
        known = calendar.sessions_in_range(max(lo, first), min(hi, last)) \
            if max(lo, first) <= min(hi, last) else pd.DatetimeIndex([])
    parts = [pd.DatetimeIndex(known).tz_localize(None)]
    if hi > last:
        parts.append(pd.bdate_range(max(lo, last + pd.Timedelta(days=1)), hi))
    return _sessions(parts[0].append(parts[1:]) if len(parts) > 1 else parts[0])


def _month_runs(months: list[ContractMonth]) -> list[tuple[ContractMonth, ContractMonth]]:
    runs: list[tuple[ContractMonth, ContractMonth]] = []
    for month in sorted(months):
        if runs and runs[-1][1].next() == month:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def _braces(prefix: str, first: ContractMonth, last: ContractMonth) -> list[str]:
    """Consecutive months as bash/zsh brace ranges: IF16{01..12} is IF1601 … IF1612."""
    head = f"{prefix}{first.product}"

    def span(year: int, lo: int, hi: int) -> str:
        months = f"{lo:02d}" if lo == hi else f"{{{lo:02d}..{hi:02d}}}"
        return f"{head}{year % 100:02d}{months}"

    if first.year == last.year:
        return [span(first.year, first.month, last.month)]
    out = [span(first.year, first.month, 12)]
    if last.year - first.year == 2:
        out.append(span(first.year + 1, 1, 12))
    elif last.year - first.year > 2:
        out.append(f"{head}{{{(first.year + 1) % 100:02d}..{(last.year - 1) % 100:02d}}}"
                   "{01..12}")
    return [*out, span(last.year, 1, last.month)]


def month_braces(prefix: str, months: list[ContractMonth]) -> list[str]:
    """Contract ids of one product written compactly: runs of consecutive months become
    brace ranges (``IF16{01..12}``) that bash and zsh expand back into the ids."""
    return [brace for first, last in _month_runs(months) for brace in _braces(prefix, first,
                                                                              last)]
