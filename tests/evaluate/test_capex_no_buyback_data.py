"""capex-no-buyback (kind fundamentals: same-quarters-year-before with a versus block) on
the real quarterly SEC facts and QQQ / DIA closes: pending with interim figures until the
2026-12-31 horizon."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


def test_interim_figures_before_the_horizon(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("capex-no-buyback"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING
    figs: dict[str, Any] = {f.key: f.value for f in result.evidence.figures}
    assert figs["sec:GOOGL_buybacks_2026-03-31"] == 0.0
    assert figs["sec:GOOGL_buybacks_2025-03-31"] == pytest.approx(15.068)
    assert figs["sec:NVDA_buybacks_2026-04-26"] == pytest.approx(19.312)
    assert figs["sec:META_buybacks_2026-03-31"] == pytest.approx(-12.75)  # recorded
    # (0 + 19.312 + 0) vs (15.068 + 14.095 + 12.75)
    assert figs["measured"] == pytest.approx(
        round((19.312 / (15.068 + 14.095 + 12.75) - 1) * 100, 1), abs=0.05)
    assert figs["versus_excess"] == pytest.approx(
        figs["versus_return"] - figs["versus_benchmark_return"], abs=0.11)
    whats = " ".join(m.what for m in result.evidence.missing)
    assert "P/E paths" in whats and "sec:AAPL" in whats and "sec:MSFT" in whats
    meta = [d for d in result.evidence.data if d.instrument == "sec:META"]
    assert meta and all(d.fallback for d in meta)
    # interim mixed: buybacks back above the line → contradicted; the Dow ahead → supported
    buybacks, market = result.evidence.watch
    assert buybacks.current == figs["measured"]
    assert buybacks.threshold == ctx.thesis.claim("capex-no-buyback").params["threshold"]
    assert buybacks.flips_to is Verdict.CONTRADICTED
    assert buybacks.observed == date(2026, 4, 26)  # NVDA's latest quarter
    assert market.current == figs["versus_excess"] and market.threshold == 0
    assert market.flips_to is Verdict.SUPPORTED
    assert market.observed == date.fromisoformat(figs["versus_end"])


def test_after_the_horizon_data_short_of_it_keep_it_pending(imported_hub: object) -> None:
    """Past the horizon the reading still rests on quarters to 2026-03-31 and closes to
    2026-10-06: the coverage gate holds it back (it was 'mixed' before the gate applied)."""
    from tests.evaluate.conftest import run

    ctx = eval_context(imported_hub)
    a = run(ctx.thesis, "capex-no-buyback", as_of=date(2027, 1, 15), hub=imported_hub)
    assert a.verdict is Verdict.PENDING
    figs = {f.key: f.value for f in a.evidence.figures}
    # buybacks fell well over 20% but the Dow trailed the Nasdaq: one half each
    assert figs["interim_verdict"] == "mixed"
    assert "only reach 2026-03-31" in a.summary.en
