"""akshare: normalisers on the recorded eastmoney kline JSONP and on frames shaped like
akshare's documented outputs; the polite caller with a stand-in for the akshare module."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from narrowgate.data.providers.akshare import (
    AkshareCall,
    AkshareProvider,
    eastmoney_kline_frame,
    normalise_a_share_hist,
    normalise_csindex_hist,
    normalise_futures_main_sina,
    normalise_hk_index_sina,
)
from narrowgate.data.providers.base import BARS_COLUMNS, Query
from narrowgate.errors import DataNotFound, ProviderError
from tests.conftest import require_shared

KLINE = "fixtures/eastmoney_kline/push2his_kline_105.APP_weekly_trimmed.jsonp"


def a_hist(closes: list[float], dates: list[str]) -> pd.DataFrame:
    """A frame with stock_zh_a_hist's documented columns (日期 开盘 收盘 最高 最低 成交量 …)."""
    return pd.DataFrame({
        "日期": [date.fromisoformat(d) for d in dates], "股票代码": "300502",
        "开盘": closes, "收盘": closes, "最高": [c * 1.02 for c in closes],
        "最低": [c * 0.98 for c in closes], "成交量": [1000] * len(closes),
        "成交额": [1e7] * len(closes), "振幅": 0.0, "涨跌幅": 0.0, "涨跌额": 0.0, "换手率": 1.0,
    })


def test_recorded_eastmoney_kline_close_before_high_low() -> None:
    body = require_shared(KLINE).read_text()
    bars = normalise_a_share_hist(eastmoney_kline_frame(body), lot_size=1)
    assert list(bars.columns[: len(BARS_COLUMNS)]) == list(BARS_COLUMNS)
    assert len(bars) == 6
    first = bars.iloc[0]
    # "2021-04-16,70.000,61.000,71.510,58.650,15643711,...": open, CLOSE, high, low
    assert first["date"] == pd.Timestamp("2021-04-16")
    assert (first["open"], first["close"], first["high"], first["low"]) == (70.0, 61.0, 71.51,
                                                                             58.65)
    assert first["volume"] == 15643711
    assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()
    assert bars["adj_factor"].isna().all()


@pytest.mark.parametrize("body", ["<html>blocked</html>", "cb({\"data\": {\"klines\": [", ""])
def test_garbage_kline_body_is_provider_error(body: str) -> None:
    with pytest.raises(ProviderError, match="akshare: eastmoney"):
        eastmoney_kline_frame(body)


def test_kline_body_without_bars_is_data_not_found() -> None:
    with pytest.raises(DataNotFound):
        eastmoney_kline_frame('cb({"rc":0,"data":null});')


def test_adjustment_factor_gives_forward_and_back_adjusted() -> None:
    dates = ["2024-06-03", "2024-06-04", "2024-06-05"]
    raw = a_hist([20.0, 10.2, 10.4], dates)  # a 2-for-1 bonus issue before 06-04
    hfq = a_hist([40.0, 40.8, 41.6], dates)
    bars = normalise_a_share_hist(raw, hfq)
    assert bars["adj_factor"].tolist() == [2.0, 4.0, 4.0]
    assert bars["adj_close"].tolist() == pytest.approx([10.0, 10.2, 10.4])  # forward-adjusted
    assert (bars["close"] * bars["adj_factor"]).tolist() == pytest.approx([40.0, 40.8, 41.6])
    assert bars["volume"].iloc[0] == 100_000  # 1000 lots of 100 shares


def test_csindex_has_pe() -> None:
    # stock_zh_index_hist_csindex's documented columns
    frame = pd.DataFrame({
        "日期": [date(2024, 1, 3), date(2024, 1, 2)], "指数代码": "000300",
        "指数中文全称": "沪深300指数", "指数中文简称": "沪深300", "指数英文全称": "CSI 300 Index",
        "指数英文简称": "CSI 300", "开盘": [3380.1, 3431.2], "最高": [3395.2, 3434.0],
        "最低": [3372.3, 3384.7], "收盘": [3385.2, 3386.4], "涨跌": [-1.2, -45.0],
        "涨跌幅": [-0.04, -1.31], "成交量": [1.1e4, 1.2e4], "成交金额": [2.0e3, 2.1e3],
        "样本数量": 300, "滚动市盈率": [11.2, 11.3],
    })
    bars = normalise_csindex_hist(frame)
    assert bars["date"].is_monotonic_increasing
    assert bars["pe"].tolist() == [11.3, 11.2]
    assert (bars["adj_close"] == bars["close"]).all()


def test_futures_main_sina_keeps_open_interest_and_settle() -> None:
    # futures_main_sina's documented columns
    frame = pd.DataFrame({
        "日期": [date(2024, 1, 2)], "开盘价": [3420.0], "最高价": [3430.0], "最低价": [3380.0],
        "收盘价": [3385.0], "成交量": [90000], "持仓量": [180000], "动态结算价": [3400.0],
    })
    bars = normalise_futures_main_sina(frame)
    assert bars[["close", "open_interest", "settle"]].iloc[0].tolist() == [3385.0, 180000, 3400]


