"""`narrowgate value …` on the imported real store, through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrowgate.cli.value_cmd import app
from narrowgate.errors import DataNotFound, NarrowgateError
from narrowgate.models.dcf import dcf_value

runner = CliRunner()


@pytest.fixture
def store_home(imported_store_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARROWGATE_HOME", str(imported_store_path.parent))
    monkeypatch.setenv("COLUMNS", "220")
    return imported_store_path.parent


def test_pricedin_matches_the_scorecard(store_home: Path) -> None:
    result = runner.invoke(app, ["pricedin", "cn:300308", "us:MU", "us:LITE"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "cn:300308" in line)
    assert "2029" in row and "2034" in row and "2027" in row  # 25x, 20x, 30x
    assert "56.3%" in row and "50.7%" in row
    lite = next(line for line in result.output.splitlines() if "us:LITE" in line)
    assert "2054" in lite and ">2056" in lite  # beyond the 30-year horizon at 20x
    assert "ratio 1.0017" in result.output


def test_value_json_carries_the_table_figures(store_home: Path) -> None:
    import json

    result = runner.invoke(app, ["pricedin", "cn:300308", "us:LITE", "--json"])
    assert result.exit_code == 0, result.output
    stocks = {s["instrument"]: s for s in json.loads(result.stdout)["stocks"]}
    assert stocks["cn:300308"]["priced_in_year"] == 2029
    assert stocks["cn:300308"]["priced_in_at"] == {"20x": 2034, "25x": 2029, "30x": 2027}
    assert round(stocks["cn:300308"]["implied_growth"] * 100, 1) == 56.3
    assert stocks["us:LITE"]["priced_in_year"] == 2054
    result = runner.invoke(app, ["decompose", "cnidx:931160", "--from", "2023-01-03", "--to",
                                 "2026-02-06", "--json"])
    row = json.loads(result.stdout)
    assert (round(row["total"], 4), round(row["eps_growth"], 4),
            round(row["multiple_change"], 4)) == (1.2558, 0.3527, 0.9031)


def test_dcf_price_is_the_newest_close_a_run_reads(store_home: Path) -> None:
    import json

    result = runner.invoke(app, ["dcf", "us:MU", "--fcf", "10", "--discount", "0.1",
                                 "--terminal", "0.03", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # not the 2024-03-08 close of the oldest file that happens to span most history
    assert out["price_source"].startswith("close 2026-09-25")


def test_pricedin_fair_multiple_option(store_home: Path) -> None:
    result = runner.invoke(app, ["pricedin", "cn:300308", "--fair-pe", "30"])
    assert result.exit_code == 0, result.output
    assert "priced-in @30x" in result.output
    assert "justified by 2027 profit" in result.output


def test_decompose_reproduces_the_price_change(store_home: Path) -> None:
    result = runner.invoke(
        app, ["decompose", "cnidx:931160", "--from", "2023-01-03", "--to", "2026-02-06",
              "--window", "120"])
    assert result.exit_code == 0, result.output
    # 4,358.56 → 15,301.24: log 1.2558 = EPS 0.3527 + P/E 0.9031
    for text in ("4,358.56 → 15,301.24", "18.79 → 46.36", "+1.2558", "+0.3527", "+0.9031"):
        assert text in result.output
    assert "Rolling 120-observation windows" in result.output


def test_dcf_hand_checked_and_no_answer(store_home: Path) -> None:
    price = dcf_value(2.0, 0.08, discount_rate=0.10, terminal_growth=0.03, years=10)
    result = runner.invoke(app, ["dcf", "X", "--fcf", "2", "--discount", "0.10",
                                 "--terminal", "0.03", "--price", str(price)])
    assert result.exit_code == 0, result.output
    assert "8.00%" in result.output
    result = runner.invoke(app, ["dcf", "X", "--fcf", "1", "--discount", "0.10",
                                 "--terminal", "0.03", "--price", "1e9"])
    assert result.exit_code == 0 and "none in range" in result.output


def test_bad_input_is_a_narrowgate_error(store_home: Path) -> None:
    result = runner.invoke(app, ["decompose", "cnidx:931160", "--from", "2023-13-01",
                                 "--to", "2026-02-06"])
    assert isinstance(result.exception, NarrowgateError)
    assert "is not a date" in str(result.exception)
    result = runner.invoke(app, ["pricedin", "us:NVDA"])
    assert isinstance(result.exception, DataNotFound)
    result = runner.invoke(app, ["decompose", "us:MU", "--from", "2024-01-02",
                                 "--to", "2025-01-02"])
    assert isinstance(result.exception, DataNotFound) and "no P/E" in str(result.exception)
    result = runner.invoke(app, ["dcf", "X", "--fcf", "1", "--discount", "0.02",
                                 "--terminal", "0.03", "--price", "10"])
    assert isinstance(result.exception, NarrowgateError)


def test_pricedin_forecasts_from_a_csv(store_home: Path, tmp_path: Path) -> None:
    file = tmp_path / "consensus.csv"
    file.write_text("instrument,year,measure,value,unit,as_of,source\n"
                    + "".join(f"cn:300308,{y},net_profit,{v},CNY 1e8,2025-12-08,10jqka\n"
                              for y, v in ((2025, 102.44), (2026, 187.62), (2027, 245.25))))
    result = runner.invoke(app, ["pricedin", "cn:300308", "us:MU", "--forecasts",
                                 f"csv:{file}"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "cn:300308" in line)
    assert "csv 2025-12-08" in row and "2029" in row  # the same consensus, the same answer
    mu = next(line for line in result.output.splitlines() if line.startswith("│ us:MU"))
    assert "facts 2026-02-17" in mu  # not in the CSV: the bundled snapshot, noted
    assert "profits from csv: 10jqka, as of 2025-12-08" in result.output
    assert "csv:" in result.output and "no eps forecasts for us:MU" in result.output


def test_pricedin_provider_offline_falls_back(store_home: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.csv"
    result = runner.invoke(app, ["pricedin", "cn:300308", "--forecasts", "provider",
                                 "--save-forecasts", str(saved)])
    assert result.exit_code == 0, result.output
    assert "offline, so no provider was called" in result.output
    assert "facts 2025-12-08" in result.output
    assert "not written" in result.output and not saved.exists()
    result = runner.invoke(app, ["pricedin", "cn:300308", "--forecasts", "consensus"])
    assert isinstance(result.exception, NarrowgateError)
    assert "not understood" in str(result.exception)


def test_pricedin_reads_the_pricing_of_the_thesis_given(tmp_path: Path) -> None:
    """--thesis picks the claims whose test values stocks (by test, not claim id): a thesis
    without them prices a stock on the command line's defaults."""
    from narrowgate.cli.value_cmd import _thesis_stocks
    from narrowgate.thesis.loader import load_thesis
    from tests.conftest import REPO_ROOT

    bundled = _thesis_stocks(load_thesis(None))
    assert {"cn:300308", "us:MU"} <= set(bundled)
    assert bundled["cn:300308"].rebase_to_source == "2025_2026_ljinkai"
    example = load_thesis(str(REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml"))
    assert _thesis_stocks(example) == {}


def test_panel_prints_the_paths_and_the_grid(store_home: Path) -> None:
    result = runner.invoke(app, ["panel", "ai-hw-priced-in", "--as-of", "2026-11-24"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "cn:300308" in line)
    assert "2026" in row and "2029" in row and "2044" in row  # best, base, worst
    assert "claim: mixed (stability 100%)" in result.output
    assert "75 cells keep it" in result.output
    assert "cn:300308 +60.4%, cn:300502 +54.1%" in result.output


def test_panel_names_the_valuation_claims(store_home: Path) -> None:
    result = runner.invoke(app, ["panel", "dow-record"])
    assert isinstance(result.exception, NarrowgateError)
    assert "not a valuation claim" in result.exception.message
    assert "ai-hw-priced-in" in (result.exception.hint or "")
