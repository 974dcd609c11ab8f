"""Consensus forecasts: normalisers on frames *constructed* from the documented layouts, and
the polite fetch path with stand-ins for akshare and yfinance (no network anywhere).

The akshare frames carry the columns akshare documents for ``stock_profit_forecast_ths``
(年度, 预测机构数, 最小值, 均值, 最大值, 行业平均数); the yfinance frame is shaped like
``Ticker.earnings_estimate`` (index 0q, +1q, 0y, +1y; numberOfAnalysts, avg, low, high,
yearAgoEps, growth, currency). The numbers are 300308's 10jqka consensus as FACTS.md
transcribed it (2025-12-08) and Micron's FY2026 Zacks EPS; the rest are made up.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from narrowgate.data.forecasts_select import (
    ForecastChoice,
    forecast_figures,
    parse_forecast_order,
    parse_unit,
    unit_factor,
)
from narrowgate.data.providers.forecasts import (
    FORECAST_COLUMNS,
    ForecastProvider,
    fiscal_year_of_current,
    normalise_ths_forecast,
    normalise_yf_earnings_estimate,
)
from narrowgate.errors import DataNotFound, NarrowgateError, ProviderError

FETCHED = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def ths_net_profit() -> pd.DataFrame:
    """Constructed like akshare's documented 预测年报净利润 table (年度 is a string)."""
    return pd.DataFrame({
        "年度": ["2025", "2026", "2027", "2028"],
        "预测机构数": [30, 30, 28, 1],
        "最小值": [95.1, 107.56, 127.89, "-"],
        "均值": [102.44, 187.62, 245.25, "-"],
        "最大值": [110.0, 377.60, 569.14, "-"],
        "行业平均数": [3.1, 4.2, 5.0, "-"],
    })


def yf_estimate() -> pd.DataFrame:
    """Constructed like yfinance's documented ``Ticker.earnings_estimate``."""
    return pd.DataFrame(
        {"avg": [8.1, 9.0, 33.78, 52.3], "low": [7.5, 8.0, 30.0, 40.0],
         "high": [8.9, 10.5, 36.0, 70.0], "yearAgoEps": [1.8, 1.9, 8.29, 33.78],
         "numberOfAnalysts": [28, 27, 31, 29], "growth": [3.5, 3.7, 3.07, 0.55],
         "currency": "USD"},
        index=pd.Index(["0q", "+1q", "0y", "+1y"], name="period"),
    )


def test_ths_net_profit_normalised_to_the_tidy_frame() -> None:
    frame = normalise_ths_forecast(ths_net_profit(), "net_profit", instrument="cn:300308",
                                   fetched_at=FETCHED, request="akshare.x()")
    assert tuple(frame.columns) == FORECAST_COLUMNS
    assert frame["year"].tolist() == [2025, 2026, 2027]  # the '-' row of 2028 is dropped
    assert frame["value"].tolist() == [102.44, 187.62, 245.25]
    assert frame["n_analysts"].tolist() == [30.0, 30.0, 28.0]
    assert frame.loc[1, ["low", "high"]].tolist() == [107.56, 377.60]
    assert set(frame["unit"]) == {"CNY 1e8"} and set(frame["measure"]) == {"net_profit"}
    assert frame["as_of"].iloc[0] == pd.Timestamp("2026-03-02")
    assert frame["fetched_at"].iloc[0] == pd.Timestamp(FETCHED)
    assert "10jqka consensus" in frame["source"].iloc[0]


def test_ths_layout_change_and_no_coverage() -> None:
    with pytest.raises(ProviderError, match="lacks the columns"):
        normalise_ths_forecast(ths_net_profit().drop(columns="均值"), "eps",
                               instrument="cn:300308", fetched_at=FETCHED, request="r")
    with pytest.raises(DataNotFound):  # akshare returns an empty frame: no coverage
        normalise_ths_forecast(pd.DataFrame(), "eps", instrument="cn:300502",
                               fetched_at=FETCHED, request="r")
    only_dashes = ths_net_profit().iloc[3:]
    with pytest.raises(DataNotFound, match="no numeric consensus"):
        normalise_ths_forecast(only_dashes, "eps", instrument="cn:300502", fetched_at=FETCHED,
                               request="r")


def test_yf_yearly_rows_named_by_fiscal_year() -> None:
    frame = normalise_yf_earnings_estimate(yf_estimate(), instrument="us:MU",
                                           current_fiscal_year=2026, fetched_at=FETCHED,
                                           request="yf")
    assert frame["year"].tolist() == [2026, 2027]  # quarters dropped
    assert frame["value"].tolist() == [33.78, 52.3]
    assert frame["n_analysts"].tolist() == [31.0, 29.0]
    assert set(frame["unit"]) == {"USD per share"} and set(frame["measure"]) == {"eps"}
    assert "0y = FY2026" in frame["source"].iloc[0]
    no_currency = yf_estimate().drop(columns="currency")
    assert normalise_yf_earnings_estimate(
        no_currency, instrument="us:MU", current_fiscal_year=2026, fetched_at=FETCHED,
        request="yf")["unit"].iloc[0] == "USD per share"
    with pytest.raises(DataNotFound):
        normalise_yf_earnings_estimate(yf_estimate().loc[["0q"]], instrument="us:MU",
                                       current_fiscal_year=2026, fetched_at=FETCHED,
                                       request="yf")


