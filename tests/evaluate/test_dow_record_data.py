"""dow-record, on the generic `record` kind, decided on the real DIA closes
(etf_daily_kittycapital, split-adjusted price, not total return)."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context
from tests.evaluate.conftest import fig, params_of, run


def test_dia_close_of_2026_02_06_is_a_record(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("dow-record"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.SUPPORTED
    figures = {f.key: f.value for f in result.evidence.figures}
    # DIA.csv: 2026-02-06 close 501.03; highest earlier close 495.90 on 2026-01-12
    assert figures["close"] == 501.03
    assert figures["prior_record"] == 495.9
    assert figures["prior_record_date"] == "2026-01-12"
    assert figures["margin"] == pytest.approx(round((501.03 / 495.90 - 1) * 100, 2), abs=0.01)
    # 2026-02-05 close 488.91 → +2.48 % on the day
    assert figures["day_change"] == pytest.approx(round((501.03 / 488.91 - 1) * 100, 2), abs=0.01)
    assert {f.key for f in result.evidence.figures if f.decisive} >= {"close", "margin"}
    used = {d.instrument: d for d in result.evidence.data}
    assert used["us:DIA"].source.endswith("etf_daily_kittycapital")
    chart = result.evidence.charts[0]
    assert all(len(s.x) <= 400 for s in chart.series)
    assert "2026-02-06" in chart.series[0].x
    assert "price proxy" in result.summary.en and "价格代理" in result.summary.zh


def test_a_day_below_the_record_is_contradicted(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "dow-record")
    params["record_date"] = "2026-02-05"  # 488.91 < 495.90 (2026-01-12)
    a = run(ctx.thesis, "dow-record", params=params, hub=imported_hub)
    assert a.verdict is Verdict.CONTRADICTED
    assert fig(a, "prior_record") == 495.9
    assert fig(a, "margin") < 0


def test_no_data_layer_names_what_to_fetch() -> None:
    """Without a data layer the runner says what to fetch."""
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.loader import load_thesis

    thesis = load_thesis(None)
    claim = thesis.claim("dow-record")
    assert claim.test == "record"
    result = evaluate_claim(claim, EvalContext(thesis=thesis, as_of=thesis.published))
    assert result.verdict is Verdict.INSUFFICIENT_DATA
    assert result.evidence.missing[0].fetch == ["us:DIA"]


def test_record_low(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    params = params_of(ctx.thesis, "dow-record")
    params.update(direction="low", record_date="2026-02-05", history_start="2026-01-01",
                  hold=False)
    a = run(ctx.thesis, "dow-record", params=params, hub=imported_hub)
    # 2026-02-05 closed at 488.91: not the lowest close of 2026 (a lower one came earlier)
    assert a.verdict is Verdict.CONTRADICTED
    assert fig(a, "margin") > 0 and fig(a, "prior_record") < 488.91
    assert not any(f.key.startswith("trade_") for f in a.evidence.figures)
