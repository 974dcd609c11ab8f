"""qt-slow (the pace kind) on the real weekly WALCL: series_macro_charts (exact values, to
2026-07-22) preferred, extended to 2026-09-02 by the 2026 H2 FRED file (the same exact
values on their common weeks)."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context
from tests.evaluate.conftest import fig, params_of, run

# WALCL.csv (USD millions): 2022-06-01 8,915,050 → 2025-11-26 6,552,419 (182 weeks);
# 2026-02-11 6,622,382 → 2026-09-02 6,737,204 (29 weeks; cot_report_sphynxkatt0_2026h2/
# WALCL.csv, where the spliced series ends; before 2026-07-22 ended it: 5.43/week).
REFERENCE = (6_552_419 - 8_915_050) / 1000 / 182
AFTER = (6_737_204 - 6_622_382) / 1000 / 29


def test_balance_sheet_grew_after_publication(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("qt-slow"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING  # horizon 2026-12-31 after as-of 2026-11-24
    figures = {f.key: f.value for f in result.evidence.figures}
    assert figures["interim_verdict"] == "supported"
    assert figures["pace_after"] == pytest.approx(round(AFTER, 2), abs=0.01)
    assert figures["pace_reference"] == pytest.approx(round(REFERENCE, 2), abs=0.01)
    assert figures["pace_ratio"] == pytest.approx(round(AFTER / REFERENCE, 3), abs=0.001)
    assert figures["window_after"] == "2026-02-11 → 2026-09-02"
    assert figures["data_end"] == "2026-09-02"
    used = result.evidence.data[0]
    assert used.instrument == "fred:WALCL"
    assert used.source.endswith("series_macro_charts + cot_report_sphynxkatt0_2026h2")
    gap = result.evidence.missing[0]
    assert gap.dates == "2026-09-03 to 2026-11-24"
    assert gap.fetch == ["fred:WALCL"]
    assert "2026-09-02" in result.summary.en and "2026-09-02" in result.summary.zh
    chart = result.evidence.charts[0]
    assert [s.name for s in chart.series][1] == "after the start"
    assert all(len(s.x) <= 400 for s in chart.series)
    # growth is well inside "slow": the line to watch is the slow share, past it → mixed
    (watch,) = result.evidence.watch
    assert watch.current == figures["pace_ratio"]
    assert watch.threshold == params_of(ctx.thesis, "qt-slow")["supported_ratio"]
    assert watch.flips_to is Verdict.MIXED
    assert (watch.instrument, watch.observed) == ("fred:WALCL", date(2026, 9, 2))


def test_past_the_horizon_short_data_keep_it_pending(imported_hub: object) -> None:
    """The coverage gate: at 2027-01-05 the horizon (2026-12-31) has passed, but WALCL only
    reaches 2026-09-02, so the reading is not final (it was "supported" before the gate)."""
    ctx = eval_context(imported_hub, as_of="2027-01-05")
    result = evaluate_claim(ctx.thesis.claim("qt-slow"), ctx)
    assert result.verdict is Verdict.PENDING
    assert "has passed" in result.summary.en and "So far: supported" in result.summary.en
    assert fig(result, "interim_verdict") == "supported"  # type: ignore[arg-type]


def test_growth_stays_slow_under_tight_thresholds(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "qt-slow")
    params["supported_ratio"] = 0.1
    params["contradicted_ratio"] = 0.2  # growth (ratio −0.42) is still ≤ 0.1: slow
    a = run(ctx.thesis, "qt-slow", as_of=date(2027, 1, 5), params=params, hub=imported_hub)
    assert fig(a, "interim_verdict") == "supported"
    assert fig(a, "pace_ratio") < 0
