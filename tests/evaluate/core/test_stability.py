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
    # the pace ratio −0.305 is far from its 0.5 line: the whole band keeps the verdict (it
    # read 52.4 while the watch items' what-if readings were counted as decisions)
    assert stability["qt-slow"] == 100.0
    assert stability["ai-jobs-deflation"] == 100.0
    # window kinds, ends moved a quarter of the window (≤ 5 trading days): IGV vs SPY over
    # the 7 trading days 01-27 → 02-06 moves 1 day each way; one of the 15 windows loses it
    assert stability["software-selloff"] == round(100 * 14 / 15, 1)
    assert stability["storage-npo"] == 100.0 and stability["a-share-view"] == 100.0
    # DIA's record margin against a fifth of a typical day's move; the fact's tolerance,
    # the event log's count line and the cycle's three lines, each moved ±20 %
    assert stability["dow-record"] == 100.0 and stability["oracle-funding"] == 100.0
    assert stability["margin-hikes"] == 100.0 and stability["btc-cycle"] == 100.0
    # every decided claim carries a reading; claims without one are not measured
    decided = {Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.MIXED}
    assert all(r.stability is not None for r in card.results if r.verdict in decided)
    assert stability["buyback-share"] is None and stability["saas-pricing"] is None


def test_a_zero_line_takes_the_readings_noise_as_its_scale() -> None:
    # both lines at 0, noise 1 (band ±0.2, steps of 0.02): a reading of 0.11 stays
    # supported (strictly above) while the line is below it: shifts −0.20 … +0.10, 16 of 21
    with recording() as decisions:
        assert banded(0.11, supported=0.0, contradicted=0.0, inclusive=False,
                      noise=1.0) is Verdict.SUPPORTED
    assert claim_stability(decisions) == round(100 * 16 / 21, 1)


def test_window_kept_counts_the_moved_windows() -> None:
    from narrowgate.evaluate.core.stability import window_kept

    # rows 0…20, stated window 5 → 15 (shift 10 // 4 = 2): starts 3…7, ends 13…17, 25
    # windows; the reading holds only while the window ends at row 14 or later: 20 of 25
    def reading(i: int, j: int) -> Verdict:
        return Verdict.SUPPORTED if j >= 14 else Verdict.MIXED

    assert window_kept(21, 5, 15, reading, Verdict.SUPPORTED) == pytest.approx(20 / 25)
    # a short window moves one row; at the data's edge the end cannot move later
    assert window_kept(3, 0, 2, reading, Verdict.MIXED) == 1.0
