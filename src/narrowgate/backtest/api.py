"""Pandas face of the back-test kernels: frames in, frames out, units spelled out.

Everything numeric happens in :mod:`narrowgate.backtest.engine`; this module only aligns
labels, checks inputs, turns options into kernel codes and wraps the arrays it gets back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd

from narrowgate.backtest import engine
from narrowgate.backtest.inputs import (
    _KIND,
    _SHORTFALL,
    NO_ROLLS,
    BacktestError,
    EngineInputs,
    Execution,
    Shortfall,
    TargetKind,
    engine_inputs,
)
from narrowgate.backtest.specs import Costs, InstrumentSpec

__all__ = ["BacktestError", "BacktestResult", "Costs", "EngineInputs", "Execution",
           "InstrumentSpec", "RollDates", "Shortfall", "TargetKind", "engine_inputs",
           "run_backtest"]

#: Per futures column, the dates (rows of the prices) on whose close its contract rolls.
RollDates = Mapping[str, Iterable[date | str]]

#: T × N from which run_backtest takes :mod:`~narrowgate.backtest.schedule_kernel` (500
#: assets × 5,040 days = 2.52 million cells). Smaller back-tests keep run_nb: they gain
#: microseconds, and a process that loads one more cached kernel pays ~0.1–0.2 s for it.
SCHEDULE_MIN_CELLS = 200_000


@dataclass(frozen=True)
class BacktestResult:
    """What a back-test produced, indexed like the prices.

    ``equity``, ``cash`` and ``margin`` per day in the cash currency; ``costs`` fees +
    slippage per day (futures rolls included) and ``carry`` borrow + basis + interest per
    day (negative = paid); ``scale`` the fraction of the targets a rebalance could fund
    (NaN: no rebalance). ``positions`` (units; lots for futures), ``position_values``
    (units × last price × multiplier, currency), ``trades`` (one row per fill that changed
    a position: date, asset, units, price incl. slippage, value in currency) and
    ``roll_trades`` (one row per futures roll charged) are built from the kernel's arrays
    the first time they are read, so a run that only needs equity pays nothing for them.
    """

    equity: pd.Series
    cash: pd.Series
    margin: pd.Series
    costs: pd.Series
    carry: pd.Series
    scale: pd.Series
    _units: np.ndarray = field(repr=False)
    _fill_px: np.ndarray = field(repr=False)
    _close: pd.DataFrame = field(repr=False)
    _multiplier: np.ndarray = field(repr=False)
    _slippage: np.ndarray = field(repr=False)
    _fee: np.ndarray = field(repr=False)
    _roll: np.ndarray = field(repr=False)
    _at_open: bool = field(repr=False)

    @cached_property
    def _held(self) -> np.ndarray:
        """Units after each close (T×N): the kernel writes rebalance rows only (finite
        ``scale``); the rows in between repeat the last rebalance, zeros before the first."""
        rows = np.arange(len(self.scale))
        last = np.maximum.accumulate(np.where(np.isfinite(self.scale.to_numpy()), rows, -1))
        held = self._units[np.maximum(last, 0)]
        held[last < 0] = 0.0
        return held

    @cached_property
    def positions(self) -> pd.DataFrame:
        """Units held after each day's close (lots for futures)."""
        return pd.DataFrame(self._held, index=self._close.index, columns=self._close.columns,
                            copy=False)

    @cached_property
    def position_values(self) -> pd.DataFrame:
        """Signed market value per asset after each close (currency; futures: notional)."""
        marks = self._close.ffill().fillna(0.0).to_numpy(dtype=np.float64)
        return pd.DataFrame(self._held * marks * self._multiplier, index=self._close.index,
                            columns=self._close.columns, copy=False)

    @cached_property
    def trades(self) -> pd.DataFrame:
        """One row per fill: date, asset, units (signed), price (incl. slippage), value
        (|units| × price × multiplier, currency)."""
        units = self._held
        delta = np.diff(units, axis=0, prepend=np.zeros((1, units.shape[1])))
        ti, tj = np.nonzero(delta)
        d = delta[ti, tj]
        px = self._fill_px[ti, tj] * np.where(d > 0.0, 1.0 + self._slippage[tj],
                                                1.0 - self._slippage[tj])
        columns = [str(c) for c in self._close.columns]
        return pd.DataFrame({
            "date": self._close.index[ti], "asset": [columns[j] for j in tj], "units": d,
            "price": px, "value": np.abs(d) * px * self._multiplier[tj],
        })

    @cached_property
    def roll_trades(self) -> pd.DataFrame:
        """One row per futures roll charged (the ``rolls`` given, where lots were held):
        date, asset, units rolled (signed lots held at that close, before its rebalance),
        price (the close), value (one fill: |units| × price × multiplier, currency) and
        cost (fee and slippage of the two fills, currency; part of ``costs``)."""
        columns = [str(c) for c in self._close.columns]
        held = self._held
        if self._roll.shape[0] == 0:
            ti = tj = np.empty(0, dtype=np.int64)
        else:
            if not self._at_open:  # at the close a roll comes before that close's rebalance
                held = np.vstack([np.zeros((1, held.shape[1])), held[:-1]])
            ti, tj = np.nonzero(self._roll & (held != 0.0))
        units = held[ti, tj]
        price = self._close.to_numpy(dtype=np.float64, na_value=np.nan)[ti, tj]
        value = np.abs(units) * price * self._multiplier[tj]
        return pd.DataFrame({
            "date": self._close.index[ti], "asset": [columns[j] for j in tj], "units": units,
            "price": price, "value": value,
            "cost": 2.0 * value * (self._fee[tj] + self._slippage[tj]),
        })

    @property
    def returns(self) -> pd.Series:
        """Simple daily returns of equity (first day 0)."""
        return self.equity.pct_change().fillna(0.0)

    @property
    def traded_value(self) -> pd.Series:
        """Traded value per day (buys plus sells, currency)."""
        if self.trades.empty:
            return pd.Series(0.0, index=self.equity.index)
        by_day = self.trades.groupby("date")["value"].sum()
        return by_day.reindex(self.equity.index, fill_value=0.0)


