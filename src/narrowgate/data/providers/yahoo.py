"""Daily bars and corporate actions from Yahoo Finance (us:, crypto:, hk:, hkidx:, fx:, cmx:).

Live path: the chart API v8 JSON over httpx (:func:`chart_request` → :meth:`fetch_chart`
→ :func:`normalise_chart`). The recorded responses in ../shared/data/fixtures/yahoo_chart_v8
go through the very same :func:`normalise_chart`. When Yahoo refuses the direct request
(it sometimes wants a cookie and crumb), yfinance — which handles those — is the fallback,
and :func:`normalise_yfinance_history` maps its frame to the same standard frames.

Price convention (Yahoo's, both paths): ``close`` is adjusted for splits (as of the fetch
date) but not for dividends; ``adj_close`` is adjusted for splits and dividends. The events
frame (date, kind 'dividend'|'split', value = amount or ratio) lets callers see both. Dates
are exchange-local calendar days (the bar's timestamp in the exchange's time zone).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from narrowgate.data.providers.base import BARS_COLUMNS, DataKind, FetchResult, Query
from narrowgate.data.providers.http import HttpSource, RetryPolicy
from narrowgate.errors import DataNotFound, ProviderError

if TYPE_CHECKING:
    import pandas as pd

YAHOO_BASE = "https://query2.finance.yahoo.com"
EVENTS_COLUMNS = ("date", "kind", "value")
YAHOO_MARKETS = ("us", "crypto", "hk", "hkidx", "fx", "cmx")
HK_INDEX_SYMBOLS = {"HSI": "^HSI", "HSCEI": "^HSCE", "HSCE": "^HSCE", "HSTECH": "HSTECH.HK"}
#: Ids whose Yahoo symbol follows no rule. The ICE dollar index is listed on NYBOT as
#: DX-Y.NYB; COMEX front months are Yahoo's continuous ``=F`` contracts (rolled by Yahoo,
#: unadjusted, like the imported gc_si_futures files).
YAHOO_SYMBOLS = {"fx:DXY": "DX-Y.NYB", "cmx:GC": "GC=F", "cmx:SI": "SI=F"}


def yahoo_symbol(instrument: str) -> str:
    """narrowgate id → Yahoo symbol: us:BRK.B → BRK-B, hk:700 → 0700.HK, hkidx:HSI → ^HSI,
    fx:DXY → DX-Y.NYB, fx:EURUSD → EURUSD=X, cmx:GC → GC=F (other cmx: codes → CODE=F)."""
    market, _, symbol = instrument.partition(":")
    symbol = symbol.strip().upper()
    if market not in YAHOO_MARKETS or not symbol:
        raise DataNotFound(
            f"yahoo: cannot serve {instrument!r}",
            f"Yahoo serves the markets {', '.join(YAHOO_MARKETS)}, e.g. us:MSFT",
        )
    if f"{market}:{symbol}" in YAHOO_SYMBOLS:
        return YAHOO_SYMBOLS[f"{market}:{symbol}"]
    if market == "fx":
        return symbol if symbol.endswith("=X") else f"{symbol}=X"
    if market == "cmx":
        return symbol if symbol.endswith("=F") else f"{symbol}=F"
    if market == "us":
        return symbol.replace(".", "-")
    if market == "crypto":
        return symbol if "-" in symbol else f"{symbol}-USD"
    if market == "hk":
        return f"{symbol.removesuffix('.HK').zfill(4)}.HK"
    return HK_INDEX_SYMBOLS.get(symbol, symbol if symbol.startswith("^") else f"^{symbol}")


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def chart_request(
    symbol: str, start: date | None, end: date | None, base: str = YAHOO_BASE
) -> tuple[str, dict[str, str | int]]:
    """Step 1: chart URL and parameters for daily bars with dividends and splits.

    period2 is exclusive, so it is the day after ``end`` (default: tomorrow, UTC).
    """
    last = end or datetime.now(UTC).date()
    params: dict[str, str | int] = {
        "period1": _epoch(start) if start else 0,
        "period2": _epoch(last + timedelta(days=1)),
        "interval": "1d",
        "events": "div,splits",
        "includeAdjustedClose": "true",
    }
    return f"{base.rstrip('/')}/v8/finance/chart/{symbol}", params


def _local_dates(seconds: Any, meta: dict[str, Any]) -> pd.Series:
    """Unix seconds → exchange-local midnight (naive datetime64[ns]).

    The exchange's IANA zone is used when given (it knows daylight saving; ``gmtoffset`` is
    only the offset at recording time); the fixed offset is the fallback.
    """
    import pandas as pd

    stamps = pd.Series(pd.to_datetime(pd.Series(seconds, dtype="int64"), unit="s", utc=True))
    zone = meta.get("exchangeTimezoneName")
    try:
        local = stamps.dt.tz_convert(zone) if zone else None
    except (KeyError, ValueError):
        local = None
    if local is None:
        local = stamps.dt.tz_convert(None) + pd.Timedelta(seconds=int(meta.get("gmtoffset") or 0))
    else:
        local = local.dt.tz_localize(None)
    return local.dt.normalize().astype("datetime64[ns]")


def empty_bars() -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BARS_COLUMNS})
    frame["date"] = frame["date"].astype("datetime64[ns]")
    return frame


def empty_events() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({
        "date": pd.Series(dtype="datetime64[ns]"), "kind": pd.Series(dtype="str"),
        "value": pd.Series(dtype="float64"),
    })


def normalise_chart(payload: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step 3: chart v8 JSON → (bars frame, events frame).

    A response without timestamps (a weekend intraday request) gives two empty frames; an
    ``error`` object from Yahoo is DataNotFound; any other layout is a ProviderError.
    """
    import pandas as pd

    try:
        chart = payload["chart"]
        if chart.get("error"):
            error = chart["error"]
            raise DataNotFound(f"yahoo: {error.get('code')}: {error.get('description')}")
        if not chart.get("result"):
            raise DataNotFound("yahoo: chart response has no result")
        result = chart["result"][0]
        meta = result.get("meta") or {}
        seconds = result.get("timestamp") or []
        if not seconds:
            return empty_bars(), empty_events()
        quote = result["indicators"]["quote"][0]
        adjusted = (result["indicators"].get("adjclose") or [{}])[0].get("adjclose")
        events = result.get("events") or {}
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise ProviderError(f"yahoo: unexpected chart payload layout ({exc!r})") from None

    def column(values: Any) -> pd.Series:
        return pd.Series(values if values is not None else [None] * len(seconds), dtype="float64")

    try:
        bars = pd.DataFrame({
            "date": _local_dates(seconds, meta),
            "open": column(quote.get("open")), "high": column(quote.get("high")),
            "low": column(quote.get("low")), "close": column(quote.get("close")),
            "adj_close": column(adjusted if adjusted is not None else quote.get("close")),
            "volume": column(quote.get("volume")),
        })
    except (TypeError, ValueError, OverflowError) as exc:  # text where numbers belong
        raise ProviderError(f"yahoo: chart payload holds values that are not numbers "
                            f"({exc})") from None
    bars = bars.dropna(subset=["open", "high", "low", "close"], how="all")
    bars = bars.drop_duplicates("date", keep="last").reset_index(drop=True)

    rows: list[tuple[int, str, float]] = []
    try:
        for item in (events.get("dividends") or {}).values():
            rows.append((int(item["date"]), "dividend", float(item["amount"])))
        for item in (events.get("splits") or {}).values():
            rows.append((int(item["date"]), "split",
                         float(item["numerator"]) / float(item["denominator"])))
    except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError) as exc:
        raise ProviderError(f"yahoo: chart events are not dates and numbers ({exc!r})") from None
    if not rows:
        return bars, empty_events()
    event_frame = pd.DataFrame(rows, columns=["seconds", "kind", "value"])
    event_frame.insert(0, "date", _local_dates(event_frame["seconds"], meta))
    event_frame = event_frame.drop(columns="seconds").sort_values(["date", "kind"])
    return bars, event_frame.reset_index(drop=True)


