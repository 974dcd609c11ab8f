"""margin-hikes (the event-study kind): margin → maximum leverage, and the count of changes."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.kinds.event_study import EventStudyParams, steps
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import fig, params_of, run


def test_leverage_arithmetic(thesis: Thesis) -> None:
    params = EventStudyParams.model_validate(thesis.claim("margin-hikes").params)
    assert params.derive(15) == pytest.approx(6.6667, abs=1e-4)
    assert params.derive(18) == pytest.approx(5.5556, abs=1e-4)
    assert params.derive(9) == pytest.approx(11.111, abs=1e-3)
    bad = params_of(thesis, "margin-hikes")
    bad["events"][5]["before"] = 0  # a zero margin has no leverage
    with pytest.raises(ValueError, match="inverse_pct needs positive"):
        EventStudyParams.model_validate(bad)


def test_bundled_log(thesis: Thesis) -> None:
    a = run(thesis, "margin-hikes")
    assert fig(a, "leverage_before") == 6.67
    assert fig(a, "leverage_after") == 5.56
    assert fig(a, "leverage_cut_pct") == pytest.approx(-16.7)
    assert fig(a, "logged_changes") == 12
    assert fig(a, "claimed_changes") == 38
    assert fig(a, "headline_logged") == "yes"
    assert a.verdict is Verdict.MIXED  # headline sourced, count of 38 not confirmed
    assert any("UNVERIFIED" in n.en for n in a.evidence.notes)
    # no hub in this run: the event study names the silver prices it needs
    assert any(m.what.startswith("lbma:SILVER ") and "lbma:SILVER" in m.fetch
               for m in a.evidence.missing)
    cme = next(s for s in a.evidence.charts[0].series if s.name == "CME silver")
    assert cme.y[-2:] == [6.67, 5.56]


def test_steps_are_in_date_order(thesis: Thesis) -> None:
    params = EventStudyParams.model_validate(thesis.claim("margin-hikes").params)
    dates = [event.effective for event, _, _ in steps(params)]
    assert dates == sorted(dates)


def test_full_count_supports(thesis: Thesis) -> None:
    p = params_of(thesis, "margin-hikes")
    p["claimed_count"] = 12
    assert run(thesis, "margin-hikes", params=p).verdict is Verdict.SUPPORTED


def test_missing_headline_is_insufficient(thesis: Thesis) -> None:
    p = params_of(thesis, "margin-hikes")
    p["headline"]["after"] = 20
    a = run(thesis, "margin-hikes", params=p)
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert any("15→20" in m.what for m in a.evidence.missing)
