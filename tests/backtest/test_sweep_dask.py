"""Sweeps on a 2-worker Dask LocalCluster (127.0.0.1) equal the single-process run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from narrowgate.backtest import Costs, InstrumentSpec
from narrowgate.backtest.sweep import sweep_pair_ma, sweep_targets

distributed = pytest.importorskip("distributed")


def gbm(t: int, n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    steps = rng.normal(0.05 / 252, 0.25 / np.sqrt(252), (t, n))
    idx = pd.bdate_range("2015-01-05", periods=t)
    return pd.DataFrame(100 * np.exp(np.cumsum(steps, axis=0)), index=idx,
                        columns=[f"A{j}" for j in range(n)])


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address="127.0.0.1:0") as cluster:
        yield cluster.scheduler_address


def test_pair_sweep_on_cluster_equals_single_process(scheduler: str) -> None:
    close = gbm(700, 2)
    windows = np.arange(2, 202)
    costs = Costs(fee=0.001, borrow_per_year=0.02, cash_rate_per_year=0.01)
    one = sweep_pair_ma(close, windows, costs=costs)
    many = sweep_pair_ma(close, windows, costs=costs, scheduler=scheduler, chunk_size=37)
    np.testing.assert_array_equal(many.equity.to_numpy(), one.equity.to_numpy())
    pd.testing.assert_frame_equal(many.status, one.status)
    assert list(many.equity.columns) == list(windows)


def test_futures_pair_sweep_on_cluster_equals_single_process(scheduler: str) -> None:
    close = gbm(400, 2, seed=3) * 40
    specs = {"A0": InstrumentSpec.cffex("cnfut:IF"), "A1": InstrumentSpec.cffex("cnfut:IC")}
    kw = {"instruments": specs, "costs": Costs(fee=0.0002), "initial_cash": 5e6}
    one = sweep_pair_ma(close, [5, 20, 60], **kw)
    many = sweep_pair_ma(close, [5, 20, 60], scheduler=scheduler, **kw)
    np.testing.assert_array_equal(many.equity.to_numpy(), one.equity.to_numpy())


def test_target_sweep_on_cluster_equals_single_process(scheduler: str) -> None:
    close = gbm(300, 3)
    rng = np.random.default_rng(5)
    targets = rng.uniform(-0.5, 0.5, (9, 300, 3))
    targets[:, rng.uniform(size=300) < 0.8] = np.nan
    kw = {"costs": Costs(fee=0.002, borrow_per_year=0.01), "labels": list("abcdefghi")}
    one = sweep_targets(close, targets, **kw)
    many = sweep_targets(close, targets, scheduler=scheduler, chunk_size=4, **kw)
    np.testing.assert_array_equal(many.equity.to_numpy(), one.equity.to_numpy())
    assert list(many.equity.columns) == list("abcdefghi")


def test_cli_scheduler_local_prints_the_same_sweep(imported_store_path: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from typer.testing import CliRunner

    from narrowgate.cli.backtest_cmd import backtest

    monkeypatch.setenv("NARROWGATE_HOME", str(imported_store_path.parent))
    monkeypatch.setenv("COLUMNS", "200")
    app = typer.Typer()
    app.command("backtest")(backtest)
    app.command("version")(lambda: None)
    spec = tmp_path / "pair.yaml"
    spec.write_text("kind: pair\nlong: us:QQQ\nshort: us:IGV\nrebalance: daily\n"
                    "filter: {window: 50}\n", encoding="utf-8")
    args = ["backtest", str(spec), "--from", "2020-01-01", "--sweep", "window=20:200:10",
            "--offline"]
    here = CliRunner().invoke(app, args)
    there = CliRunner().invoke(app, [*args, "--scheduler", "local"])
    assert here.exit_code == 0 and there.exit_code == 0, there.output
    table = here.output[here.output.index("sweep of window"):]
    assert "top 10 of 19" in table
    assert there.output[there.output.index("sweep of window"):] == table
