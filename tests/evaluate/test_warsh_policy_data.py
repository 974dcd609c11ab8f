"""warsh-policy decided on the real FEDFUNDS and WALCL, with QQQ/DIA/BTC regime history."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


def test_no_cut_and_a_growing_balance_sheet_so_far(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("warsh-policy"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING  # horizon 2026-12-31
    figures = {f.key: f.value for f in result.evidence.figures}
    assert figures["interim_verdict"] == "contradicted"
    # FEDFUNDS.csv 2026-02-01 3.64 → 2026-06-01 3.63 (last row)
    assert figures["rate_change"] == pytest.approx(-0.01, abs=1e-9)
    # WALCL.csv 2026-02-04 6,605,909 → 2026-07-22 6,747,378
    assert figures["balance_sheet_change"] == pytest.approx(
        round((6_747_378 / 6_605_909 - 1) * 100, 2), abs=0.005)
    for regime in ("shrinking", "growing"):
        spread = figures[f"nasdaq_minus_dow_{regime}"]
        assert spread == pytest.approx(
            figures[f"us:QQQ_{regime}"] - figures[f"us:DIA_{regime}"], abs=0.11)
        assert isinstance(figures[f"crypto:BTC-USD_{regime}"], float)
    used = {d.instrument for d in result.evidence.data}
    assert {"fred:WALCL", "fred:FEDFUNDS", "us:QQQ", "us:DIA", "crypto:BTC-USD"} <= used
    whats = " ".join(m.what for m in result.evidence.missing)
    assert "fred:FEDFUNDS" in whats and "P/E" in whats
    assert all(len(s.x) <= 400 for c in result.evidence.charts for s in c.series)
    assert result.summary.zh.startswith("期限 2026-12-31 未到")
    # either a cut or a shrinking balance sheet alone would make the reading mixed
    params = ctx.thesis.claim("warsh-policy").params
    rate, assets = result.evidence.watch
    assert rate.current == figures["rate_change"]
    assert rate.threshold == -params["min_rate_cut_pp"]
    assert (rate.flips_to, rate.observed) == (Verdict.MIXED, date(2026, 6, 1))
    assert assets.current == figures["balance_sheet_change"]
    assert assets.threshold == params["max_balance_sheet_change_pct"]
    assert (assets.flips_to, assets.observed) == (Verdict.MIXED, date(2026, 7, 22))


def test_after_the_horizon_no_cut_no_shrink_is_contradicted(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2027-01-05")
    result = evaluate_claim(ctx.thesis.claim("warsh-policy"), ctx)
    assert result.verdict is Verdict.CONTRADICTED
