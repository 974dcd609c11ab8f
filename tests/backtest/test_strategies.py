"""Strategy specs compile to the weights and rebalance days their description says."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from narrowgate.backtest.strategies import (
    Basket,
    LongShort,
    Pair,
    RatioFilter,
    compile_strategy,
    load_strategy,
    run_strategy,
)

IDX = pd.bdate_range("2024-01-29", "2024-03-08")


def prices() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    data = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (len(IDX), 4)), axis=0))
    return pd.DataFrame(data, index=IDX, columns=["DIA", "IWM", "QQQ", "IGV"])


def test_yaml_reads_like_the_trade() -> None:
    spec = load_strategy(yaml.safe_load("""
        kind: long_short
        long: [DIA, IWM]
        short: [QQQ, IGV]
        gross: 1.0
        net: 0.0
        rebalance: monthly
        entry: 2024-02-06
    """))
    assert isinstance(spec, LongShort)
    compiled = compile_strategy(spec, prices())
    row = compiled.weights.loc["2024-02-06"]
    assert row.to_dict() == {"DIA": 0.25, "IWM": 0.25, "QQQ": -0.25, "IGV": -0.25}
    days = compiled.rebalance[compiled.rebalance].index
    assert [d.date() for d in days] == [date(2024, 2, 6), date(2024, 3, 1)]
    assert (compiled.weights.loc[:"2024-02-05"] == 0).all().all()


def test_gross_and_net_split_the_legs() -> None:
    spec = LongShort(long={"DIA": 3, "IWM": 1}, short=["QQQ"], gross=1.5, net=0.5)
    w = compile_strategy(spec, prices()).weights.iloc[0]
    assert w["DIA"] == pytest.approx(0.75) and w["IWM"] == pytest.approx(0.25)
    assert w["QQQ"] == pytest.approx(-0.5)
    with pytest.raises(ValidationError, match="cannot exceed gross"):
        LongShort(long=["DIA"], short=["QQQ"], gross=1.0, net=1.5)


def test_schedules_and_exit() -> None:
    close = prices()
    weekly = compile_strategy(Basket(weights={"DIA": 1.0}, rebalance="weekly"), close)
    assert weekly.rebalance.sum() == len(set(IDX.to_period("W")))
    timed = compile_strategy(
        Basket(weights={"DIA": 1.0}, rebalance="once", entry=date(2024, 2, 3),
               exit=date(2024, 2, 20)), close)
    on = timed.rebalance[timed.rebalance].index
    assert [d.date() for d in on] == [date(2024, 2, 5), date(2024, 2, 20)]
    assert timed.weights.loc["2024-02-20", "DIA"] == 0.0
    result = run_strategy(Basket(weights={"DIA": 1.0}, rebalance="once", entry=date(2024, 2, 3),
                                 exit=date(2024, 2, 20)), close)
    assert result.positions["DIA"].iloc[-1] == 0.0
    assert result.equity.iloc[-1] == pytest.approx(
        1e6 * close.loc["2024-02-20", "DIA"] / close.loc["2024-02-05", "DIA"])


def test_pair_filter_flat_until_the_average_exists_then_signals() -> None:
    close = prices()
    spec = Pair(long="QQQ", short="IGV", filter=RatioFilter(window=5), rebalance="on_signal")
    c = compile_strategy(spec, close)
    assert (c.weights.iloc[:4] == 0).all().all()
    ratio = close["QQQ"] / close["IGV"]
    above = ratio > ratio.rolling(5).mean()
    expected = np.where(above, 0.5, -0.5)[4:]
    assert np.allclose(c.weights["QQQ"].iloc[4:], expected)
    changes = c.weights.diff().abs().sum(axis=1) > 0
    assert (c.rebalance.iloc[1:] == changes.iloc[1:]).all()


def test_unknown_fields_and_kinds_are_rejected() -> None:
    with pytest.raises(ValidationError):
        load_strategy({"kind": "basket", "weights": {"A": 1}, "rebalence": "daily"})
    with pytest.raises(ValidationError):
        load_strategy({"kind": "straddle"})
