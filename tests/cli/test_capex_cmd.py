"""`narrowgate capex` through a small Typer app on the imported real store (offline)."""

from __future__ import annotations

import json
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


def test_json_has_the_tables_figures(home: Path) -> None:
    import json

    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "MSFT", "--offline", "--as-of",
                                      "2026-11-24", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    googl, msft = doc["companies"]
    assert doc["unit"] == "USD bn" and (googl["ticker"], googl["fallback"]) == ("GOOGL", False)
    fy25 = next(r for r in googl["history"] if r["fiscal_year"] == 2025)
    assert (fy25["capex"], fy25["d_and_a"]) == (91.447, 21.136)  # the capex-chain figures
    assert round(googl["ttm"]["fcf"], 3) == 64.429
    assert round(googl["fit"]["one_year_ahead_errors"][-1]["pct_error"] * 100, 1) == -5.8
    assert msft["fallback"] is True


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


def test_ttm_row_and_sensitivity_table(home: Path) -> None:
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "AMZN", "--offline", "--as-of",
                                      "2026-11-24", "--sensitivity", "--growths", "0,20"])
    assert out.exit_code == 0, out.output
    assert "TTM" in out.output and "109.9" in out.output and "64.4" in out.output  # GOOGL
    assert "TTM (fallback)" in out.output and "1.2" in out.output  # AMZN, FACTS.md 3a
    assert "D&A by server life" in out.output
    assert "capex +20%/yr" in out.output and "capex +40%/yr" not in out.output
    for life in ("4", "5", "6", "7"):
        assert f"│        {life} │ 2027 │" in out.output


def test_ocf_growth_and_life_reach_the_projection(home: Path) -> None:
    args = ["capex", "GOOGL", "--offline", "--as-of", "2026-11-24"]
    out = CliRunner().invoke(_app(), [*args, "--ocf-growth", "0"])
    assert out.exit_code == 0, out.output
    assert "ocf +0%" in out.output
    # guide-mid 2026: FCF = 164.713 × 1.00 − 180 = −15.3
    mid = CliRunner().invoke(_app(), [*args, "--ocf-growth", "0", "--scenario", "guide-mid"])
    assert "-15.3" in mid.output
    sens = CliRunner().invoke(_app(), [*args, "--sensitivity", "--life", "4.5"])
    assert sens.exit_code == 0 and "│      4.5 │ 2027 │" in sens.output


def test_bad_sensitivity_and_ocf_options(home: Path) -> None:
    for extra in (["--ocf-growth", "500"], ["--growths", "a,b"], ["--growths", "999"]):
        out = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", *extra])
        assert isinstance(out.exception, NarrowgateError), extra
        assert "\n" not in str(out.exception)


def test_unusable_sec_facts_are_a_one_line_error(home: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Zero capex in the SEC facts stops the command with one clear line, not a zero."""
    import narrowgate.evaluate.kinds.capex_inputs as capex_data
    from narrowgate.models.capex import InvalidCapex

    real = capex_data.sec_facts

    def zero_capex(hub, ticker, as_of, tags=None):  # type: ignore[no-untyped-def]
        frame, used = real(hub, ticker, as_of, tags)
        hit = frame["concept"] == "PaymentsToAcquirePropertyPlantAndEquipment"
        frame = frame.copy()
        frame.loc[hit, "value"] = 0.0
        return frame, used

    monkeypatch.setattr(capex_data, "sec_facts", zero_capex)
    out = CliRunner().invoke(_app(), ["capex", "GOOGL", "--offline", "--as-of", "2026-11-24"])
    assert isinstance(out.exception, InvalidCapex)
    assert "GOOGL: capex for fiscal" in str(out.exception) and "\n" not in str(out.exception)


def test_the_thesis_is_chosen_and_must_have_a_capex_chain_claim(home: Path) -> None:
    """The companies come from the thesis's capex-chain claim, found by its test, not by a
    claim id; a thesis without one is a one-line error."""
    from tests.conftest import REPO_ROOT

    example = str(REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml")
    out = CliRunner().invoke(_app(), ["capex", "--offline", "--thesis", example])
    assert isinstance(out.exception, NarrowgateError)
    assert "thesis rates-and-gold has no claim on the capex-chain test" in str(out.exception)


def test_another_thesis_drives_the_companies_and_scenarios(home: Path) -> None:
    """The example thesis's capex-chain claim: NVDA, AAPL and GOOGL from SEC facts, GOOGL
    projected under the example's guidance claim."""
    from tests.conftest import REPO_ROOT

    example = str(REPO_ROOT / "docs" / "examples" / "capex-cycle.yaml")
    out = CliRunner().invoke(_app(), ["capex", "--offline", "--as-of", "2026-11-24",
                                      "--thesis", example])
    assert out.exit_code == 0, out.output
    assert all(t in out.output for t in ("NVDA", "AAPL", "GOOGL"))
    assert "FALLBACK" not in out.output and "revised-mid" in out.output
    assert "NVDA: no projection" in out.output  # not in the guidance claim


# capex-chain version 2: the cash-side table and its JSON
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
