"""China and Hong Kong daily bars through akshare (cn:, cnidx:, cnfut:, hkidx:HSTECH).

Three steps: :meth:`AkshareProvider.shape_query` turns an instrument id into akshare calls,
:meth:`AkshareProvider.call` runs one call politely (a pause between calls, bounded retries,
then ProviderError), and one normaliser per akshare function maps its Chinese columns to the
standard bars frame. The normalisers are plain functions on DataFrames so they can be tested
on recorded bodies (:func:`eastmoney_kline_frame` turns an eastmoney kline JSONP body into
the frame ``stock_zh_a_hist`` returns; note its close comes *before* high/low).

Conventions: A-share ``close`` is the raw traded price; ``adj_factor`` = back-adjusted
(hfq) close / raw close, so back-adjusted = close·adj_factor and forward-adjusted =
close·adj_factor/adj_factor[-1] (that is ``adj_close``, equal to ``close`` on the latest
bar, like Yahoo's). A-share volume is converted from lots (100 shares) to shares. Indices
carry ``pe``: CSI's rolling P/E (滚动市盈率) from the index history, and on dates where that
is empty, the P/E on total shares (市盈率1) from CSI's daily indicator file
(``stock_zh_index_value_csindex``, about the last 20 trading days), noted in the fetch log.
The indicator call is optional: one attempt, and its failure only adds a note (H-code and
many thematic indices have no indicator file). Futures come two ways, both unadjusted and
with ``open_interest`` and ``settle``: ``cnfut:IF`` is sina's main continuous series (it
jumps at each switch of contract; no contract identity), ``cnfut:IF2412`` one contract
(``futures_zh_daily_sina``), from which models/futures_roll.py builds a rolled series.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from narrowgate.data.providers.base import BARS_COLUMNS, DataKind, FetchResult, Query
from narrowgate.data.providers.http import shared_limiter
from narrowgate.errors import DataNotFound, ProviderError

if TYPE_CHECKING:
    import pandas as pd

#: akshare's stock_zh_a_hist columns, the layout of eastmoney's kline fields f51..f61.
A_HIST_COLUMNS = (
    "日期", "开盘", "收盘", "最高", "最低", "成交量", "成交额",
    "振幅", "涨跌幅", "涨跌额", "换手率",
)
CFFEX_CONTINUOUS = {"IF": "IF0", "IC": "IC0", "IM": "IM0", "IH": "IH0"}
#: One CFFEX stock-index contract: product + YYMM, e.g. IF2412 (expires 2024-12-20).
CFFEX_CONTRACT = re.compile(r"^(IF|IH|IC|IM)\d{2}(0[1-9]|1[0-2])$")
AKSHARE_HK_INDICES = {"HSTECH"}


@dataclass(frozen=True)
class AkshareCall:
    """One akshare function call; ``str()`` is the request recorded in the fetch log."""

    function: str
    kwargs: dict[str, str] = field(default_factory=dict)
    optional: bool = False  # a failure adds a note instead of failing the fetch

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"akshare.{self.function}({args})"


def _bars(frame: pd.DataFrame, columns: dict[str, str], extra: dict[str, str] | None = None
          ) -> pd.DataFrame:
    """Rename a source frame into bars (date ascending, one row per date, floats)."""
    import pandas as pd

    missing = [name for name in {**columns, **(extra or {})} if name not in frame.columns]
    if missing:
        raise ProviderError(f"akshare: expected columns {missing} missing from the source frame")
    wanted = {**columns, **(extra or {})}
    date_source = next(source for source, target in wanted.items() if target == "date")
    out = pd.DataFrame({"date": pd.to_datetime(frame[date_source], errors="coerce")})
    for source, target in wanted.items():
        if target == "date":
            continue
        out[target] = pd.to_numeric(frame[source], errors="coerce").astype("float64")
    for name in BARS_COLUMNS:
        if name not in out:
            out[name] = out["close"] if name == "adj_close" else float("nan")
    out["date"] = out["date"].astype("datetime64[ns]")
    out = out.dropna(subset=["date", "close"]).sort_values("date")
    out = out.drop_duplicates("date", keep="last").reset_index(drop=True)
    return out[list(BARS_COLUMNS) + [c for c in out.columns if c not in BARS_COLUMNS]]


def eastmoney_kline_frame(body: str) -> pd.DataFrame:
    """An eastmoney kline JSON/JSONP body → the frame akshare's stock_zh_a_hist returns."""
    import pandas as pd

    text = body.strip()
    if not text.startswith("{"):
        if "(" not in text or ")" not in text:
            raise ProviderError(f"akshare: eastmoney body is neither JSON nor JSONP: {text[:40]!r}")
        text = text[text.index("(") + 1 : text.rindex(")")]
    try:
        payload = json.loads(text)
    except ValueError:
        raise ProviderError("akshare: eastmoney kline body is not valid JSON") from None
    klines = ((payload or {}).get("data") or {}).get("klines") or []
    if not klines:
        raise DataNotFound("akshare: eastmoney kline body holds no bars")
    rows = [line.split(",")[: len(A_HIST_COLUMNS)] for line in klines]
    return pd.DataFrame(rows, columns=list(A_HIST_COLUMNS))


