"""Splicing several stored sources of one instrument into one series (one price basis).

The rule (documented in docs/data.md): the source with the newest last date wins wherever
it has data; each older source extends the history backwards, only before the first date
of what is already spliced. An older segment is scaled by the ratio of the two sources on
their overlap (the median of spliced/older over common dates), so a back-adjusted file of
another date or a split between two files' dates joins without a jump. The ratio's
spread on the overlap is the splice check: beyond ``tolerance`` the splice is reported,
never silently glued. Pure: arrays/series in, arrays/series and a report out.

Written on numpy columns over one shared date grid rather than pandas Series: a run splices
every instrument it reads, and pandas' per-call overhead made that ~8× slower (measured
with ``benchmarks/bench_store.py``: 20 instruments × 20 years).
"""

from __future__ import annotations

from collections.abc import Sequence
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
    overlap_days: int  # common dates the factor was measured on (0: the newest, or none)
    spread: float  # max |ratio / factor − 1| on the overlap


@dataclass(frozen=True)
class Spliced:
    values: pd.Series
    segments: list[Segment]
    warnings: list[str]


def _day(dates: np.ndarray, i: int) -> date:
    return pd.Timestamp(dates[i]).date()


def splice_columns(dates: np.ndarray, columns: np.ndarray, sources: Sequence[str], *,
                   tolerance: float = SPLICE_TOLERANCE
                   ) -> tuple[np.ndarray, list[Segment], list[str]]:
    """Splice the columns of ``columns`` (T × m, NaN where a source has no close) over the
    ascending ``dates`` (T); column order is newest last date first. Returns the spliced
    column (T), its segments and warnings."""
    out = np.full(len(dates), np.nan)
    segments: list[Segment] = []
    warnings: list[str] = []
    for j, source in enumerate(sources):
        col = columns[:, j]
        have = np.flatnonzero(~np.isnan(col))
        if not len(have):
            continue
        if not segments:
            out[:] = col
            segments.append(Segment(source, _day(dates, have[0]), _day(dates, have[-1]),
                                    len(have), 1.0, 0, 0.0))
            continue
        cut = int(np.flatnonzero(~np.isnan(out))[0])
        before = have[have < cut]
        if not len(before):
            continue
        common = ~np.isnan(out) & ~np.isnan(col)
        ratio = out[common] / col[common]
        ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        if len(ratio):
            factor = float(np.median(ratio))
            spread = float(np.max(np.abs(ratio / factor - 1.0)))
            if spread > tolerance:
                warnings.append(
                    f"{source} joins {segments[-1].source} at {_day(dates, cut)} with a ratio "
                    f"that varies up to {spread:.2%} on {len(ratio)} common days (median "
                    f"{factor:.6g}); the two sources disagree beyond {tolerance:.1%}")
        else:
            factor, spread = 1.0, 0.0
            warnings.append(f"{source} joins {segments[-1].source} at {_day(dates, cut)} "
                            "with no common day: the level was not checked")
        out[before] = col[before] * factor
        segments.append(Segment(source, _day(dates, before[0]), _day(dates, before[-1]),
                                len(before), factor, len(ratio), spread))
    return out, segments, warnings


def splice(candidates: list[tuple[str, pd.Series]], *, tolerance: float = SPLICE_TOLERANCE
           ) -> Spliced:
    """Splice ``(source, closes)`` pairs (the caller orders them newest last date first);
    each series is indexed by date."""
    if not candidates:
        return Spliced(pd.Series(dtype="float64"), [], [])
    frame = pd.concat([s.rename(i) for i, (_, s) in enumerate(candidates)], axis=1,
                      sort=True)
    values, segments, warnings = splice_columns(
        frame.index.to_numpy(), frame.to_numpy(dtype="float64"),
        [name for name, _ in candidates], tolerance=tolerance)
    series = pd.Series(values, index=frame.index).dropna()
    return Spliced(series, segments, warnings)


@dataclass(frozen=True)
class Agreement:
    """How two stored sources of one instrument compare on their common dates."""

    source: str
    reference: str
    common_days: int
    median_ratio: float  # source / reference
    min_ratio: float
    max_ratio: float


def agreement(reference: tuple[str, pd.Series], other: tuple[str, pd.Series]) -> Agreement:
    """``other``'s closes over ``reference``'s on their common dates (NaN when none): the
    check a splice makes, shown for any two sources, whatever their basis."""
    (ref_name, ref), (name, values) = reference, other
    both = pd.concat([values.rename("a"), ref.rename("b")], axis=1, join="inner").dropna()
    ratio = (both["a"] / both["b"]).to_numpy()
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    if not len(ratio):
        return Agreement(name, ref_name, 0, float("nan"), float("nan"), float("nan"))
    return Agreement(name, ref_name, len(ratio), float(np.median(ratio)), float(ratio.min()),
                     float(ratio.max()))
