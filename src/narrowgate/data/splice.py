"""Splicing several stored sources of one instrument into one series (one price basis).

The rule (documented in docs/data.md): the source with the newest last date wins wherever
it has data; each older source extends the history backwards, only before the first date
of what is already spliced. An older segment is scaled by the ratio of the two sources on
their overlap (the median of spliced/older over common dates), so a back-adjusted file of
another date or a split between two files' dates joins without a jump. The ratio's
spread on the overlap is the splice check: beyond ``tolerance`` the splice is reported,
never silently glued. Pure: arrays/series in, series and a report out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

#: largest relative spread of the overlap ratio accepted without a warning (0.5 %)
SPLICE_TOLERANCE = 0.005


@dataclass(frozen=True)
class Segment:
    """One source's part of a spliced series."""

    source: str
    first: date
    last: date
    rows: int
    factor: float  # the source's values were multiplied by this
    overlap_days: int  # common dates the factor was measured on (0: newest, or unchecked)
    spread: float  # max |ratio / factor − 1| on the overlap


@dataclass(frozen=True)
class Spliced:
    values: pd.Series
    segments: list[Segment]
    warnings: list[str]


def splice(candidates: list[tuple[str, pd.Series]], *, tolerance: float = SPLICE_TOLERANCE
           ) -> Spliced:
    """Splice ``(source, closes)`` pairs; the caller orders them newest last date first.

    Each series is indexed by date, NaN-free; empty ones are skipped.
    """
    parts = [(s, v.dropna()) for s, v in candidates]
    parts = [(s, v) for s, v in parts if len(v)]
    if not parts:
        return Spliced(pd.Series(dtype="float64"), [], [])
    head_source, out = parts[0]
    segments = [Segment(head_source, out.index[0].date(), out.index[-1].date(), len(out),
                        1.0, 0, 0.0)]
    warnings: list[str] = []
    for source, older in parts[1:]:
        cut = out.index[0]
        before = older[older.index < cut]
        if before.empty:
            continue
        common = out.index.intersection(older.index)
        if len(common):
            ratio = out.loc[common].to_numpy() / older.loc[common].to_numpy()
            ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        else:
            ratio = np.array([])
        if len(ratio):
            factor = float(np.median(ratio))
            spread = float(np.max(np.abs(ratio / factor - 1.0)))
            if spread > tolerance:
                warnings.append(
                    f"{source} joins {segments[-1].source} at {cut.date()} with a ratio that "
                    f"varies up to {spread:.2%} on {len(ratio)} common days (median "
                    f"{factor:.6g}); the two sources disagree beyond {tolerance:.1%}")
        else:
            factor, spread = 1.0, 0.0
            warnings.append(f"{source} joins {segments[-1].source} at {cut.date()} with no "
                            "common day: the level was not checked")
        scaled = before * factor
        out = pd.concat([scaled, out])
        segments.append(Segment(source, before.index[0].date(), before.index[-1].date(),
                                len(before), factor, len(ratio), spread))
    return Spliced(out, segments, warnings)
