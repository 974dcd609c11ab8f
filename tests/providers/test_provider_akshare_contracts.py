"""akshare single CFFEX contracts (cnfut:IF2412 → futures_zh_daily_sina): the query, the
normaliser on a hand-written frame with the function's real columns (akshare 1.19 source:
date, open, high, low, close, volume, hold, settle; date as sina's text, numbers already
numeric), and the fetch path with a stand-in for the akshare module (no network)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from narrowgate.data.providers.akshare import (
    AkshareCall,
    AkshareProvider,
    normalise_futures_contract_sina,
)
from narrowgate.data.providers.base import BARS_COLUMNS, Query
from narrowgate.errors import DataNotFound, ProviderError


def contract_frame() -> pd.DataFrame:
    """Three days of IF2412 as futures_zh_daily_sina returns them (values made up)."""
    return pd.DataFrame({
        "date": ["2024-12-18", "2024-12-19", "2024-12-20"],
        "open": [3960.0, 3930.2, 3942.0], "high": [3975.4, 3951.0, 3950.0],
        "low": [3921.0, 3905.6, 3921.8], "close": [3932.6, 3941.0, 3934.4],
        "volume": [61234, 40211, 25877], "hold": [120345, 80112, 0],
        "settle": [3940.2, 3936.8, 3933.0],
    })


def test_normaliser_keeps_close_settle_and_open_interest() -> None:
    bars = normalise_futures_contract_sina(contract_frame())
    assert list(bars.columns[: len(BARS_COLUMNS)]) == list(BARS_COLUMNS)
    assert bars["date"].tolist() == [pd.Timestamp("2024-12-18"), pd.Timestamp("2024-12-19"),
                                     pd.Timestamp("2024-12-20")]
    assert bars["close"].tolist() == [3932.6, 3941.0, 3934.4]
    assert bars["settle"].tolist() == [3940.2, 3936.8, 3933.0]
    assert bars["open_interest"].tolist() == [120345, 80112, 0]
    assert (bars["adj_close"] == bars["close"]).all()  # one contract: nothing to adjust
    with pytest.raises(ProviderError, match="hold"):
        normalise_futures_contract_sina(contract_frame().drop(columns=["hold"]))


def test_contract_ids_shape_one_sina_call() -> None:
    provider = AkshareProvider(api=object())
    assert provider.shape_query(Query("cnfut:IF2412", "bars", date(2024, 12, 1))) == [
        AkshareCall("futures_zh_daily_sina", {"symbol": "IF2412"})]
    assert provider.shape_query(Query("cnfut:im2209", "bars"))[0].kwargs == {"symbol": "IM2209"}
    assert provider.shape_query(Query("cnfut:IF", "bars"))[0].function == "futures_main_sina"
    for bad in ("cnfut:IF2413", "cnfut:IF241", "cnfut:TF2412"):
        with pytest.raises(DataNotFound, match="cnfut:IF2412 \\(one contract\\)"):
            provider.shape_query(Query(bad, "bars"))


class ContractAkshare:
    """Stands in for the akshare module: futures_zh_daily_sina for one known contract; any
    other symbol fails the way akshare does on sina's empty body (columns set by position)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def futures_zh_daily_sina(self, **kwargs: Any) -> pd.DataFrame:
        self.calls.append(kwargs)
        if kwargs["symbol"] != "IF2412":
            raise ValueError("Length mismatch: Expected axis has 0 elements, new values have "
                             "8 elements")
        return contract_frame()


def test_fetch_clips_to_the_dates_asked() -> None:
    api = ContractAkshare()
    provider = AkshareProvider(delay=0, attempts=1, api=api)
    result = provider.fetch(Query("cnfut:IF2412", "bars", date(2024, 12, 19), date(2024, 12, 31)))
    assert api.calls == [{"symbol": "IF2412"}]
    assert result.frame["close"].tolist() == [3941.0, 3934.4]
    assert result.request == "akshare.futures_zh_daily_sina(symbol='IF2412')"


def test_a_contract_sina_does_not_know_is_data_not_found() -> None:
    """Not ProviderError: that would mark akshare unreachable for the rest of the run."""
    provider = AkshareProvider(delay=0, attempts=2, backoff=0, api=ContractAkshare())
    with pytest.raises(DataNotFound, match="sina has no daily bars for cnfut:IF1005"):
        provider.fetch(Query("cnfut:IF1005", "bars"))
