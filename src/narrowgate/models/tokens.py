"""Token economics: blended prices and the Pareto frontier of LLM API offers.

Prices are USD per 1M tokens. A "blended" price weights input and output by a stated
input share (default 3:1 input:output, a common chat workload); the weight is a parameter
because the answer depends on it.
"""

from __future__ import annotations

import pandas as pd


def blended_price(
    input_usd_per_m: float, output_usd_per_m: float, input_share: float = 0.75
) -> float:
    if not 0.0 <= input_share <= 1.0:
        raise ValueError("input_share is a fraction between 0 and 1")
    return input_share * input_usd_per_m + (1.0 - input_share) * output_usd_per_m


def pareto_frontier(
    offers: pd.DataFrame, minimise: list[str], maximise: list[str] | None = None
) -> pd.Series:
    """Boolean Series: True where no other row is at least as good on every column and
    strictly better on one (lower is better for ``minimise``, higher for ``maximise``)."""
    maximise = maximise or []
    columns = [*minimise, *maximise]
    values = offers[columns].astype(float).to_numpy()
    sign = [1.0] * len(minimise) + [-1.0] * len(maximise)
    scored = values * sign  # lower is better on every column now
    on_frontier = []
    for i in range(len(scored)):
        dominated = ((scored <= scored[i]).all(axis=1) & (scored < scored[i]).any(axis=1)).any()
        on_frontier.append(not dominated)
    return pd.Series(on_frontier, index=offers.index)
