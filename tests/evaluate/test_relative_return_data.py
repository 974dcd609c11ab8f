"""The generic relative-return test on the docs' example thesis and the real ETF files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

EXAMPLE = REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml"


def _close(name: str, day: str) -> float:
    path: Path = require_shared(f"prices/us/etf_daily_kittycapital/{name}.csv")
    frame = pd.read_csv(path, index_col="Date")
    return float(frame.loc[day, "Close"])


def test_spy_beats_tlt_from_the_last_close_before_publication(imported_hub: object) -> None:
    thesis = load_thesis(EXAMPLE)
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub)
    result = evaluate_claim(thesis.claim("long-bonds-lag-stocks"), ctx)
    assert result.error is None
    figures = {f.key: f.value for f in result.evidence.figures}
    spy = (_close("SPY", "2026-08-21") / _close("SPY", "2026-02-27") - 1) * 100
    tlt = (_close("TLT", "2026-08-21") / _close("TLT", "2026-02-27") - 1) * 100
    assert figures["basket_return"] == pytest.approx(round(spy, 1))
    assert figures["benchmark_return"] == pytest.approx(round(tlt, 1))
    assert figures["window"] == "2026-02-27 → 2026-08-21"
    assert result.verdict is Verdict.SUPPORTED
    watch = result.evidence.watch[0]
    # below 2 points the excess still points the right way: mixed, not contradicted
    assert watch.flips_to is Verdict.MIXED and watch.threshold == 2


def test_series_instruments_join_bars_and_a_past_horizon_decides(imported_hub: object) -> None:
    thesis = load_thesis(EXAMPLE)
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub)
    result = evaluate_claim(thesis.claim("gold-beats-bitcoin"), ctx)
    assert result.error is None
    assert {d.instrument for d in result.evidence.data} == {"lbma:GOLD", "crypto:BTC-USD"}
    assert result.verdict is Verdict.CONTRADICTED  # gold fell further than bitcoin
    early = EvalContext(thesis=thesis, as_of=date(2026, 6, 30), hub=imported_hub)
    assert evaluate_claim(thesis.claim("gold-beats-bitcoin"), early).verdict is Verdict.PENDING
