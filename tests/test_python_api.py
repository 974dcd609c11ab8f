"""The public Python API: docs/python-api.md runs as written on the recorded data, and the
objects it returns hold what the page says (real store, offline, no network)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import narrowgate as ng
from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.scorecard import Scorecard, scorecard_json_schema
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "python-api.md"


@pytest.fixture(scope="module")
def page(imported_store_path: Path) -> dict[str, object]:
    """Every python block of the page, run in order in one namespace (as a notebook would)."""
    import os

    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 2
    old = os.environ.get("NARROWGATE_HOME")
    os.environ["NARROWGATE_HOME"] = str(imported_store_path.parent)
    try:
        namespace: dict[str, object] = {}
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)
    finally:
        if old is None:
            del os.environ["NARROWGATE_HOME"]
        else:
            os.environ["NARROWGATE_HOME"] = old
    return namespace


def test_five_lines_give_a_verdict_table(page: dict[str, object]) -> None:
    card = page["card"]
    verdicts = page["verdicts"]
    assert isinstance(card, Scorecard) and isinstance(verdicts, pd.DataFrame)
    assert list(verdicts.index) == [r.claim_id for r in card.results]
    assert list(verdicts.columns) == ["kind", "test", "verdict", "headline", "value", "unit",
                                      "data_end", "stale", "stability_pct"]
    row = verdicts.loc["rotation-trade"]
    assert (row["verdict"], row["value"]) == ("contradicted", -3.07)
    assert row["unit"] == "% of initial capital"
    assert str(row["data_end"]) == "2026-08-21" and bool(row["stale"])
    assert row["stability_pct"] == 100.0
    assert card.claim("rotation-trade").verdict.value == "contradicted"
    with pytest.raises(KeyError, match="rotation-trade"):
        card.claim("no-such-claim")
    zh = card.to_frame("zh")
    assert zh.loc["rotation-trade", "结论"] == "被否定"


def test_prices_are_wide_closes_with_provenance(page: dict[str, object]) -> None:
    closes = page["closes"]
    assert isinstance(closes, pd.DataFrame)
    assert list(closes.columns) == ["us:QQQ", "us:DIA", "us:IWM"]
    assert closes.index[0] == pd.Timestamp("2026-02-06")
    provenance = closes.attrs["provenance"]
    assert [p.instrument for p in provenance] == list(closes.columns)
    assert {p.basis for p in provenance} == {"split"}
    assert closes.loc["2026-02-06", "us:DIA"] == pytest.approx(501.03, abs=0.01)


def test_backtest_stats_carry_units_and_the_figure_draws(page: dict[str, object]) -> None:
    stats = page["stats"]
    assert isinstance(stats, pd.Series)
    assert all(re.search(r"\(.+\)$", label) for label in stats.index)
    closes = page["closes"]
    assert isinstance(closes, pd.DataFrame)
    # the back-test's total return against the plain arithmetic of its first and last day
    trade = page["trade"]
    equity = trade.equity  # type: ignore[attr-defined]
    assert equity.index[0] == pd.Timestamp("2026-02-06")
    assert stats["total return (%)"] == pytest.approx((equity.iloc[-1] / 1_000_000 - 1) * 100)
    assert -20 < stats["total return (%)"] < 20
    assert stats["gross exposure (× equity, mean)"] == pytest.approx(1.0, abs=0.1)
    assert type(page["figure"]).__name__ == "Figure"


def test_a_written_scorecard_loads_back_and_meets_the_shipped_schema(
        page: dict[str, object]) -> None:
    import jsonschema

    card = page["card"]
    assert isinstance(card, Scorecard)
    payload = json.loads(json.dumps(card.to_json_dict()))
    shipped = json.loads((REPO_ROOT / "docs" / "scorecard.schema.json").read_text("utf-8"))
    assert shipped == json.loads(json.dumps(scorecard_json_schema())), (
        "docs/scorecard.schema.json is stale: regenerate it with scorecard_json_schema()")
    jsonschema.validate(payload, shipped)
    again = Scorecard.model_validate_json(json.dumps(payload))
    assert again.counts == card.counts and again.newest_data == card.newest_data
    assert ng.load_scorecard is not None


def test_notebook_card_escapes_and_names_every_claim(page: dict[str, object]) -> None:
    card = page["card"]
    assert isinstance(card, Scorecard)
    html = card._repr_html_()
    assert all(r.claim_id in html for r in card.results)
    assert "<script" not in html
    assert "rotation-trade" in card.claim("rotation-trade")._repr_html_()


def test_bad_arguments_are_one_clear_error() -> None:
    with pytest.raises(NarrowgateError, match="not a date"):
        ng.run(as_of="2026-13-01", offline=True)
    with pytest.raises(NarrowgateError, match="not a price basis"):
        ng.bars("us:QQQ", basis="adjusted", offline=True)  # type: ignore[arg-type]
    with pytest.raises(NarrowgateError, match="strategy"):
        ng.backtest({"kind": "long_short", "long": {}}, offline=True)


def test_import_is_cheap_and_backtest_stays_callable() -> None:
    code = ("import sys, narrowgate as ng; import narrowgate.backtest.api; "
            "assert callable(ng.backtest); print('pandas' in sys.modules and "
            "'narrowgate.backtest.api' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "True"
    cold = subprocess.run([sys.executable, "-c", "import sys, narrowgate; "
                           "print('pandas' in sys.modules)"], capture_output=True, text=True,
                          check=True)
    assert cold.stdout.strip() == "False"