def normalise_a_share_hist(
    raw: pd.DataFrame, hfq: pd.DataFrame | None = None, *, lot_size: int = 100
) -> pd.DataFrame:
    """stock_zh_a_hist frames (adjust "" and optionally "hfq") → bars with ``adj_factor``.

    ``lot_size`` converts volume to shares (A-shares trade in lots of 100; pass 1 for a
    source already in shares). Without ``hfq`` the factor is unknown (NaN) and
    ``adj_close`` is the raw close.
    """
    import pandas as pd

    columns = {"日期": "date", "开盘": "open", "最高": "high", "最低": "low", "收盘": "close",
               "成交量": "volume"}
    bars = _bars(raw, dict(columns), {"成交额": "amount"} if "成交额" in raw else None)
    bars["volume"] = bars["volume"] * lot_size
    if hfq is None or hfq.empty:
        bars["adj_factor"] = float("nan")
        return bars
    back = _bars(hfq, dict(columns)).set_index("date")["close"]
    factor = (back.reindex(pd.DatetimeIndex(bars["date"])).to_numpy() / bars["close"]).round(6)
    if factor.isna().any():
        raise ProviderError("akshare: back-adjusted and raw bars cover different dates")
    bars["adj_factor"] = factor
    bars["adj_close"] = bars["close"] * factor / factor.iloc[-1]
    return bars


def normalise_csindex_hist(frame: pd.DataFrame) -> pd.DataFrame:
    """stock_zh_index_hist_csindex → bars plus ``pe`` (滚动市盈率, CSI's rolling P/E)."""
    extra = {"滚动市盈率": "pe"} if "滚动市盈率" in frame.columns else {}
    return _bars(frame, {"日期": "date", "开盘": "open", "最高": "high", "最低": "low",
                         "收盘": "close", "成交量": "volume"}, extra)


#: stock_zh_index_value_csindex's columns (akshare 1.19 source and its docstring: CSI's
#: indicator file ``{code}indicator.xls``); P/E and dividend yield (%) on total shares (…1)
#: and on the shares CSI uses to compute the index (…2).
CSINDEX_VALUE_COLUMNS = {"日期": "date", "市盈率1": "pe", "市盈率2": "pe_calc",
                         "股息率1": "dividend_yield", "股息率2": "dividend_yield_calc"}


def normalise_csindex_value(frame: pd.DataFrame) -> pd.DataFrame:
    """stock_zh_index_value_csindex → date, pe, pe_calc, dividend_yield, dividend_yield_calc
    (float64, date ascending, rows without any figure dropped)."""
    import pandas as pd

    missing = [c for c in CSINDEX_VALUE_COLUMNS if c not in frame.columns]
    if missing:
        raise ProviderError(f"akshare: expected columns {missing} missing from the CSI "
                            "indicator frame")
    out = pd.DataFrame({"date": pd.to_datetime(frame["日期"], errors="coerce")})
    for source, target in CSINDEX_VALUE_COLUMNS.items():
        if target != "date":
            out[target] = pd.to_numeric(frame[source], errors="coerce").astype("float64")
    out["date"] = out["date"].astype("datetime64[ns]")
    out = out.dropna(subset=["date"]).dropna(how="all", subset=list(out.columns[1:]))
    return out.sort_values("date").drop_duplicates("date", keep="last").reset_index(drop=True)


