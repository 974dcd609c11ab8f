"""Helpers for evaluator tests: the bundled thesis, a context at a date, params edits."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.verdict import Assessment
from narrowgate.thesis.loader import load_thesis
from narrowgate.thesis.schema import Thesis

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="session")
def thesis() -> Thesis:
    return load_thesis("ai-narrow-gate")


def params_of(thesis: Thesis, claim_id: str) -> dict[str, Any]:
    """A deep copy of a claim's raw params, safe to edit in a test."""
    return copy.deepcopy(thesis.claim(claim_id).params)


def run(
    thesis: Thesis, claim_id: str, as_of: date = AS_OF, params: dict[str, Any] | None = None,
    hub: Any = None,
) -> Assessment:
    """Evaluate one claim of the bundled thesis, optionally with edited params."""
    claim = thesis.claim(claim_id)
    evaluator = get_evaluator(claim.test)
    model = evaluator.params_model.model_validate(params if params is not None else claim.params)
    return evaluator.evaluate(claim, model, EvalContext(thesis=thesis, as_of=as_of, hub=hub))


def fig(assessment: Assessment, key: str) -> Any:
    """The value of one figure, by key."""
    for f in assessment.evidence.figures:
        if f.key == key:
            return f.value
    raise KeyError(key)
