"""Token-economics maths, checked by hand on small inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from narrowgate.models.tokens import (
    Offer,
    blended_price,
    pareto_frontier,
    pareto_mask,
    price_ladder,
    quality_shortfall_pct,
    spearman,
    value_frontier,
)


def test_blended_price_weights_input_and_output() -> None:
    assert blended_price(2.5, 15.0, 0.75) == pytest.approx(5.625)
    assert blended_price(2.5, 15.0, 0.0) == 15.0
    with pytest.raises(ValueError, match="fraction"):
        blended_price(1.0, 2.0, 1.5)


def test_pareto_mask_keeps_ties_and_drops_dominated() -> None:
    # (price lower better, tier higher better)
    points = [(0.2, 1), (1.5, 2), (3.4, 3), (3.4, 3), (4.5, 3), (2.0, 1)]
    assert pareto_mask(points, maximise=[False, True]) == [True, True, True, True, False, False]


def test_pareto_frontier_dataframe_wrapper_agrees() -> None:
    offers = pd.DataFrame({"price": [1.0, 2.0, 3.0], "q": [50.0, 70.0, 60.0]}, index=list("abc"))
    assert pareto_frontier(offers, ["price"], ["q"]).to_dict() == {"a": True, "b": True,
                                                                   "c": False}


def test_price_ladder_is_each_rung_over_the_one_below() -> None:
    assert price_ladder({1: 2.0, 2: 6.0, 3: 10.0, 4: 20.0}) == pytest.approx(
        {2: 3.0, 3: 10 / 6, 4: 2.0})
    assert price_ladder({2: 1.5, 3: 3.4375}) == pytest.approx({3: 3.4375 / 1.5})
    assert price_ladder({1: 0.0, 2: 1.0}) == {}  # no finite multiple over a free tier
    assert price_ladder({1: 1.0}) == {}


def test_quality_shortfall_against_best_at_or_below_price() -> None:
    prices, qualities = [1.0, 2.0, 3.0, 3.0], [50.0, 100.0, 90.0, 100.0]
    assert quality_shortfall_pct(prices, qualities) == pytest.approx([0.0, 0.0, 10.0, 0.0])


def test_spearman_with_ties_and_degenerate_inputs() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ties get average ranks: x ranks 1, 2.5, 2.5, 4 against 1..4 -> rho = 0.9487
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.948683, abs=1e-6)
    assert spearman([1, 2], [1, 2]) is None
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_value_frontier_on_a_hand_made_market() -> None:
    offers = [
        Offer("cheap", 0.2, 1300, usage_share=0.3, speed_tps=60),
        Offer("mid", 1.5, 1350, usage_share=0.2, speed_tps=200),
        Offer("near", 1.7, 1320, usage_share=0.1),
        Offer("off", 3.4, 1200),
        Offer("top", 67.5, 1460, usage_share=0.01, speed_tps=20),
    ]
    vf = value_frontier(offers, top_used=3, near_pct=5.0)
    assert vf.frontier == ["cheap", "mid", "top"]
    assert vf.shortfall_pct["near"] == pytest.approx(30 / 1350 * 100)
    assert vf.shortfall_pct["off"] == pytest.approx(150 / 1350 * 100)
    assert vf.top_used == ["cheap", "mid", "near"]
    assert vf.near_share == 1.0
    assert vf.strongest == "top"
    assert vf.n_speed == 3
    assert vf.rho_speed == pytest.approx(-0.5)  # q ranks 1,2,3 vs speed ranks 2,3,1
