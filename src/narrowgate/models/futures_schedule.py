"""Which contract a front-month position in a CFFEX stock-index leg holds, and when it rolls.

Why apart from :mod:`narrowgate.models.futures_roll`: that module rolls one product's
contracts; a trade has several legs (``cnfut:IF``, ``cnfut:IC`` …) named by instrument id
and a window to cover. This turns legs and a window into per-leg schedules of contract ids
(read from the store by the caller) and, for an index proxy standing in for contracts, the
sessions it would roll on. Pure calendar arithmetic: dates in, schedules out, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Calendar days the session calendar reaches around a window: back to the first
#: month's third Friday, forward to the last month's expiry.
CALENDAR_BACK, CALENDAR_AHEAD = timedelta(days=40), timedelta(days=62)


def _product(leg: str) -> tuple[str, str] | None:
    from narrowgate.models.futures_roll import FIRST_LISTED

    market, _, symbol = leg.partition(":")
    return (market, symbol.upper()) if symbol.upper() in FIRST_LISTED else None


def _window_sessions(legs: Sequence[str], start: date, stop: date
                     ) -> tuple[dict[str, tuple[str, str]], pd.DatetimeIndex] | None:
    """Each leg's (market, product) and the session calendar reaching every expiry around
    [start, stop]; None when a leg is no CFFEX stock-index product or the window is empty."""
    from narrowgate.models.futures_roll import cffex_sessions

    products = {leg: _product(leg) for leg in legs}
    if start > stop or any(p is None for p in products.values()):
        return None
    sessions = cffex_sessions(start - CALENDAR_BACK, stop + CALENDAR_AHEAD)
    return {leg: p for leg, p in products.items() if p is not None}, sessions


def leg_schedules(legs: Sequence[str], start: date, stop: date, roll_days: int
                  ) -> dict[str, pd.Series] | None:
    """Per leg (``cnfut:IF``), the contract id held each session from start to stop
    (``cnfut:IF2412``); None when a leg is no CFFEX stock-index product or was not yet
    listed in the window (no contract could cover it)."""
    from narrowgate.models.futures_roll import front_month_schedule

    window = _window_sessions(legs, start, stop)
    if window is None:
        return None
    products, sessions = window
    out: dict[str, pd.Series] = {}
    for leg, (market, symbol) in products.items():
        held = front_month_schedule(symbol, sessions, roll_days=roll_days, start=start,
                                    end=stop)
        if held.empty:
            return None
        out[leg] = market + ":" + held
    return out


def proxy_roll_dates(legs: Sequence[str], start: date, stop: date, roll_days: int
                     ) -> dict[str, list[date]] | None:
    """Per leg, the sessions at whose close a front-month position would roll between
    start and stop (``roll_days`` sessions before each month's third-Friday expiry), for
    the index proxy: it stands in for a contract, so it pays the same two roll fills. Months
    before a product's listing count too (the proxy is hypothetical there either way).
    None when a leg is no CFFEX stock-index product."""
    from narrowgate.models.futures_roll import ContractMonth, RollError, roll_session

    window = _window_sessions(legs, start, stop)
    if window is None:
        return None
    products, sessions = window
    if not products:
        return {}
    # the stock-index products share one expiry rule, so every leg rolls on the same days
    symbol = next(iter(products.values()))[1]
    days = []
    for year in range(start.year, stop.year + 1):
        for month in range(1, 13):
            if not (start.year, start.month) <= (year, month) <= (stop.year, stop.month):
                continue
            try:
                day = roll_session(ContractMonth(symbol, year, month), sessions,
                                   roll_days).date()
            except RollError:
                continue
            if start <= day <= stop:
                days.append(day)
    return {leg: list(days) for leg in products}
