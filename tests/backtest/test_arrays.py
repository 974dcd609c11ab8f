"""The array face: bitwise the frame API's results, its own errors, and no pandas import."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from narrowgate.backtest import Costs, InstrumentSpec
from narrowgate.backtest.arrays import sweep_pair_ma_arrays, year_fraction_of
from narrowgate.backtest.inputs import BacktestError
from narrowgate.backtest.sweep import sweep_pair_ma
from tests.backtest.test_sweep_history import gbm

WINDOWS = [2, 5, 20, 200, 599]


@pytest.mark.parametrize("otherwise", ["reverse", "flat"])
def test_equals_the_frame_sweep_bitwise(otherwise: str) -> None:
    close = gbm(600, 2)
    costs = Costs(fee=0.001, slippage=0.0005, borrow_per_year=0.02, cash_rate_per_year=0.01)
    frame = sweep_pair_ma(close, WINDOWS, costs=costs, otherwise=otherwise)
    equity, status = sweep_pair_ma_arrays(close.to_numpy(), WINDOWS, dates=close.index.values,
                                          costs=costs, otherwise=otherwise)
    assert equity.shape == (len(WINDOWS), 600)
    assert np.array_equal(equity, frame.equity.to_numpy().T, equal_nan=True)
    assert np.array_equal(status, frame.status.to_numpy())


def test_futures_legs_take_the_general_kernel_and_still_agree() -> None:
    close = gbm(300, 2, seed=3)
    legs = {"A0": InstrumentSpec.cffex("cnfut:IF"), "A1": InstrumentSpec.cffex("cnfut:IC")}
    frame = sweep_pair_ma(close, [3, 30], instruments=legs, initial_cash=50_000_000)
    equity, status = sweep_pair_ma_arrays(close.to_numpy(), [3, 30], dates=close.index.values,
                                          instruments=list(legs.values()),
                                          initial_cash=50_000_000)
    assert np.array_equal(equity, frame.equity.to_numpy().T, equal_nan=True)
    assert (status[:, 0] == 0).all()


def test_periods_per_year_or_dates() -> None:
    days = np.array(["2024-01-05", "2024-01-08", "2024-01-09"], dtype="datetime64[D]")
    assert year_fraction_of(days, 3, None).tolist() == [0.0, 3 / 365, 1 / 365]
    assert year_fraction_of(None, 3, 252).tolist() == [0.0, 1 / 252, 1 / 252]
    with pytest.raises(BacktestError, match=r"dates .* or periods_per_year"):
        year_fraction_of(None, 3, None)
    with pytest.raises(BacktestError, match="one entry per price row"):
        year_fraction_of(days[:2], 3, None)


@pytest.mark.parametrize(("close", "kwargs", "message"), [
    (np.ones((10, 3)), {}, "T×2 prices"),
    (np.array([[1.0, np.nan]] * 10), {}, "a price for both legs"),
    (np.ones((10, 2)), {"otherwise": "hold"}, "otherwise must be"),
    (np.ones((10, 2)), {"on_shortfall": "ignore"}, "on_shortfall must be"),
    (np.ones((10, 2)), {"instruments": [InstrumentSpec()]}, "one instrument spec per column"),
])
def test_bad_input_is_a_backtest_error(close: np.ndarray, kwargs: dict[str, object],
                                       message: str) -> None:
    with pytest.raises(BacktestError, match=message):
        sweep_pair_ma_arrays(close, [2], periods_per_year=252, **kwargs)  # type: ignore[arg-type]


def test_windows_must_be_positive() -> None:
    with pytest.raises(BacktestError, match="positive integers"):
        sweep_pair_ma_arrays(np.ones((10, 2)), [0, 3], periods_per_year=252)


def test_importing_and_running_it_never_imports_pandas() -> None:
    """The point of the module: a pure-array caller pays neither pandas' import time nor
    its ~80 MB (pyarrow comes with it)."""
    code = ("import sys, numpy as np\n"
            "from narrowgate.backtest.arrays import sweep_pair_ma_arrays\n"
            "eq, st = sweep_pair_ma_arrays(np.full((30, 2), 100.0), [2, 5], "
            "periods_per_year=252)\n"
            "assert eq.shape == (2, 30) and (st[:, 0] == 0).all()\n"
            "print(sorted(m for m in ('pandas', 'pyarrow', 'pydantic') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
