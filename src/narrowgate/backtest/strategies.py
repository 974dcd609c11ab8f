"""Strategies as data: pydantic specs that read like their description, compiled to targets.

A spec becomes two things on a price calendar: the weights it wants every day (signed
notional / equity; 0 before entry and after exit) and the days it rebalances to them.
Example (YAML)::

    kind: long_short
    long: [DIA, IWM]
    short: [QQQ, IGV]
    gross: 1.0          # long + |short|, fraction of equity
    net: 0.0            # long - |short|
    rebalance: monthly
    entry: 2026-02-06
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from narrowgate.backtest import engine
from narrowgate.backtest.api import (
    BacktestError,
    BacktestResult,
    Costs,
    Execution,
    InstrumentSpec,
    RollDates,
    Shortfall,
    run_backtest,
)

Rebalance = Literal["once", "daily", "weekly", "monthly", "on_signal"]
LegWeights = dict[str, float] | list[str]


class _StrategyBase(BaseModel):
    """What every strategy shares: when it trades, how it fills, what it costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    entry: date | None = Field(None, description="first decision day (on or after this date)")
    exit: date | None = Field(None, description="flatten at the close of the first day on/after")
    rebalance: Rebalance = "monthly"
    execution: Execution = "close"
    on_shortfall: Shortfall = "scale"
    initial_cash: float = Field(1_000_000.0, gt=0)
    costs: Costs = Costs()
    instruments: dict[str, InstrumentSpec] = Field(default_factory=dict)

    @property
    def assets(self) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def daily_weights(self, close: pd.DataFrame) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError


def _normalised(leg: LegWeights, what: str) -> dict[str, float]:
    weights = {a: 1.0 for a in leg} if isinstance(leg, list) else dict(leg)
    total = sum(weights.values())
    if not weights or total <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError(f"{what} needs assets with non-negative weights summing above 0")
    return {a: w / total for a, w in weights.items()}


class Basket(_StrategyBase):
    """Hold assets at fixed signed weights (fractions of equity; negative = short)."""

    kind: Literal["basket"] = "basket"
    weights: dict[str, float]

    @property
    def assets(self) -> list[str]:
        return list(self.weights)

    def sides(self) -> tuple[dict[str, float], dict[str, float]]:
        """Long and short weights, each side normalised to 1 (negative weights are the
        short side; a side with no asset is empty)."""
        longs = {a: w for a, w in self.weights.items() if w > 0}
        shorts = {a: -w for a, w in self.weights.items() if w < 0}
        return ({a: w / sum(longs.values()) for a, w in longs.items()},
                {a: w / sum(shorts.values()) for a, w in shorts.items()})

    def daily_weights(self, close: pd.DataFrame) -> pd.DataFrame:
        row = pd.Series(self.weights, dtype=np.float64)
        return pd.DataFrame(np.tile(row.to_numpy(), (len(close), 1)), index=close.index,
                            columns=row.index)


class LongShort(_StrategyBase):
    """A long leg and a short leg; ``gross`` = long + |short| and ``net`` = long − |short|,
    both fractions of equity; weights inside a leg are normalised (a list = equal)."""

    kind: Literal["long_short"] = "long_short"
    long: LegWeights
    short: LegWeights
    gross: float = Field(1.0, gt=0)
    net: float = 0.0

    @field_validator("net")
    @classmethod
    def _net_within_gross(cls, v: float, info: Any) -> float:
        gross = info.data.get("gross", 1.0)
        if abs(v) > gross:
            raise ValueError(f"|net| ({v}) cannot exceed gross ({gross})")
        return v

    @property
    def assets(self) -> list[str]:
        return list(_normalised(self.long, "long")) + list(_normalised(self.short, "short"))

    def sides(self) -> tuple[dict[str, float], dict[str, float]]:
        """Long and short weights, each side normalised to 1."""
        return _normalised(self.long, "long"), _normalised(self.short, "short")

    def daily_weights(self, close: pd.DataFrame) -> pd.DataFrame:
        long_total = (self.gross + self.net) / 2.0
        short_total = (self.gross - self.net) / 2.0
        w: dict[str, float] = {}
        for a, x in _normalised(self.long, "long").items():
            w[a] = w.get(a, 0.0) + long_total * x
        for a, x in _normalised(self.short, "short").items():
            w[a] = w.get(a, 0.0) - short_total * x
        return Basket(weights=w).daily_weights(close)


