"""Each decided claim's timeline in a run, from the store's timeline cache where its key
matches (issue 13 item 1), on the recorded real data, offline.

The imported store of the test session already holds the bundled thesis's months (the
session warms it once, as a user's first run does); tests that need a cold start delete
the cache rows of their own copy.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from narrowgate.data.hub import DataHub
from narrowgate.data.store import Store
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.timeline_fill import (
    TimelineFill,
    fill_timelines,
    replay_dates,
    store_timeline,
)
from narrowgate.evaluate.verdict import TimelineEntry, Verdict
from narrowgate.thesis.loader import load_thesis
from narrowgate.thesis.schema import Thesis

AS_OF = date(2026, 11, 24)
CLAIMS = ("btc-cycle", "if-vs-ic-im")
NOBODY = 65534


def _thesis(change: dict[str, object] | None = None) -> Thesis:
    """The bundled thesis cut to the two claims under test (``change``: params of
    if-vs-ic-im to override)."""
    full = load_thesis(None)
    claims = []
    for claim in full.claims:
        if claim.id not in CLAIMS:
            continue
        if change and claim.id == "if-vs-ic-im":
            claim = claim.model_copy(update={"params": {**claim.params, **change}})
        claims.append(claim)
    return full.model_copy(update={"claims": claims})


def _fill(store: Store, thesis: Thesis, *, keep: bool = True) -> TimelineFill:
    with store.session():
        card = evaluate_thesis(thesis, AS_OF, offline=True, hub=DataHub(store, offline=True),
                               book=False)
        fill = fill_timelines(thesis, card, store)
    if keep:
        store_timeline(store, thesis.id, fill.to_store)
    return fill


@pytest.fixture
def store(pristine_store_path: Path, tmp_path: Path) -> Store:
    """A copy of the imported real data (with the session's warmed timeline cache)."""
    path = tmp_path / "store.duckdb"
    shutil.copy(pristine_store_path, path)
    return Store(path)


def _clear_cache(store: Store) -> None:
    with store.writing() as con:
        con.execute("DELETE FROM timeline_cache")


def _by_day(entries: list[TimelineEntry]) -> dict[str, TimelineEntry]:
    return {e.as_of.isoformat(): e for e in entries}


def test_the_futures_trade_was_contradicted_in_april_and_supported_on_july_data(
        store: Store) -> None:
    fill = _fill(store, _thesis())
    line = _by_day(fill.entries["if-vs-ic-im"])
    assert list(line) == [*(d.isoformat() for d in replay_dates(_thesis(), AS_OF)),
                          "2026-11-24"]
    assert list(line)[:3] == ["2026-02-28", "2026-03-31", "2026-04-30"]
    assert line["2026-04-30"].verdict is Verdict.CONTRADICTED
    # CSI 500/1000 closes ended 2026-07-31 then: the trade was ahead (the issue's
    # "supported at the latest data" on that day's data)
    assert line["2026-07-31"].verdict is Verdict.SUPPORTED
    assert line["2026-07-31"].data_end == date(2026, 7, 31)
    # the 2026 H2 files (to 08-28) turned it: contradicted since, as the scorecard pins
    assert line["2026-11-24"].verdict is Verdict.CONTRADICTED
    assert line["2026-11-24"].figure_key == "since_return"
    assert line["2026-11-24"].unit == "% of initial capital"


def test_btc_cycle_stays_pending_until_the_data_reach_the_entry_window(store: Store) -> None:
    line = _fill(store, _thesis()).entries["btc-cycle"]
    entry_window = date(2026, 10, 1)  # the claim's entry_date (China's National Day)
    before = [e for e in line if e.as_of < entry_window]
    after = [e for e in line if e.as_of >= entry_window]
    assert {e.verdict for e in before} == {Verdict.PENDING}
    assert all(e.data_end is not None and e.data_end < entry_window for e in before)
    assert [e.as_of.isoformat() for e in after] == ["2026-10-31", "2026-11-24"]
    assert {e.verdict for e in after} == {Verdict.MIXED}  # as the scorecard pins today


def test_a_cache_hit_gives_what_a_fresh_replay_gives(store: Store) -> None:
    _clear_cache(store)
    months = len(replay_dates(_thesis(), AS_OF))
    cold = _fill(store, _thesis())
    assert (cold.computed, cold.from_cache, len(cold.to_store)) == (2 * months, 0, 2 * months)
    warm = _fill(store, _thesis())
    assert (warm.computed, warm.from_cache, warm.to_store) == (0, 2 * months, [])
    assert warm.entries == cold.entries


def test_a_changed_param_replays_only_that_claim(store: Store) -> None:
    months = len(replay_dates(_thesis(), AS_OF))
    _fill(store, _thesis())
    changed = _fill(store, _thesis({"cost_bps_per_trade": 50}))
    assert changed.computed == months and changed.from_cache == months
    assert {r.claim for r in changed.to_store} == {"if-vs-ic-im"}
    back = _fill(store, _thesis({"cost_bps_per_trade": 50}))
    assert back.computed == 0


def test_a_reimport_that_changes_a_row_replays_the_months_that_saw_it(store: Store) -> None:
    _fill(store, _thesis())
    with store.writing() as con:  # a re-import that revised one BTC close of June
        changed = con.execute("UPDATE bars SET close = close * 1.01 WHERE instrument = "
                              "'crypto:BTC-USD' AND date = DATE '2026-06-15'").fetchall()
    assert changed[0][0] >= 1
    fill = _fill(store, _thesis())
    again = sorted((r.claim, r.as_of.isoformat()) for r in fill.to_store)
    # the months before 2026-06-15 and the futures trade (no BTC) come from the cache
    assert again == [("btc-cycle", d) for d in ("2026-06-30", "2026-07-31", "2026-08-31",
                                                "2026-09-30", "2026-10-31")]


def test_a_read_only_store_still_gives_the_timeline(
        pristine_store_path: Path, tmp_path: Path) -> None:
    """A store that cannot be written (read-only file and folder; as root the check runs
    as nobody): every month computed, nothing stored, nothing said on stderr."""
    home = tmp_path / "home"
    home.mkdir()
    path = home / "store.duckdb"
    shutil.copy(pristine_store_path, path)
    with duckdb.connect(str(path)) as con:  # cold for this claim: no cached month
        con.execute("DELETE FROM timeline_cache WHERE claim = 'btc-cycle'")
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    home.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH
               | stat.S_IXOTH)
    script = (
        "import json, sys; from datetime import date; "
        "from narrowgate.api import run_thesis; from narrowgate.thesis.loader import "
        "load_thesis; t = load_thesis(None); "
        "t = t.model_copy(update={'claims': [c for c in t.claims if c.id == 'btc-cycle']}); "
        "card = run_thesis(t, date(2026, 11, 24), offline=True, timeline=True); "
        "json.dump([[e.as_of.isoformat(), e.verdict.value] for e in "
        "card.results[0].timeline], sys.stdout)")
    command = [sys.executable, "-c", script]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a store read-only")
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   "--inh-caps=-all,+dac_read_search", "--ambient-caps=-all,+dac_read_search",
                   *command]
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(NARROWGATE_HOME=str(home), HOME="/nonexistent")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                              check=False, env=env, cwd=str(Path(__file__).resolve().parents[2]))
    finally:  # writable again, so the temp folder can be cleaned up
        home.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert [d for d, _ in line] == [*(d.isoformat() for d in replay_dates(_thesis(), AS_OF)),
                                    "2026-11-24"]
    assert line[0] == ["2026-02-28", "pending"] and line[-1] == ["2026-11-24", "mixed"]
    assert "Traceback" not in done.stderr and "error" not in done.stderr.lower()
    assert path.read_bytes() == before
