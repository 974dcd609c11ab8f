"""Halving-cycle phase comparisons on aligned paths (see ``models.cycles.cycle_paths``).

A path is a column of values indexed by days since its halving. The drawdown from the
cycle high at a day is the value there over the highest value up to it, minus one, so
cycles of very different size compare on one scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


def running_drawdown(paths: pd.DataFrame) -> pd.DataFrame:
    """Each column over its running maximum, minus one (0 at a new high, negative below)."""
    return paths / paths.cummax() - 1.0


@dataclass(frozen=True)
class PhaseReading:
    """One cycle read at one phase: value (× halving close), drawdown from its high so far,
    and the day and depth of the cycle's lowest drawdown after its high (within the path)."""

    cycle: str
    day: int
    value: float
    drawdown: float
    high_day: int
    low_day: int
    low_drawdown: float


def read_phase(paths: pd.DataFrame, day: int) -> list[PhaseReading]:
    """Every cycle that reaches ``day`` read at that day; cycles too short are left out.

    ``high_day`` is the day of the cycle's high up to ``day``; ``low_day`` and
    ``low_drawdown`` look at the whole path after that high (where the past cycles bottomed).
    """
    out: list[PhaseReading] = []
    for cycle in paths.columns:
        path = paths[cycle].dropna()
        if path.empty or path.index[-1] < day:
            continue
        upto = path.loc[:day]
        high_day = int(upto.to_numpy().argmax())
        high_day = int(upto.index[high_day])
        after_high = path.loc[high_day:] / float(upto.max()) - 1.0
        out.append(
            PhaseReading(
                cycle=str(cycle),
                day=day,
                value=float(upto.iloc[-1]),
                drawdown=float(upto.iloc[-1] / upto.max() - 1.0),
                high_day=high_day,
                low_day=int(after_high.index[int(after_high.to_numpy().argmin())]),
                low_drawdown=float(after_high.min()),
            )
        )
    return out


def thin_days(paths: pd.DataFrame, step: int) -> pd.DataFrame:
    """Every ``step``-th day plus the last row, so overlays of ~1,500 days stay small."""
    if step < 1:
        raise ValueError("step must be at least 1")
    keep = list(range(0, len(paths), step))
    if keep and keep[-1] != len(paths) - 1:
        keep.append(len(paths) - 1)
    return paths.iloc[keep]


__all__ = ["PhaseReading", "read_phase", "running_drawdown", "thin_days"]
