"""Run history on the real data: two recorded runs of the bundled thesis, their flips and
diff, the JSON shapes, the Python API, and the read-only / damaged / old-store cases."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrowgate.cli.main import app
from narrowgate.data.store import Store
from narrowgate.thesis.loader import bundled_theses
from tests.conftest import narrowgate_main

EARLY, LATE = "2026-04-30", "2026-11-24"
RUN_KEYS = {"id", "thesis", "thesis_hash", "thesis_path", "as_of", "generated_at",
            "recorded_at", "offline", "counts", "data_end", "data", "checks"}
FLIP_KEYS = {"thesis", "claim", "from_run", "to_run", "from_as_of", "to_as_of", "old", "new",
             "figure_before", "figure_after"}
CHANGE_KEYS = {"claim", "old", "new", "verdict_changed", "figure_changed", "figure_before",
               "figure_after"}
FIGURE_KEYS = {"key", "label", "value", "unit"}


@pytest.fixture(scope="module")
def recorded_home(pristine_store_path: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home holding the imported real data and two recorded runs of the bundled thesis:
    run 1 by `narrowgate run` (records by default), run 2 by ``ng.run(record=True)``."""
    import narrowgate as ng

    home = tmp_path_factory.mktemp("history-home")
    shutil.copy(pristine_store_path, home / "store.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NARROWGATE_HOME", str(home))
        result = CliRunner().invoke(app, ["run", "--as-of", EARLY, "--offline", "--out",
                                          str(home / "report")])
        assert result.exit_code == 0, result.output
        assert "recorded in history" in result.output
        ng.run(as_of=LATE, offline=True, record=True)
        ng.run(as_of=LATE, offline=True)  # a plain API call records nothing
        yield home


