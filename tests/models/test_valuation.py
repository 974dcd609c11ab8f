"""Priced-in year, implied profit growth and reverse DCF: by hand, by property, on FACTS figures."""

from __future__ import annotations

import math
from datetime import date
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.errors import NarrowgateError
from narrowgate.models.dcf import dcf_value, find_root, reverse_dcf
from narrowgate.models.valuation import (
    ForecastSource,
    ProfitKind,
    ProfitPath,
    ValuationInputError,
    forward_pe,
    implied_profit_growth,
    priced_in_year,
    profit_path_from_record,
)

THESIS = ForecastSource(kind="thesis", name="test params", as_of=date(2026, 2, 6))


def _path(
    profits: dict[int, float], growth_after: float, kind: ProfitKind = "forecast"
) -> ProfitPath:
    return ProfitPath(profits, dict.fromkeys(profits, kind), growth_after, THESIS, unit="CNY")


def _bundled() -> dict[str, Any]:
    text = (
        resources.files("narrowgate.data")
        .joinpath("bundled/ai_hardware_valuation.yaml")
        .read_text(encoding="utf-8")
    )
    stocks: dict[str, Any] = yaml.safe_load(text)["stocks"]
    return stocks


def _one(record: dict[str, Any], key: str, **match: Any) -> float:
    for item in record[key]:
        if all(item.get(k) == v for k, v in match.items()):
            return float(item.get("close", item.get("value")))
    raise KeyError(match)


# --- priced-in year -----------------------------------------------------------------------


def test_hand_checked_priced_in_year() -> None:
    # Price = 40 × this year's profit E0 = 1; profit grows 25 %/yr; fair multiple 20; r = 10 %.
    # Year n (n years ahead) justifies 20 × 1.25^n / 1.10^n = 20 × 1.136364^n:
    #   n=0 20.00, n=1 22.73, n=2 25.83, n=3 29.35, n=4 33.35, n=5 37.90 (< 40), n=6 43.07 (>= 40)
    # so the priced-in year is 2026 + 6 = 2032. On a constant-growth path the crossing is
    # exactly n* = ln(40/20) / ln(1.25/1.10) = 0.693147 / 0.127833 = 5.4223 years.
    result = priced_in_year(
        40.0, _path({2026: 1.0}, 0.25), current_year=2026, fair_multiple=20, discount_rate=0.10
    )
    assert result.year == 2032
    assert result.years_ahead == pytest.approx(math.log(2) / math.log(1.25 / 1.10), rel=1e-12)
    assert result.justified[2031] == pytest.approx(20 * (1.25 / 1.1) ** 5)
    assert result.justified[2032] == pytest.approx(43.0659, abs=1e-4)
    assert "2032" in result.message and "extrapolated at 25.0%/yr" in result.message


def test_already_covered_by_this_years_profit_and_beyond_horizon() -> None:
    path = _path({2026: 1.0}, 0.05)
    cheap = priced_in_year(15.0, path, current_year=2026, fair_multiple=20, discount_rate=0.1)
    assert (cheap.year, cheap.years_ahead) == (2026, 0.0)
    # growth 5 % < discount 10 %: the discounted value shrinks, so no year ever justifies 40.
    dear = priced_in_year(40.0, path, current_year=2026, fair_multiple=20, discount_rate=0.1)
    assert dear.year is None and dear.beyond_horizon and dear.years_ahead is None
    assert "no year up to 2056" in dear.message and "test params" in dear.message


def test_a_path_ending_in_a_loss_is_not_extrapolated() -> None:
    path = _path({2025: -1.0, 2026: -0.5}, 0.5, kind="reported")
    result = priced_in_year(10.0, path, current_year=2026, fair_multiple=20, discount_rate=0.1)
    assert result.year is None
    assert "non-positive profit in 2026" in result.message


def test_invalid_inputs_raise_a_user_facing_error() -> None:
    path = _path({2026: 1.0}, 0.1)
    with pytest.raises(ValuationInputError, match="price must be positive") as info:
        priced_in_year(0.0, path, current_year=2026, fair_multiple=20, discount_rate=0.1)
    assert isinstance(info.value, NarrowgateError) and isinstance(info.value, ValueError)
    with pytest.raises(ValuationInputError, match="after the current year"):
        priced_in_year(10.0, path, current_year=2025, fair_multiple=20, discount_rate=0.1)
    with pytest.raises(ValuationInputError, match="consecutive"):
        _path({2025: 1.0, 2027: 2.0}, 0.1)


