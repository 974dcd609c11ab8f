"""buyback-share on the real SEC facts (kind fundamentals, share-count-part-of-return): the
mega-caps as a basket weighted by start market value, each return split into earnings
growth + net share-count change + P/E change + dividends. AAPL's and NVDA's share-count
change reproduces their SEC counts as first filed; four companies lack SEC facts, so the
verdict stays insufficient and says what the missing companies would have to hold."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import SHARED_DATA, eval_context

BASKET_TERMS = ("earnings_growth", "share_count", "multiple_change", "valuation_unsplit",
                "dividend")


def _first_filed_cover_count(cik: str, before: str) -> float:
    """The cover-page count of the last period ending on or before ``before``, as first filed
    (read from the raw companyfacts file, independently of the store)."""
    body = json.loads((SHARED_DATA / "sec" / "companyfacts" / f"CIK{cik}.json").read_text())
    rows = body["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
    rows = [r for r in rows if r["end"] <= before]
    last = max(r["end"] for r in rows)
    return float(min((r for r in rows if r["end"] == last), key=lambda r: r["filed"])["val"])


def test_share_count_change_reproduces_the_sec_counts(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("buyback-share"), ctx)
    assert result.error is None
    f: dict[str, Any] = {x.key: x.value for x in result.evidence.figures}
    # Apple 5,544,583,000 shares (2016-01-08, 10-Q) × 4 (the 2020 split) → 14,681,140,000
    # (2026-01-16); Nvidia 538,450,118 (2015-11-13) × 4 × 10 (2021, 2024) → 24.3 bn
    aapl0 = _first_filed_cover_count("0000320193", "2016-02-06") * 4
    aapl1 = _first_filed_cover_count("0000320193", "2026-02-06")
    nvda0 = _first_filed_cover_count("0001045810", "2016-02-06") * 40
    nvda1 = _first_filed_cover_count("0001045810", "2026-02-06")
    assert (aapl0, aapl1) == (5_544_583_000 * 4, 14_681_140_000)
    assert f["AAPL_shares_change"] == round((aapl1 / aapl0 - 1) * 100, 1) == -33.8
    assert f["NVDA_shares_change"] == round((nvda1 / nvda0 - 1) * 100, 1) == 12.8
    assert f["AAPL_share_count"] == round(math.log(aapl0 / aapl1), 4)
    assert f["NVDA_share_count"] == round(math.log(nvda0 / nvda1), 4)
    # each company's log terms add up to its price return plus dividends
    for t in ("AAPL", "GOOGL", "NVDA"):
        terms = sum(f.get(f"{t}_{term}", 0.0) for term in BASKET_TERMS)
        assert terms == pytest.approx(f[f"{t}_price_return"] + f[f"{t}_dividend"], abs=5e-4)
    # the basket: terms add up to its return; the share-count share is the reading
    total = f["basket_return"]
    assert sum(f.get(f"basket_{term}", 0.0) for term in BASKET_TERMS) == pytest.approx(
        total, abs=0.3)
    assert f["measured"] == f["basket_share_count_share"] == 8.0
    assert f["companies_measured"] == "3 of 7"
    # no verdict: four companies lack share counts, and they would have to hold under
    # 23.9% of the basket's return for the reading to stay below the 30% line
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    assert f["missing_break_even"] == pytest.approx((0.30 - 0.08) / (1 - 0.08) * 100, abs=0.1)
    whats = " ".join(m.what for m in result.evidence.missing)
    for name in ("sec:MSFT", "sec:META", "sec:AMZN", "sec:TSLA"):
        assert name in whats
    assert any("Bounds:" in n.en for n in result.evidence.notes)


def test_one_company_basket_in_the_example_is_decided(imported_hub: Any) -> None:
    """docs/examples/company-fundamentals.yaml: Apple alone, FY2020 → FY2025 ends. Its
    cover counts (first filed) 17.1 bn → 14.8 bn give the share-count term; nothing is
    missing, so the reading decides: 17.6% of the return, above the 10% line."""
    from narrowgate.evaluate.runner import evaluate_thesis
    from narrowgate.thesis.loader import load_thesis
    from tests.conftest import REPO_ROOT
    from tests.evaluate.test_fundamentals_kind import AS_OF

    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "company-fundamentals.yaml"))
    card = evaluate_thesis(thesis, AS_OF, offline=True, hub=imported_hub)
    result = next(r for r in card.results if r.claim_id == "fewer-shares-lift-the-price")
    assert result.verdict is Verdict.SUPPORTED
    f = {x.key: x.value for x in result.evidence.figures}
    # the last count before 2020-10-01 (4,275,634,000 on 2020-07-17) predates the 2020-08-31
    # 4-for-1 split: restated × 4
    start = _first_filed_cover_count("0000320193", "2020-10-01") * 4
    assert start == 4_275_634_000 * 4
    end = _first_filed_cover_count("0000320193", "2025-09-30")
    assert f["AAPL_share_count"] == round(math.log(start / end), 4)
    assert f["AAPL_weight"] == 100.0 and "missing_break_even" not in f
    # one company: its log terms split its return; the share-count share is its log term
    # over its log total return (the proportional split of the simple return)
    log_total = f["AAPL_price_return"] + f["AAPL_dividend"]
    assert f["measured"] == pytest.approx(f["AAPL_share_count"] / log_total * 100, abs=0.1)
    assert f["measured"] == 17.6


def _with_recorded_msft(thesis: Any, value_bn: float) -> dict[str, Any]:
    from tests.evaluate.conftest import params_of

    params = params_of(thesis, "buyback-share")
    params["companies"] = [c for c in params["companies"]
                           if c["filings"] in ("sec:AAPL", "sec:GOOGL", "sec:NVDA")]
    params["companies"].append({
        "filings": "sec:MSFT", "prices": "us:MSFT", "value_start_usd_bn": value_bn,
        "value_source": {"title": "test input, not a sourced market value"}})
    return params


def test_a_company_without_share_counts_is_bounded_by_its_market_value(
        imported_hub: Any) -> None:
    """MSFT has prices but no SEC facts in the store. With a recorded start market value
    (a made-up test input) its weight and return are known and its share-count term is
    not: anywhere from −100% to +100% of its contribution. $400 bn keeps the whole range
    below the 30% line → contradicted, decided from bounds; $3,000 bn does not → no verdict."""
    from tests.evaluate.conftest import fig, run

    ctx = eval_context(imported_hub)
    a = run(ctx.thesis, "buyback-share", as_of=ctx.as_of,
            params=_with_recorded_msft(ctx.thesis, 400.0), hub=imported_hub)
    assert a.verdict is Verdict.CONTRADICTED
    low, high = fig(a, "bounds_low"), fig(a, "bounds_high")
    assert low < 8.0 < high < 30  # the measured 8.0% lies inside; the top stays below 30%
    assert fig(a, "measured") == high  # the end nearest the threshold is reported
    assert any("Decided from bounds" in n.en for n in a.evidence.notes)
    assert any(d.fallback and d.instrument == "sec:MSFT" for d in a.evidence.data)
    # MSFT's contribution is its start value × its total return; the two ends are the
    # measured term ± that contribution over the basket's whole rise
    held = fig(a, "unmeasured_share")
    assert high - low == pytest.approx(2 * held, abs=0.2)

    a = run(ctx.thesis, "buyback-share", as_of=ctx.as_of,
            params=_with_recorded_msft(ctx.thesis, 3000.0), hub=imported_hub)
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert fig(a, "bounds_high") > 30 and any("across a line" in n.en
                                               for n in a.evidence.notes)


def test_a_recorded_value_needs_its_source() -> None:
    from pydantic import ValidationError

    from narrowgate.evaluate.kinds.fundamentals_params import Company

    with pytest.raises(ValidationError, match="needs its source"):
        Company.model_validate({"filings": "sec:MSFT", "prices": "us:MSFT",
                                "value_start_usd_bn": 400.0})
