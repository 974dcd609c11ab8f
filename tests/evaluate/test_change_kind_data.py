"""The generic `change` kind on real FRED data (ai-jobs-deflation of the bundled thesis),
and the qualitative kind's correlation context (ai-is-dollar)."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.conftest import require_shared
from tests.evaluate.conftest import fig, params_of, run

FRED = "fred/series_macro_charts/"


@pytest.fixture(autouse=True)
def _files() -> None:
    for series in ("UNRATE", "ICSA", "CPILFESL", "PCEPILFE", "DTWEXBGS"):
        require_shared(f"{FRED}{series}.csv")


def test_jobs_and_deflation_is_pending_with_the_interim_reading(
        thesis: Thesis, imported_hub: object) -> None:
    got = run(thesis, "ai-jobs-deflation", hub=imported_hub)
    assert got.verdict is Verdict.PENDING
    assert "So far: contradicted" in got.summary.en and "被否定" in got.summary.zh
    # the reading: mean of the last three monthly unemployment rates, Apr–Jun 2026
    assert fig(got, "fred_unrate_reading") == round((4.3 + 4.3 + 4.2) / 3, 3)
    # four-week average of initial claims, weeks to 2026-07-25
    assert fig(got, "fred_icsa_reading") == (217000 + 209000 + 188000 + 197000) / 4
    # core CPI y/y in June 2026
    assert fig(got, "fred_cpilfesl_reading") == round((336.065 / 327.658 - 1) * 100, 3)
    assert fig(got, "indicators_past_threshold") == 0
    used = {d.instrument for d in got.evidence.data}
    assert used == {"fred:UNRATE", "fred:ICSA", "fred:CPILFESL", "fred:PCEPILFE"}
    assert all(d.end is not None for d in got.evidence.data)
    assert len(got.evidence.charts) == 4


def test_past_the_horizon_with_data_short_of_it_it_stays_pending(
        thesis: Thesis, imported_hub: object) -> None:
    got = run(thesis, "ai-jobs-deflation", as_of=date(2027, 6, 1), hub=imported_hub)
    assert got.verdict is Verdict.PENDING and "has passed" in got.summary.en


def test_a_horizon_the_data_reach_gives_the_final_reading(
        thesis: Thesis, imported_hub: object) -> None:
    params = params_of(thesis, "ai-jobs-deflation")
    params["end"] = "2026-04-30"
    got = run(thesis, "ai-jobs-deflation", params=params, hub=imported_hub)
    assert got.verdict is Verdict.CONTRADICTED


def test_dollar_context_is_shown_and_never_decides(
        thesis: Thesis, imported_hub: object) -> None:
    got = run(thesis, "ai-is-dollar", hub=imported_hub)
    assert got.verdict is Verdict.QUALITATIVE
    assert "fred:DTWEXBGS" in {d.instrument for d in got.evidence.data}
    for group in ("group1", "group2"):
        value = fig(got, f"{group}_full_period_correlation")
        assert -1 <= value <= 1
    assert "broad dollar index" in got.summary.en and "美元广义指数" in got.summary.zh
    assert len(got.evidence.charts) == 1


def test_bad_change_params_are_rejected(thesis: Thesis) -> None:
    from pydantic import ValidationError

    from narrowgate.evaluate.registry import get_evaluator

    params = params_of(thesis, "ai-jobs-deflation")
    params["contradicted_max"] = 3
    with pytest.raises(ValidationError, match="contradicted_max must be below"):
        get_evaluator("change").params_model.model_validate(params)
    params = params_of(thesis, "ai-jobs-deflation")
    params["indicators"][0]["threshold"] = -1
    with pytest.raises(ValidationError):
        get_evaluator("change").params_model.model_validate(params)
