"""Instrument ids (``market:symbol``) and the one table of what each market means.

An id names *what* is observed, never *where* it came from: ``us:QQQ`` is the same ETF
whether Yahoo or a CSV supplied it; the store keeps the source beside each row. This
module stays import-light (no pandas) because the CLI parses ids before anything heavy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from narrowgate.errors import NarrowgateError

DataKind = Literal["bars", "series", "facts"]


class InstrumentError(NarrowgateError):
    """An instrument id that cannot be parsed or names an unknown market."""

    exit_code = 2


@dataclass(frozen=True)
class Market:
    """What a market prefix means: where live data comes from and how to read it.

    ``provider`` is None for markets that only arrive by import (no live source).
    ``calendar`` is an exchange_calendars code ("24/7" for crypto) or None for
    series without a trading calendar (macro data).
    """

    code: str
    description: str
    kind: DataKind
    provider: str | None
    currency: str | None
    calendar: str | None


@dataclass(frozen=True)
class FutureSpec:
    """Contract terms of a continuous futures instrument (CFFEX index futures).

    ``multiplier`` is currency units per index point; ``min_margin`` is the exchange
    minimum as a fraction of notional (brokers usually add a few points on top).
    """

    multiplier: float
    currency: str
    underlying: str
    min_margin: float


MARKETS: dict[str, Market] = {
    m.code: m
    for m in (
        Market("us", "US-listed stocks and ETFs", "bars", "yahoo", "USD", "XNYS"),
        Market("cn", "China A-shares and exchange-traded funds", "bars", "akshare", "CNY",
               "XSHG"),
        Market("cnidx", "China indices (CSI, SSE, SZSE), 6-digit or H-code", "bars",
               "akshare", "CNY", "XSHG"),
        Market("cnfut", "CFFEX index futures: main continuous (IF) or one contract (IF2412)",
               "bars", "akshare", "CNY", "XSHG"),
        Market("hk", "Hong Kong-listed stocks", "bars", "yahoo", "HKD", "XHKG"),
        Market("hkidx", "Hang Seng indices (HSI, HSCEI, HSTECH)", "bars", "yahoo", "HKD",
               "XHKG"),
        Market("crypto", "crypto pairs quoted as BASE-QUOTE", "bars", "yahoo", "USD", "24/7"),
        Market("fx", "currency indices and pairs (e.g. fx:DXY, the ICE dollar index)",
               "bars", "yahoo", "USD", "24/5"),
        Market("cmx", "COMEX metal futures, front month (GC gold, SI silver), USD/oz",
               "bars", "yahoo", "USD", "CMES"),
        Market("lbma", "LBMA precious-metal fixes (GOLD PM, SILVER), USD/oz", "series",
               None, "USD", None),
        Market("fred", "FRED economic series, in FRED's own units", "series", "fred", None,
               None),
        Market("macro", "derived macro series with no FRED id (e.g. CPI YoY %)", "series",
               None, None, None),
        Market("cnmargin", "A-share margin financing totals, 100 M CNY (import only)", "series",
               None, "CNY", None),
        Market("sec", "SEC XBRL company facts by ticker (fundamentals)", "facts", "sec",
               "USD", None),
    )
}

FUTURES: dict[str, FutureSpec] = {
    "cnfut:IF": FutureSpec(300.0, "CNY", "cnidx:000300", 0.08),
    "cnfut:IC": FutureSpec(200.0, "CNY", "cnidx:000905", 0.08),
    "cnfut:IM": FutureSpec(200.0, "CNY", "cnidx:000852", 0.15),
}

def currency_of(instrument: str) -> str | None:
    """The currency an instrument's prices are in, from its market (None: an unknown
    market or one whose values have no currency, e.g. FRED series)."""
    market = MARKETS.get(instrument.partition(":")[0])
    return market.currency if market else None


def periods_per_year(instruments: Sequence[str]) -> float:
    """Trading days a year for annualising daily returns of a set of instruments: 365 when
    all trade every day (crypto), 244 when all trade on the Shanghai calendar (A-shares,
    CSI indices, CFFEX futures), else 252 (NYSE and the like)."""
    calendars = {m.calendar if (m := MARKETS.get(i.partition(":")[0])) else None
                 for i in instruments}
    if calendars == {"24/7"}:
        return 365.0
    if calendars == {"XSHG"}:
        return 244.0
    return 252.0


def price_unit(instrument: str) -> str:
    """The unit of an instrument's prices: its currency, or "points" (an index level)."""
    return currency_of(instrument) or "points"


_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=^-]*$")


@dataclass(frozen=True)
class InstrumentId:
    """A parsed ``market:symbol`` id; ``str()`` gives the canonical text form."""

    market: str
    symbol: str

    def __str__(self) -> str:
        return f"{self.market}:{self.symbol}"

    @property
    def info(self) -> Market:
        return MARKETS[self.market]

    @property
    def future(self) -> FutureSpec | None:
        return FUTURES.get(str(self))


def parse_instrument(text: str) -> InstrumentId:
    """Parse and validate an id; market is lower-cased, symbol kept as written.

    Raises InstrumentError naming the valid markets, so a typo is fixed in one step.
    """
    raw = text.strip()
    market, sep, symbol = raw.partition(":")
    if not sep or not market or not symbol:
        raise InstrumentError(
            f"instrument id '{text}' is not of the form market:symbol",
            "e.g. us:QQQ, cnidx:000300, fred:WALCL",
        )
    market = market.lower()
    if market not in MARKETS:
        raise InstrumentError(
            f"unknown market '{market}' in '{raw}'",
            f"use one of {', '.join(sorted(MARKETS))}",
        )
    if not _SYMBOL.match(symbol):
        raise InstrumentError(
            f"symbol '{symbol}' in '{raw}' has characters an id cannot hold",
            "use letters, digits and . _ - = ^",
        )
    return InstrumentId(market, symbol)


def canonical(text: str) -> str:
    """The canonical string form of an id (validated)."""
    return str(parse_instrument(text))


def kind_of(text: str) -> DataKind:
    """Which store table an instrument lives in (bars, series or facts)."""
    return parse_instrument(text).info.kind