class RatioFilter(BaseModel):
    """Hold the pair as stated while long/short is above its ``window``-day simple moving
    average (today included); at or below it, reverse the pair or go flat."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window: int = Field(..., ge=1, description="trading days")
    otherwise: Literal["reverse", "flat"] = "reverse"


class Pair(_StrategyBase):
    """Long one asset, short another, ``gross`` split equally; optional ratio filter
    (flat until its moving average exists)."""

    kind: Literal["pair"] = "pair"
    long: str
    short: str
    gross: float = Field(1.0, gt=0)
    filter: RatioFilter | None = None

    @property
    def assets(self) -> list[str]:
        return [self.long, self.short]

    def daily_weights(self, close: pd.DataFrame) -> pd.DataFrame:
        pair = close[[self.long, self.short]].to_numpy(dtype=np.float64)
        out = np.empty_like(pair)
        if self.filter is None:
            out[:, 0], out[:, 1] = self.gross / 2.0, -self.gross / 2.0
        else:
            ratio = np.ascontiguousarray(pair[:, 0] / pair[:, 1])
            engine.pair_ma_targets_nb(ratio, self.filter.window, self.gross,
                                      self.filter.otherwise == "reverse", out)
            out = np.nan_to_num(out, nan=0.0)
        return pd.DataFrame(out, index=close.index, columns=[self.long, self.short])


Strategy = Annotated[Basket | LongShort | Pair, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[Basket | LongShort | Pair] = TypeAdapter(Strategy)


def load_strategy(spec: dict[str, Any]) -> Basket | LongShort | Pair:
    """Validate a mapping (e.g. parsed YAML) into a strategy; errors name the bad field."""
    return _ADAPTER.validate_python(spec)


@dataclass(frozen=True)
class CompiledStrategy:
    """Daily desired weights (T×N) and the days (T, bool) the book is moved to them."""

    weights: pd.DataFrame
    rebalance: pd.Series

    @property
    def targets(self) -> pd.DataFrame:
        """Targets for :func:`run_backtest`: weights on rebalance days, NaN elsewhere."""
        return self.weights.where(self.rebalance, axis=0)


def _first_on_or_after(index: pd.DatetimeIndex, day: date | None, default: int) -> int:
    if day is None:
        return default
    return int(index.searchsorted(pd.Timestamp(day), side="left"))


def _schedule(index: pd.DatetimeIndex, rebalance: Rebalance, weights: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(index), dtype=bool)
    if rebalance == "daily":
        mask[:] = True
    elif rebalance in ("weekly", "monthly"):
        period = index.to_period("W" if rebalance == "weekly" else "M").asi8
        mask[1:] = period[1:] != period[:-1]
    elif rebalance == "on_signal":
        mask[1:] = np.any(weights[1:] != weights[:-1], axis=1)
    if len(mask):
        mask[0] = True
    return mask


def compile_strategy(strategy: Basket | LongShort | Pair, close: pd.DataFrame) -> CompiledStrategy:
    """Weights and rebalance days of ``strategy`` on the calendar of ``close``.

    The book is empty before the entry day (at the earliest, the first day on which every
    asset has a price), moved to target on the entry day and on each
    scheduled day (first trading day of the week/month, every day, or when the signal
    changes), and flattened at the close of the exit day.
    """
    missing = [a for a in strategy.assets if a not in close.columns]
    if missing:
        raise BacktestError(f"no prices for {missing}", "load them into the price frame")
    if not isinstance(close.index, pd.DatetimeIndex):
        raise BacktestError("strategy prices need a DatetimeIndex")
    weights = strategy.daily_weights(close).reindex(columns=close.columns, fill_value=0.0)
    t_n = len(close)
    complete = np.flatnonzero(np.all(np.isfinite(close.to_numpy(dtype=np.float64)), axis=1))
    if complete.size == 0:
        raise BacktestError(f"no day on which all of {list(close.columns)} have a price")
    start = max(_first_on_or_after(close.index, strategy.entry, 0), int(complete[0]))
    stop = _first_on_or_after(close.index, strategy.exit, t_n)
    if start >= t_n:
        raise BacktestError(f"entry {strategy.entry} is after the last price {close.index[-1]}")
    w = weights.to_numpy(dtype=np.float64).copy()
    w[:start] = 0.0
    w[stop:] = 0.0
    mask = np.zeros(t_n, dtype=bool)
    if stop > start:
        mask[start:stop] = _schedule(close.index[start:stop], strategy.rebalance, w[start:stop])
    if stop < t_n:
        mask[stop] = True
    return CompiledStrategy(pd.DataFrame(w, index=close.index, columns=close.columns),
                            pd.Series(mask, index=close.index, name="rebalance"))


def run_strategy(strategy: Basket | LongShort | Pair, close: pd.DataFrame,
                 open_: pd.DataFrame | None = None, *,
                 rolls: RollDates | None = None) -> BacktestResult:
    """Compile ``strategy`` on ``close`` (its assets only) and back-test it; ``rolls``
    (futures columns → dates of ``close``) as in :func:`run_backtest`."""
    prices = close[strategy.assets]
    prices = prices.loc[:, ~prices.columns.duplicated()]
    compiled = compile_strategy(strategy, prices)
    return run_backtest(
        prices, compiled.targets, target_kind="weights",
        open_=None if open_ is None else open_[prices.columns],
        execution=strategy.execution, instruments=strategy.instruments, costs=strategy.costs,
        initial_cash=strategy.initial_cash, on_shortfall=strategy.on_shortfall, rolls=rolls)
