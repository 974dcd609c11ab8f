"""Stability: does a verdict survive moving its thresholds a little?

Why: a claim decided by a reading 0.1 points past its line says less than one decided by a
reading far past it, and the params' lines are judgement calls. The decision core
(:mod:`narrowgate.evaluate.core.thresholds`) records every line-based decision a kind makes
while it evaluates one claim; here each decision is replayed with its lines shifted across
a band (± ``BAND`` of the lines' scale, in the reading's own unit, ``STEPS`` evenly spaced
shifts) and the share of shifts that keep its verdict is reported. A claim's stability is
its weakest decision's share. A line at zero has no spread or size of its own: the kind
then names the reading's noise as the scale (e.g. a typical day's move for a record margin),
never the reading itself (which would always keep the verdict: a made-up 100%).

Kinds that decide over a window of prices by a rule of their own (A beat B between two
dates) replay that rule with the window's ends moved by a few trading days each way (a
quarter of the window, at most ``SHIFT_DAYS``; :func:`window_kept`): a call that holds only
for the exact dates chosen is not a stable one. Kinds that record nothing get no stability reading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

from narrowgate.evaluate.verdict import Verdict

#: the band: lines move by up to this fraction of their scale, both ways
BAND = 0.2
#: evenly spaced shifts across the band (odd, so the stated lines are one of them)
STEPS = 21
#: a window's start and end each move by up to this many trading days (rows) both ways
SHIFT_DAYS = 5


@dataclass(frozen=True)
class Decision:
    """One line-based decision: the reading, its lines and the verdict they gave."""

    rule: Literal["banded", "within", "replayed"]
    value: float  # replayed: the kept share (0–1) the kind measured itself
    first: float  # banded: the supported line; within: the supported distance
    second: float  # banded: the contradicted line; within: the mixed distance
    higher_is_better: bool
    inclusive: bool
    verdict: Verdict
    noise: float = 0.0  # the reading's noise, in its unit: the scale of lines at zero

    @property
    def scale(self) -> float:
        """The unit the band is a fraction of: the lines' spread, else their size, else
        the reading's noise the kind named, else the reading's size, else 1."""
        for candidate in (abs(self.first - self.second), max(abs(self.first),
                                                             abs(self.second)),
                          abs(self.noise), abs(self.value)):
            if candidate > 0:
                return candidate
        return 1.0


_RECORDER: ContextVar[list[Decision] | None] = ContextVar("narrowgate_decisions",
                                                         default=None)


def note(decision: Decision) -> None:
    """Called by the decision rules: keep ``decision`` if a claim is being recorded."""
    recorded = _RECORDER.get()
    if recorded is not None:
        recorded.append(decision)


@contextmanager
def recording() -> Iterator[list[Decision]]:
    """Collect the decisions made inside the block (one claim's evaluation)."""
    decisions: list[Decision] = []
    token = _RECORDER.set(decisions)
    try:
        yield decisions
    finally:
        _RECORDER.reset(token)


def kept_share(decision: Decision, band: float = BAND, steps: int = STEPS) -> float:
    """The share (0–1) of shifted lines under which the decision keeps its verdict."""
    from narrowgate.evaluate.core import thresholds

    if decision.rule == "replayed":
        return decision.value

    delta = band * decision.scale
    kept = 0
    for k in range(steps):
        shift = -delta + 2 * delta * k / (steps - 1)
        with _paused():
            if decision.rule == "banded":
                again = thresholds.banded(decision.value, supported=decision.first + shift,
                                          contradicted=decision.second + shift,
                                          higher_is_better=decision.higher_is_better,
                                          inclusive=decision.inclusive)
            else:
                again = thresholds.within(decision.value,
                                          supported_within=max(decision.first + shift, 0.0),
                                          mixed_within=max(decision.second + shift, 0.0))
        kept += again is decision.verdict
    return kept / steps


def window_kept(n_rows: int, start: int, end: int, reading_at: Callable[[int, int], Verdict],
                verdict: Verdict, shift: int | None = None) -> float:
    """The share (0–1) of windows with the start row and the end row each moved by up to
    ``shift`` rows both ways (within 0 … ``n_rows`` − 1, the start before the end) whose
    reading (``reading_at(start, end)``) keeps ``verdict``. By default the ends move by a
    quarter of the window's rows, at least 1 and at most ``SHIFT_DAYS``: a week's slack on
    a year, a day on a week. The stated window is one of them; moves past the data's edge
    are simply not among them."""
    if shift is None:
        shift = max(1, min(SHIFT_DAYS, (end - start) // 4))
    kept = total = 0
    for i in range(max(start - shift, 0), min(start + shift, n_rows - 1) + 1):
        for j in range(max(end - shift, i + 1), min(end + shift, n_rows - 1) + 1):
            total += 1
            with _paused():
                kept += reading_at(i, j) is verdict
    return kept / total if total else 1.0


def note_scaled_line(line: float, reading_at: Callable[[float], Verdict],
                     verdict: Verdict) -> None:
    """For a rule with one line of its own (a tolerance, a share, a threshold in %): the
    share of that line moved across ±BAND of itself (``STEPS`` steps) under which
    ``reading_at(line)`` keeps ``verdict`` counts as one decision."""
    with _paused():
        moved = [reading_at(line * (1 - BAND + 2 * BAND * k / (STEPS - 1)))
                 for k in range(STEPS)]
    note_replayed(sum(v is verdict for v in moved) / STEPS, verdict)


def note_replayed(kept: float, verdict: Verdict) -> None:
    """For a kind that replays its own assumptions (a grid of model inputs, not a line):
    the share (0–1) of the replays that kept ``verdict`` counts like a threshold band's."""
    note(Decision("replayed", min(max(kept, 0.0), 1.0), 0.0, 0.0, True, True, verdict))


def claim_stability(decisions: list[Decision]) -> float | None:
    """The weakest decision's kept share, in percent; None when nothing was recorded."""
    if not decisions:
        return None
    return round(100.0 * min(kept_share(d) for d in decisions), 1)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Decisions made inside the block are not kept: a watch item's what-if readings
    (the verdict just past a line) must not count as the claim's own decisions."""
    with _paused():
        yield


@contextmanager
def _paused() -> Iterator[None]:
    token = _RECORDER.set(None)
    try:
        yield
    finally:
        _RECORDER.reset(token)
