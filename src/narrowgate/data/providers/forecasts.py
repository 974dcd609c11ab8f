"""Consensus profit forecasts from live providers, as one tidy frame (akshare and yfinance).

Why a separate module: forecasts are not bars, series or facts, the hub has no store table
for them, and the valuation claims need to say *which* consensus, *from where* and *as of
when*. So this module owns its own standard frame and the same three steps every provider
follows (shape the query → fetch the raw payload → normalise):

* A-shares (``cn:``): akshare ``stock_profit_forecast_ths`` (同花顺 盈利预测, the
  basic.10jqka.com.cn ``worth.html`` page), indicators ``预测年报净利润`` and
  ``预测年报每股收益``. Documented columns: 年度, 预测机构数, 最小值, 均值, 最大值,
  行业平均数. The net-profit table is in 亿元 (it is what FACTS.md transcribed from the same
  page, in 亿元), EPS in 元 per share.
  Calls go through :meth:`AkshareProvider.call`, i.e. the shared polite pause and bounded
  retries.
* US names (``us:``): yfinance ``Ticker.earnings_estimate`` (index 0q, +1q, 0y, +1y; columns
  numberOfAnalysts, avg, low, high, yearAgoEps, growth, and currency). Only the yearly rows
  are kept. Yahoo labels them "0y"/"+1y", not by fiscal year, so the fetcher reads
  ``lastFiscalYearEnd`` from ``Ticker.info``: "0y" is the fiscal year after the last one
  that ended, named by the calendar year it ends in (Micron's FY2026 ends in August 2026).

Neither source dates its consensus, so ``as_of`` is the fetch day. Nothing here runs at
import time; akshare, yfinance and pandas are imported inside functions.

Tidy frame (:data:`FORECAST_COLUMNS`), one row per instrument, fiscal year and measure:
instrument, year (int), measure (``net_profit`` | ``eps``), value, low, high (NaN when
unknown), unit (e.g. ``CNY 1e8``, ``USD per share``), n_analysts (NaN when unknown), as_of
(datetime64, the day the figures describe), fetched_at (UTC, NaT for a file), source (the
request, readable).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from narrowgate.data.forecasts_select import Measure
from narrowgate.data.providers.akshare import AkshareCall, AkshareProvider
from narrowgate.data.providers.http import shared_limiter
from narrowgate.errors import DataNotFound, ProviderError

if TYPE_CHECKING:
    import pandas as pd


MEASURES: tuple[str, ...] = ("net_profit", "eps")
FORECAST_COLUMNS = (
    "instrument", "year", "measure", "value", "low", "high", "unit", "n_analysts", "as_of",
    "fetched_at", "source",
)
#: akshare stock_profit_forecast_ths: indicator per measure, and the unit its table is in.
THS_INDICATORS: dict[str, tuple[str, str]] = {
    "net_profit": ("预测年报净利润", "CNY 1e8"),
    "eps": ("预测年报每股收益", "CNY per share"),
}
THS_COLUMNS = {"年度": "year", "预测机构数": "n_analysts", "最小值": "low", "均值": "value",
               "最大值": "high"}
YF_COLUMNS = {"avg": "value", "low": "low", "high": "high", "numberOfAnalysts": "n_analysts"}
YF_YEAR_ROWS = {"0y": 0, "+1y": 1}


def empty_forecasts() -> pd.DataFrame:
    """A tidy forecast frame with no rows but the right columns and dtypes."""
    return tidy_forecasts([])


def tidy_forecasts(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows (dicts with :data:`FORECAST_COLUMNS` keys, missing ones NaN) → the tidy frame.

    One place sets the dtypes, so provider frames and CSV frames compare equal and
    ``pd.concat`` never upcasts. Sorted by instrument, measure and year.
    """
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))
    frame["year"] = frame["year"].astype("int64")
    for name in ("value", "low", "high", "n_analysts"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in ("instrument", "measure", "unit", "source"):
        frame[name] = frame[name].astype(object)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[ns]")
    frame["fetched_at"] = pd.to_datetime(frame["fetched_at"], utc=True)
    frame = frame.sort_values(["instrument", "measure", "year"], kind="stable")
    return frame.reset_index(drop=True)


def _year_label(text: object) -> int | None:
    """'2026', '2026E', '2026年' → 2026; anything without four digits → None."""
    digits = "".join(ch for ch in str(text) if ch.isdigit())
    return int(digits[:4]) if len(digits) >= 4 else None


def normalise_ths_forecast(
    raw: pd.DataFrame, measure: Measure, *, instrument: str, fetched_at: datetime,
    request: str,
) -> pd.DataFrame:
    """One ``stock_profit_forecast_ths`` table (net profit or EPS) → tidy forecast rows.

    Rows whose 年度 has no year or whose 均值 is not a number ('-' placeholders) are
    dropped; a table without the documented columns is a :class:`ProviderError` (the page
    changed), an empty one :class:`DataNotFound` (no institution covers the stock).
    """
    import pandas as pd

    if raw.empty:
        raise DataNotFound(f"akshare: {request} has no forecast rows for {instrument}")
    missing = [c for c in THS_COLUMNS if c not in raw.columns]
    if missing:
        raise ProviderError(f"akshare: {request} lacks the columns {missing}",
                            "the 10jqka page layout changed; check akshare's version")
    unit = THS_INDICATORS[measure][1]
    rows = []
    for _, item in raw.iterrows():
        year = _year_label(item["年度"])
        value = pd.to_numeric(str(item["均值"]).replace(",", ""), errors="coerce")
        if year is None or pd.isna(value):
            continue
        rows.append({
            "instrument": instrument, "year": year, "measure": measure, "value": value,
            "low": pd.to_numeric(item["最小值"], errors="coerce"),
            "high": pd.to_numeric(item["最大值"], errors="coerce"),
            "n_analysts": pd.to_numeric(item["预测机构数"], errors="coerce"), "unit": unit,
            "as_of": fetched_at.date(), "fetched_at": fetched_at,
            "source": f"{request} (10jqka consensus)",
        })
    if not rows:
        raise DataNotFound(f"akshare: {request} holds no numeric consensus for {instrument}")
    return tidy_forecasts(rows)


def fiscal_year_of_current(last_fiscal_year_end: object) -> int:
    """Fiscal year of Yahoo's "0y" row: the one after the last fiscal year that ended.

    ``last_fiscal_year_end`` is ``Ticker.info['lastFiscalYearEnd']`` (Unix seconds) or a
    date. Fiscal years are named by the calendar year they end in.
    """
    if isinstance(last_fiscal_year_end, (int, float)) and not isinstance(
            last_fiscal_year_end, bool):
        ended = datetime.fromtimestamp(float(last_fiscal_year_end), UTC).date()
    elif isinstance(last_fiscal_year_end, date):
        ended = last_fiscal_year_end
    else:
        raise DataNotFound(f"yfinance: no usable lastFiscalYearEnd ({last_fiscal_year_end!r})",
                           "give the forecasts as a CSV instead")
    return ended.year + 1


def normalise_yf_earnings_estimate(
    raw: pd.DataFrame, *, instrument: str, current_fiscal_year: int, fetched_at: datetime,
    request: str,
) -> pd.DataFrame:
    """``Ticker.earnings_estimate`` → tidy EPS rows for "0y" and "+1y" (quarters dropped).

    ``current_fiscal_year`` names the "0y" row (see :func:`fiscal_year_of_current`). The
    unit is ``<currency> per share``, USD when the frame has no currency column.
    """
    import pandas as pd

    if raw.empty:
        raise DataNotFound(f"yfinance: {request} has no estimates for {instrument}")
    missing = [c for c in ("avg", "numberOfAnalysts") if c not in raw.columns]
    if missing:
        raise ProviderError(f"yfinance: {request} lacks the columns {missing}",
                            "yfinance changed its earnings_estimate layout")
    rows: list[dict[str, Any]] = []
    for period, offset in YF_YEAR_ROWS.items():
        if period not in raw.index:
            continue
        item = raw.loc[period]
        value = pd.to_numeric(item["avg"], errors="coerce")
        if pd.isna(value):
            continue
        currency = str(item["currency"]) if "currency" in raw.columns and pd.notna(
            item["currency"]) else "USD"
        rows.append({
            "instrument": instrument, "year": current_fiscal_year + offset, "measure": "eps",
            **{target: pd.to_numeric(item[col], errors="coerce") if col in raw.columns
               else float("nan") for col, target in YF_COLUMNS.items()},
            "unit": f"{currency} per share", "as_of": fetched_at.date(),
            "fetched_at": fetched_at,
            "source": f"{request} (Yahoo consensus, {period} = FY{current_fiscal_year + offset})",
        })
    if not rows:
        raise DataNotFound(f"yfinance: {request} holds no yearly EPS estimate for {instrument}")
    return tidy_forecasts(rows)


@dataclass
class ForecastFetch:
    """Step 3's output: the tidy frame plus what was asked and when (for the evidence)."""

    frame: pd.DataFrame
    provider: str
    request: str
    fetched_at: datetime
    notes: list[str] = field(default_factory=list)


class ForecastProvider:
    """Consensus forecasts for ``cn:`` (akshare, 10jqka) and ``us:`` (yfinance) names.

    ``akshare_api`` and ``yf_ticker`` (a callable symbol → Ticker-like object) stand in for
    the libraries in tests, so the whole path runs without the network.
    """

    name = "forecasts"

    def __init__(self, *, delay: float = 1.0, attempts: int = 3, backoff: float = 2.0,
                 akshare_api: Any = None, yf_ticker: Callable[[str], Any] | None = None
                 ) -> None:
        self.delay, self.attempts, self.backoff = delay, attempts, backoff
        self._akshare = AkshareProvider(delay=delay, attempts=attempts, backoff=backoff,
                                        api=akshare_api)
        self._yf_ticker = yf_ticker

    def shape_query(self, instrument: str, measure: Measure) -> tuple[str, str]:
        """Step 1: (market, source symbol) for one instrument, or DataNotFound."""
        market, _, symbol = instrument.partition(":")
        symbol = symbol.strip().upper()
        if market == "cn" and symbol.isdigit() and len(symbol) == 6:
            return "cn", symbol
        if market == "us" and symbol and measure == "eps":
            return "us", symbol.replace(".", "-")
        raise DataNotFound(
            f"forecasts: no provider consensus for {measure} of {instrument!r}",
            "providers serve cn:NNNNNN (net_profit, eps) and us:TICKER (eps); use a CSV",
        )

    def fetch(self, instrument: str, measure: Measure) -> ForecastFetch:
        """Steps 2 and 3: fetch politely, then normalise to the tidy frame."""
        market, symbol = self.shape_query(instrument, measure)
        if market == "cn":
            call = AkshareCall("stock_profit_forecast_ths",
                               {"symbol": symbol, "indicator": THS_INDICATORS[measure][0]})
            raw = self._akshare.call(call)
            now = datetime.now(UTC)
            frame = normalise_ths_forecast(raw, measure, instrument=instrument,
                                           fetched_at=now, request=str(call))
            return ForecastFetch(frame, "akshare", str(call), now)
        return self._fetch_yfinance(instrument, symbol)

    def retrying(self, call: Callable[[], Any], what: str) -> Any:
        """Run one yfinance call with the shared pause before each try and bounded retries
        (akshare calls get the same from :meth:`AkshareProvider.call`)."""
        limiter = shared_limiter("yfinance", 1.0 / self.delay if self.delay > 0 else 0.0)
        problem = ""
        for attempt in range(1, self.attempts + 1):
            limiter.wait()
            try:
                return call()
            except Exception as exc:  # yfinance surfaces HTTP, JSON and rate limits alike
                problem = f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise ProviderError(f"{what} failed after {self.attempts} attempts ({problem})")

    def _fetch_yfinance(self, instrument: str, symbol: str) -> ForecastFetch:
        if self._yf_ticker is None:
            from narrowgate.errors import require_extra

            yfinance: Any = require_extra("yfinance", "yahoo", "yahoo consensus forecasts")
            self._yf_ticker = yfinance.Ticker
        ticker = self._yf_ticker(symbol)
        request = f"yfinance.Ticker({symbol!r}).earnings_estimate"
        raw = self.retrying(lambda: ticker.earnings_estimate, request)
        info = self.retrying(lambda: ticker.info, f"yfinance.Ticker({symbol!r}).info")
        year = fiscal_year_of_current((info or {}).get("lastFiscalYearEnd"))
        now = datetime.now(UTC)
        frame = normalise_yf_earnings_estimate(raw, instrument=instrument,
                                               current_fiscal_year=year, fetched_at=now,
                                               request=request)
        note = (f"Yahoo's 0y row read as FY{year} (lastFiscalYearEnd + 1); the EPS basis is "
                "Yahoo's default methodology (usually normalized, non-GAAP)")
        return ForecastFetch(frame, "yfinance", request, now, [note])


__all__ = [
    "FORECAST_COLUMNS", "MEASURES", "ForecastFetch", "ForecastProvider", "Measure",
    "empty_forecasts", "fiscal_year_of_current", "normalise_ths_forecast",
    "normalise_yf_earnings_estimate", "tidy_forecasts",
]