def normalise_yfinance_history(history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """yfinance ``Ticker.history(auto_adjust=False, actions=True)`` → (bars, events).

    Its index is the bar's exchange-local timestamp; columns Open, High, Low, Close,
    Adj Close, Volume, Dividends, Stock Splits (0 where none).
    """
    import pandas as pd

    if history is None or history.empty:
        return empty_bars(), empty_events()
    index = pd.DatetimeIndex(history.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    dates = pd.Series(index.normalize(), dtype="datetime64[ns]")

    def column(name: str, fallback: str | None = None) -> pd.Series:
        source = name if name in history.columns else fallback
        if source is None or source not in history.columns:
            return pd.Series([float("nan")] * len(history), dtype="float64")
        return pd.Series(history[source].to_numpy(dtype="float64"))

    bars = pd.DataFrame({
        "date": dates, "open": column("Open"), "high": column("High"), "low": column("Low"),
        "close": column("Close"), "adj_close": column("Adj Close", "Close"),
        "volume": column("Volume"),
    }).dropna(subset=["close"])
    parts = []
    for source, kind in (("Dividends", "dividend"), ("Stock Splits", "split")):
        values = column(source)
        hit = values.fillna(0) != 0
        parts.append(pd.DataFrame({"date": dates[hit], "kind": kind, "value": values[hit]}))
    events = pd.concat(parts, ignore_index=True).sort_values(["date", "kind"])
    return bars.reset_index(drop=True), events.reset_index(drop=True)


def events_note(events: pd.DataFrame) -> list[str]:
    """Events as short text lines for FetchResult.notes (the store keeps notes with a fetch)."""
    return [f"{row.kind} {row.date:%Y-%m-%d} {row.value:g}" for row in events.itertuples()]


class YahooProvider:
    """Daily bars from Yahoo's chart API, yfinance as fallback; see the module docstring."""

    name = "yahoo"
    kinds: tuple[DataKind, ...] = ("bars",)

    def __init__(
        self, base_url: str | None = None, *, retry: RetryPolicy | None = None,
        rate_per_second: float = 2.0, fallback: bool = True,
    ) -> None:
        self.base_url = base_url or os.environ.get("NARROWGATE_YAHOO_BASE", YAHOO_BASE)
        self.source = HttpSource(
            self.name, rate_per_second=rate_per_second, retry=retry or RetryPolicy(attempts=3)
        )
        self.fallback = fallback

    def fetch_chart(self, url: str, params: dict[str, str | int]) -> tuple[dict[str, Any], str]:
        """Step 2: the chart JSON and the request URL."""
        payload, request = self.source.get_json(url, params)
        if not isinstance(payload, dict):
            raise ProviderError(f"yahoo: GET {request} returned JSON that is not an object")
        return payload, request

    def fetch_via_yfinance(
        self, symbol: str, query: Query
    ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
        """Fallback step 2+3: yfinance's history, normalised to the same frames."""
        from narrowgate.errors import require_extra

        yfinance: Any = require_extra("yfinance", "yahoo", "yahoo: the yfinance fallback")

        start = query.start or date(1970, 1, 2)
        end = (query.end or datetime.now(UTC).date()) + timedelta(days=1)
        request = f"yfinance Ticker({symbol!r}).history(start={start}, end={end}, 1d)"
        try:
            history = yfinance.Ticker(symbol).history(
                start=start.isoformat(), end=end.isoformat(), interval="1d",
                auto_adjust=False, actions=True, raise_errors=True,
            )
        except Exception as exc:  # yfinance raises many unrelated types; report them all
            message = f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
            raise ProviderError(f"yahoo: {request} failed: {message}") from None
        bars, events = normalise_yfinance_history(history)
        return bars, events, request

    def fetch_bars_and_events(self, query: Query) -> tuple[FetchResult, pd.DataFrame]:
        """Bars as a FetchResult plus the dividend/split events of the same window."""
        if query.kind != "bars":
            raise DataNotFound(f"yahoo: serves only bars, not {query.kind} ({query.instrument})")
        symbol = yahoo_symbol(query.instrument)
        url, params = chart_request(symbol, query.start, query.end, self.base_url)
        notes: list[str] = []
        try:
            payload, request = self.fetch_chart(url, params)
            bars, events = normalise_chart(payload)
        except DataNotFound:
            raise
        except ProviderError as direct:
            if not self.fallback:
                raise
            notes.append(f"direct chart request failed ({direct}); used yfinance")
            bars, events, request = self.fetch_via_yfinance(symbol, query)
        bars = _within(bars, query)
        events = _within(events, query)
        if bars.empty:
            raise DataNotFound(
                f"yahoo: no daily bars for {query.instrument} ({symbol}) between "
                f"{query.start or 'the start'} and {query.end or 'today'}"
            )
        notes += events_note(events)
        result = FetchResult(
            frame=bars, provider=self.name, request=request,
            fetched_at=datetime.now(UTC), kind="bars", notes=notes,
        )
        return result, events

    def fetch(self, query: Query) -> FetchResult:
        return self.fetch_bars_and_events(query)[0]


def _within(frame: pd.DataFrame, query: Query) -> pd.DataFrame:
    import pandas as pd

    keep = pd.Series(True, index=frame.index)
    if query.start is not None:
        keep &= frame["date"] >= pd.Timestamp(query.start)
    if query.end is not None:
        keep &= frame["date"] <= pd.Timestamp(query.end)
    return frame[keep].reset_index(drop=True)
