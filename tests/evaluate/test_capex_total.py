"""The bundled capex-total claim on the guidance kind: hand-checkable sums of the recorded
guidance."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.kinds.guidance import GuidanceParams, scenario_sum
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import fig, params_of, run


def test_sums_by_hand(thesis: Thesis) -> None:
    params = GuidanceParams.model_validate(thesis.claim("capex-total").params)
    # Feb: 175+115+200+105 = 595; 185+135+200+105 = 625
    assert scenario_sum(params, revised=False) == (595, 610, 625)
    # Apr: 180+125+200+190 = 695; 190+145+200+190 = 725
    assert scenario_sum(params, revised=True) == (695, 710, 725)


def test_verdict_and_figures(thesis: Thesis) -> None:
    a = run(thesis, "capex-total")
    assert a.verdict is Verdict.MIXED  # -9% from 670, and Microsoft is an estimate
    assert fig(a, "sum_mid") == 610
    assert fig(a, "deviation_pct") == pytest.approx(-9.0)  # (610-670)/670
    assert fig(a, "revised_deviation_pct") == pytest.approx(6.0)  # (710-670)/670
    assert fig(a, "claimed_company_matches") == "3/3"
    assert fig(a, "growth_alphabet") == pytest.approx(96.8)  # 180/91.447-1
    assert fig(a, "growth_meta") == pytest.approx(73.1)  # 125/72.215-1
    assert fig(a, "growth_amazon") == pytest.approx(51.7)  # 200/131.819-1
    assert a.evidence.charts and a.evidence.charts[0].series[0].kind == "bar"
    assert all(d.fallback for d in a.evidence.data)
    assert any("UNVERIFIED" in (d.note or "") for d in a.evidence.data)
    assert "670" in a.summary.en and "670" in a.summary.zh


def test_thresholds_move_the_verdict(thesis: Thesis) -> None:
    p = params_of(thesis, "capex-total")
    p["claimed_total"] = 612
    p["companies"][3]["guidance"]["estimate"] = False
    assert run(thesis, "capex-total", params=p).verdict is Verdict.SUPPORTED
    p["claimed_total"] = 2000
    p["companies"][0]["claimed_low"] = 50
    assert run(thesis, "capex-total", params=p).verdict is Verdict.CONTRADICTED


def test_estimate_blocks_support(thesis: Thesis) -> None:
    p = params_of(thesis, "capex-total")
    p["claimed_total"] = 612
    assert run(thesis, "capex-total", params=p).verdict is Verdict.MIXED
