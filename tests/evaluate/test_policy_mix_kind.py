"""policy-mix on another subject: docs/examples/fed-and-duration.yaml (the 2022–23
tightening) decided on the recorded FRED FEDFUNDS and WALCL, with TLT/QQQ/SPY regime
history; and the params' one-line errors."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.policy_mix import PolicyMixParams
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import ClaimResult, Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

EXAMPLE = REPO_ROOT / "docs" / "examples" / "fed-and-duration.yaml"
AS_OF = date(2026, 11, 24)


def _card(hub: object) -> Scorecard:
    require_shared("fred/series_macro_charts/WALCL.csv")
    return evaluate_thesis(load_thesis(str(EXAMPLE)), AS_OF, offline=True, hub=hub)


def _result(card: Scorecard, claim_id: str) -> ClaimResult:
    return next(r for r in card.results if r.claim_id == claim_id)


def test_hikes_with_runoff_is_supported(imported_hub: object) -> None:
    result = _result(_card(imported_hub), "hikes-with-runoff")
    assert result.error is None
    assert result.verdict is Verdict.SUPPORTED
    figures = {f.key: f.value for f in result.evidence.figures}
    # FEDFUNDS.csv 2022-05-01 0.77 → 2022-12-01 4.10 (the horizon 2022-12-31 ends the window)
    assert figures["rate_change"] == pytest.approx(3.33, abs=1e-9)
    assert figures["rate_path"] == "0.77 (2022-05-01) → 4.10 (2022-12-01)"
    # WALCL.csv 2022-04-27 8,939,199 → 2022-12-28 8,551,169 (USD millions)
    assert figures["assets_change"] == round((8_551_169 / 8_939_199 - 1) * 100, 2) == -4.34
    assert figures["assets_path"] == "8,939 (2022-04-27) → 8,551 (2022-12-28)"
    assert figures["interim_verdict"] == "supported"
    assert figures["baseline"] == "2022-05-02"
    # history by WALCL regime (13-week change), 2008 → 2022-12-31
    for regime in ("shrinking", "growing"):
        assert figures[f"long_minus_short_{regime}"] == pytest.approx(
            figures[f"us:TLT_{regime}"] - figures[f"us:SPY_{regime}"], abs=0.11)
        assert isinstance(figures[f"us:QQQ_{regime}"], float)
        assert figures[f"regime_days_{regime}"] > 250
    used = {d.instrument for d in result.evidence.data}
    assert {"fred:FEDFUNDS", "fred:WALCL", "us:TLT", "us:QQQ", "us:SPY"} <= used
    assert not result.evidence.missing  # the window ended in 2022: no gap to as-of
    rate, assets = result.evidence.watch
    assert (rate.threshold, rate.flips_to) == (2, Verdict.MIXED)
    assert (assets.threshold, assets.flips_to) == (0, Verdict.MIXED)
    assert "effective fed funds rate +3.33 percentage points" in result.summary.en
    assert "Fed total assets -4.34% from 2022-04-27 to 2022-12-28" in result.summary.en
    assert "Warsh" not in result.summary.en and "Nasdaq" not in result.summary.en


def test_deep_runoff_is_mixed(imported_hub: object) -> None:
    result = _result(_card(imported_hub), "deep-runoff-by-mid-2023")
    assert result.verdict is Verdict.MIXED
    figures = {f.key: f.value for f in result.evidence.figures}
    # FEDFUNDS 0.77 → 2023-06-01 5.08: +4.31 ≥ 4 (as expected)
    assert figures["rate_change"] == pytest.approx(4.31, abs=1e-9)
    # WALCL 8,939,199 → 2023-06-28 8,340,914: −6.69%, not the −10% expected
    assert figures["assets_change"] == round((8_340_914 / 8_939_199 - 1) * 100, 2)
    assert figures["assets_threshold"] == -10
    assert not any(k.startswith("long_minus_short") for k in figures)  # no regime block
    assert [c.title.en for c in result.evidence.charts] == [
        "effective fed funds rate, Fed total assets"]


def test_before_the_horizon_the_reading_is_pending(imported_hub: object) -> None:
    require_shared("fred/series_macro_charts/WALCL.csv")
    card = evaluate_thesis(load_thesis(str(EXAMPLE)), date(2022, 10, 3), offline=True,
                           hub=imported_hub)
    result = _result(card, "hikes-with-runoff")
    assert result.verdict is Verdict.PENDING
    assert "So far: supported" in result.summary.en


BASE = {"series": [{"key": "rate", "instrument": "fred:FEDFUNDS",
                    "label": {"zh": "利率", "en": "rate"}, "measure": "points",
                    "at_most": -0.25, "unit": "%"}]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"series": [{**BASE["series"][0], "at_least": 1}]}, "exactly one of at_most"),
        ({"series": [{**BASE["series"][0], "at_most": None}]}, "exactly one of at_most"),
        ({"series": [BASE["series"][0], BASE["series"][0]]}, "keys must differ"),
        ({"series": [{**BASE["series"][0], "measure": "bp"}]}, "points"),
        ({"baseline": "2026-02-06", "end": "2026-01-01"}, "end must come after"),
        ({"regime": {"series": "fred:WALCL", "label": {"zh": "a", "en": "a"},
                     "start": "2008-01-02", "long": ["us:QQQ"], "short": "us:QQQ"}},
         "both a long and the short"),
        ({"duration": {"long": "us:QQQ", "short": "us:DIA", "dividend_growth": {},
                       "raw_source": "a", "adjusted_source": "b",
                       "yield_series": "fred:DGS10"}}, "dividend_growth needs"),
        ({"tresholds": 1}, "Extra inputs"),
    ],
)
def test_bad_params_fail_in_one_line(change: dict[str, object], message: str) -> None:
    PolicyMixParams.model_validate(BASE)
    with pytest.raises(ValidationError, match=message):
        PolicyMixParams.model_validate({**BASE, **change})
