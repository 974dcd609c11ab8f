"""Back-testing: numba kernels (``engine``), a pandas API (``api``), strategies as data,
metrics with explicit units, sweeps and since-publication helpers.

Import the submodules you need; this package is never imported by ``narrowgate --help``.
The names below load on first use (PEP 562), so ``import narrowgate.backtest`` costs
nothing and ``Costs``/``InstrumentSpec`` alone do not import numba or pandas.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from narrowgate.backtest.numba_cache import ensure_numba_cache

if TYPE_CHECKING:
    from narrowgate.backtest.api import BacktestError, BacktestResult, run_backtest
    from narrowgate.backtest.specs import Costs, InstrumentSpec

__all__ = ["BacktestError", "BacktestResult", "Costs", "InstrumentSpec", "run_backtest"]

# before any kernel module imports numba: a read-only install needs a writable cache
ensure_numba_cache()

_HOME = {"BacktestError": "api", "BacktestResult": "api", "run_backtest": "api",
         "Costs": "specs", "InstrumentSpec": "specs"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


class _CallablePackage(ModuleType):
    """``narrowgate.backtest(...)`` is the public back-test function (see api.py), and
    ``narrowgate.backtest`` is also this package: Python binds a subpackage as an
    attribute of its parent once any of its modules is imported, which would hide the
    function. Calling the package runs :func:`narrowgate.api.backtest`, so both work."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from narrowgate.api import backtest

        return backtest(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
