"""`narrowgate backtest` on the imported real data, through a small Typer app."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from narrowgate.cli.backtest_cmd import backtest, parse_sweep
from narrowgate.errors import NarrowgateError

app = typer.Typer()
app.command("backtest")(backtest)


@app.command("version")
def _version() -> None:  # a second command keeps "backtest" a sub-command, as in narrowgate
    """Unused."""


@pytest.fixture
def store_home(imported_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARROWGATE_HOME", str(imported_store_path.parent))
    monkeypatch.setenv("COLUMNS", "200")
    return imported_store_path.parent


def invoke(*args: str) -> object:
    return CliRunner().invoke(app, ["backtest", *args, "--offline"])


def test_claim_prints_metrics_and_since_publication(store_home: Path) -> None:
    result = invoke("rotation-trade", "--sweep", "gross=0.5:1.5:0.5")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "rotation-trade — metrics" in out and "max drawdown" in out
    assert "since publication: -3.07% from the 2026-02-06 close to 2026-07-23" in out
    assert "sweep of gross: top 3 of 3" in out and "gross=1.5" in out


def test_every_trade_by_default(store_home: Path) -> None:
    result = invoke("--to", "2026-06-30")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "rotation-trade — metrics" in out and "if-vs-ic-im — metrics" in out
    assert "to 2026-06-30" in out


def test_strategy_file_with_a_window_sweep(store_home: Path, tmp_path: Path) -> None:
    spec = tmp_path / "pair.yaml"
    spec.write_text("kind: pair\nlong: us:QQQ\nshort: us:IGV\nrebalance: daily\n"
                    "entry: 2026-02-06\nfilter: {window: 50}\n", encoding="utf-8")
    result = invoke(str(spec), "--from", "2020-01-01", "--sweep", "window=20:200:10")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "sweep of window: top 10 of 19" in out
    assert "since publication:" in out and "2026-02-06 close" in out


@pytest.mark.parametrize(("args", "message"), [
    (["no-such-claim"], "no claim 'no-such-claim'"),
    (["capex-total"], "is a fact, not a trade"),
    (["rotation-trade", "--sweep", "window=20:200:10"], "needs a pair strategy"),
    (["rotation-trade", "--sweep", "gross=2:1:1"], "is empty"),
    (["rotation-trade", "--sweep", "speed=1:2:1"], "cannot vary 'speed'"),
    (["rotation-trade", "--from", "2026-13-01"], "is not a date"),
])
def test_bad_input_is_one_line(store_home: Path, args: list[str], message: str) -> None:
    result = invoke(*args)
    exc = result.exception  # type: ignore[attr-defined]
    assert isinstance(exc, NarrowgateError), result.output  # type: ignore[attr-defined]
    assert message in str(exc) and "\n" not in str(exc)


def test_malformed_strategy_files(store_home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: long_short\nlong: [us:DIA\n", encoding="utf-8")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("kind: long_short\nlong: [us:DIA]\nshort: [us:QQQ]\ngross: -1\n",
                     encoding="utf-8")
    for path, message in ((broken, "not valid YAML"), (wrong, "gross")):
        exc = invoke(str(path)).exception  # type: ignore[attr-defined]
        assert isinstance(exc, NarrowgateError) and message in str(exc)


def test_sweep_ranges() -> None:
    assert parse_sweep("window=20:200:10")[1][-1] == 200
    assert parse_sweep("gross=0.5,1,1.5") == ("gross", [0.5, 1.0, 1.5])
    with pytest.raises(NarrowgateError, match="whole days"):
        parse_sweep("window=2.5:3:1")
    with pytest.raises(NarrowgateError, match="not numbers"):
        parse_sweep("gross=a:b:c")
    with pytest.raises(NarrowgateError, match="PARAM=RANGE"):
        parse_sweep("window")
