"""buyback-share (kind fundamentals). Since issue 13 the claim reads the share-count
term of a cap-weighted return decomposition (share-count-part-of-return, tested in
test_share_count_decomposition_data.py); the older measure, cumulative buyback cash over
the rise in market value (share-of-market-value-rise), is still a measure of the kind and
is pinned here by running the claim with those params: AAPL and NVDA (cover-page share
counts) and GOOGL (several share classes: the balance-sheet count of all classes),
MSFT/META/AMZN/TSLA missing → partial, insufficient."""

from __future__ import annotations

from typing import Any

import pytest

from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


def test_partial_share_with_its_assumptions(imported_hub: object) -> None:
    from tests.evaluate.conftest import params_of, run

    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "buyback-share")
    params.update(measure="share-of-market-value-rise", concept="buybacks")
    result = run(ctx.thesis, "buyback-share", as_of=ctx.as_of, params=params, hub=imported_hub)
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    figs: dict[str, Any] = {f.key: f.value for f in result.evidence.figures}
    assert figs["companies_measured"] == "3 of 7"
    # Apple FY2016–FY2025 cash buybacks; FACTS.md 3a gives FY2021–25 = 438.58 of them
    assert figs["AAPL_buybacks"] == pytest.approx(713.2, abs=0.1)
    assert 450 < figs["AAPL_mcap_start"] < 600  # ~$520B in Feb 2016 (split-restated)
    assert 3500 < figs["AAPL_mcap_end"] < 4500
    assert figs["NVDA_mcap_start"] < 20 < 4000 < figs["NVDA_mcap_end"]
    # Alphabet: ~687 M shares before its 2022 20-for-1 split (as first filed, once
    # restated) × the split-adjusted close: about $480B in Feb 2016
    assert 450 < figs["GOOGL_mcap_start"] < 520 and 3500 < figs["GOOGL_mcap_end"] < 4200
    names = ("AAPL", "NVDA", "GOOGL")
    expected = sum(figs[f"{n}_buybacks"] for n in names) / sum(
        figs[f"{n}_mcap_end"] - figs[f"{n}_mcap_start"] for n in names) * 100
    assert figs["measured"] == pytest.approx(expected, abs=0.1)
    assert figs["measured"] < 20
    # what fewer shares did to each price, on one split basis: Apple's count fell by a
    # third (about 22.2 → 14.7 bn), 16.7% of its log price rise; Nvidia's grew a little
    assert (figs["AAPL_share_count_effect"], figs["GOOGL_share_count_effect"],
            figs["NVDA_share_count_effect"]) == (16.7, 5.8, -2.1)
    assert "[fallback" in next(f.label.en for f in result.evidence.figures
                               if f.key == "META_buybacks_fallback")
    whats = " ".join(m.what for m in result.evidence.missing)
    for name in ("sec:MSFT", "sec:META", "sec:AMZN", "sec:TSLA"):
        assert name in whats
    assert "sec:GOOGL" not in whats
    assert any("Approximation" in n.en for n in result.evidence.notes)


def test_split_detection_from_cover_counts() -> None:
    import pandas as pd

    from narrowgate.models.fundamentals import shares_on_basis, split_factors

    shares = pd.Series([6.2e8, 2.5e9, 2.46e9, 2.453e10],
                       index=pd.to_datetime(["2021-05-21", "2021-08-13", "2024-05-24",
                                             "2024-08-23"]))
    assert [r for _, r in split_factors(shares)] == [4, 10]
    from datetime import date
    count, factor = shares_on_basis(shares, date(2021, 6, 1), date(2024, 3, 8))
    assert factor == 4 and count == pytest.approx(2.48e9)


def test_a_restated_comparative_does_not_count_a_split_twice() -> None:
    """A later 10-K restates the year-before count on the new basis; counts as first filed
    keep each on its own filing's basis, so the split is one jump."""
    import pandas as pd

    from narrowgate.models.fundamentals import cover_shares, split_factors

    facts = pd.DataFrame({
        "concept": ["CommonStockSharesOutstanding"] * 4, "unit": ["shares"] * 4,
        "end": pd.to_datetime(["2021-12-31", "2021-12-31", "2022-03-31", "2022-06-30"]),
        "filed": pd.to_datetime(["2022-02-01", "2023-02-01", "2022-04-26", "2022-07-26"]),
        "value": [6.6e8, 1.32e10, 6.59e8, 1.308e10]})
    shares = cover_shares(facts)
    assert shares.name == "CommonStockSharesOutstanding"
    assert shares.tolist() == [6.6e8, 6.59e8, 1.308e10]
    assert [r for _, r in split_factors(shares)] == [20]


def test_share_count_effect_by_hand() -> None:
    import math

    from narrowgate.models.fundamentals import share_count_effect_pct

    # value ×2 while shares fall from 100 to 90: price ×(2 × 100/90)
    expected = math.log(100 / 90) / math.log(2 * 100 / 90) * 100
    assert share_count_effect_pct(50.0, 100.0, 100.0, 90.0) == pytest.approx(expected)
    assert share_count_effect_pct(100.0, 80.0, 100.0, 100.0) is None  # the price fell
    assert share_count_effect_pct(0.0, 80.0, 100.0, 100.0) is None
