"""Splicing several stored sources of one instrument into one series (one price basis).

The rule (documented in docs/data.md): the first source in the caller's order wins
wherever it has data (for closes, the source with the newest last date; for a dated series,
the same unless a claim names a preferred source); each further source fills only dates
outside what is already spliced — before its first date (history extended backwards) or
after its last (extended forwards) — never holes inside it. For prices, an extending segment
is scaled by the ratio of the two sources on their overlap (the median of spliced/other over
common dates), so a back-adjusted file of another date or a split between two files' dates
joins without a jump; a dated series (rates, balance sheets, index levels) is published in
one unit and is never rescaled. The ratio's spread on the overlap is the splice check:
beyond ``tolerance`` the splice is reported, never silently glued.

Two sources with no common day: levels as published (a price index, an unadjusted futures
or crypto close, a dated series) are joined unscaled and the gap is reported with its dates;
adjusted closes (back-adjusted, split-adjusted as of a file's date) are *not* joined, since
no factor can be measured — the history starts where the spliced part does, and the
provenance says which source was left out and why. Pure: arrays/series in, arrays/series
and a report out.

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
    overlap_days: int  # common dates the factor was measured on (0: the first, or none)
    spread: float  # max |ratio / factor − 1| on the overlap
    gap_days: int = 0  # calendar days between this part and the rest (no common day)


@dataclass(frozen=True)
class Spliced:
    values: pd.Series
    segments: list[Segment]
    warnings: list[str]


def _day(dates: np.ndarray, i: int) -> date:
    return pd.Timestamp(dates[i]).date()


def splice_columns(dates: np.ndarray, columns: np.ndarray, sources: Sequence[str], *,
                   tolerance: float = SPLICE_TOLERANCE, scale: bool = True,
                   as_published: Sequence[bool] | None = None
                   ) -> tuple[np.ndarray, list[Segment], list[str]]:
    """Splice the columns of ``columns`` (T × m, NaN where a source has no value) over the
    ascending ``dates`` (T); the first column wins (see the module docstring). ``scale``
    False keeps every value as published (dated series); ``as_published`` says per column
    whether its levels need no factor (a gap may then be joined). Returns the spliced column
    (T), its segments (first source first, then in the order they joined) and warnings."""
    out = np.full(len(dates), np.nan)
    segments: list[Segment] = []
    warnings: list[str] = []
    published = list(as_published) if as_published is not None else [not scale] * len(sources)
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
        filled = np.flatnonzero(~np.isnan(out))
        lo, hi = int(filled[0]), int(filled[-1])
        outside = have[(have < lo) | (have > hi)]
        if not len(outside):
            continue
        common = ~np.isnan(out) & ~np.isnan(col)
        ratio = out[common] / col[common]
        ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
        gap = 0
        if len(ratio):
            factor = float(np.median(ratio)) if scale else 1.0
            spread = float(np.max(np.abs(ratio / factor - 1.0)))
            if spread > tolerance:
                verb = "joins" if scale else "disagrees with"
                warnings.append(
                    f"{source} {verb} {segments[0].source} {_where(dates, outside, lo, hi)} "
                    f"with a ratio that varies up to {spread:.2%} on {len(ratio)} common days "
                    f"(median {float(np.median(ratio)):.6g}); the two sources disagree beyond "
                    f"{tolerance:.1%}")
        else:
            factor, spread = 1.0, 0.0
            before = outside[outside < lo]
            part = before if len(before) else outside
            near, far = ((int(part[-1]), lo) if len(before) else (hi, int(part[0])))
            gap = (_day(dates, far) - _day(dates, near)).days
            span = f"{_day(dates, near)} … {_day(dates, far)}"
            if not all(published[:j + 1]):
                warnings.append(
                    f"{source} was not joined to {segments[0].source}: no common day to "
                    f"measure the factor between their adjusted closes (gap {span}); the "
                    "series starts where the joined sources do")
                continue
            outside = part
            warnings.append(f"{source} joins {segments[0].source} across a gap of {gap} days "
                            f"({span}) with no common day: levels as published, joined "
                            "unscaled")
        out[outside] = col[outside] * factor
        segments.append(Segment(source, _day(dates, outside[0]), _day(dates, outside[-1]),
                                len(outside), factor, len(ratio), spread, gap))
    return out, segments, warnings


def _where(dates: np.ndarray, outside: np.ndarray, lo: int, hi: int) -> str:
    """The splice point of an extending part: its start, or the end it continues."""
    if (outside < lo).any():
        return f"at {_day(dates, lo)}"
    return f"after {_day(dates, hi)}"


def splice(candidates: list[tuple[str, pd.Series]], *, tolerance: float = SPLICE_TOLERANCE,
           scale: bool = True, as_published: Sequence[bool] | None = None) -> Spliced:
    """Splice ``(source, values)`` pairs (the caller orders them, the winner first); each
    series is indexed by date."""
    if not candidates:
        return Spliced(pd.Series(dtype="float64"), [], [])
    frame = pd.concat([s.rename(i) for i, (_, s) in enumerate(candidates)], axis=1,
                      sort=True)
    values, segments, warnings = splice_columns(
        frame.index.to_numpy(), frame.to_numpy(dtype="float64"),
        [name for name, _ in candidates], tolerance=tolerance, scale=scale,
        as_published=as_published)
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
