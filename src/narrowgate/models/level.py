"""A series against a level: its value at a date, or its extreme up to a date.

Pure arithmetic on a date-indexed series (no I/O). Units are the series' own: the reading,
the threshold and the distance share them. "Above" reads the highest value of a window
and "below" the lowest, so "by a date" asks whether any observation on or before it
crossed the line; the first crossing is the earliest observation on the claimed side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class LevelReading:
    """The deciding value and its date, the latest value and its date, and the first
    observation on the claimed side of the threshold (None: not crossed in the window)."""

    value: float
    on: date
    latest: float
    latest_on: date
    first_crossing: date | None


def level_reading(values: pd.Series, *, start: date, stop: date, threshold: float,
                  side: Literal["above", "below"], rule: Literal["at", "by"],
                  inclusive: bool = True) -> LevelReading:
    """``rule="at"``: the last observation on or before ``stop``; ``"by"``: the highest
    (``above``) or lowest (``below``) observation from ``start`` to ``stop``.

    Raises ValueError when the window holds no observation (the caller says what is
    missing)."""
    import pandas as pd

    clean = values.dropna().sort_index()
    upto = clean.loc[: pd.Timestamp(stop)]
    window = upto.loc[pd.Timestamp(start):]
    if window.empty:
        raise ValueError(f"no observation between {start} and {stop}")
    if rule == "at":
        day = upto.index[-1]
    else:
        day = window.idxmax() if side == "above" else window.idxmin()
    sign = 1.0 if side == "above" else -1.0
    beyond = window * sign >= threshold * sign if inclusive else window * sign > threshold * sign
    crossed = window[beyond]
    return LevelReading(value=float(upto.loc[day]), on=day.date(),
                        latest=float(window.iloc[-1]), latest_on=window.index[-1].date(),
                        first_crossing=crossed.index[0].date() if len(crossed) else None)
