"""software-selloff (relative-return, expecting a lag and a fall) on the real IGV and SPY closes."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


def test_software_selloff_is_supported_by_the_etf_fall(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("software-selloff"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.SUPPORTED
    figures = {f.key: f.value for f in result.evidence.figures}
    # IGV 97.76 (2026-01-27) → 82.46 (2026-02-06); SPY over the same closes
    assert figures["basket_return"] == pytest.approx(round((82.46 / 97.76 - 1) * 100, 1), abs=0.05)
    assert figures["excess_return"] < -5
    used = {d.instrument: d for d in result.evidence.data}
    assert used["us:IGV"].source.endswith("btc_asset_correlation_kittycapital")
    assert result.evidence.charts and result.evidence.charts[0].series[0].x[0] == "2026-01-27"