def test_hand_checked_implied_growth() -> None:
    # 40 = E_2028 × 20 / 1.1^2  →  E_2028 = 40 × 1.21 / 20 = 2.42 = 1 × (1+g)^2  →  g = 55.56 %
    kinds: dict[int, ProfitKind] = {2026: "reported", 2027: "forecast", 2028: "forecast"}
    path = ProfitPath({2026: 1.0, 2027: 1.3, 2028: 1.69}, kinds, 0.1, THESIS)
    result = implied_profit_growth(
        40.0, path, target_year=2028, current_year=2026, fair_multiple=20, discount_rate=0.1
    )
    assert result.base_year == 2026
    assert result.required_profit == pytest.approx(2.42)
    assert result.growth == pytest.approx(math.sqrt(2.42) - 1)
    assert result.path_growth == pytest.approx(0.30)


profits_st = st.lists(st.floats(-5, 50, allow_nan=False), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    profits=profits_st,
    growth=st.floats(-0.5, 1.0),
    fair=st.floats(1, 60),
    rate=st.floats(0, 0.3),
    prices=st.tuples(st.floats(0.01, 5000), st.floats(0.01, 5000)),
)
def test_priced_in_year_never_decreases_as_the_price_rises(
    profits: list[float], growth: float, fair: float, rate: float, prices: tuple[float, float]
) -> None:
    path = _path({2026 + i: p for i, p in enumerate(profits)}, growth)
    low, high = sorted(prices)
    kwargs: dict[str, Any] = dict(current_year=2026, fair_multiple=fair, discount_rate=rate)
    a, b = priced_in_year(low, path, **kwargs), priced_in_year(high, path, **kwargs)
    year_a = math.inf if a.year is None else a.year
    year_b = math.inf if b.year is None else b.year
    assert year_a <= year_b
    ahead_a = math.inf if a.years_ahead is None else a.years_ahead
    ahead_b = math.inf if b.years_ahead is None else b.years_ahead
    assert ahead_a <= ahead_b + 1e-9


# --- the FACTS figures ----------------------------------------------------------------------


def test_300308_priced_in_year_from_the_bundled_facts() -> None:
    record = _bundled()["cn:300308"]
    path = profit_path_from_record(record, growth_after=0.15)
    # 2025 is the 业绩预告 midpoint (98–118 → 108, preliminary); 2026/27 the 10jqka consensus
    # of 2025-12-08 (187.62 / 245.25); beyond 2027: +15 %/yr (a test input).
    assert path.profits == {2023: 21.74, 2024: 51.7148604, 2025: 108.0, 2026: 187.62, 2027: 245.25}
    assert path.kind(2025) == "preliminary" and path.source.as_of == date(2025, 12, 8)
    shares = _one(record, "shares", status="derived")  # ≈ 11.11亿 (187.62 / 16.88)
    close = _one(record, "prices", date=date(2026, 2, 6))  # 539.01, same share basis
    market_cap = close * shares  # 5,988.4亿
    assert market_cap == pytest.approx(5988.4, abs=0.1)
    # Fair multiple 25, discount 10 %/yr, current year 2026:
    #   2026: 187.62 × 25           = 4,690.5
    #   2027: 245.25 × 25 / 1.1     = 5,573.9
    #   2028: 282.04 × 25 / 1.21    = 5,827.2
    #   2029: 324.34 × 25 / 1.331   = 6,092.0  >= 5,988.4  → priced in to 2029
    result = priced_in_year(
        market_cap, path, current_year=2026, fair_multiple=25, discount_rate=0.1
    )
    assert result.year == 2029
    assert result.justified[2028] == pytest.approx(245.25 * 1.15 * 25 / 1.21)
    assert result.years_ahead == pytest.approx(2.61, abs=0.01)
    assert "10jqka" in result.message and "2025-12-08" in result.message
    # At 30×, 2027 already justifies it (245.25 × 30 / 1.1 = 6,688.6): the article's "2027".
    at_30 = priced_in_year(market_cap, path, current_year=2026, fair_multiple=30, discount_rate=0.1)
    assert at_30.year == 2027
    # Forward P/E on 2026 consensus ≈ 31.9×; the price needs 56 %/yr profit growth 2025→2027
    # at 25× (the consensus path shows 50.7 %/yr).
    assert forward_pe(market_cap, path, 2026) == pytest.approx(31.92, abs=0.01)
    implied = implied_profit_growth(
        market_cap, path, target_year=2027, current_year=2026, fair_multiple=25, discount_rate=0.1
    )
    assert implied.growth == pytest.approx(0.562, abs=0.001)
    assert implied.path_growth == pytest.approx(0.507, abs=0.001)


