"""Return decomposition: by hand, by property, and on the real CSI 931160 file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.models.decompose import TERMS, decompose_return, rolling_decomposition
from narrowgate.models.valuation import ValuationInputError
from tests.conftest import require_shared

DATES = pd.to_datetime(["2025-01-02", "2025-07-01", "2026-01-02"])


def _csi(code: str) -> pd.DataFrame:
    path = require_shared(f"prices/cn/csi_indices_ai_theme_monitor/{code}.csv")
    frame = pd.read_csv(path, parse_dates=["date"], index_col="date")
    # The 2015-01-01 row is an artifact (a duplicate of a later row), not a real quote.
    return frame.drop(index=pd.Timestamp("2015-01-01")).sort_index()


def test_hand_checked_decomposition() -> None:
    # Price 100 → 121 while EPS 5 → 5.5: P/E 20 → 22. log 1.21 = log 1.1 (EPS) + log 1.1 (P/E).
    close = pd.Series([100.0, 110.0, 121.0], index=DATES)
    eps = pd.Series([5.0, 5.5], index=DATES[[0, 2]])
    row = decompose_return(close, DATES[0], DATES[2], eps=eps).iloc[0]
    assert row["total"] == pytest.approx(math.log(1.21))
    assert row["eps_growth"] == pytest.approx(math.log(1.1))
    assert row["multiple_change"] == pytest.approx(math.log(1.1))
    assert row["pe_start"] == pytest.approx(20) and row["pe_end"] == pytest.approx(22)
    assert abs(row["residual"]) < 1e-15 and row["eps_defined"]


def test_negative_or_missing_eps_goes_to_the_residual() -> None:
    close = pd.Series([100.0, 90.0, 120.0], index=DATES)
    eps = pd.Series([-2.0, 1.0], index=DATES[[0, 2]])
    row = decompose_return(close, DATES[0], DATES[2], eps=eps).iloc[0]
    assert not row["eps_defined"]
    assert row["eps_growth"] == 0.0 and row["multiple_change"] == 0.0
    assert row["residual"] == pytest.approx(math.log(1.2))
    no_eps = decompose_return(close, DATES[0], DATES[2]).iloc[0]
    assert no_eps["residual"] == pytest.approx(math.log(1.2)) and not no_eps["eps_defined"]


def test_dividends_from_a_yield_or_a_total_return_index() -> None:
    close = pd.Series([100.0, 100.0, 100.0], index=DATES)
    # 2 %/yr trailing yield over 180 + 185 days: log(1 + 0.02·180/365.25) + log(1 + 0.02·185/365.25)
    yield_ = pd.Series([0.02], index=pd.to_datetime(["2024-12-31"]))
    row = decompose_return(close, DATES[0], DATES[2], dividend_yield=yield_).iloc[0]
    expected = math.log1p(0.02 * 180 / 365.25) + math.log1p(0.02 * 185 / 365.25)
    assert row["dividend"] == pytest.approx(expected) and row["total"] == pytest.approx(expected)
    tr = pd.Series([200.0, 202.0, 204.0], index=DATES)
    row = decompose_return(close, DATES[0], DATES[2], total_return=tr).iloc[0]
    assert row["dividend"] == pytest.approx(math.log(1.02))
    with pytest.raises(ValuationInputError, match="not both"):
        decompose_return(close, DATES[0], DATES[2], dividend_yield=yield_, total_return=tr)


def test_window_needs_two_prices() -> None:
    close = pd.Series([100.0, 110.0, 121.0], index=DATES)
    with pytest.raises(ValuationInputError, match="fewer than two prices"):
        decompose_return(close, "2025-06-01", "2025-12-31")


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.floats(0.01, 1e6),
            st.one_of(st.floats(-200, 500, allow_nan=False), st.just(float("nan"))),
            st.floats(0, 0.1),
        ),
        min_size=3,
        max_size=60,
    ),
    window=st.integers(1, 10),
)
def test_terms_sum_to_the_total(data: list[tuple[float, float, float]], window: int) -> None:
    index = pd.bdate_range("2024-01-01", periods=len(data))
    close = pd.Series([d[0] for d in data], index=index)
    pe = pd.Series([d[1] for d in data], index=index)
    dy = pd.Series([d[2] for d in data], index=index)
    window = min(window, len(data) - 1)
    frame = rolling_decomposition(close, window, pe=pe, dividend_yield=dy)
    gap = frame[list(TERMS)].sum(axis=1) - frame["total"]
    assert float(gap.abs().max()) <= 1e-12
    assert np.allclose(
        frame["price_return"], np.log(close.to_numpy()[window:] / close.to_numpy()[:-window])
    )


def test_csi_931160_decomposition_reproduces_the_file() -> None:
    frame = _csi("931160")
    start, end = pd.Timestamp("2023-01-03"), pd.Timestamp("2026-02-06")
    row = decompose_return(frame["close"], start, end, pe=frame["pe"]).iloc[0]
    p0, p1 = frame["close"].loc[[start, end]].to_numpy(dtype=float)  # 4358.56 → 15301.24
    assert p0 * math.exp(row["total"]) == pytest.approx(p1, rel=1e-12)
    terms = row["eps_growth"] + row["multiple_change"] + row["dividend"] + row["residual"]
    assert abs(terms - row["total"]) <= 1e-12
    # E = P / PE: 4358.56 / 18.79 = 231.96 → 15301.24 / 46.36 = 330.05
    assert row["eps_growth"] == pytest.approx(math.log((p1 / 46.36) / (p0 / 18.79)), rel=1e-12)
    assert row["multiple_change"] == pytest.approx(math.log(46.36 / 18.79), rel=1e-12)
    # Of the 125.6 % log gain, 35.3 % came from earnings and 90.3 % from the multiple.
    assert row["eps_growth"] == pytest.approx(0.3527, abs=1e-4)
    assert row["multiple_change"] == pytest.approx(0.9031, abs=1e-4)


def test_csi_931160_rolling_year() -> None:
    frame = _csi("931160")
    rolling = rolling_decomposition(frame["close"], 250, pe=frame["pe"])
    assert len(rolling) == len(frame) - 250
    gap = rolling[list(TERMS)].sum(axis=1) - rolling["total"]
    assert float(gap.abs().max()) <= 1e-12
    # Only windows starting on 2018-12-28 (no P/E in the file) lack earnings.
    assert set(rolling.loc[~rolling["eps_defined"], "start"]) == {pd.Timestamp("2018-12-28")}
