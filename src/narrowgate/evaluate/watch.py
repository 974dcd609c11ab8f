"""Watch items: where an indicator stands against the lines that would change its verdict.

Why a helper: each evaluator owns its decision rule. Given that rule as a function of one
indicator (everything else held as it is now), the verdict just past each line follows
mechanically, so ``flips_to`` is the evaluator's own logic rather than a second copy of it.
Per side of the current value only the nearest line whose crossing changes the reading is
kept: a line that would leave the verdict where it is is nothing to watch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from narrowgate.evaluate.core.stability import unrecorded
from narrowgate.evaluate.verdict import Verdict, WatchItem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import date

    from narrowgate.thesis.schema import LocalizedText


def crossings(
    reading: Callable[[float], Verdict],
    value: float | None,
    lines: Iterable[float],
    *,
    label: LocalizedText,
    unit: str,
    digits: int,
    instrument: str | None = None,
    observed: date | None = None,
) -> list[WatchItem]:
    """Watch items for ``value`` against ``lines`` under ``reading`` (indicator → verdict).

    ``current`` is ``value`` rounded to ``digits`` (the figure's own rounding); nothing is
    returned when the value is missing or not finite.
    """
    if value is None or not math.isfinite(value):
        return []

    def reading_unrecorded(x: float) -> Verdict:
        # a what-if reading at a line is not one of the claim's own decisions: recorded,
        # it would count a decision exactly on the line and halve the claim's stability
        with unrecorded():
            return reading(x)

    now = reading_unrecorded(value)
    ordered = sorted(set(lines))
    sides = ([(t, -1.0) for t in reversed(ordered) if t <= value],
             [(t, 1.0) for t in ordered if t >= value])
    items: list[WatchItem] = []
    for side in sides:
        for line, direction in side:
            beyond = line + direction * 1e-9 * max(1.0, abs(line))
            flips = reading_unrecorded(beyond)
            if flips is not now:
                items.append(WatchItem(label=label, current=round(value, digits),
                                       threshold=line, unit=unit, flips_to=flips,
                                       instrument=instrument, observed=observed))
                break
    return items
