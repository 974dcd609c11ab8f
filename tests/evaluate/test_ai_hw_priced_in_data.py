"""ai-hw-priced-in (the valuation kind, one group against a year) decided on the store's
closes and the bundled, sourced valuation figures."""

from __future__ import annotations

from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.conftest import eval_context
from tests.evaluate.conftest import fig, params_of, run


def _ratio_on_last_common_date(hub: Any, instrument: str) -> float:
    """ljinkai (unadjusted) close over the forward-adjusted quant_weight close, 2026-01-08."""
    raw = hub.bars(instrument, source="2025_2026_ljinkai", adjust="raw").frame["close"]
    adj = hub.bars(instrument, source="a_shares_quant_weight_system", adjust="raw").frame["close"]
    return float(raw.loc["2026-01-08"] / adj.loc["2026-01-08"])


def test_priced_in_years_at_the_price_date(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("ai-hw-priced-in"), ctx)
    assert result.error is None
    # was SUPPORTED on the consensus (base) path alone (issue #13): the claim speaks of the
    # best-case ("理想") profits, so the best path decides now — 300308's best path (the
    # highest institution, 377.60亿 in 2026) prices the value in by 2026, before 2027 — and
    # 300308/300502 rose 60.4% / 54.1% since the price date, more than the 20% "limited
    # upside" the params allow: MIXED on every path
    assert result.verdict is Verdict.MIXED
    f: dict[str, Any] = {x.key: x.value for x in result.evidence.figures}
    # 300308: 539.01 (2026-02-06, quant_weight) rescaled to the unadjusted basis × 11.11亿
    value = 539.01 * _ratio_on_last_common_date(imported_hub, "cn:300308") * 11.11
    assert f["value_cn:300308"] == pytest.approx(value, abs=0.05)
    # by hand: 2028 justifies 245.25×1.15 ×25/1.1² = 5,828 < value; 2029 245.25×1.15² ×25/1.1³
    assert 245.25 * 1.15 * 25 / 1.1**2 < value <= 245.25 * 1.15**2 * 25 / 1.1**3
    assert f["priced_in_cn:300308"] == 2029
    assert (f["priced_in_cn:300308_at_20x"], f["priced_in_cn:300308_at_30x"]) == (2034, 2027)
    assert f["forward_pe_cn:300308_2026"] == pytest.approx(value / 187.62, abs=0.05)
    assert f["implied_growth_cn:300308"] == 56.3 and f["path_growth_cn:300308"] == 50.7
    # 300394: no store close on the price date → the recorded 188.73 of 2026-01-21 × 7.77亿
    assert f["value_cn:300394"] == pytest.approx(188.73 * 7.77, abs=0.05)
    assert (f["priced_in_cn:300394"], f["priced_in_cn:300394_at_30x"]) == (2037, 2033)
    # 300502: the bonus-adjusted close (259.33) goes back to the pre-bonus basis of 9.94亿
    ratio = _ratio_on_last_common_date(imported_hub, "cn:300502")
    assert ratio == pytest.approx(1.403, abs=0.001)
    assert f["value_cn:300502"] == pytest.approx(259.33 * ratio * 9.94, abs=0.05)
    assert str(f["priced_in_cn:300502"]).startswith("not computable")
    # 3,617.6亿 × 1.1 / 25 = 159.2亿 in 2027 from 96.5亿 in 2025: 28.4 %/yr
    assert f["implied_growth_cn:300502"] == pytest.approx(
        ((f["value_cn:300502"] * 1.1 / 25 / 96.5) ** 0.5 - 1) * 100, abs=0.05)
    # on the deciding best path only 300394 (its base path standing in) backs 2027+; the
    # base path alone had 2 of 2
    assert f["names_backing"] == 1 and f["names_with_forecast"] == 2
    assert result.evidence.missing[0].what.startswith("cn:300502 consensus")
    used = {(d.instrument, d.source) for d in result.evidence.data}
    assert ("cn:300502", "import: a_shares_quant_weight_system") in used
    assert any("ratio 1.403" in n.en for n in result.evidence.notes)
    # the two justified-value charts, then the sensitivity grid's (x: the 20x multiple)
    assert [c.series[0].x[0] for c in result.evidence.charts] == [2026, 2026, 20.0]


def test_thresholds_come_from_the_params(imported_hub: Any, thesis: Thesis) -> None:
    params = params_of(thesis, "ai-hw-priced-in")
    params["threshold"] = 2030  # 300308 (2029) no longer backs it
    assert run(thesis, "ai-hw-priced-in", params=params, hub=imported_hub).verdict is Verdict.MIXED
    params["threshold"] = 2035
    params["fair_pe_x"] = 30  # 300308 → 2027, 300394 → 2033: neither reaches 2035
    a = run(thesis, "ai-hw-priced-in", params=params, hub=imported_hub)
    assert a.verdict is Verdict.CONTRADICTED and fig(a, "priced_in_cn:300394") == 2033


def test_without_a_hub_it_names_the_data_it_needs(thesis: Thesis) -> None:
    a = run(thesis, "ai-hw-priced-in")
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert {m.what.split(" ")[0] for m in a.evidence.missing} >= {"cn:300308", "cn:300502"}
