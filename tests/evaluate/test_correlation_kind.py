"""The generic correlation kind: a driver whose level crosses zero never decides in
percent changes, and params that cannot describe the test are rejected up front."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.correlation import CorrelationParams
from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

RATES = REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml"
BASE = {"target": "lbma:GOLD", "drivers": ["fred:DFII10"], "history_start": "2016-01-04",
        "supported_min": 1}


def test_percent_changes_of_a_level_below_zero_never_decide(imported_hub: object) -> None:
    require_shared("fred/series_macro_charts/DFII10.csv")
    thesis = load_thesis(str(RATES))
    claim = thesis.claim("gold-moves-with-real-yields")
    evaluator = get_evaluator("correlation")
    params = evaluator.params_model.model_validate({**claim.params, "changes_in_points": []})
    result = evaluator.evaluate(claim, params, EvalContext(
        thesis=thesis, as_of=date(2026, 11, 24), hub=imported_hub))
    assert result.verdict is Verdict.INSUFFICIENT_DATA  # DFII10 was negative in 2020–21
    assert any("at or below zero" in m.what and m.how == "list it under changes_in_points"
               for m in result.evidence.missing)
    assert result.summary.en.startswith("No driver could be measured")


@pytest.mark.parametrize(("edit", "message"), [
    ({"supported_min": 2}, "exceeds the number of drivers"),
    ({"contradicted_max": 1}, "must be below supported_min"),
    ({"changes_in_points": ["fred:DGS10"]}, "not among the drivers"),
    ({"sign": "down"}, "positive"),
    ({"min_abs_correlation": 0}, "greater than 0"),
])
def test_params_that_cannot_describe_the_test_are_rejected(edit: dict[str, Any],
                                                           message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CorrelationParams.model_validate({**BASE, **edit})
