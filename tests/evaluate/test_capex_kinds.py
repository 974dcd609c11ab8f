"""The guidance and capex-chain kinds on another subject than the bundled thesis: the
docs/examples/capex-cycle.yaml claims on the recorded data (offline), and bad params."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.capex_chain import CapexChainParams, chain_verdict
from narrowgate.evaluate.kinds.guidance import GuidanceParams, scenario_sum
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

EXAMPLE = REPO_ROOT / "docs" / "examples" / "capex-cycle.yaml"
AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def card(imported_store_path: Path) -> Any:
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    require_shared("sec/companyfacts/CIK0001045810.json")
    hub = DataHub(Store(imported_store_path), offline=True)
    return evaluate_thesis(load_thesis(str(EXAMPLE)), AS_OF, offline=True, hub=hub)


def _result(card: Any, claim_id: str) -> Any:
    return next(r for r in card.results if r.claim_id == claim_id)


def _figs(card: Any, claim_id: str) -> dict[str, Any]:
    return {f.key: f.value for f in _result(card, claim_id).evidence.figures}


def _params(claim_id: str) -> dict[str, Any]:
    return copy.deepcopy(load_thesis(str(EXAMPLE)).claim(claim_id).params)


def test_verdicts(card: Any) -> None:
    verdicts = {r.claim_id: r.verdict for r in card.results}
    assert verdicts == {"ad-giants-capex": Verdict.SUPPORTED,
                        "meta-expenses": Verdict.MIXED,
                        "chip-and-device-capex-chain": Verdict.MIXED}
    assert all(r.error is None for r in card.results)


def test_guidance_sum_of_two_companies(card: Any) -> None:
    figs = _figs(card, "ad-giants-capex")
    # Feb: 175+115 = 290, 185+135 = 320; April: 180+125 = 305, 190+145 = 335
    assert (figs["sum_low"], figs["sum_mid"], figs["sum_high"]) == (290, 305, 320)
    assert figs["deviation_pct"] == pytest.approx(1.7)  # (305-300)/300
    assert figs["revised_sum_mid"] == 320 and figs["revised_sum_range"] == "305.0–335.0"
    assert figs["revised_deviation_pct"] == pytest.approx(6.7)
    assert figs["claimed_company_matches"] == "1/1"  # only Alphabet's figure is claimed
    assert figs["growth_all_pct"] == round((305 / (91.447 + 72.215) - 1) * 100, 1)
    assert figs["growth_alphabet"] == pytest.approx(96.8)
    assert figs["growth_meta"] == pytest.approx(73.1)
    summary = _result(card, "ad-giants-capex").summary
    assert "2026 capex" in summary.en and "2026年资本开支" in summary.zh


def test_guidance_on_another_metric_without_revision_or_prior(card: Any) -> None:
    """Meta's total-expense guide: one company, no revision, no prior year, no claimed
    company figure: those figures are absent, never zero or 0/0."""
    figs = _figs(card, "meta-expenses")
    assert figs["sum_mid"] == 165.5
    assert figs["deviation_pct"] == pytest.approx(10.3)  # within 25% → mixed
    assert not {"revised_sum_mid", "claimed_company_matches", "growth_all_pct"} & set(figs)
    summary = _result(card, "meta-expenses").summary
    assert "total expenses" in summary.en and "总费用" in summary.zh
    assert "0/0" not in summary.en


def test_capex_chain_on_sec_companies(card: Any) -> None:
    """NVDA: capex outgrows D&A but FCF/NI barely moves; AAPL: no lag; GOOGL: both."""
    figs = _figs(card, "chip-and-device-capex-chain")
    assert figs["lag_and_squeeze"] == "1 of 3"
    assert figs["NVDA_capex_2026"] == pytest.approx(6.042)
    assert figs["NVDA_growth_gap"] == pytest.approx(33.0)
    assert figs["NVDA_fcf_conversion_change"] == pytest.approx(-0.029)
    assert figs["AAPL_capex_2025"] == pytest.approx(12.715)
    assert figs["AAPL_growth_gap"] == pytest.approx(2.6)
    assert figs["GOOGL_growth_gap"] == pytest.approx(19.0)
    assert figs["NVDA_oos_worst_1y"] <= 10.0 and figs["AAPL_oos_worst_1y"] <= 20.0
    # the scenarios come from the guidance claim: only GOOGL is in both, so only it projects
    assert figs["GOOGL_guide-mid_fcf_2026"] == pytest.approx(164.713 * 1.08 - 180, abs=0.01)
    assert figs["GOOGL_revised-mid_fcf_2026"] == pytest.approx(164.713 * 1.08 - 185, abs=0.01)
    assert not any(k.startswith(("NVDA_guide", "AAPL_guide")) for k in figs)
    assert figs["life_sec:GOOGL"] == 6.0 and "life_sec:NVDA" not in figs
    result = _result(card, "chip-and-device-capex-chain")
    assert "chip, device and platform companies" in result.summary.en
    data = result.evidence.data
    assert {d.instrument for d in data if not d.fallback} == {"sec:NVDA", "sec:AAPL", "sec:GOOGL"}
    assert not any(d.source.startswith("fallback") for d in data)  # all read from SEC facts


def test_chain_verdict_thresholds_come_from_params() -> None:
    params = CapexChainParams.model_validate(_params("chip-and-device-capex-chain"))
    both = {"lag": True, "squeeze": True, "buybacks": True}
    flags = {"A": both, "B": both}
    assert chain_verdict(flags, [True], params) is Verdict.MIXED  # 2 < 3 for support
    looser = params.model_copy(update={"min_measured_for_support": 2})
    assert chain_verdict(flags, [True], looser) is Verdict.SUPPORTED
    stricter = params.model_copy(update={"min_measured": 3, "min_measured_for_support": 3})
    assert chain_verdict(flags, [True], stricter) is Verdict.INSUFFICIENT_DATA


def test_guidance_sums_by_hand() -> None:
    params = GuidanceParams.model_validate(_params("ad-giants-capex"))
    assert scenario_sum(params, revised=False) == (290, 305, 320)
    assert scenario_sum(params, revised=True) == (305, 320, 335)


@pytest.mark.parametrize(("claim_id", "path", "value", "expected"), [
    ("ad-giants-capex", ("companies", 0, "guidance", "low"), 200, "runs low to high"),
    ("ad-giants-capex", ("companies", 0, "claimed_low"), None, "claimed_high needs"),
    ("ad-giants-capex", ("companies", 1, "prior_basis"), None, "needs prior_basis"),
    ("ad-giants-capex", ("mixed_within_pct",), 1, "mixed_within_pct must be at least"),
    ("chip-and-device-capex-chain", ("default_guidance_year",), None,
     "scenario_claim needs default_guidance_year"),
    ("chip-and-device-capex-chain", ("companies", 0, "server_useful_life_years"), 5,
     "go together"),
    ("chip-and-device-capex-chain", ("min_measured",), 4, "min_measured_for_support must"),
])
def test_bad_params_say_why(claim_id: str, path: tuple[Any, ...], value: Any,
                            expected: str) -> None:
    params = _params(claim_id)
    node: Any = params
    for part in path[:-1]:
        node = node[part]
    if value is None:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    model = GuidanceParams if claim_id == "ad-giants-capex" else CapexChainParams
    with pytest.raises(ValidationError) as err:
        model.model_validate(params)
    assert expected in str(err.value)


def test_scenario_claim_must_be_a_guidance_claim(imported_store_path: Path) -> None:
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.errors import NarrowgateError
    from narrowgate.evaluate.kinds.capex_chain import scenarios_by_ticker
    from narrowgate.evaluate.registry import EvalContext

    thesis = load_thesis(str(EXAMPLE))
    params = CapexChainParams.model_validate(
        {**_params("chip-and-device-capex-chain"), "scenario_claim": "chip-and-device-capex-chain"})
    ctx = EvalContext(thesis=thesis, as_of=AS_OF,
                      hub=DataHub(Store(imported_store_path), offline=True))
    with pytest.raises(NarrowgateError, match="not a guidance claim"):
        scenarios_by_ticker(params, ctx)
    missing = params.model_copy(update={"scenario_claim": "no-such-claim"})
    with pytest.raises(NarrowgateError, match="is no claim of thesis capex-cycle"):
        scenarios_by_ticker(missing, ctx)
