"""Headline metrics of one back-test, each with its unit: the table the CLI prints and the
Series ``narrowgate.backtest(...).stats()`` returns.

Why one place: the command line and the Python API must report the same numbers under the
same names and units. The total return is on the initial cash (entry costs included); the
rest are computed on daily equity returns with a zero risk-free rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.backtest.api import BacktestResult

#: (key, name, unit) in the order a reader wants them
METRIC_ROWS = [("total_return", "total return", "%"), ("cagr", "CAGR", "% / yr"),
               ("annual_volatility", "volatility", "% / yr"), ("sharpe", "Sharpe", "ann., rf 0"),
               ("sortino", "Sortino", "ann., rf 0"), ("max_drawdown", "max drawdown", "%"),
               ("max_drawdown_periods", "longest drawdown", "trading days"),
               ("calmar", "Calmar", "CAGR / |max DD|"),
               ("turnover", "turnover", "× equity / yr"),
               ("gross_exposure", "gross exposure", "× equity, mean")]
#: metrics computed as fractions and shown in percent
PERCENT = {"total_return", "cagr", "annual_volatility", "max_drawdown"}


def headline_metrics(result: BacktestResult, periods_per_year: float,
                     initial_cash: float) -> dict[str, float]:
    """Every metric of :data:`METRIC_ROWS` as a fraction or plain number (not percent)."""
    from narrowgate.backtest import metrics

    out = metrics.summarize(result.returns, periods_per_year=periods_per_year,
                            risk_free_per_period=0.0)
    out["total_return"] = float(result.equity.iloc[-1] / initial_cash - 1.0)
    out["turnover"] = metrics.annual_turnover(result.traded_value, result.equity,
                                              periods_per_year=periods_per_year)
    out["gross_exposure"] = float(metrics.gross_exposure(result.position_values,
                                                         result.equity).mean())
    return out


def stats_series(result: BacktestResult, periods_per_year: float,
                 initial_cash: float) -> pd.Series:
    """The metrics as a Series whose labels carry the unit ("total return (%)"); the
    percent metrics are in percent here, as labelled."""
    import pandas as pd

    values = headline_metrics(result, periods_per_year, initial_cash)
    return pd.Series({f"{name} ({unit})": values[key] * (100.0 if key in PERCENT else 1.0)
                      for key, name, unit in METRIC_ROWS}, name="value", dtype="float64")
