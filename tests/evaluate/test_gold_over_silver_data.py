"""gold-over-silver (relative-return with new highs and a cross-check) on LBMA and GLD/SLV."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context
from tests.evaluate.conftest import fig, params_of, run


def _figures(result: object) -> dict[str, object]:
    return {f.key: f.value for f in result.evidence.figures}  # type: ignore[attr-defined]


def test_gold_ahead_but_no_new_highs_is_pending_before_the_horizon(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("gold-over-silver"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING  # horizon 2026-12-31 after as-of 2026-11-24
    f = _figures(result)
    # LBMA: gold 4948 (2026-02-06) → 4460.7 (2026-08-19); silver 74.94 → 63.355
    assert f["basket_return"] == pytest.approx(round((4460.7 / 4948 - 1) * 100, 1))
    assert f["benchmark_return"] == pytest.approx(round((63.355 / 74.94 - 1) * 100, 1))
    assert f["excess_return"] == pytest.approx(
        round((4460.7 / 4948 - 63.355 / 74.94) * 100, 1), abs=0.05)
    assert f["ratio_start"] == pytest.approx(round(4948 / 74.94, 2))
    assert f["ratio_end"] == pytest.approx(round(4460.7 / 63.355, 2))
    # pre-publication peaks 2026-01-29 (5405, 118.45); best later fixes 2026-03-02
    assert f["prior_peak_lbma:GOLD"] == 5405.0 and f["after_max_lbma:GOLD"] == 5313.9
    assert f["prior_peak_lbma:SILVER"] == 118.45 and f["after_max_lbma:SILVER"] == 94.62
    assert f["interim_reading"] == "mixed"  # gold further, but neither made a new high
    # ETFs over the spot reading's own window (was to 2026-08-21, the ETFs' last close):
    # GLD 455.46 → 413.84, SLV 70.19 → 60.01 (2026-02-06 → 2026-08-19)
    assert f["cross_basket_return"] == pytest.approx(round((413.84 / 455.46 - 1) * 100, 1))
    assert f["cross_benchmark_return"] == pytest.approx(round((60.01 / 70.19 - 1) * 100, 1))
    assert f["cross_agrees"] == "yes"
    used = {d.instrument for d in result.evidence.data}
    assert used == {"lbma:GOLD", "lbma:SILVER", "us:GLD", "us:SLV"}
    assert len(result.evidence.charts) == 2 + 4  # its own two, then the implied trade's
    assert all(len(s.x) <= 400 for c in result.evidence.charts for s in c.series)
    assert "2026-08-19" in result.summary.en and "2026-08-19" in result.summary.zh
    # a new high by one metal alone leaves it mixed, so only gold's lead is on the watch
    (lead,) = result.evidence.watch
    assert lead.current == f["excess_return"]
    assert lead.threshold == params_of(ctx.thesis, "gold-over-silver")["min_excess_pp"]
    assert lead.flips_to is Verdict.CONTRADICTED and lead.observed is not None
    assert lead.observed.isoformat() == "2026-08-19"
    assert f["last_vs_peak_lbma:GOLD"] == pytest.approx(round((4460.7 / 5405 - 1) * 100, 1))


def test_when_contradicted_each_new_high_is_a_line_to_watch(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "gold-over-silver")
    params["expect"] = "underperform"  # gold said to lag: it led, and neither made a high
    a = run(ctx.thesis, "gold-over-silver", params=params, hub=imported_hub)
    assert fig(a, "interim_reading") == "contradicted"
    lead, *peaks = a.evidence.watch
    assert lead.instrument == "lbma:GOLD" and lead.threshold == 0
    assert [w.instrument for w in peaks] == ["lbma:GOLD", "lbma:SILVER"]
    for item in peaks:
        assert item.current == fig(a, f"last_vs_peak_{item.instrument}") and item.threshold == 0
        assert item.flips_to is Verdict.MIXED


def test_after_the_horizon_short_data_is_pending_with_the_interim_reading(
        imported_hub: object) -> None:
    """Was "insufficient data"; the coverage gate keeps it pending, saying how far the
    data reach, until the closes reach the horizon."""
    ctx = eval_context(imported_hub, as_of="2027-01-05")
    result = evaluate_claim(ctx.thesis.claim("gold-over-silver"), ctx)
    assert result.verdict is Verdict.PENDING
    assert "has passed but the data only reach 2026-08-19" in result.summary.en
    assert "So far: mixed" in result.summary.en


def test_interim_reading_as_of_mid_2026(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2026-02-27")
    result = evaluate_claim(ctx.thesis.claim("gold-over-silver"), ctx)
    assert result.verdict is Verdict.PENDING
    assert _figures(result)["window"] == "2026-02-06 → 2026-02-27"