def test_hk_index_sina() -> None:
    # stock_hk_index_daily_sina's documented columns
    frame = pd.DataFrame({"date": [date(2024, 1, 2)], "open": [3700.0], "high": [3720.0],
                          "low": [3600.0], "close": [3610.0], "volume": [1.0e9]})
    assert normalise_hk_index_sina(frame)["close"].tolist() == [3610.0]


def test_missing_source_column_is_provider_error() -> None:
    with pytest.raises(ProviderError, match="missing"):
        normalise_hk_index_sina(pd.DataFrame({"date": [date(2024, 1, 2)]}))


class FlakyAkshare:
    """Stands in for the akshare module (external): fails ``failures`` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[dict[str, Any]] = []

    def stock_zh_index_hist_csindex(self, **kwargs: Any) -> pd.DataFrame:
        self.calls.append(kwargs)
        if len(self.calls) <= self.failures:
            raise ConnectionError("Remote end closed connection\nwithout response")
        return pd.DataFrame({"日期": [date(2024, 1, 2)], "开盘": [1.0], "最高": [2.0],
                             "最低": [0.5], "收盘": [1.5], "成交量": [10.0], "滚动市盈率": [12.0]})


def test_polite_caller_retries_then_succeeds() -> None:
    api = FlakyAkshare(failures=2)
    provider = AkshareProvider(delay=0.01, attempts=3, backoff=0.01, api=api)
    result = provider.fetch(Query("cnidx:000300", "bars", date(2024, 1, 1), date(2024, 1, 31)))
    assert len(api.calls) == 3
    assert api.calls[0] == {"symbol": "000300", "start_date": "20240101", "end_date": "20240131"}
    assert result.frame["pe"].tolist() == [12.0]
    assert result.request.startswith("akshare.stock_zh_index_hist_csindex(symbol='000300'")


def test_polite_caller_gives_up_with_one_line() -> None:
    api = FlakyAkshare(failures=99)
    provider = AkshareProvider(delay=0, attempts=2, backoff=0.01, api=api)
    with pytest.raises(ProviderError) as caught:
        provider.fetch(Query("cnidx:000905", "bars"))
    message = str(caught.value)
    assert len(api.calls) == 2 and "\n" not in message
    assert message.startswith("akshare: akshare.stock_zh_index_hist_csindex(symbol='000905'")
    assert "failed after 2 attempts (ConnectionError" in message


def test_shape_query() -> None:
    provider = AkshareProvider(api=object())
    calls = provider.shape_query(Query("cn:300502", "bars", date(2024, 1, 1)))
    assert [c.kwargs["adjust"] for c in calls] == ["", "hfq"]
    assert provider.shape_query(Query("cnfut:IF", "bars")) == [
        AkshareCall("futures_main_sina", {"symbol": "IF0", "start_date": "19900101",
                                          "end_date": "20991231"})]
    assert provider.shape_query(Query("hkidx:HSTECH", "bars"))[0].function == \
        "stock_hk_index_daily_sina"
    with pytest.raises(DataNotFound, match="cnfut:XX"):
        provider.shape_query(Query("cnfut:XX", "bars"))


def test_a_silent_server_cannot_hang_an_akshare_call() -> None:
    """akshare calls ``requests`` without a timeout; a server that accepts the connection
    and never answers used to hang a run for good. Each call is bounded now."""
    import socket
    import threading
    import time

    import requests

    from narrowgate.data.providers.akshare import AkshareCall, AkshareProvider

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: [held.append(listener.accept()[0]) for _ in range(8)],
                     daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/kline"

    class SilentApi:
        def stock_zh_index_hist_csindex(self, **_: object) -> pd.DataFrame:
            requests.get(url)  # no timeout, as in akshare
            return pd.DataFrame()

    provider = AkshareProvider(api=SilentApi(), delay=0, attempts=2, backoff=0, timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(ProviderError, match=r"2 attempts \(TimeoutError: no answer "
                                                r"within 0.5 s; at most 0.5 s each\)") as caught:
            provider.call(AkshareCall("stock_zh_index_hist_csindex", {"symbol": "000300"}))
    finally:
        listener.close()
        for conn in held:
            conn.close()
    assert time.monotonic() - started < 5
    assert "\n" not in str(caught.value)


def test_without_akshare_installed_it_is_one_line_naming_the_extra(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from narrowgate.data.providers.akshare import AkshareCall, AkshareProvider
    from narrowgate.errors import ProviderNotSetUp

    monkeypatch.setitem(sys.modules, "akshare", None)  # what a core install looks like
    with pytest.raises(ProviderNotSetUp, match="akshare") as caught:
        AkshareProvider(delay=0).call(AkshareCall("stock_zh_index_hist_csindex",
                                                  {"symbol": "000300"}))
    assert caught.value.hint == "pip install 'narrowgate[cn]'"
    assert "\n" not in str(caught.value)
