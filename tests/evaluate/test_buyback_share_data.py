"""buyback-share (kind fundamentals, share-of-market-value-rise): the explicit
approximation on AAPL and NVDA (full data), GOOGL (buybacks only: no single-class share
count), MSFT/META/AMZN/TSLA missing → partial, insufficient."""

from __future__ import annotations

from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


def test_partial_share_with_its_assumptions(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("buyback-share"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    figs: dict[str, Any] = {f.key: f.value for f in result.evidence.figures}
    assert figs["companies_measured"] == "2 of 7"
    # Apple FY2016–FY2025 cash buybacks; FACTS.md 3a gives FY2021–25 = 438.58 of them
    assert figs["AAPL_buybacks"] == pytest.approx(713.2, abs=0.1)
    assert 450 < figs["AAPL_mcap_start"] < 600  # ~$520B in Feb 2016 (split-restated)
    assert 3500 < figs["AAPL_mcap_end"] < 4500
    assert figs["NVDA_mcap_start"] < 20 < 4000 < figs["NVDA_mcap_end"]
    expected = (figs["AAPL_buybacks"] + figs["NVDA_buybacks"]) / (
        figs["AAPL_mcap_end"] - figs["AAPL_mcap_start"]
        + figs["NVDA_mcap_end"] - figs["NVDA_mcap_start"]) * 100
    assert figs["measured"] == pytest.approx(expected, abs=0.1)
    assert figs["measured"] < 20
    assert "GOOGL_buybacks" in figs and "GOOGL_mcap_end" not in figs
    assert "[fallback" in next(f.label.en for f in result.evidence.figures
                               if f.key == "META_buybacks_fallback")
    whats = " ".join(m.what for m in result.evidence.missing)
    for name in ("sec:MSFT", "sec:META", "sec:AMZN", "sec:TSLA", "sec:GOOGL"):
        assert name in whats
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
