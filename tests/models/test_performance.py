"""Since-publication price arithmetic, by hand and on the real ETF files."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from narrowgate.models.performance import (
    basket_path,
    common_window,
    is_record_close,
    last_close_before,
    long_short_path,
    max_drawdown,
    total_return,
)
from tests.conftest import require_shared


def _closes(name: str) -> pd.Series:
    path = require_shared(f"prices/us/etf_daily_kittycapital/{name}.csv")
    frame = pd.read_csv(path, parse_dates=["Date"], index_col="Date")
    return frame["Close"].rename(name)


def test_hand_checked_long_short_equals_the_spread() -> None:
    idx = pd.to_datetime(["2026-01-02", "2026-01-05", "2026-01-06"])
    closes = pd.DataFrame({"A": [100.0, 110.0, 120.0], "B": [50.0, 50.0, 45.0]}, index=idx)
    path = long_short_path(closes, {"A": 1}, {"B": 1}, date(2026, 1, 2), date(2026, 1, 6))
    assert path.iloc[-1] == pytest.approx(1 + 0.20 - (-0.10))
    basket = basket_path(closes, {"A": 1, "B": 1}, date(2026, 1, 2), date(2026, 1, 6))
    assert basket.iloc[-1] == pytest.approx(0.5 * 1.2 + 0.5 * 0.9)
    assert max_drawdown(pd.Series([1.0, 1.2, 0.9, 1.3])) == pytest.approx(0.9 / 1.2 - 1)


def test_dow_etf_closed_at_a_record_on_the_friday_before_publication() -> None:
    dia = _closes("DIA")
    assert last_close_before(dia, date(2026, 2, 8)) == date(2026, 2, 6)
    record, prior_max, _ = is_record_close(dia, date(2026, 2, 6))
    assert record
    assert dia.loc["2026-02-06"] == pytest.approx(501.0299987792969)
    assert prior_max < 501.03


def test_software_etf_fell_from_january_28_to_publication() -> None:
    igv = _closes("IGV_from2014")
    start = last_close_before(igv, date(2026, 1, 28))
    assert start == date(2026, 1, 27)
    assert total_return(igv, start, date(2026, 2, 6)) == pytest.approx(82.46 / 97.76 - 1, abs=1e-4)


def test_common_window_ends_where_the_shortest_file_ends() -> None:
    closes = pd.concat([_closes("QQQ"), _closes("IGV_from2014")], axis=1)
    window = common_window(closes, date(2026, 2, 6), date(2026, 11, 24))
    assert window.start == date(2026, 2, 6)
    assert window.end == date(2026, 7, 23)


def test_return_as_of_takes_the_last_close_on_or_before_each_date() -> None:
    from narrowgate.models.performance import return_as_of

    prices = pd.Series([100.0, 110.0, 121.0],
                       index=pd.to_datetime(["2025-01-03", "2025-01-06", "2025-01-07"]))
    # Sunday 5 Jan reads Friday's close; the end date itself is a trading day
    assert return_as_of(prices, date(2025, 1, 5), date(2025, 1, 7)) == pytest.approx(0.21)
    assert return_as_of(prices, date(2025, 1, 6), date(2025, 1, 9)) == pytest.approx(0.10)
