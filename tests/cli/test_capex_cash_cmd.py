"""`narrowgate capex`: the cash-side table and its JSON (capex-chain version 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from narrowgate.cli.capex_cmd import capex


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("capex")(capex)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps 'capex' a named sub-command
        """placeholder"""

    return app


@pytest.fixture
def home(imported_store_path: Path, isolated_home: Path,
         monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(imported_store_path, isolated_home / "store.duckdb")
    monkeypatch.setenv("NARROWGATE_HOME", str(isolated_home))
    monkeypatch.setenv("COLUMNS", "200")
    return isolated_home


def test_cash_side_table_and_json(home: Path) -> None:
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--as-of", "2026-11-24"])
    assert out.exit_code == 0, out.output
    assert "GOOGL: cash side" in out.output and "capex/OCF" in out.output
    doc = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--as-of", "2026-11-24",
                                      "--json"])
    assert doc.exit_code == 0, doc.output
    cash = {r["fiscal_year"]: r for r in json.loads(doc.stdout)["companies"][0]["cash"]}
    # Alphabet 10-K FY2025: debt proceeds 64.564 − repayments 32.427 (USD bn)
    assert round(cash[2025]["net_debt_issuance"], 3) == round(64.564 - 32.427, 3)
    assert cash[2024]["construction_in_progress"] == 50.597
    assert cash[2025]["construction_in_progress"] is None  # not reported: null, never 0
