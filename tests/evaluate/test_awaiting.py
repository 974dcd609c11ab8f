"""Claims whose deciding model or data are not in yet: honest 'insufficient data'."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from narrowgate.evaluate.registry import EvalContext, evaluator_names, get_evaluator
from narrowgate.evaluate.runner import evaluate_thesis, planned_data_needs
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import AS_OF, run

# Without a data hub these claims must name every instrument they would read.
AWAITING = {
    "warsh-policy": "data hub",
}


@pytest.mark.parametrize("claim_id", sorted(AWAITING))
def test_names_every_missing_instrument_and_capability(thesis: Thesis, claim_id: str) -> None:
    claim = thesis.claim(claim_id)
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    needs = evaluator.data_needs(params, EvalContext(thesis=thesis, as_of=AS_OF))
    assert needs, "a test that waits for data must declare it"
    a = run(thesis, claim_id)
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    whats = [m.what for m in a.evidence.missing]
    for need in needs:
        assert any(w.startswith(need.instrument + " ") for w in whats), need.instrument
        entry = next(m for m in a.evidence.missing if m.what.startswith(need.instrument + " "))
        assert entry.fetch == [need.instrument] and entry.how
        assert entry.dates and entry.dates.endswith((need.end or AS_OF).isoformat())
    assert AWAITING[claim_id] in a.summary.en
    assert a.summary.zh and a.evidence.figures and a.evidence.notes


def test_a_generic_kind_without_a_store_names_what_to_fetch(thesis: Thesis) -> None:
    from narrowgate.evaluate.runner import evaluate_claim

    result = evaluate_claim(thesis.claim("hstech-liquidity"),
                            EvalContext(thesis=thesis, as_of=AS_OF))
    assert result.verdict is Verdict.INSUFFICIENT_DATA and result.error is None
    assert "hkidx:HSTECH" in {i for m in result.evidence.missing for i in m.fetch}


def test_horizon_state_is_noted(thesis: Thesis) -> None:
    a = run(thesis, "warsh-policy", as_of=date(2026, 11, 24))
    assert any("is not reached yet" in n.en for n in a.evidence.notes)
    a = run(thesis, "warsh-policy", as_of=date(2027, 1, 5))
    assert any("has passed" in n.en for n in a.evidence.notes)


def test_whole_thesis_runs_without_errors(thesis: Thesis) -> None:
    card = evaluate_thesis(thesis, AS_OF)
    assert not [r.claim_id for r in card.results if r.error]
    verdicts = {r.claim_id: r.verdict for r in card.results}
    assert verdicts["capex-total"] is Verdict.MIXED
    assert verdicts["oracle-funding"] is Verdict.SUPPORTED
    assert verdicts["margin-hikes"] is Verdict.MIXED
    assert verdicts["gold-ai-twins"] is verdicts["saas-pricing"] is Verdict.QUALITATIVE
    for result in card.results:
        assert result.summary.zh.strip() and result.summary.en.strip()
    needs = planned_data_needs(thesis, EvalContext(thesis=thesis, as_of=AS_OF))
    assert {"crypto:BTC-USD", "fred:WALCL", "us:IGV", "cnidx:000300"} <= {n.instrument
                                                                        for _, n in needs}


# Generic tests offered to any thesis; the bundled thesis may use them or not.
GENERIC_TESTS = {"qualitative", "relative-return", "change", "record", "level"}


def test_every_evaluator_is_used_by_the_bundled_thesis(thesis: Thesis) -> None:
    used = {c.test for c in thesis.claims}
    assert set(evaluator_names()) - GENERIC_TESTS == used - GENERIC_TESTS


def test_registry_import_stays_light() -> None:
    code = ("import sys; from narrowgate.evaluate.registry import evaluator_names; "
            "evaluator_names(); print('pandas' in sys.modules or 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_bare_data_not_found_is_insufficient_data_not_a_crash(thesis: Thesis) -> None:
    """A DataNotFound with neither a hint nor instruments to fetch (e.g. facts filed only
    after as-of) must still become an honest 'insufficient data' result."""
    from narrowgate.errors import DataNotFound
    from narrowgate.evaluate.runner import evaluate_claim

    class Bare:
        params_model = get_evaluator("qualitative").params_model

        def evaluate(self, *args: object) -> None:
            raise DataNotFound("sec:XYZ: no facts filed on or before 2026-01-01")

    import narrowgate.evaluate.runner as runner

    claim = thesis.claim("saas-pricing")
    original = runner.get_evaluator
    runner.get_evaluator = lambda _name: Bare()  # type: ignore[assignment,return-value]
    try:
        result = evaluate_claim(claim, EvalContext(thesis=thesis, as_of=AS_OF))
    finally:
        runner.get_evaluator = original
    assert result.verdict is Verdict.INSUFFICIENT_DATA and result.error is None
    assert result.evidence.missing[0].how
