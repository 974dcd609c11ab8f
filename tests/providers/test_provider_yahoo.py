"""Yahoo: the recorded chart v8 bodies through normalise_chart — the parser the live path
uses — and the live httpx path end-to-end against those bodies served from 127.0.0.1."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from narrowgate.data.providers.base import BARS_COLUMNS, Query
from narrowgate.data.providers.http import RetryPolicy
from narrowgate.data.providers.yahoo import (
    YahooProvider,
    normalise_chart,
    normalise_yfinance_history,
    yahoo_symbol,
)
from narrowgate.errors import DataNotFound, ProviderError
from tests.conftest import require_shared
from tests.providers.scripted_server import Answer, ScriptedServer

CHARTS = "fixtures/yahoo_chart_v8/"
NVDA_SPLIT = CHARTS + "historical-via-chart-NVDA-split-2021-02-01-to-2022-01-31.json"
MSFT_DIVS = CHARTS + "historical-via-chart-MSFT-dividends-2021-02-01-to-2022-01-31.json"
WEEKEND_1M = (
    "fixtures/yahoo_chart_v8/"
    "chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json"
)


def fixture_path(relative: str) -> Path:
    return require_shared(relative)


def load(relative: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(fixture_path(relative).read_text())
    return payload


def test_nvda_split_event_and_consistent_closes() -> None:
    bars, events = normalise_chart(load(NVDA_SPLIT))
    assert tuple(bars.columns) == BARS_COLUMNS and len(bars) == 252
    split = events[events["kind"] == "split"]
    assert list(split["date"]) == [pd.Timestamp("2021-07-20")]
    assert split["value"].iloc[0] == 4.0
    by_date = bars.set_index("date")
    # Yahoo's close is split-adjusted: no 4x jump across the split, in close or adj_close
    for column in ("close", "adj_close"):
        jump = by_date.loc["2021-07-20", column] / by_date.loc["2021-07-19", column]
        assert 0.9 < jump < 1.1
    # adj_close only removes dividends on top: at most a fraction of a percent below close
    ratio = bars["adj_close"] / bars["close"]
    assert ratio.between(0.99, 1.0 + 1e-9).all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1) + 1e-9).all()


def test_msft_dividends_and_adjustment_match() -> None:
    bars, events = normalise_chart(load(MSFT_DIVS))
    dividends = events[events["kind"] == "dividend"]
    assert list(dividends["date"].dt.strftime("%Y-%m-%d")) == [
        "2021-02-17", "2021-05-19", "2021-08-18", "2021-11-17",
    ]
    assert list(dividends["value"]) == [0.56, 0.56, 0.56, 0.62]
    ratio = (bars["adj_close"] / bars["close"]).to_numpy()
    for ex_date, amount in zip(dividends["date"], dividends["value"], strict=True):
        i = int(np.flatnonzero(bars["date"] == ex_date)[0])
        previous_close = bars["close"].iloc[i - 1]
        # the back-adjustment factor steps by (1 - dividend / previous close) at the ex-date
        assert ratio[i - 1] / ratio[i] == pytest.approx(1 - amount / previous_close, abs=2e-5)
        assert ratio[i - 2] == pytest.approx(ratio[i - 1], abs=1e-6)


def test_weekend_request_without_timestamps_is_empty_not_a_crash() -> None:
    bars, events = normalise_chart(load(WEEKEND_1M))
    assert bars.empty and events.empty
    assert tuple(bars.columns) == BARS_COLUMNS


@pytest.mark.parametrize(
    ("name", "first_date", "rows"),
    [
        ("chart-AAPL-2020-01-01-to-2020-01-03.json", "2020-01-02", 1),
        ("chart-BTC-USD-2020-01-01-to-2020-01-03.json", "2020-01-01", 3),
        ("chart-EURUSD_X-2020-01-01-to-2020-01-03.json", "2020-01-01", 3),
        ("chart-GC_F-2020-01-01-to-2020-01-03.json", "2020-01-02", 1),
        ("chart-QQQ-2020-01-01-to-2020-01-03.json", "2020-01-02", 1),
    ],
)
def test_dates_are_exchange_local_days(name: str, first_date: str, rows: int) -> None:
    bars, _ = normalise_chart(load(f"fixtures/yahoo_chart_v8/{name}"))
    assert len(bars) == rows
    assert bars["date"].iloc[0] == pd.Timestamp(first_date)
    assert str(bars["date"].dtype) == "datetime64[ns]"


def test_yahoo_error_object_is_data_not_found() -> None:
    payload = {"chart": {"result": None, "error": {"code": "Not Found",
                                                   "description": "No data found"}}}
    with pytest.raises(DataNotFound, match="No data found"):
        normalise_chart(payload)


def test_unexpected_layout_is_provider_error() -> None:
    with pytest.raises(ProviderError, match="unexpected chart payload"):
        normalise_chart({"chart": {"result": [{"timestamp": [1], "indicators": {}}]}})


def test_symbols() -> None:
    assert yahoo_symbol("us:BRK.B") == "BRK-B"
    assert yahoo_symbol("crypto:BTC") == "BTC-USD"
    assert yahoo_symbol("hk:700") == "0700.HK"
    assert yahoo_symbol("hkidx:HSI") == "^HSI"
    with pytest.raises(DataNotFound):
        yahoo_symbol("cn:300502")


def provider(server: ScriptedServer) -> YahooProvider:
    return YahooProvider(server.url, retry=RetryPolicy(attempts=2, backoff=0.01),
                         rate_per_second=0, fallback=False)


def test_live_path_end_to_end(server: ScriptedServer) -> None:
    server.route("/v8/finance/chart/NVDA", Answer(200, fixture_path(NVDA_SPLIT).read_bytes()))
    query = Query("us:NVDA", "bars", date(2021, 2, 1), date(2022, 1, 31))
    result, events = provider(server).fetch_bars_and_events(query)
    assert result.provider == "yahoo" and len(result.frame) == 252
    assert result.request.startswith(f"{server.url}/v8/finance/chart/NVDA?")
    hit = server.hits_on("/v8/finance/chart/NVDA")[0]
    assert "period1=1612137600" in hit.query and "events=div%2Csplits" in hit.query
    assert events["value"].tolist() == [4.0]
    assert "split 2021-07-20 4" in result.notes


def test_live_path_weekend_body_is_data_not_found(server: ScriptedServer) -> None:
    server.route("/v8/finance/chart/AAPL", Answer(200, fixture_path(WEEKEND_1M).read_bytes()))
    with pytest.raises(DataNotFound, match="no daily bars for us:AAPL"):
        provider(server).fetch(Query("us:AAPL", "bars", date(2025, 2, 1), date(2025, 2, 2)))


def test_live_path_refused_without_fallback(server: ScriptedServer) -> None:
    url = server.route("/v8/finance/chart/MSFT", Answer(403, "Forbidden"))
    with pytest.raises(ProviderError) as caught:
        provider(server).fetch(Query("us:MSFT", "bars", date(2021, 2, 1), date(2021, 3, 1)))
    assert str(caught.value).startswith("yahoo:") and url in str(caught.value)


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARROWGATE_YAHOO_BASE", "http://127.0.0.1:9")
    assert YahooProvider().base_url == "http://127.0.0.1:9"


def test_yfinance_frame_maps_to_the_same_frames() -> None:
    # Built from yfinance's documented Ticker.history(auto_adjust=False, actions=True)
    # layout (tz-aware DatetimeIndex; Dividends / Stock Splits are 0 where none).
    index = pd.DatetimeIndex(
        ["2021-07-19 00:00", "2021-07-20 00:00", "2021-07-21 00:00"], tz="America/New_York"
    )
    history = pd.DataFrame({
        "Open": [18.9, 18.7, 18.8], "High": [19.0, 18.9, 19.5], "Low": [18.2, 18.3, 18.7],
        "Close": [18.78, 18.61, 19.41], "Adj Close": [18.74, 18.58, 19.37],
        "Volume": [749060000, 434687000, 371017000], "Dividends": [0.0, 0.0, 0.04],
        "Stock Splits": [0.0, 4.0, 0.0],
    }, index=index)
    bars, events = normalise_yfinance_history(history)
    assert tuple(bars.columns) == BARS_COLUMNS
    assert bars["date"].tolist() == list(pd.to_datetime(["2021-07-19", "2021-07-20",
                                                         "2021-07-21"]))
    assert events[["kind", "value"]].values.tolist() == [["split", 4.0], ["dividend", 0.04]]
