"""`narrowgate capex` through a small Typer app on the imported real store (offline)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from narrowgate.cli.capex_cmd import capex
from narrowgate.errors import DataNotFound, NarrowgateError


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


def test_tables_for_sec_and_fallback_companies(home: Path) -> None:
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "MSFT", "--offline",
                                      "--as-of", "2026-11-24"])
    assert out.exit_code == 0, out.output
    assert "GOOGL" in out.output and "91.4" in out.output  # FY2025 capex
    assert "FALLBACK" in out.output  # MSFT comes from FACTS.md 3a
    assert "revised-mid" in out.output and "2028" in out.output
    assert "out-of-sample" in out.output and "-5.8" in out.output  # GOOGL FY2025 1y error


def test_life_override_changes_the_projection(home: Path) -> None:
    base = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--as-of", "2026-11-24"])
    longer = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--as-of",
                                         "2026-11-24", "--life", "7"])
    assert base.exit_code == longer.exit_code == 0
    assert base.output != longer.output


def test_unknown_ticker_is_a_clear_error(home: Path) -> None:
    out = CliRunner().invoke(_app(), ["capex", "ZZZZ", "--offline"])
    assert isinstance(out.exception, DataNotFound)
    assert "ZZZZ" in str(out.exception) and "\n" not in str(out.exception)


def test_bad_options_are_errors(home: Path) -> None:
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--life", "0.5"])
    assert isinstance(out.exception, NarrowgateError)
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--as-of", "tomorrow"])
    assert isinstance(out.exception, NarrowgateError)
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "--scenario", "wild"])
    assert out.exit_code != 0
