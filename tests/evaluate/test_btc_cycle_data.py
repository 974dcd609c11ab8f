"""btc-cycle price part on the real BTC-USD closes: etf_daily_kittycapital to 2026-08-21,
spliced with Yahoo's 2026 closes (edge_data_ifxquantbot_2026h2) to 2026-10-03."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context
from tests.evaluate.conftest import fig, params_of, run

# closes: 2026-02-07 69,281.97 (last before publication); 2025-10-06 124,752.53 (cycle
# high); 2026-06-30 58,558.86 (lowest after publication); 2026-10-01 84,853.10 (the entry
# window, Yahoo file); 2026-10-03 84,690.24 (last; an intraday value in the source).
BASE, HIGH, LOW, ENTRY, LAST = 69_281.97, 124_752.53, 58_558.86, 84_853.10, 84_690.24


def test_the_entry_window_is_measured_and_waiting_cost_money(imported_hub: object) -> None:
    # was "supported" while the data ended 2026-08-21, before the window was measured
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("btc-cycle"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.MIXED
    figures = {f.key: f.value for f in result.evidence.figures}
    assert figures["baseline_close"] == round(BASE)
    assert figures["cycle_high"] == round(HIGH)
    assert figures["entry_close"] == round(ENTRY)
    assert figures["waiting_gain"] == pytest.approx(round((BASE / ENTRY - 1) * 100, 1))
    assert figures["drawdown_now"] == pytest.approx(round((LAST / HIGH - 1) * 100, 1))
    assert figures["fall_after_publication"] == pytest.approx(round((LOW / BASE - 1) * 100, 1))
    assert figures["days_since_event_at_publication"] == 659
    # past cycles bottomed near the Oct-1 window (day 894): 2018-12-15 and 2022-11-21
    assert figures["cycle_2016_low"].startswith("day 889")
    assert figures["cycle_2020_low"].startswith("day 924")
    assert any("2012-11-28" in m.what for m in result.evidence.missing)
    charts = result.evidence.charts
    assert charts[0].x_is_date is False and len(charts[0].series) == 3
    assert all(len(s.x) <= 400 for c in charts for s in c.series)
    assert "2026-10-03" in result.summary.en and "2026-10-03" in result.summary.zh


def test_before_the_entry_window_is_pending_with_prices(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2026-05-01")
    result = evaluate_claim(ctx.thesis.claim("btc-cycle"), ctx)
    assert result.verdict is Verdict.PENDING
    assert {f.key: f.value for f in result.evidence.figures}["last_close"] > 0


def test_entry_comparison_when_the_data_covers_the_window(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "btc-cycle")
    params["entry_date"] = "2026-06-30"  # inside the data: the post-publication low
    a = run(ctx.thesis, "btc-cycle", params=params, hub=imported_hub)
    assert fig(a, "entry_close") == round(LOW)
    assert fig(a, "waiting_gain") == pytest.approx(round((BASE / LOW - 1) * 100, 1))
    assert a.verdict is Verdict.SUPPORTED