def year_fraction(index: pd.Index, periods_per_year: float | None = None) -> np.ndarray:
    """Years between consecutive rows: ACT/365 on a DatetimeIndex, else 1/periods_per_year."""
    if periods_per_year is not None:
        yf = np.full(len(index), 1.0 / periods_per_year)
    elif isinstance(index, pd.DatetimeIndex):
        days = np.diff(index.values).astype("timedelta64[s]").astype(np.float64) / 86400.0
        yf = np.concatenate([[0.0], days / 365.0])
    else:
        raise BacktestError("prices have no DatetimeIndex: pass periods_per_year for carry costs")
    yf[0] = 0.0
    return yf


def frame_array(frame: pd.DataFrame) -> np.ndarray:
    """A frame's values as a read-only float64 T×N array (NaN for missing) in the layout
    pandas keeps them (columns contiguous: Fortran order): a view, no copy, when they are
    float64 already. One layout and one flag set, so the kernel compiles one signature."""
    arr = np.asfortranarray(frame.to_numpy(dtype=np.float64, na_value=np.nan))
    view = arr.view()
    view.flags.writeable = False
    return view


def price_array(frame: pd.DataFrame, name: str, *, contiguous: bool = True) -> np.ndarray:
    """Float64 prices (NaN for missing), C-contiguous, or as :func:`frame_array` gives them
    when not ``contiguous``; non-positive prices are an error."""
    if contiguous:
        arr = np.ascontiguousarray(frame.to_numpy(dtype=np.float64, na_value=np.nan))
    else:
        arr = frame_array(frame)
    if (arr <= 0.0).any():
        raise BacktestError(f"{name} prices must be positive")
    return arr


def open_array(close: pd.DataFrame, open_: pd.DataFrame | None, execution: Execution,
               close_array: np.ndarray, *, contiguous: bool = True) -> np.ndarray:
    """Execution prices at the open aligned to ``close`` (the closes when filling at close)."""
    if execution != "next_open":
        return close_array
    if open_ is None:
        raise BacktestError("execution='next_open' needs open prices (open_)")
    return price_array(open_.reindex(index=close.index, columns=close.columns), "open",
                       contiguous=contiguous)


