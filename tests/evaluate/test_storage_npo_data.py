"""storage-npo (relative-return, two benchmarks) on the real MU/SNDK/WDC, NVDA/SMH, QQQ closes."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context

# closes on 2026-02-06 and 2026-04-24 (the last date all members share: SNDK/WDC end there)
MU = 496.6436 / 394.4636 - 1
SNDK = 989.9000244140625 / 597.9500122070312 - 1
WDC = 404.0 / 282.4447937011719 - 1  # adj_close (dividend-adjusted)
NVDA = 207.795 / 184.9771 - 1
SMH = 506.44000244140625 / 401.6499938964844 - 1
QQQ = 662.4609 / 607.5807 - 1


def test_storage_beats_ai_hardware_and_the_nasdaq(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("storage-npo"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.SUPPORTED
    f = {x.key: x.value for x in result.evidence.figures}
    assert f["window"] == "2026-02-06 → 2026-04-24"
    assert f["window_limited_by"] == "us:SNDK, us:WDC"
    storage = (MU + SNDK + WDC) / 3 * 100  # equal weight bought once: mean of returns
    ai_hw = (NVDA + SMH) / 2 * 100
    assert f["basket_return"] == pytest.approx(round(storage, 1))
    assert f["return_vs_ai_hardware"] == pytest.approx(round(ai_hw, 1))
    assert f["return_vs_nasdaq"] == pytest.approx(round(QQQ * 100, 1))
    assert f["excess_vs_ai_hardware"] == pytest.approx(round(storage - ai_hw, 1), abs=0.05)
    assert f["excess_vs_nasdaq"] == pytest.approx(round(storage - QQQ * 100, 1), abs=0.05)
    assert f["return_us:SNDK"] == pytest.approx(round(SNDK * 100, 1))
    decisive = {x.key for x in result.evidence.figures if x.decisive}
    assert decisive == {"basket_return", "excess_vs_ai_hardware", "excess_vs_nasdaq"}
    assert {d.instrument for d in result.evidence.data} == {
        "us:MU", "us:SNDK", "us:WDC", "us:NVDA", "us:SMH", "us:QQQ"}
    chart = result.evidence.charts[0]
    assert chart.series[0].x[0] == "2026-02-06" and chart.series[0].x[-1] == "2026-04-24"
    assert "2026-04-24" in result.summary.zh
    threshold = ctx.thesis.claim("storage-npo").params["min_excess_pp"]
    vs_ai, vs_bench = result.evidence.watch
    assert (vs_ai.current, vs_bench.current) == (f["excess_vs_ai_hardware"], f["excess_vs_nasdaq"])
    for item in (vs_ai, vs_bench):
        assert item.threshold == threshold and item.flips_to is Verdict.MIXED
        assert item.observed is not None and item.observed.isoformat() == "2026-04-24"


def test_a_higher_edge_threshold_turns_it_mixed(imported_hub: object) -> None:
    from narrowgate.evaluate.registry import get_evaluator

    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("storage-npo")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate({**claim.params,
                                                    "min_excess_pp": 30})
    result = evaluator.evaluate(claim, params, ctx)
    assert result.verdict is Verdict.MIXED  # ahead of QQQ by >30 points, of AI hardware by less