@pytest.fixture
def in_home(recorded_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARROWGATE_HOME", str(recorded_home))
    return recorded_home


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def _main(home: Path, *args: str) -> tuple[int, list[str]]:
    return narrowgate_main(*args, home=home)


def test_two_runs_record_two_rows_with_thesis_hash_and_data_dates(in_home: Path) -> None:
    from narrowgate.watch.history import list_runs

    runs = list_runs(Store())
    assert [(r.run_id, r.thesis_id, r.as_of) for r in runs] == [
        (1, "ai-narrow-gate", date(2026, 4, 30)), (2, "ai-narrow-gate", date(2026, 11, 24))]
    bundled = bundled_theses()["ai-narrow-gate"]
    assert {r.thesis_hash for r in runs} == {hashlib.sha256(bundled.read_bytes()).hexdigest()}
    assert runs[0].thesis_path == str(bundled)
    assert all(r.offline for r in runs)
    # the newest date of each instrument the run read, never after its as-of
    assert runs[0].data["us:QQQ"] == date(2026, 4, 30)
    assert all(d is None or d <= date(2026, 4, 30) for d in runs[0].data.values())
    assert runs[1].data["us:QQQ"] > date(2026, 4, 30)
    assert sum(runs[0].counts.values()) == sum(runs[1].counts.values()) == 25


def test_flips_between_the_two_runs_are_pinned(in_home: Path) -> None:
    from narrowgate.watch.history import find_flips, list_runs

    store = Store()
    runs = list_runs(store)
    flips = {f.change.claim_id: f for f in find_flips(store, runs)}
    assert sorted(flips) == ["btc-cycle", "earnings-up-pe-down"]
    earnings = flips["earnings-up-pe-down"].change
    assert (earnings.old, earnings.new) == ("contradicted", "mixed")
    assert earnings.figure_before is not None and earnings.figure_after is not None
    assert (earnings.figure_before.key, earnings.figure_before.value,
            earnings.figure_after.value, earnings.figure_after.unit) == (
        "indices_backing", 0, 1, "of 3")  # 2 → 1 since issue 13: H30184's −0.7% P/E is flat
    btc = flips["btc-cycle"].change
    assert (btc.old, btc.new) == ("pending", "mixed")
    assert btc.figure_before == btc.figure_after  # the entry close does not move
    assert btc.figure_after is not None and btc.figure_after.value == 69282
    # the verdict counts move exactly by the flips
    moved = {k: runs[1].counts[k] - runs[0].counts[k] for k in runs[0].counts}
    assert {k: v for k, v in moved.items() if v} == {"contradicted": -1, "mixed": 2,
                                                       "pending": -1}


def test_history_json_shape(in_home: Path) -> None:
    code, out = _cli("history", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert set(doc) == {"runs", "flips"}
    assert [set(r) for r in doc["runs"]] == [RUN_KEYS, RUN_KEYS]
    first = doc["runs"][0]
    assert (first["id"], first["as_of"], first["data_end"]) == (1, EARLY, EARLY)
    assert first["generated_at"].endswith("+00:00")
    assert list(first["counts"]) == ["supported", "contradicted", "mixed", "pending",
                                     "insufficient data", "qualitative"]
    assert all(set(f) == FLIP_KEYS for f in doc["flips"])
    flip = next(f for f in doc["flips"] if f["claim"] == "earnings-up-pe-down")
    assert (flip["from_run"], flip["to_run"], flip["from_as_of"], flip["to_as_of"]) == (
        1, 2, EARLY, LATE)
    assert set(flip["figure_before"]) == FIGURE_KEYS
    assert set(flip["figure_before"]["label"]) == {"en", "zh"}
    # a thesis filter by id; a thesis nobody ran has no runs
    assert len(json.loads(_cli("history", "ai-narrow-gate", "--json")[1])["runs"]) == 2
    assert json.loads(_cli("history", "other-thesis", "--json")[1]) == {"runs": [],
                                                                         "flips": []}


def test_history_text_in_both_languages(in_home: Path) -> None:
    code, en = _cli("history")
    assert code == 0, en
    assert "Flips between consecutive runs" in en
    assert "earnings-up-pe-down" in en and "contradicted → mixed" in en
    code, zh = _cli("history", "--lang", "zh")
    assert "相邻两次运行之间的结论翻转" in zh and "被否定 → 部分成立" in zh


def test_diff_shows_every_changed_verdict_and_headline_figure(in_home: Path) -> None:
    code, out = _cli("diff", "1", "2", "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert [r["id"] for r in doc["runs"]] == [1, 2]
    changes = {c["claim"]: c for c in doc["changes"]}
    assert all(set(c) == CHANGE_KEYS for c in changes.values())
    flipped = sorted(c for c, v in changes.items() if v["verdict_changed"])
    assert flipped == ["btc-cycle", "earnings-up-pe-down"]
    trade = changes["if-vs-ic-im"]  # still contradicted, but the loss deepened
    assert (trade["old"], trade["new"], trade["figure_changed"]) == (
        "contradicted", "contradicted", True)
    assert (trade["figure_before"]["value"], trade["figure_after"]["value"],
            trade["figure_after"]["unit"]) == (-2.25, -5.01, "% of initial capital")
    # an unchanged claim is not listed
    assert all(c["verdict_changed"] or c["figure_changed"] for c in changes.values())
    code, text = _cli("diff", "1", "2")
    assert "Changes from run 1 to run 2" in text and "-2.25 → -5.01" in text
    code, same = _cli("diff", "2", "2")
    assert code == 0 and "no verdict or headline figure changed" in same


def test_diff_of_an_unknown_run_is_one_line(in_home: Path) -> None:
    code, err = _main(in_home, "diff", "1", "99")
    assert code == 2
    assert err == [
        f"error: no recorded run 99 in {in_home / 'store.duckdb'} (runs 1 to 2 are recorded) "
        "— list the runs with `narrowgate history`"]


def test_python_api_history_and_flips(in_home: Path) -> None:
    import narrowgate as ng

    frame = ng.history()
    assert list(frame.index) == [1, 2]
    assert frame.loc[1, "as_of"] == date(2026, 4, 30)
    assert frame.loc[2, "mixed"] - frame.loc[1, "mixed"] == 2
    flips = ng.flips("ai-narrow-gate")
    assert sorted(flips["claim"]) == ["btc-cycle", "earnings-up-pe-down"]
    row = flips.set_index("claim").loc["earnings-up-pe-down"]
    assert (row["old"], row["new"], row["value_before"], row["value_after"]) == (
        "contradicted", "mixed", 0, 1)  # 2 → 1 since issue 13: H30184's −0.7% P/E is flat


def _refuse_lock_file(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    """The lock file cannot be created, as in a read-only NARROWGATE_HOME (the tests run
    as root, for whom chmod does not make a folder read-only)."""
    real_open = os.open
    lock = store_path.with_name(store_path.name + ".lock")

    def fake_open(path: object, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == lock:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fake_open)


def test_a_read_only_store_still_runs_and_says_once_history_was_not_recorded(
        pristine_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(pristine_store_path, home / "store.duckdb")
    monkeypatch.setenv("NARROWGATE_HOME", str(home))
    before = (home / "store.duckdb").read_bytes()
    _refuse_lock_file(monkeypatch, home / "store.duckdb")
    result = CliRunner().invoke(app, ["run", "--as-of", LATE, "--offline", "--out",
                                      str(tmp_path / "out")], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert result.output.count("history not recorded") == 1
    assert "recorded in history" not in result.output
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["warnings"][0].startswith("history not recorded (历史未记录): cannot use the "
                                          "store folder")
    monkeypatch.undo()
    assert (home / "store.duckdb").read_bytes() == before


def test_a_damaged_store_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARROWGATE_HOME", str(tmp_path))
    (tmp_path / "store.duckdb").write_bytes(b"not a database at all\n" * 200)
    for args in (["history"], ["diff", "1", "2"]):
        code, lines = _main(tmp_path, *args)
        assert code == 6, lines
        assert len(lines) == 1 and "is not a readable narrowgate store" in lines[0]


def test_a_recorded_scorecard_that_no_longer_reads_is_one_line(
        in_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    shutil.copy(in_home / "store.duckdb", tmp_path / "store.duckdb")
    monkeypatch.setenv("NARROWGATE_HOME", str(tmp_path))
    con = duckdb.connect(str(tmp_path / "store.duckdb"))
    con.execute("UPDATE runs SET scorecard = '{\"schema_version\": 1}' WHERE run_id = 2")
    con.close()
    code, lines = _main(tmp_path, "diff", "1", "2")
    assert code == 6 and len(lines) == 1
    assert lines[0].startswith(f"error: recorded run 2 in {tmp_path / 'store.duckdb'} has a "
                          "scorecard this narrowgate cannot read")


def test_a_version_1_store_reads_without_history_and_migrates_on_write(
        in_home: Path, tmp_path: Path) -> None:
    import duckdb

    from narrowgate.watch.history import list_runs, load_runs, record_run

    _, card = load_runs(Store(in_home / "store.duckdb"), [1])[1]
    store = Store(tmp_path / "store.duckdb")
    with store.writing():
        pass  # a new file at the current version
    con = duckdb.connect(str(store.path))  # turn it into a store of schema version 1
    for table in ("runs", "run_data", "outbox", "jobs", "run_checks", "forecasts",
                  "price_lists", "timeline_cache"):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE narrowgate_schema SET version = 1")
    con.close()
    assert list_runs(Store(store.path)) == []  # reads: no history, no error
    assert Store(store.path).row_counts()["bars"] == 0
    assert record_run(Store(store.path), card, "0" * 64) == 1  # the write migrates first
    con = duckdb.connect(str(store.path), read_only=True)
    assert con.execute("SELECT max(version) FROM narrowgate_schema").fetchone() == (6,)
    con.close()
    assert [(r.run_id, r.as_of) for r in list_runs(Store(store.path))] == [
        (1, date(2026, 4, 30))]


def test_a_future_store_version_is_refused_in_one_line(tmp_path: Path) -> None:
    import duckdb

    from narrowgate.errors import StoreError

    store = Store(tmp_path / "store.duckdb")
    with store.writing():
        pass
    con = duckdb.connect(str(store.path))
    con.execute("INSERT INTO narrowgate_schema VALUES (99, now())")
    con.close()
    with pytest.raises(StoreError, match="has schema version 99, this narrowgate reads "
                                         "versions 1 to 6"):
        Store(store.path).row_counts()


def test_a_version_3_store_reads_and_gains_jobs_and_checks_on_write(in_home: Path,
                                                                     tmp_path: Path) -> None:
    """Schema 3 → 4: a store without ``jobs`` and ``run_checks`` reads (no checks, no
    jobs), and the first write adds both tables and the version row in one transaction."""
    import duckdb

    from narrowgate.data import history_sql, jobs_sql
    from narrowgate.watch.history import list_runs

    path = tmp_path / "store.duckdb"
    shutil.copy(in_home / "store.duckdb", path)
    con = duckdb.connect(str(path))  # the store as the release before version 4 left it
    for table in ("jobs", "run_checks", "forecasts", "price_lists", "timeline_cache"):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE narrowgate_schema SET version = 3")
    con.close()
    runs = list_runs(Store(path))
    assert [r.run_id for r in runs] == [1, 2] and all(r.checks is None for r in runs)
    with Store(path).writing() as con:  # the write migrates first
        history_sql.insert_check(con, 2, date(2026, 11, 30), datetime(2026, 11, 30, 7))
        assert jobs_sql.select_jobs(con) == []
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM narrowgate_schema").fetchone() == (6,)
    con.close()
    checks = list_runs(Store(path))[-1].checks
    assert checks is not None and (checks.run_id, checks.count, checks.last_as_of) == (
        2, 1, date(2026, 11, 30))


_RECORD_CHILD = """
import sys
from pathlib import Path
from narrowgate.data.store import Store
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.watch.history import record_run
card = Scorecard.model_validate_json(Path(sys.argv[2]).read_text(encoding="utf-8"))
print(record_run(Store(Path(sys.argv[1])), card, sys.argv[3]))
"""


def test_two_processes_recording_at_once_get_their_own_runs(in_home: Path,
                                                            tmp_path: Path) -> None:
    from narrowgate.watch.history import list_runs, load_runs

    shutil.copy(in_home / "store.duckdb", tmp_path / "store.duckdb")
    _, card = load_runs(Store(in_home / "store.duckdb"), [1])[1]
    card_file = tmp_path / "card.json"
    card_file.write_text(card.model_dump_json(), encoding="utf-8")
    children = [subprocess.Popen([sys.executable, "-c", _RECORD_CHILD,
                                  str(tmp_path / "store.duckdb"), str(card_file), tag * 64],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for tag in ("a", "b")]
    outs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outs
    assert sorted(int(out.strip()) for out, _ in outs) == [3, 4]
    runs = list_runs(Store(tmp_path / "store.duckdb"))
    assert sorted(r.run_id for r in runs) == [1, 2, 3, 4]
    assert {r.thesis_hash for r in runs if r.run_id > 2} == {"a" * 64, "b" * 64}
    cards = load_runs(Store(tmp_path / "store.duckdb"), [3, 4])
    assert all(c.counts == card.counts for _, c in cards.values())
