"""Co-movement of daily returns: aligned returns, equal-weight baskets, rolling correlation.

Conventions: closes are indexed by date (ascending); returns are simple fractions between
consecutive dates on which *every* column has a close, so instruments on different
calendars (LBMA fixes, US and A-share sessions) are compared over the same spans and a
holiday never pairs a one-day return with a two-day one. Pure: frames in, frames out.
"""

from __future__ import annotations

import pandas as pd


def aligned_returns(closes: pd.DataFrame) -> pd.DataFrame:
    """Simple returns between consecutive dates where all columns have a close."""
    common = closes.sort_index().dropna(how="any")
    if len(common) < 2:
        raise ValueError(f"fewer than two common dates for {list(closes.columns)}")
    return common.pct_change().iloc[1:]


def equal_weight_returns(returns: pd.DataFrame, members: list[str]) -> pd.Series:
    """Daily return of an equal-weight basket rebalanced every period (mean of members).

    Why daily rebalancing here: for correlation the basket is a return *signal*, not a
    holding; a drifting buy-and-hold basket would let one winner dominate the signal.
    """
    if not members:
        raise ValueError("a basket needs at least one member")
    return returns[members].mean(axis=1)


def rolling_correlation(a: pd.Series, b: pd.Series, window: int) -> pd.Series:
    """Pearson correlation of two return series over a trailing ``window`` of periods.

    The first ``window - 1`` values are dropped (not NaN-padded) so the result starts where
    a full window exists.
    """
    if window < 3:
        raise ValueError("a correlation window needs at least 3 periods")
    joined = pd.concat([a, b], axis=1, join="inner", sort=True).dropna()
    if len(joined) < window:
        raise ValueError(f"{len(joined)} common returns, fewer than the window of {window}")
    corr = joined.iloc[:, 0].rolling(window).corr(joined.iloc[:, 1])
    return corr.iloc[window - 1 :]
