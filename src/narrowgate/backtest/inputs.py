"""Kernel inputs without pandas: instrument and cost arrays, option codes, the error.

Both faces of the engine build their inputs here: :mod:`narrowgate.backtest.api` (frames)
and :mod:`narrowgate.backtest.arrays` (plain arrays, for callers that never import pandas).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from narrowgate.backtest import engine
from narrowgate.backtest.specs import Costs, InstrumentSpec
from narrowgate.errors import NarrowgateError

TargetKind = Literal["weights", "units"]
Execution = Literal["close", "next_open"]
Shortfall = Literal["raise", "scale", "finance"]

_KIND = {"weights": engine.KIND_WEIGHTS, "units": engine.KIND_UNITS}
_SHORTFALL = {
    "raise": engine.SHORTFALL_RAISE,
    "scale": engine.SHORTFALL_SCALE,
    "finance": engine.SHORTFALL_FINANCE,
}

#: The kernels' "no rolls" (0×0; C order and writable like every roll array, so a call with
#: rolls and one without share one compiled signature). Kernels only read it.
NO_ROLLS = np.zeros((0, 0), dtype=np.bool_)


class BacktestError(NarrowgateError):
    """A back-test that cannot go on: cash or margin short, a missing price, ruin."""

    exit_code = 7


@dataclass(frozen=True)
class EngineInputs:
    """Instrument and cost arrays in kernel order (one element per column).

    ``margin_group`` (int64) numbers the columns' margin groups 0..G-1 in order of first
    appearance (-1 = none), so the kernel can keep its per-group totals in a flat array."""

    multiplier: np.ndarray
    is_futures: np.ndarray
    margin_rate: np.ndarray
    margin_group: np.ndarray
    lot: np.ndarray
    basis: np.ndarray
    fee: np.ndarray
    slippage: np.ndarray
    borrow: np.ndarray
    cash_rate: float
    financing_rate: float


def engine_inputs(columns: Collection[Any], instruments: Mapping[str, InstrumentSpec] | None,
                  costs: Costs) -> EngineInputs:
    """Per-column arrays from specs (spot with the default costs where none is given)."""
    if not instruments:
        n = len(columns)
        return EngineInputs(
            multiplier=np.ones(n), is_futures=np.zeros(n, dtype=np.bool_),
            margin_rate=np.zeros(n), margin_group=np.full(n, -1, dtype=np.int64),
            lot=np.zeros(n), basis=np.zeros(n),
            fee=np.full(n, costs.fee), slippage=np.full(n, costs.slippage),
            borrow=np.full(n, costs.borrow_per_year), cash_rate=costs.cash_rate_per_year,
            financing_rate=costs.financing_rate_per_year)
    names = [str(c) for c in columns]
    default = InstrumentSpec()
    specs = [(instruments or {}).get(c, default) for c in names]
    unknown = set(instruments or {}) - set(names)
    if unknown:
        raise BacktestError(f"instrument specs for columns not in the prices: {sorted(unknown)}")

    def pick(values: list[float | None], default: float) -> np.ndarray:
        return np.array([default if v is None else v for v in values], dtype=np.float64)

    group_index: dict[str, int] = {}
    for s in specs:
        if s.margin_group is not None:
            group_index.setdefault(s.margin_group, len(group_index))

    return EngineInputs(
        multiplier=np.array([s.multiplier for s in specs], dtype=np.float64),
        is_futures=np.array([s.kind == "futures" for s in specs], dtype=np.bool_),
        margin_rate=np.array([s.margin_rate for s in specs], dtype=np.float64),
        margin_group=np.array([-1 if s.margin_group is None else group_index[s.margin_group]
                               for s in specs], dtype=np.int64),
        lot=np.array([s.lot_size for s in specs], dtype=np.float64),
        basis=np.array([s.basis_per_year for s in specs], dtype=np.float64),
        fee=pick([s.fee for s in specs], costs.fee),
        slippage=pick([s.slippage for s in specs], costs.slippage),
        borrow=pick([s.borrow_per_year for s in specs], costs.borrow_per_year),
        cash_rate=costs.cash_rate_per_year,
        financing_rate=costs.financing_rate_per_year,
    )