def test_side_by_side_same_method_same_inputs() -> None:
    # One method for both groups: fair multiple 25, discount 10 %, +15 %/yr after the last
    # forecast. A-shares on total profit vs market cap; US names on consensus (non-GAAP) EPS.
    stocks = _bundled()
    inputs = {
        "cn:300308": 539.01 * 11.11,  # 2026-02-06
        "cn:300394": 188.73 * 7.77,  # 2026-01-21 (2026-02-06 price unverified)
        "us:MU": 394.69,  # 2026-02-06
        "us:SNDK": 597.95,  # 2026-02-06
        "us:LITE": 667.77,  # 2026-02-20 (2026-02-06 price unverified)
    }
    years = {}
    for key, price in inputs.items():
        path = profit_path_from_record(stocks[key], growth_after=0.15)
        result = priced_in_year(price, path, current_year=2026, fair_multiple=25, discount_rate=0.1)
        years[key] = result.year
    assert years == {
        "cn:300308": 2029,
        "cn:300394": 2037,
        "us:MU": 2026,
        "us:SNDK": 2026,
        "us:LITE": 2054,
    }
    with pytest.raises(ValuationInputError, match="unverified or empty"):
        profit_path_from_record(stocks["us:LUMN"], growth_after=0.15)
    with pytest.raises(ValuationInputError, match="unverified or empty"):
        profit_path_from_record(stocks["cn:300502"], growth_after=0.15)


# --- reverse DCF ----------------------------------------------------------------------------


def test_find_root_on_a_classic_cubic() -> None:
    assert find_root(lambda x: x**3 - 2 * x - 5, 2, 3) == pytest.approx(
        2.0945514815423265, abs=1e-12
    )
    with pytest.raises(ValuationInputError, match="does not bracket"):
        find_root(lambda x: x * x + 1, -1, 1)


def test_hand_checked_dcf_value() -> None:
    # FCF 10 growing 10 % for 2 years, then 2 % forever, at 8 %:
    #   11/1.08 + 12.1/1.08^2 + 12.1 × 1.02 / 0.06 / 1.08^2 = 10.1852 + 10.3738 + 176.3546
    value = dcf_value(10, 0.10, discount_rate=0.08, terminal_growth=0.02, years=2)
    assert value == pytest.approx(11 / 1.08 + 12.1 / 1.08**2 + 12.1 * 1.02 / 0.06 / 1.08**2)


@settings(max_examples=300, deadline=None)
@given(
    growth=st.floats(-0.45, 0.95),
    rate=st.floats(0.04, 0.25),
    terminal=st.floats(-0.02, 0.035),
    years=st.integers(1, 25),
    fcf=st.floats(0.01, 1e4),
)
def test_reverse_dcf_round_trip(
    growth: float, rate: float, terminal: float, years: int, fcf: float
) -> None:
    price = dcf_value(fcf, growth, discount_rate=rate, terminal_growth=terminal, years=years)
    result = reverse_dcf(price, fcf, discount_rate=rate, terminal_growth=terminal, years=years)
    assert result.growth is not None
    assert result.growth == pytest.approx(growth, abs=1e-8)


def test_no_growth_justifies_is_an_answer_not_nan() -> None:
    result = reverse_dcf(1e9, 1.0, discount_rate=0.09, terminal_growth=0.03, years=10)
    assert result.growth is None
    assert "no growth rate in [-50%, 100%] justifies" in result.message
    assert math.isfinite(result.value_at_high) and result.value_at_high < 1e9
    low = reverse_dcf(0.5, 1.0, discount_rate=0.09, terminal_growth=0.03, years=10)
    assert low.growth is None and "even the lowest" in low.message


def test_reverse_dcf_refuses_invalid_inputs() -> None:
    with pytest.raises(ValuationInputError, match="must exceed terminal growth"):
        reverse_dcf(100, 1, discount_rate=0.03, terminal_growth=0.03)
    with pytest.raises(ValuationInputError, match="free cash flow must be positive"):
        reverse_dcf(100, -1, discount_rate=0.09, terminal_growth=0.03)
    with pytest.raises(ValueError, match="price must be positive"):
        reverse_dcf(-5, 1, discount_rate=0.09, terminal_growth=0.03)
