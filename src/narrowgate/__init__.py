"""narrowgate: a thesis file goes in; data, models, back-tests and a scorecard come out.

The public Python API (documented in docs/python-api.md)::

    import narrowgate as ng
    card = ng.run("ai-narrow-gate", as_of="2026-11-24", offline=True)
    card.to_frame()                                   # one row per claim
    ng.bars(["us:QQQ", "us:DIA"], start="2026-02-06")  # wide closes, provenance in .attrs
    ng.backtest("my-strategy.yaml").stats()           # metrics with units

The names load on first use (PEP 562), so ``import narrowgate`` — and the command line,
which imports this package — stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from narrowgate.api import (
        BacktestRun,
        Scorecard,
        backtest,
        bars,
        facts,
        flips,
        history,
        load_scorecard,
        run,
        series,
    )

__all__ = ["BacktestRun", "Scorecard", "__version__", "backtest", "bars", "facts", "flips",
           "history", "load_scorecard", "run", "series"]


def __getattr__(name: str) -> object:
    if name == "backtest":  # the subpackage, callable as the API function
        from importlib import import_module

        return import_module("narrowgate.backtest")
    if name in __all__ and name != "__version__":
        from narrowgate import api

        return getattr(api, name)
    raise AttributeError(f"module 'narrowgate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
