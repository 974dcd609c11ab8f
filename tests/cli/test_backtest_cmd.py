"""`narrowgate backtest` on the imported real data, through a small Typer app."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from narrowgate.cli.backtest_cmd import backtest, parse_sweep
from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from tests.conftest import eval_context

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


# the trades of the claims whose evaluators back-test the position the claim implies
IMPLIED_LABELS = ["storage-npo:vs-ai-hardware", "storage-npo:vs-nasdaq", "gold-over-silver",
                  "software-selloff", "dow-record", "a-share-view:index",
                  "a-share-view:export-basket", "btc-cycle:at-publication"]
SINCE = re.compile(r"since (publication|the selloff): ([+-]\d+\.\d\d)% from the (\S+) close "
                   r"to (\S+) ")


def test_claim_prints_metrics_and_since_publication(store_home: Path) -> None:
    result = invoke("rotation-trade", "--sweep", "gross=0.5:1.5:0.5")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "rotation-trade — metrics" in out and "max drawdown" in out
    assert "since publication: -3.07% from the 2026-02-06 close to 2026-07-23" in out
    assert "sweep of gross: top 3 of 3" in out and "gross=1.5" in out


def test_json_holds_the_same_figures_as_the_table(store_home: Path) -> None:
    import json

    result = CliRunner().invoke(app, ["backtest", "rotation-trade", "--sweep",
                                      "gross=0.5:1.5:0.5", "--offline", "--json"])
    assert result.exit_code == 0, result.output
    trade = json.loads(result.stdout)["trades"][0]
    since = trade["since_entry"]
    assert (since["start"], since["end"]) == ("2026-02-06", "2026-07-23")
    assert round(since["total_return"] * 100, 2) == -3.07
    assert since["rank"] <= since["windows"] and 0 <= since["percentile"] <= 1
    assert trade["units"]["sharpe"] == "ann., rf 0" and "max_drawdown" in trade["history"]
    assert [row["variant"] for row in trade["sweep"]["rows"]][:1] and \
        len(trade["sweep"]["rows"]) == 3


def test_every_trade_by_default(store_home: Path) -> None:
    result = invoke("--to", "2026-06-30")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "rotation-trade — metrics" in out and "if-vs-ic-im — metrics" in out
    assert "to 2026-06-30" in out
    for label in IMPLIED_LABELS:  # the positions claims imply run too, each in one place
        assert f"{label}: " in out
    assert "btc-cycle:at-window: not back-tested" in out  # pending: one line, not an error


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
    (["capex-total"], "claim 'capex-total' (fact) holds or implies no trade"),
    (["storage-npo:vs-gold"], "has no trade 'vs-gold' — its trades: storage-npo:vs-ai-hardware"),
    (["btc-cycle:at-window", "--to", "2026-09-30"],
     "pending — the data end on 2026-09-30, before the entry date"),
    (["dow-record", "--sweep", "gross=0.5,1"], "dow-record is a basket strategy with no "
                                               "parameter to sweep"),
    (["rotation-trade", "--sweep", "window=20:200:10"], "needs a pair strategy; "
                                                        "rotation-trade is a long_short "
                                                        "strategy with gross, net"),
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


def test_a_claim_with_two_implied_trades_runs_both(store_home: Path) -> None:
    result = invoke("storage-npo")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "storage-npo:vs-ai-hardware: long storage / short AI hardware — metrics" in out
    assert "storage-npo:vs-nasdaq: long storage / short us:QQQ — metrics" in out
    assert out.count("max drawdown") == 2 and out.count("since publication 2026-02-06 →") == 2
    assert [m.group(3) for m in SINCE.finditer(out)] == ["2026-02-06", "2026-02-06"]
    assert "not back-tested" not in out


def test_btc_runs_the_publication_entry_and_says_the_window_entry_is_pending(
        store_home: Path) -> None:
    # to 2026-08-21: the Yahoo BTC closes of 2026 H2 reach the window (tested below)
    result = invoke("btc-cycle", "--to", "2026-08-21")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert "btc-cycle:at-publication: BTC bought at publication — metrics" in out
    assert "(daily returns, 365 trading days/yr)" in out
    (since,) = SINCE.finditer(out)
    assert since.group(3) == "2026-02-07"  # the last close before publication (BTC: daily)
    (pending,) = [line for line in out.splitlines() if line.startswith("btc-cycle:at-window")]
    assert pending == ("btc-cycle:at-window: not back-tested: BTC bought at the first close "
                       "on/after 2026-10-01: pending — the data end on 2026-08-21, before the "
                       "entry date 2026-10-01")
    assert "Traceback" not in out
    measured = invoke("btc-cycle").output  # type: ignore[attr-defined]
    assert "btc-cycle:at-window: BTC bought at the first close on/after 2026-10-01" in measured


def test_a_claim_without_a_trade_names_the_back_testable_ones(store_home: Path) -> None:
    exc = invoke("saas-pricing").exception  # type: ignore[attr-defined]
    assert isinstance(exc, NarrowgateError) and "\n" not in str(exc)
    assert "claim 'saas-pricing' (qualitative) holds or implies no trade" in str(exc)
    named = str(exc).partition("back-testable claims: ")[2].split(", ")
    assert named == ["software-selloff", "dow-record", "rotation-trade", "storage-npo",
                     "btc-cycle", "gold-over-silver", "a-share-view", "if-vs-ic-im"]


@pytest.mark.parametrize(("target", "prefix", "event"), [
    ("gold-over-silver", "trade_", "publication"),
    ("software-selloff", "trade_", "the selloff"),  # entered at the selloff's start
    ("storage-npo:vs-nasdaq", "trade_vs_nasdaq_", "publication"),
])
def test_cli_return_is_the_evaluators_figure(store_home: Path, imported_hub: object,
                                             target: str, prefix: str, event: str) -> None:
    """One plan in one place: the terminal's since-entry run is the card's trade figure."""
    result = invoke(target, "--to", "2026-11-24")  # the as-of of eval_context
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    (since,) = SINCE.finditer(result.output)  # type: ignore[attr-defined]
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim(target.partition(":")[0])
    figures = {f.key: f.value for f in evaluate_claim(claim, ctx).evidence.figures}
    assert since.group(1) == event
    assert float(since.group(2)) == figures[f"{prefix}since_return"]
    assert (since.group(3), since.group(4)) == (figures[f"{prefix}window_start"],
                                                figures[f"{prefix}window_end"])
    evaluator: Any = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    assert target in [p.label for p in evaluator.implied_plans(claim, params, ctx)]


def test_sweep_runs_on_implied_trades_that_have_the_parameter(store_home: Path) -> None:
    result = invoke("storage-npo", "--sweep", "net=-0.5,0,0.5")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.output.count("sweep of net: top 3 of 3") == 2  # type: ignore[attr-defined]


def test_the_command_and_the_scorecard_give_the_same_rotation_figure(
        store_home: Path, imported_hub: object) -> None:
    """Both read the same spliced closes in the same basis (they differed, -2.85% against
    -3.07%, while each read picked its own source)."""
    from tests.conftest import eval_context
    from tests.evaluate.conftest import fig

    ctx = eval_context(imported_hub)
    from narrowgate.evaluate.runner import evaluate_claim

    result = evaluate_claim(ctx.thesis.claim("rotation-trade"), ctx)
    card = fig(result, "since_return")  # type: ignore[arg-type]
    assert fig(result, "window_end") == "2026-07-23"  # type: ignore[arg-type]
    out = invoke("rotation-trade", "--from", "2026-02-06", "--to", "2026-07-23").output  # type: ignore[attr-defined]
    since = next(m for m in SINCE.finditer(out))
    assert float(since.group(2)) == pytest.approx(card, abs=0.005)
