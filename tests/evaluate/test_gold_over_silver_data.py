"""gold-over-silver decided on the real LBMA fixes and the GLD/SLV closes."""

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
    assert f["gold_return"] == pytest.approx(round((4460.7 / 4948 - 1) * 100, 1))
    assert f["silver_return"] == pytest.approx(round((63.355 / 74.94 - 1) * 100, 1))
    assert f["gold_lead"] == pytest.approx(
        round((4460.7 / 4948 - 63.355 / 74.94) * 100, 1), abs=0.05)
    assert f["ratio_start"] == pytest.approx(round(4948 / 74.94, 2))
    assert f["ratio_end"] == pytest.approx(round(4460.7 / 63.355, 2))
    # pre-publication peaks 2026-01-29 (5405, 118.45); best later fixes 2026-03-02
    assert f["gold_prior_peak"] == 5405.0 and f["gold_after_max"] == 5313.9
    assert f["silver_prior_peak"] == 118.45 and f["silver_after_max"] == 94.62
    assert f["interim_reading"] == "mixed"  # gold further, but neither made a new high
    # ETFs: GLD 455.46 → 423.36, SLV 70.19 → 62.72 (2026-02-06 → 2026-08-21)
    assert f["etf_gold_return"] == pytest.approx(round((423.36 / 455.46 - 1) * 100, 1))
    assert f["etf_silver_return"] == pytest.approx(round((62.72 / 70.19 - 1) * 100, 1))
    assert f["etf_agrees"] == "yes"
    used = {d.instrument for d in result.evidence.data}
    assert used == {"lbma:GOLD", "lbma:SILVER", "us:GLD", "us:SLV"}
    assert len(result.evidence.charts) == 2 + 3  # its own two, then the implied trade's
    assert all(len(s.x) <= 400 for c in result.evidence.charts for s in c.series)
    assert "2026-08-19" in result.summary.en and "2026-08-19" in result.summary.zh
    # a new high by one metal alone leaves it mixed, so only gold's lead is on the watch
    (lead,) = result.evidence.watch
    assert lead.current == f["gold_lead"]
    assert lead.threshold == params_of(ctx.thesis, "gold-over-silver")["min_outperformance_pp"]
    assert lead.flips_to is Verdict.CONTRADICTED and lead.observed is not None
    assert lead.observed.isoformat() == "2026-08-19"
    assert f["gold_last_vs_peak"] == pytest.approx(round((4460.7 / 5405 - 1) * 100, 1))


def test_when_contradicted_each_new_high_is_a_line_to_watch(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "gold-over-silver")
    params["min_outperformance_pp"] = 50  # gold's lead falls short: not further, no new high
    a = run(ctx.thesis, "gold-over-silver", params=params, hub=imported_hub)
    assert fig(a, "interim_reading") == "contradicted"
    watch = {w.instrument: w for w in a.evidence.watch}
    assert watch["lbma:GOLD − lbma:SILVER"].threshold == 50
    for metal in ("gold", "silver"):
        item = watch[f"lbma:{metal.upper()}"]
        assert item.current == fig(a, f"{metal}_last_vs_peak") and item.threshold == 0
        assert item.flips_to is Verdict.MIXED


def test_after_the_horizon_short_data_is_insufficient(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2027-01-05")
    result = evaluate_claim(ctx.thesis.claim("gold-over-silver"), ctx)
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    gap = next(m for m in result.evidence.missing if "up to the horizon" in m.what)
    assert gap.dates == "2026-08-19 to 2026-12-31"
    assert "lbma:GOLD" in gap.fetch


def test_interim_reading_as_of_mid_2026(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2026-02-27")
    result = evaluate_claim(ctx.thesis.claim("gold-over-silver"), ctx)
    assert result.verdict is Verdict.PENDING
    assert _figures(result)["window"] == "2026-02-06 → 2026-02-27"