def test_fiscal_year_of_yahoos_0y_row() -> None:
    # Micron's FY2025 ended 2025-08-28: "0y" is FY2026, which ends in August 2026
    ended = int(datetime(2025, 8, 28, tzinfo=UTC).timestamp())
    assert fiscal_year_of_current(ended) == 2026
    assert fiscal_year_of_current(date(2025, 12, 31)) == 2026
    with pytest.raises(DataNotFound):
        fiscal_year_of_current(None)


class FakeAkshare:
    """Stands in for the akshare module: fails ``failures`` times, then answers."""

    def __init__(self, failures: int = 0) -> None:
        self.failures, self.calls = failures, []  # type: ignore[var-annotated]

    def stock_profit_forecast_ths(self, symbol: str, indicator: str) -> pd.DataFrame:
        self.calls.append((symbol, indicator))
        if len(self.calls) <= self.failures:
            raise ConnectionError("reset by peer")
        return ths_net_profit()


def test_akshare_fetch_is_polite_and_retries() -> None:
    api = FakeAkshare(failures=1)
    provider = ForecastProvider(delay=0, backoff=0, attempts=2, akshare_api=api)
    fetch = provider.fetch("cn:300308", "net_profit")
    assert api.calls == [("300308", "预测年报净利润")] * 2
    assert fetch.provider == "akshare" and "stock_profit_forecast_ths" in fetch.request
    assert fetch.frame["value"].tolist() == [102.44, 187.62, 245.25]
    with pytest.raises(ProviderError, match="after 2 attempts"):
        ForecastProvider(delay=0, backoff=0, attempts=2,
                         akshare_api=FakeAkshare(failures=5)).fetch("cn:300308", "eps")


def test_yfinance_fetch_with_a_stand_in_ticker() -> None:
    seen: list[str] = []

    def ticker(symbol: str) -> Any:
        seen.append(symbol)
        ended = int(datetime(2025, 8, 28, tzinfo=UTC).timestamp())
        return SimpleNamespace(earnings_estimate=yf_estimate(),
                               info={"lastFiscalYearEnd": ended})

    fetch = ForecastProvider(delay=0, backoff=0, yf_ticker=ticker).fetch("us:BRK.B", "eps")
    assert seen == ["BRK-B"] and fetch.provider == "yfinance"
    assert fetch.frame["year"].tolist() == [2026, 2027]
    assert "FY2026" in fetch.notes[0] and "non-GAAP" in fetch.notes[0]


def test_shape_query_refuses_what_no_provider_serves() -> None:
    provider = ForecastProvider()
    with pytest.raises(DataNotFound, match="use a CSV"):
        provider.shape_query("us:MU", "net_profit")
    with pytest.raises(DataNotFound):
        provider.shape_query("hk:700", "eps")
    assert provider.shape_query("cn:300308", "eps") == ("cn", "300308")


def test_forecast_order_and_units() -> None:
    assert parse_forecast_order(None) == [ForecastChoice("bundled")]
    order = parse_forecast_order("provider, csv:~/f.csv")
    assert str(order[0]) == "provider" and order[-1] == ForecastChoice("bundled")
    assert order[1].kind == "csv" and order[1].path is not None and "~" not in str(order[1].path)
    assert parse_forecast_order("bundled,provider") == [ForecastChoice("bundled"),
                                                        ForecastChoice("provider")]
    with pytest.raises(NarrowgateError, match="not understood"):
        parse_forecast_order("consensus")
    assert parse_unit("CNY 1e8 (亿)") == ("CNY", 1e8, False)
    assert parse_unit("USD per share") == ("USD", 1.0, True)
    assert unit_factor("CNY", "CNY 1e8 (亿)") == pytest.approx(1e-8)
    assert unit_factor("CNY 万", "CNY 1e8") == pytest.approx(1e-4)
    with pytest.raises(NarrowgateError, match="cannot be converted"):
        unit_factor("USD per share", "CNY 1e8")
    with pytest.raises(NarrowgateError, match="not a scale"):
        parse_unit("CNY lots")


def test_forecast_figures_of_one_stock() -> None:
    frame = normalise_ths_forecast(ths_net_profit(), "net_profit", instrument="cn:300308",
                                   fetched_at=FETCHED, request="r")
    figures = forecast_figures(frame, "cn:300308", "net_profit", "CNY 1e8 (亿)")
    assert figures is not None
    assert figures.values == {2025: 102.44, 2026: 187.62, 2027: 245.25}
    assert figures.as_of == date(2026, 3, 2)
    assert figures.detail == "analysts per year 2025: 30, 2026: 30, 2027: 28"
    assert forecast_figures(frame, "cn:300308", "eps", "CNY per share") is None
    assert forecast_figures(frame, "cn:300502", "net_profit", "CNY 1e8") is None