def _label(value: object) -> str:
    """A row label as a reader writes it: a midnight timestamp as its date."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return str(value.date())
    return str(value)


def roll_array(close: pd.DataFrame, rolls: RollDates | None, is_futures: np.ndarray
               ) -> np.ndarray:
    """``rolls`` as the kernel's T×N bool (C order), or :data:`NO_ROLLS` when there are none.

    Every column named must be a futures column of ``close`` and every date a row of it on
    which that column has a close (the roll trades at it). All dates are looked up at once:
    a roll a month on 500 columns costs milliseconds, not a pandas call per column."""
    listed = {name: dates if isinstance(dates, pd.Index) else pd.Index(list(dates))
              for name, dates in (rolls or {}).items()}
    listed = {name: dates for name, dates in listed.items() if len(dates)}
    if not listed:
        return NO_ROLLS
    columns = [str(c) for c in close.columns]
    position = {c: j for j, c in reversed(list(enumerate(columns)))}
    unknown = sorted(set(listed) - set(columns))
    if unknown:
        raise BacktestError(f"roll dates for columns not in the prices: {unknown}",
                            f"name columns of the prices ({', '.join(columns)})")
    spot = sorted(c for c in listed if not is_futures[position[c]])
    if spot:
        raise BacktestError(f"roll dates for spot instruments {spot}: only futures contracts "
                            "roll", "give them InstrumentSpec(kind='futures', ...) or drop "
                                    "their roll dates")
    names = list(listed)
    cols = np.repeat([position[n] for n in names], [len(listed[n]) for n in names])
    wanted = listed[names[0]].append([listed[n] for n in names[1:]])
    if isinstance(close.index, pd.DatetimeIndex):
        try:
            wanted = pd.DatetimeIndex(wanted)
        except (ValueError, TypeError) as exc:
            raise BacktestError(f"roll dates are not dates: {exc}",
                                "give dates, timestamps or ISO strings") from exc
    rows = close.index.get_indexer(wanted)

    def first_column_of(bad: np.ndarray) -> tuple[int, list[str]]:
        """The first column with a bad roll date, and its bad dates as labels."""
        j = int(cols[np.argmax(bad)])
        return j, [_label(day) for day in wanted[np.flatnonzero(bad & (cols == j))]]

    if (rows < 0).any():
        j, off = first_column_of(rows < 0)
        raise BacktestError(f"roll dates of {columns[j]} not in the price index: {off}",
                            "give rows of the prices (the session of each roll)")
    values = close.to_numpy(dtype=np.float64, na_value=np.nan)
    unpriced = ~np.isfinite(values[rows, cols])
    if unpriced.any():
        j, off = first_column_of(unpriced)
        raise BacktestError(f"no close of {columns[j]} on its roll dates {off}",
                            "a roll trades at that close: fill the price or move the roll")
    out = np.zeros(close.shape, dtype=np.bool_)
    out[rows, cols] = True
    return out


def raise_for_status(status: int, row: int, detail: float, index: pd.Index,
                     columns: list[str]) -> None:
    """Turn a kernel status into a :class:`BacktestError` naming the day and the fix."""
    if status == engine.STATUS_OK:
        return
    day = index[row]
    if status == engine.STATUS_NO_PRICE:
        raise BacktestError(f"no price for {columns[int(detail)]} on {day} where a trade needs "
                            "one", "trim the targets to dates where the asset trades")
    if status == engine.STATUS_SHORTFALL:
        raise BacktestError(f"cash/margin short by {detail:,.2f} after the rebalance on {day}",
                            "lower the targets or set on_shortfall='scale' or 'finance'")
    if status == engine.STATUS_UNFUNDABLE:
        raise BacktestError(f"cash/margin short by {detail:,.2f} on {day} even with the "
                            "targeted positions closed", "add cash or lower the other positions")
    raise BacktestError(f"equity fell to {detail:,.2f} on {day}", "the book was wiped out")


def _takes_schedule_kernel(close: np.ndarray, execution: Execution, spec: EngineInputs,
                           roll: np.ndarray) -> bool:
    """Whether :mod:`~narrowgate.backtest.schedule_kernel` models this back-test: a large
    (:data:`SCHEDULE_MIN_CELLS`) spot book filled at the close with no carry (no borrow,
    basis or interest: cash and units stay constant between rebalances) and no rolls."""
    return (close.size >= SCHEDULE_MIN_CELLS and execution == "close" and roll.shape[0] == 0
            and not spec.is_futures.any() and spec.cash_rate == 0.0
            and spec.financing_rate == 0.0 and not spec.basis.any() and not spec.borrow.any())


def _schedule_rows(targets: pd.DataFrame, close: pd.DataFrame
                   ) -> tuple[np.ndarray, np.ndarray] | None:
    """The targets as given (R×N, columns of ``close``, rows in price order, labels not in
    the prices dropped as reindexing would) and the price row of each (int64): a monthly
    schedule stays 12 rows a year instead of a T×N frame. None when labels repeat (the
    reindexing path then says so)."""
    if not (close.index.is_unique and targets.index.is_unique):
        return None
    tg = targets if targets.columns.equals(close.columns) else \
        targets.reindex(columns=close.columns)
    rows = close.index.get_indexer(tg.index)
    keep = rows >= 0
    if not keep.all():
        tg, rows = tg.iloc[keep], rows[keep]
    if rows.size > 1 and not (np.diff(rows) > 0).all():
        order = np.argsort(rows, kind="stable")
        tg, rows = tg.iloc[order], rows[order]
    return frame_array(tg), np.ascontiguousarray(rows, dtype=np.int64)


def run_backtest(
    close: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    target_kind: TargetKind = "weights",
    open_: pd.DataFrame | None = None,
    execution: Execution = "close",
    instruments: Mapping[str, InstrumentSpec] | None = None,
    costs: Costs | None = None,
    initial_cash: float = 1_000_000.0,
    on_shortfall: Shortfall = "scale",
    periods_per_year: float | None = None,
    rolls: RollDates | None = None,
) -> BacktestResult:
    """Simulate targets (weights = signed notional / equity, or units) on close prices.

    ``targets`` is reindexed to the prices; NaN = no trade in that asset that day. With
    ``execution="next_open"`` a row decided at a close fills at the next row's ``open_``.
    Carry costs accrue by ACT/365 year fractions unless ``periods_per_year`` is given.
    ``rolls`` maps futures columns to the dates on whose close their contract rolls
    (continuous back-adjusted prices): each roll pays fee and slippage on two fills of the
    lots held, ``2 × |lots| × multiplier × close × (fee + slippage)``, before a rebalance
    at that close (which trades the new contract).
    """
    costs = costs or Costs()
    if not targets.columns.equals(close.columns):
        extra = set(targets.columns) - set(close.columns)
        if extra:
            raise BacktestError(f"targets for assets without prices: {sorted(map(str, extra))}")
    # The kernels read the frames' values where pandas keeps them (Fortran order): no
    # T×N copies of prices or targets.
    c = price_array(close, "close", contiguous=False)
    o = open_array(close, open_, execution, c, contiguous=False)
    spec = engine_inputs(close.columns, instruments, costs)
    roll = roll_array(close, rolls, spec.is_futures)
    t_n, n = c.shape
    out = {name: np.full(t_n, np.nan) for name in ("equity", "cash", "margin", "costs",
                                                   "carry", "scale")}
    units = np.empty((t_n, n))
    done = False
    if _takes_schedule_kernel(c, execution, spec, roll):
        schedule = _schedule_rows(targets, close)
        if schedule is not None:
            from narrowgate.backtest.schedule_kernel import run_schedule_spot_nb

            done = run_schedule_spot_nb(
                c, schedule[0], schedule[1], _KIND[target_kind], float(initial_cash),
                spec.multiplier, spec.lot, spec.fee, spec.slippage, _SHORTFALL[on_shortfall],
                out["equity"], out["cash"], out["margin"], units, out["costs"], out["carry"],
                out["scale"])
            if not done:  # run_nb starts over on clean arrays
                for arr in out.values():
                    arr[:] = np.nan
    if not done:
        tgt = targets.reindex(index=close.index, columns=close.columns)
        status, row, detail = engine.run_nb(
            c, o, frame_array(tgt), _KIND[target_kind], execution == "next_open",
            year_fraction(close.index, periods_per_year), float(initial_cash), spec.multiplier,
            spec.is_futures, spec.margin_rate, spec.margin_group, spec.lot, spec.basis,
            spec.fee, spec.slippage, spec.borrow, spec.cash_rate, spec.financing_rate,
            _SHORTFALL[on_shortfall], roll, out["equity"], True, out["cash"], out["margin"],
            units, out["costs"], out["carry"], out["scale"])
        if status != engine.STATUS_OK:
            raise_for_status(status, row, detail, close.index,
                             [str(col) for col in close.columns])
    idx = close.index
    series = {k: pd.Series(v, index=idx, name=k, copy=False) for k, v in out.items()}
    return BacktestResult(equity=series["equity"], cash=series["cash"], margin=series["margin"],
                          costs=series["costs"], carry=series["carry"], scale=series["scale"],
                          _units=units, _fill_px=o, _close=close.copy(deep=False),
                          _multiplier=spec.multiplier, _slippage=spec.slippage, _fee=spec.fee,
                          _roll=roll, _at_open=execution == "next_open")