def with_csindex_pe(bars: pd.DataFrame, value: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Fill ``pe`` from the indicator file's P/E1 on dates where the index history has none.

    Never overwrites a rolling P/E the history gives (two definitions are not mixed on a
    date where both exist); returns a note saying which dates took P/E1, for provenance.
    """
    import pandas as pd

    out = bars.copy()
    current = out["pe"] if "pe" in out.columns else pd.Series(float("nan"), index=out.index)
    fill = out["date"].map(value.set_index("date")["pe"])
    take = current.isna() & fill.notna()
    out["pe"] = current.where(~take, fill).astype("float64")
    if not take.any():
        return out, []
    days = out.loc[take, "date"]
    return out, [f"pe on {int(take.sum())} dates ({days.min():%Y-%m-%d}…{days.max():%Y-%m-%d}) "
                 "is CSI's P/E on total shares (市盈率1, indicator file); the index history "
                 "had no rolling P/E there"]


def normalise_futures_main_sina(frame: pd.DataFrame) -> pd.DataFrame:
    """futures_main_sina → bars plus ``open_interest`` (持仓量) and ``settle`` (动态结算价)."""
    return _bars(frame, {"日期": "date", "开盘价": "open", "最高价": "high", "最低价": "low",
                         "收盘价": "close", "成交量": "volume"},
                 {"持仓量": "open_interest", "动态结算价": "settle"})


#: futures_zh_daily_sina's columns (akshare 1.19 source: it names sina's daily K-line
#: fields by position; ``hold`` is open interest, ``settle`` the day's settlement price).
SINA_CONTRACT_COLUMNS = ("date", "open", "high", "low", "close", "volume", "hold", "settle")


def normalise_futures_contract_sina(frame: pd.DataFrame) -> pd.DataFrame:
    """futures_zh_daily_sina (one contract, e.g. IF2412) → bars plus ``open_interest``
    (``hold``) and ``settle``; the close is the contract's own, unadjusted."""
    return _bars(frame, {"date": "date", "open": "open", "high": "high", "low": "low",
                         "close": "close", "volume": "volume"},
                 {"hold": "open_interest", "settle": "settle"})


def normalise_hk_index_sina(frame: pd.DataFrame) -> pd.DataFrame:
    """stock_hk_index_daily_sina (date, open, high, low, close, volume) → bars."""
    return _bars(frame, {"date": "date", "open": "open", "high": "high", "low": "low",
                         "close": "close", "volume": "volume"})


def _ymd(day: date | None, default: str) -> str:
    return day.strftime("%Y%m%d") if day else default


class AkshareProvider:
    """Polite akshare caller for China/HK bars; see the module docstring.

    ``api`` is the akshare module (imported lazily when None); passing another object with
    the same functions lets tests run the whole path without the network.
    """

    name = "akshare"
    kinds: tuple[DataKind, ...] = ("bars",)

    def __init__(
        self, *, delay: float = 1.0, attempts: int = 3, backoff: float = 2.0, api: Any = None,
        timeout: float = 20.0,
    ) -> None:
        self.delay, self.attempts, self.backoff = delay, attempts, backoff
        self.timeout = timeout
        self._api = api

    @property
    def api(self) -> Any:
        if self._api is None:
            from narrowgate.errors import require_extra

            self._api = require_extra("akshare", "cn", "akshare: cn:, cnidx:, cnfut: and "
                                                       "hkidx: data")
        return self._api

    def shape_query(self, query: Query) -> list[AkshareCall]:
        """Step 1: the akshare calls one instrument needs (A-shares: raw and hfq)."""
        market, _, symbol = query.instrument.partition(":")
        symbol = symbol.strip().upper()
        start, end = _ymd(query.start, "19900101"), _ymd(query.end, "20991231")
        if query.kind == "bars" and symbol:
            if market == "cn" and symbol.isdigit() and len(symbol) == 6:
                base = {"symbol": symbol, "period": "daily", "start_date": start, "end_date": end}
                return [AkshareCall("stock_zh_a_hist", {**base, "adjust": ""}),
                        AkshareCall("stock_zh_a_hist", {**base, "adjust": "hfq"})]
            if market == "cnidx":
                return [AkshareCall("stock_zh_index_hist_csindex",
                                    {"symbol": symbol, "start_date": start, "end_date": end}),
                        AkshareCall("stock_zh_index_value_csindex", {"symbol": symbol},
                                    optional=True)]
            if market == "cnfut" and symbol in CFFEX_CONTINUOUS:
                return [AkshareCall("futures_main_sina", {"symbol": CFFEX_CONTINUOUS[symbol],
                                                          "start_date": start, "end_date": end})]
            if market == "cnfut" and CFFEX_CONTRACT.match(symbol):
                # the contract's whole life in one call; fetch() clips to the dates asked
                return [AkshareCall("futures_zh_daily_sina", {"symbol": symbol})]
            if market == "hkidx" and symbol in AKSHARE_HK_INDICES:
                return [AkshareCall("stock_hk_index_daily_sina", {"symbol": symbol})]
        raise DataNotFound(
            f"akshare: cannot serve {query.kind} for {query.instrument!r}",
            "akshare serves bars for cn:600519, cnidx:000300, cnfut:IF|IC|IM|IH (main "
            "continuous), cnfut:IF2412 (one contract), hkidx:HSTECH",
        )

    def call(self, request: AkshareCall, attempts: int | None = None) -> pd.DataFrame:
        """Step 2: one call with a pause before it and bounded retries, then ProviderError."""
        import pandas as pd

        self.api  # noqa: B018 - a missing akshare is one line now, not three failed tries
        limiter = shared_limiter(self.name, 1.0 / self.delay if self.delay > 0 else 0.0)
        problem = ""
        attempts = attempts or self.attempts
        for attempt in range(1, attempts + 1):
            limiter.wait()
            try:
                frame = self._bounded(request)
            except Exception as exc:  # akshare surfaces requests/JSON/KeyError alike
                problem = f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}"
            else:
                if not isinstance(frame, pd.DataFrame):
                    raise ProviderError(f"akshare: {request} returned {type(frame).__name__}")
                return frame
            if attempt < attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise ProviderError(f"akshare: {request} failed after {attempts} "
                            f"attempt{'s' if attempts != 1 else ''} ({problem}; at most "
                            f"{self.timeout:g} s each)")

    def _bounded(self, request: AkshareCall) -> Any:
        """One akshare call that cannot hang: akshare calls ``requests`` without a timeout
        (a silent server would be waited on for ever), so the call runs in a daemon thread
        and is given up after ``timeout`` seconds (the thread ends with the process)."""
        import threading

        outcome: list[Any] = []

        def work() -> None:
            try:
                outcome.append((True, getattr(self.api, request.function)(**request.kwargs)))
            except Exception as exc:  # handed to the caller's retry loop
                outcome.append((False, exc))

        worker = threading.Thread(target=work, name=f"akshare-{request.function}",
                                  daemon=True)
        worker.start()
        worker.join(self.timeout)
        if not outcome:
            raise TimeoutError(f"no answer within {self.timeout:g} s")
        ok, value = outcome[0]
        if not ok:
            raise value
        return value

    def _call_all(self, calls: list[AkshareCall]) -> tuple[list[pd.DataFrame | None], list[str]]:
        """Every call in order; an optional call that fails gives None and a note."""
        frames: list[pd.DataFrame | None] = []
        notes: list[str] = []
        for c in calls:
            if not c.optional:
                frames.append(self.call(c))
                continue
            try:
                frames.append(self.call(c, attempts=1))
            except ProviderError as exc:
                frames.append(None)
                notes.append(f"optional {exc.message.removeprefix('akshare: ')}")
        return frames, notes

    def fetch(self, query: Query) -> FetchResult:
        calls = self.shape_query(query)
        try:
            frames, notes = self._call_all(calls)
        except ProviderError as exc:
            # futures_zh_daily_sina names columns by position, so a symbol sina does not
            # know (an empty body) fails as a length mismatch: no data, not a dead network
            if calls[0].function == "futures_zh_daily_sina" and "Length mismatch" in exc.message:
                raise DataNotFound(
                    f"akshare: sina has no daily bars for {query.instrument}",
                    "check the contract code; sina may not serve long-expired contracts — "
                    "import them from a CSV file under their id") from None
            raise
        if frames[0] is None or frames[0].empty:
            raise DataNotFound(f"akshare: {calls[0]} returned no rows for {query.instrument}")
        function = calls[0].function
        if function == "stock_zh_a_hist":
            bars = normalise_a_share_hist(frames[0], frames[1])
        elif function == "stock_zh_index_hist_csindex":
            bars = normalise_csindex_hist(frames[0])
            if frames[1] is not None and not frames[1].empty:
                bars, filled = with_csindex_pe(bars, normalise_csindex_value(frames[1]))
                notes += filled
        elif function == "futures_main_sina":
            bars = normalise_futures_main_sina(frames[0])
        elif function == "futures_zh_daily_sina":
            bars = normalise_futures_contract_sina(frames[0])
        else:
            bars = normalise_hk_index_sina(frames[0])
        if query.start is not None:
            bars = bars[bars["date"] >= datetime(*query.start.timetuple()[:3])]
        if query.end is not None:
            bars = bars[bars["date"] <= datetime(*query.end.timetuple()[:3])]
        if bars.empty:
            raise DataNotFound(f"akshare: no bars for {query.instrument} in the requested dates")
        return FetchResult(
            frame=bars.reset_index(drop=True), provider=self.name,
            request="; ".join(str(c) for c in calls),
            fetched_at=datetime.now(UTC), kind="bars", notes=notes,
        )
