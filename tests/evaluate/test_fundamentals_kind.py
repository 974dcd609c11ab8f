"""The fundamentals kind on another subject: one company's SEC figures (Apple), pinned
verdicts and figures of docs/examples/company-fundamentals.yaml; aggregates across
companies; params refused in one line at validation time; the arithmetic in models."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from narrowgate.errors import ThesisError
from narrowgate.evaluate.kinds.fundamentals_params import FundamentalsParams
from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.verdict import Assessment, Verdict
from narrowgate.models.fundamentals import Period, growth_pct, period_readings
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

EXAMPLE = REPO_ROOT / "docs" / "examples" / "company-fundamentals.yaml"
AS_OF = date(2026, 11, 24)


def _figs(card: object, claim_id: str) -> dict[str, Any]:
    result = next(r for r in card.results if r.claim_id == claim_id)  # type: ignore[attr-defined]
    return {f.key: f.value for f in result.evidence.figures}


def test_company_fundamentals_verdicts_and_figures(imported_hub: object) -> None:
    require_shared("sec/companyfacts/CIK0000320193.json")
    card = evaluate_thesis(load_thesis(str(EXAMPLE)), AS_OF, offline=True, hub=imported_hub)
    assert {r.claim_id: r.verdict for r in card.results} == {
        "capex-intensity-up": Verdict.SUPPORTED,
        "buybacks-take-the-fcf": Verdict.MIXED,
        "revenue-compounds": Verdict.SUPPORTED,
        "dividend-bill": Verdict.SUPPORTED,
        "buybacks-make-the-rise": Verdict.CONTRADICTED,
        "fewer-shares-lift-the-price": Verdict.SUPPORTED,  # 17.6% (test_share_count_...)
        "buybacks-slow-down": Verdict.MIXED,
    }
    # FY2025 (10-K): capex 12.715 of operating cash flow 111.482 (USD bn)
    capex = _figs(card, "capex-intensity-up")
    assert (capex["AAPL_capex_FY2025"], capex["AAPL_operating_cash_flow_FY2025"]) == (
        12.715, 111.482)
    assert capex["measured"] == round(12.715 / 111.482 * 100, 1)
    # buybacks / (OCF − capex) each year; FY2023: 77.55 / (110.543 − 10.959) falls short
    fcf = _figs(card, "buybacks-take-the-fcf")
    assert fcf["AAPL_free_cash_flow_FY2023"] == pytest.approx(110.543 - 10.959, abs=0.001)
    assert fcf["reading_FY2023"] == round(77.55 / (110.543 - 10.959) * 100, 1)
    assert fcf["measured"] == "4 of 5 meet the threshold"
    # revenue FY2020 274.515 → FY2025 416.161: compound over five years
    revenue = _figs(card, "revenue-compounds")
    assert revenue["measured"] == round(((416.161 / 274.515) ** (1 / 5) - 1) * 100, 1)
    assert _figs(card, "dividend-bill")["measured"] == 15.4
    # FY2021–FY2025 buybacks over the rise of market value 2020-10-01 → 2025-09-30
    share = _figs(card, "buybacks-make-the-rise")
    assert share["AAPL_buybacks"] == 438.6
    assert share["measured"] == pytest.approx(
        438.6 / (share["AAPL_mcap_end"] - share["AAPL_mcap_start"]) * 100, abs=0.1)
    assert 1900 < share["AAPL_mcap_start"] < 2100 and 3600 < share["AAPL_mcap_end"] < 3900
    # quarters to 2025-09-27 and 2025-12-27 against a year before; AAPL led the Nasdaq
    quarters = _figs(card, "buybacks-slow-down")
    assert quarters["measured"] == round(
        ((20.132 + 24.701) / (25.083 + 23.606) - 1) * 100, 1)
    assert quarters["versus_end"] == "2026-06-30"  # the horizon ends the market window
    assert quarters["versus_excess"] == pytest.approx(
        quarters["versus_return"] - quarters["versus_benchmark_return"], abs=0.11)
    assert quarters["versus_excess"] > 0


def _run(hub: Any, params: dict[str, Any], claim_id: str = "capex-intensity-up",
         as_of: date = AS_OF) -> Assessment:
    thesis = load_thesis(str(EXAMPLE))
    claim = thesis.claim(claim_id)
    evaluator = get_evaluator("fundamentals")
    model = evaluator.params_model.model_validate(params)
    return evaluator.evaluate(claim, model, EvalContext(thesis=thesis, as_of=as_of, hub=hub))


def _params(claim_id: str) -> dict[str, Any]:
    return copy.deepcopy(load_thesis(str(EXAMPLE)).claim(claim_id).params)


THREE = [{"filings": "sec:AAPL"}, {"filings": "sec:NVDA"}, {"filings": "sec:GOOGL"}]


def test_aggregates_across_companies(imported_hub: object) -> None:
    require_shared("sec/companyfacts/CIK0001045810.json")
    params = {**_params("capex-intensity-up"), "companies": THREE, "end": "2026-02-06"}
    ratios = {"AAPL": 12.715 / 111.482, "NVDA": 6.04 / 102.72, "GOOGL": 91.45 / 164.71}
    each = _run(imported_hub, {**params, "aggregate": "each"})
    figs = {f.key: f.value for f in each.evidence.figures}
    assert figs["reading_GOOGL_FY2025"] == round(ratios["GOOGL"] * 100, 1)
    assert figs["measured"] == "2 of 3 meet the threshold"  # NVDA's ~5.9% falls short
    assert each.verdict is Verdict.MIXED
    median = _run(imported_hub, {**params, "aggregate": "median"})
    value = next(f.value for f in median.evidence.figures if f.key == "measured")
    assert value == pytest.approx(sorted(ratios.values())[1] * 100, abs=0.06)
    assert median.verdict is Verdict.SUPPORTED


def test_a_company_without_facts_is_named_missing(imported_hub: object) -> None:
    params = {**_params("dividend-bill"), "companies": [{"filings": "sec:AAPL"},
                                                        {"filings": "sec:ORCL"}]}
    strict = _run(imported_hub, params)
    assert strict.verdict is Verdict.INSUFFICIENT_DATA
    assert any("sec:ORCL" in m.what for m in strict.evidence.missing)
    lenient = _run(imported_hub, {**params, "require_all": False})
    assert lenient.verdict is Verdict.SUPPORTED


def test_before_the_horizon_it_is_pending_with_the_reading(imported_hub: object) -> None:
    result = _run(imported_hub, _params("buybacks-slow-down"), "buybacks-slow-down",
                  as_of=date(2026, 3, 1))
    assert result.verdict is Verdict.PENDING
    assert "So far" in result.summary.en


@pytest.mark.parametrize(("edit", "message"), [
    ({"measure": "median"}, "measure"),
    ({"denominator": None}, "a denominator is needed by measure 'ratio'"),
    ({"concept": "capx"}, "unknown concept 'capx'"),
    ({"expect": "near"}, "expect 'near' needs a tolerance"),
    ({"measure": "share-of-market-value-rise", "denominator": None},
     "needs start and end dates"),
])
def test_bad_params_are_one_line_at_validation(tmp_path: Path, edit: dict[str, Any],
                                               message: str) -> None:
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    claim = next(c for c in raw["claims"] if c["id"] == "capex-intensity-up")
    claim["params"] = {k: v for k, v in {**claim["params"], **edit}.items() if v is not None}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ThesisError) as caught:
        load_thesis(path)
    (line,) = caught.value.problems
    assert message in line and "\n" not in line


def test_readings_and_thresholds() -> None:
    ps = [Period(date(2023, 9, 30), "FY2023", 100.0, 200.0),
          Period(date(2024, 9, 30), "FY2024", 110.0, 200.0),
          Period(date(2025, 9, 30), "FY2025", 121.0, 220.0)]
    ((label, latest),) = period_readings("ratio", ps, "latest")
    assert label == "FY2025" and latest == pytest.approx(55.0)
    ((label, total),) = period_readings("ratio", ps, "total")
    assert label == "FY2023–FY2025" and total == pytest.approx(331 / 620 * 100)
    assert [round(v, 6) for _, v in period_readings("growth", ps, "each")] == [10.0, 10.0]
    assert period_readings("growth", ps, "total")[0][1] == pytest.approx(growth_pct(100, 121, 2))
    near = FundamentalsParams.model_validate({
        "measure": "value", "companies": [{"filings": "sec:AAPL"}], "concept": "buybacks",
        "expect": "near", "threshold": 50, "tolerance": 10, "mixed_band": 10})
    assert [near.reading(v) for v in (45, 61, 75)] == [
        Verdict.SUPPORTED, Verdict.MIXED, Verdict.CONTRADICTED]
    assert near.lines() == [30, 40, 60, 70]
