"""capex-no-buyback's valuation context (fundamentals, valuation_since_baseline): the priced
companies with SEC facts (GOOGL, AAPL, NVDA) split as a basket from the baseline close to
the last close they all have, earnings = net income of the four latest quarters in the
facts filed by each date. Context only: the verdict stays pending."""

from __future__ import annotations

import json
from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import SHARED_DATA, eval_context

TERMS = ("earnings_growth", "share_count", "multiple_change", "valuation_unsplit", "dividend")


def test_the_basket_split_since_the_baseline(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("capex-no-buyback"), ctx)
    assert result.error is None and result.verdict is Verdict.PENDING
    figures = {f.key: f for f in result.evidence.figures}
    f: dict[str, Any] = {k: x.value for k, x in figures.items()}
    assert not any(x.decisive for k, x in figures.items() if k.startswith("valuation_"))
    assert (f["valuation_from"], f["valuation_to"]) == ("2026-02-06", "2026-09-25")
    # Alphabet on the baseline: its FY2025 10-K (filed 2026-02-05) gives the four quarters
    # to 2025-12-31, i.e. FY2025 net income 132.17 bn (raw companyfacts file)
    body = json.loads((SHARED_DATA / "sec" / "companyfacts" / "CIK0001652044.json")
                      .read_text())
    ni = next(r["val"] for r in body["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"]
              if r["end"] == "2025-12-31" and r.get("start") == "2025-01-01"
              and r["form"] == "10-K")
    assert ni == 132_170_000_000
    pe0 = float(f["GOOGL_pe_ttm"].split(" → ")[0])
    assert "four quarters to 2025-12-31" in figures["GOOGL_pe_ttm"].label.en
    # market value = P/E × earnings: ~$3.9 T on 2026-02-06 (as in buyback-share)
    assert 3500e9 < pe0 * ni < 4200e9
    # the terms add up to the basket's return (each rounded to 0.1)
    total = sum(f.get(f"valuation_{t}", 0.0) for t in TERMS)
    assert total == pytest.approx(f["valuation_basket_return"], abs=0.3)
    # the combined P/E fell while earnings grew: the P/E term is negative
    assert f["combined_pe_change"] < 0 and f["valuation_multiple_change"] < 0
    assert f["valuation_earnings_growth"] > 0
    assert any("Valuation (context, not deciding)" in n.en for n in result.evidence.notes)
