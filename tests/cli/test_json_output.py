"""Machine-readable output: every --json prints one JSON document on stdout (nothing else),
`data export --out -` writes CSV to stdout, and -v/-q set how much reaches stderr."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

BUNDLED = REPO_ROOT / "src" / "narrowgate" / "thesis" / "bundled" / "ai-narrow-gate.yaml"


def _cli(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["NARROWGATE_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "narrowgate", *args], capture_output=True,
                          text=True, timeout=120, check=False, env=env)


def test_data_show_json_gives_rows_and_provenance(imported_store_path: Path) -> None:
    done = _cli("data", "show", "us:QQQ", "--tail", "2", "--json",
                home=imported_store_path.parent)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["instrument"] == "us:QQQ"
    assert [row["date"] for row in payload["rows"]] == ["2026-08-20", "2026-08-21"]
    assert payload["rows"][-1]["close"] == pytest.approx(713.44, abs=0.01)
    assert payload["provenance"][0]["basis"] == "split"


def test_data_show_json_writes_missing_values_as_null(imported_store_path: Path) -> None:
    done = _cli("data", "show", "sec:GOOGL", "--tail", "3", "--json",
                home=imported_store_path.parent)
    assert done.returncode == 0, done.stderr
    assert "NaN" not in done.stdout and "NaT" not in done.stdout
    assert len(json.loads(done.stdout)["rows"]) == 3


def test_export_to_stdout_is_csv_with_the_status_on_stderr(imported_store_path: Path) -> None:
    done = _cli("data", "export", "us:DIA", "--out", "-", home=imported_store_path.parent)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["date", "close"] and len(rows) > 1000
    assert "wrote" in done.stderr and not Path("-").exists()
    refused = _cli("data", "export", "us:DIA", "--out", "-", "--format", "parquet",
                   home=imported_store_path.parent)
    assert refused.returncode == 2 and "parquet cannot go to stdout" in refused.stderr


def test_thesis_commands_print_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    done = _cli("thesis", "validate", str(BUNDLED), str(bad), "--json")
    assert done.returncode == 3
    files = json.loads(done.stdout)["files"]
    assert [f["ok"] for f in files] == [True, False]
    assert files[0]["claims"] > 20 and files[1]["problems"]
    shown = json.loads(_cli("thesis", "show", "--json").stdout)
    assert shown["id"] == "ai-narrow-gate" and shown["claims"][0]["statement"]["zh"]
    tests = json.loads(_cli("thesis", "tests", "--json").stdout)["tests"]
    assert {"trade", "relative-return", "qualitative"} <= {t["test"] for t in tests}
    one = json.loads(_cli("thesis", "tests", "trade", "--json").stdout)
    assert "properties" in one


def test_verbosity_flags_set_the_log_levels() -> None:
    from narrowgate.logs import configure

    try:
        configure(0)
        assert logging.getLogger().level == logging.WARNING
        assert logging.getLogger("yfinance").level == logging.ERROR
        configure(1)
        assert logging.getLogger().level == logging.INFO
        configure(2)
        assert logging.getLogger("yfinance").level == logging.DEBUG
        configure(-1)
        assert logging.getLogger().level == logging.ERROR
    finally:
        configure(0)
    done = _cli("-q", "--version")
    assert done.returncode == 0
