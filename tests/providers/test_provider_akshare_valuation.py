"""akshare: CSI index P/E from the indicator file (stock_zh_index_value_csindex).

No recorded indicator file exists in ../shared/data, so the frames below are CONSTRUCTED
from the columns akshare documents for that function (its docstring and source, akshare
1.19: 日期 指数代码 指数中文全称 指数中文简称 指数英文全称 指数英文简称 市盈率1 市盈率2
股息率1 股息率2); the figures are made up, only the layout is the source's.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from narrowgate.data.providers.akshare import (
    AkshareCall,
    AkshareProvider,
    normalise_csindex_hist,
    normalise_csindex_value,
    with_csindex_pe,
)
from narrowgate.data.providers.base import Query
from narrowgate.data.store import Store, StoreWrite
from narrowgate.errors import ProviderError

DAYS = [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)]


def indicator_frame(days: list[date] = DAYS) -> pd.DataFrame:
    """Shaped like stock_zh_index_value_csindex's output (newest first, as CSI lists it)."""
    n = len(days)
    return pd.DataFrame({
        "日期": list(reversed(days)), "指数代码": "000300", "指数中文全称": "沪深300指数",
        "指数中文简称": "沪深300", "指数英文全称": "CSI 300 Index", "指数英文简称": "CSI 300",
        "市盈率1": [11.9, 11.8, 11.7][:n], "市盈率2": [12.4, 12.3, 12.2][:n],
        "股息率1": [2.91, 2.92, 2.93][:n], "股息率2": [2.61, 2.62, 2.63][:n],
    })


def hist_frame(pe: list[float | None]) -> pd.DataFrame:
    """Shaped like stock_zh_index_hist_csindex's output (滚动市盈率 may be empty)."""
    n = len(pe)
    return pd.DataFrame({
        "日期": DAYS[:n], "指数代码": "000300", "开盘": [3400.0] * n, "最高": [3420.0] * n,
        "最低": [3380.0] * n, "收盘": [3386.4, 3390.1, 3401.2][:n], "成交量": [1.2e4] * n,
        "成交金额": [2.1e3] * n, "样本数量": 300, "滚动市盈率": pe,
    })


def test_indicator_normaliser() -> None:
    value = normalise_csindex_value(indicator_frame())
    assert list(value.columns) == ["date", "pe", "pe_calc", "dividend_yield",
                                   "dividend_yield_calc"]
    assert value["date"].is_monotonic_increasing
    assert value.iloc[0].tolist()[1:] == [11.7, 12.2, 2.93, 2.63]  # 2024-01-02
    assert str(value["date"].dtype) == "datetime64[ns]"


def test_indicator_without_pe_columns_is_provider_error() -> None:
    with pytest.raises(ProviderError, match="市盈率1"):
        normalise_csindex_value(indicator_frame().drop(columns=["市盈率1"]))


def test_pe_filled_only_where_the_history_has_none() -> None:
    bars = normalise_csindex_hist(hist_frame([11.35, None, None]))
    merged, notes = with_csindex_pe(bars, normalise_csindex_value(indicator_frame()))
    assert merged["pe"].tolist() == [11.35, 11.8, 11.9]  # the rolling P/E is never replaced
    assert len(notes) == 1 and "pe on 2 dates (2024-01-03…2024-01-04)" in notes[0]
    assert "市盈率1" in notes[0]
    untouched, none = with_csindex_pe(normalise_csindex_hist(hist_frame([1.0, 2.0, 3.0])),
                                      normalise_csindex_value(indicator_frame()))
    assert untouched["pe"].tolist() == [1.0, 2.0, 3.0] and none == []


class CsiStandIn:
    """Stands in for the akshare module (external): index history plus indicator file."""

    def __init__(self, indicator: pd.DataFrame | Exception) -> None:
        self.indicator = indicator
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def stock_zh_index_hist_csindex(self, **kwargs: Any) -> pd.DataFrame:
        self.calls.append(("hist", kwargs))
        return hist_frame([None, None, None])

    def stock_zh_index_value_csindex(self, **kwargs: Any) -> pd.DataFrame:
        self.calls.append(("value", kwargs))
        if isinstance(self.indicator, Exception):
            raise self.indicator
        return self.indicator


def test_shape_query_adds_the_optional_indicator_call() -> None:
    calls = AkshareProvider(api=object()).shape_query(Query("cnidx:000905", "bars"))
    assert [c.function for c in calls] == ["stock_zh_index_hist_csindex",
                                           "stock_zh_index_value_csindex"]
    assert calls[1] == AkshareCall("stock_zh_index_value_csindex", {"symbol": "000905"},
                                   optional=True)


def test_fetch_carries_pe_into_the_store(tmp_path: Path) -> None:
    api = CsiStandIn(indicator_frame())
    result = AkshareProvider(delay=0, api=api).fetch(
        Query("cnidx:000300", "bars", date(2024, 1, 1), date(2024, 1, 31)))
    assert [c[0] for c in api.calls] == ["hist", "value"]
    assert result.frame["pe"].tolist() == [11.7, 11.8, 11.9]
    assert "stock_zh_index_value_csindex(symbol='000300')" in result.request
    assert any("市盈率1" in n for n in result.notes)
    store = Store(tmp_path / "s.duckdb")
    store.write([StoreWrite("bars", "cnidx:000300", "akshare", result.frame, "akshare",
                            result.request, datetime.now(), result.notes)])
    rows = store.read_rows("bars", [("cnidx:000300", "akshare")])
    assert rows["pe"].tolist() == [11.7, 11.8, 11.9]
    assert "市盈率1" in store.fetch_log()[0].note


def test_indicator_failure_keeps_the_bars_with_one_attempt() -> None:
    api = CsiStandIn(ConnectionError("HTTP 404 for H30374indicator.xls"))
    provider = AkshareProvider(delay=0, attempts=3, backoff=0.01, api=api)
    result = provider.fetch(Query("cnidx:H00905", "bars"))
    assert [c[0] for c in api.calls] == ["hist", "value"]  # optional: no retries
    assert result.frame["close"].size == 3 and result.frame["pe"].isna().all()
    assert len(result.notes) == 1 and result.notes[0].startswith(
        "optional akshare.stock_zh_index_value_csindex(symbol='H00905') failed after 1 attempt")
