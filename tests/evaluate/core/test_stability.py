"""Stability of a verdict over a band of thresholds: hand-checked shares, the recorder, and
the bundled scorecard's readings on the recorded data."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.evaluate.core.stability import (
    Decision,
    claim_stability,
    kept_share,
    recording,
)
from narrowgate.evaluate.core.thresholds import banded, within
from narrowgate.evaluate.verdict import Verdict


def test_a_reading_far_past_its_line_keeps_its_verdict_everywhere() -> None:
    # lines 10 and 0 (scale 10, band ±2): a reading of 20 stays supported throughout
    d = Decision("banded", 20.0, 10.0, 0.0, True, True, Verdict.SUPPORTED)
    assert kept_share(d) == 1.0


def test_a_reading_on_its_line_keeps_it_for_half_the_band() -> None:
    # reading exactly on the supported line 10: lines moved down keep it (inclusive, 11 of
    # 21 steps: shifts −2 … 0), moved up lose it
    d = Decision("banded", 10.0, 10.0, 0.0, True, True, Verdict.SUPPORTED)
    assert kept_share(d) == pytest.approx(11 / 21)


def test_within_distance_band() -> None:
    # supported within 5, mixed within 25 (scale 20, band ±4): a distance of 3 is
    # supported while the supported distance stays ≥ 3: shifts −2 … +4 of −4 … +4
    d = Decision("within", 3.0, 5.0, 25.0, False, True, Verdict.SUPPORTED)
    assert kept_share(d) == pytest.approx(16 / 21)


def test_the_recorder_collects_the_rules_decisions_and_takes_the_weakest() -> None:
    with recording() as decisions:
        banded(20.0, supported=10.0, contradicted=0.0)
        within(3.0, supported_within=5.0, mixed_within=25.0)
    assert [d.rule for d in decisions] == ["banded", "within"]
    assert claim_stability(decisions) == round(100 * 16 / 21, 1)
    assert claim_stability([]) is None
    banded(1.0, supported=0.0, contradicted=-1.0)  # outside a recording: not kept
    assert len(decisions) == 2


def test_bundled_scorecard_stability(imported_hub: object) -> None:
    from narrowgate.evaluate.runner import evaluate_thesis
    from narrowgate.thesis.loader import load_thesis

    card = evaluate_thesis(load_thesis(None), date(2026, 11, 24), offline=True,
                           hub=imported_hub)
    stability = {r.claim_id: r.stability for r in card.results}
    assert stability["rotation-trade"] == 100.0  # −3.07% against a 0% line
    assert stability["capex-total"] == 95.2
    # the pace ratio −0.419 is far from its 0.5 line: the whole band keeps the verdict (it
    # read 52.4 while the watch items' what-if readings were counted as decisions)
    assert stability["qt-slow"] == 100.0
    assert stability["ai-jobs-deflation"] == 100.0
    # kinds deciding by a rule of their own, and claims without a reading: not measured
    assert stability["dow-record"] is None and stability["buyback-share"] is None
    assert stability["saas-pricing"] is None
