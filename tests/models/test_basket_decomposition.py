"""Cap-weighted return decomposition (models/decompose.basket_decomposition): the terms add
up to the basket's return exactly, and the bounds for companies without data."""

from __future__ import annotations

import math

import pytest

from narrowgate.models.decompose import (
    BASKET_TERMS,
    HoldingMove,
    basket_decomposition,
    holding_terms,
    max_unknown_share,
)


def _hand_basket() -> list[HoldingMove]:
    return [
        # value 100 → 300: earnings ×2, shares 10 → 8 (buybacks), dividends log 0.05
        HoldingMove("A", 10.0, 37.5, 10.0, 8.0, 5.0, 10.0, dividend=0.05),
        # value 50 → 60: shares 5 → 6 (issuance); a loss at the start: no P/E
        HoldingMove("B", 10.0, 10.0, 5.0, 6.0, -1.0, 4.0),
        # value 25 → 20: earnings flat, the P/E falls
        HoldingMove("C", 5.0, 4.0, 5.0, 5.0, 2.0, 2.0),
    ]


def test_terms_sum_to_the_total_by_hand() -> None:
    split = basket_decomposition(_hand_basket())
    a = split.loc["A"]
    # A: price ×3.75, shares ×0.8, market value ×3, earnings ×2 → P/E ×1.5
    assert a["earnings_growth"] == pytest.approx(math.log(2), abs=1e-15)
    assert a["share_count"] == pytest.approx(math.log(10 / 8), abs=1e-15)
    assert a["multiple_change"] == pytest.approx(math.log(1.5), abs=1e-15)
    assert a["total"] == pytest.approx(math.log(3.75) + 0.05, abs=1e-15)
    b = split.loc["B"]
    assert b["eps_defined"] == 0.0 and b["earnings_growth"] == b["multiple_change"] == 0.0
    assert b["valuation_unsplit"] == pytest.approx(math.log(60 / 50), abs=1e-15)
    assert b["share_count"] == pytest.approx(math.log(5 / 6), abs=1e-15)
    # weights by start value 100, 50, 25; basket return Σ w·(exp(total) − 1)
    weights = {"A": 100 / 175, "B": 50 / 175, "C": 25 / 175}
    simple = {"A": 3.75 * math.exp(0.05) - 1, "B": 0.0, "C": 4 / 5 - 1}
    expected = sum(weights[k] * simple[k] for k in weights)
    basket = split.loc["basket"]
    assert basket["contribution"] == pytest.approx(expected, abs=1e-12)
    for name in ("A", "B", "C", "basket"):
        row = split.loc[name]
        assert abs(sum(row[f"c_{t}"] for t in BASKET_TERMS) - row["contribution"]) < 1e-12
    # the log terms of each company add up to its log total return
    for name in ("A", "B", "C"):
        row = split.loc[name]
        assert abs(sum(row[t] for t in BASKET_TERMS) - row["total"]) < 1e-12


def test_a_zero_return_contributes_nothing() -> None:
    terms = holding_terms(HoldingMove("B", 10.0, 10.0, 5.0, 6.0))
    assert terms["price_return"] == 0.0 and terms["total"] == 0.0
    split = basket_decomposition([HoldingMove("B", 10.0, 10.0, 5.0, 6.0)])
    assert split.loc["basket", "contribution"] == 0.0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        holding_terms(HoldingMove("X", 10.0, 12.0, 0.0, 5.0))
    with pytest.raises(ValueError, match="at least one"):
        basket_decomposition([])


def test_how_much_of_the_return_may_be_unknown() -> None:
    # measured 8% against a 30% line: unknown companies whose whole contribution could be
    # the term keep the share below 30% only while they hold under (0.30 − 0.08)/(1 − 0.08)
    m = max_unknown_share(0.08, 0.30)
    assert m == pytest.approx(0.22 / 0.92)
    assert (1 - m) * 0.08 + m * 1.0 == pytest.approx(0.30)
    # above a line the worst case is the lowest fraction (net issuance: −1)
    m = max_unknown_share(0.80, 0.70)
    assert (1 - m) * 0.80 + m * -1.0 == pytest.approx(0.70)
    assert max_unknown_share(0.3, 0.3) == 0.0
    with pytest.raises(ValueError, match="above the line"):
        max_unknown_share(0.1, 0.3, highest=0.2)
