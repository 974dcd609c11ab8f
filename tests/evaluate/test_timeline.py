"""The timeline replays every claim at month ends, each date seeing only its own data, and
names the flips (bundled thesis, recorded data, offline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from narrowgate.evaluate.timeline import month_ends


def test_month_ends_run_from_after_the_start_to_the_end() -> None:
    assert month_ends(date(2026, 2, 8), date(2026, 5, 10)) == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 10)]
    assert month_ends(date(2026, 1, 31), date(2026, 2, 28)) == [date(2026, 2, 28)]
    assert month_ends(date(2025, 12, 15), date(2026, 1, 20)) == [
        date(2025, 12, 31), date(2026, 1, 20)]


def test_replay_finds_the_summer_flips(imported_store_path: Path) -> None:
    env = {**os.environ, "NARROWGATE_HOME": str(imported_store_path.parent)}
    done = subprocess.run([sys.executable, "-m", "narrowgate", "timeline", "--from",
                           "2026-06-01", "--to", "2026-08-31", "--json"], env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["dates"] == ["2026-06-30", "2026-07-31", "2026-08-31"]
    flips = {(f["claim"], f["date"]): (f["from"], f["to"]) for f in doc["flips"]}
    # the futures trade turned positive for one month end, then back
    assert flips[("if-vs-ic-im", "2026-07-31")] == ("contradicted", "supported")
    assert flips[("if-vs-ic-im", "2026-08-31")] == ("supported", "contradicted")
    readings = {c["id"]: c["readings"] for c in doc["claims"]}
    assert [r["verdict"] for r in readings["rotation-trade"]] == ["contradicted"] * 3
    # a pending claim carries its interim reading on every date
    assert {r["so_far"] for r in readings["warsh-policy"]} == {"contradicted"}
    assert doc["errors"] == []
