"""Back-testing: numba kernels (``engine``), a pandas API (``api``), strategies as data,
metrics with explicit units, sweeps and since-publication helpers.

Import the submodules you need; this package is never imported by ``narrowgate --help``.
"""

from narrowgate.backtest.api import (
    BacktestError,
    BacktestResult,
    Costs,
    InstrumentSpec,
    run_backtest,
)

__all__ = ["BacktestError", "BacktestResult", "Costs", "InstrumentSpec", "run_backtest"]
