"""Every case of the bad-input corpus (tests/badinput/corpus.py) gets its one line and its
documented exit code, in bounded time and memory, and leaves the store as it was.

All cases run through the real entry point in one subprocess (the imports paid once), under
a 1 GiB limit on the memory it may allocate; the store is a copy of the imported real data,
compared table by table (row count and a hash of every row) before and after.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from tests.badinput.corpus import GOOD_THESIS, Case, write_data, write_misc, write_theses
from tests.conftest import REPO_ROOT

#: the memory a process may map, bytes: no input may take more (issue #14)
MEMORY_LIMIT = 1 << 30
#: a hang guard per case, seconds, far above what any case takes
CASE_SECONDS = 20


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_corpus(cases: list[Case], home: Path, work: Path) -> dict[str, dict[str, object]]:
    """Run ``cases`` in one limited subprocess; their results by name."""
    request, answer = work / "cases.json", work / "results.json"
    request.write_text(json.dumps([{"name": c.name, "argv": list(c.argv), "home": c.home}
                                   for c in cases]), encoding="utf-8")
    env = {**os.environ, "NARROWGATE_HOME": str(home), "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "tests.badinput.worker", str(request),
                           str(answer)], cwd=REPO_ROOT, env=env, preexec_fn=_limit_memory,
                          capture_output=True, text=True, check=False,
                          timeout=60 + CASE_SECONDS * len(cases))
    assert done.returncode == 0, done.stderr[-3000:]
    results: dict[str, dict[str, object]] = json.loads(answer.read_text(encoding="utf-8"))
    return results


#: derived data a successful run may add (months of a thesis's timeline, keyed by its own
#: hash and its data's fingerprint): never read as data, so never poisoned by an input
DERIVED_TABLES = frozenset({"timeline_cache"})


def store_digest(path: Path) -> dict[str, tuple[int, int]]:
    """Each data table's row count and the sum of its rows' hashes: equal digests mean
    equal contents, whatever DuckDB did to the file's bytes (derived caches left out)."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY table_name").fetchall()]
        digest = {}
        for table in (t for t in tables if t not in DERIVED_TABLES):
            row = con.execute(f'SELECT count(*), coalesce(sum(hash(x)), 0) FROM "{table}" x'
                              ).fetchone()
            assert row is not None
            digest[table] = (int(row[0]), int(row[1]))
        return digest


MARKUP = "A [bold red]belief[/bold red] [/] [link=x]"


@dataclass(frozen=True)
class CorpusRun:
    """Every corpus case run once: the cases by group, their results by name, and the
    store's digest before and after."""

    groups: dict[str, list[Case]]
    results: dict[str, dict[str, object]]
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    work: Path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, pristine_store_path: Path) -> CorpusRun:
    """Write the corpus, run it in one limited subprocess over a copy of the real store."""
    work = tmp_path_factory.mktemp("badinput")
    home = work / "home"
    home.mkdir()
    shutil.copy(pristine_store_path, home / "store.duckdb")
    thesis = work / "markup.yaml"
    thesis.write_text(GOOD_THESIS.replace("A belief.", f'"{MARKUP}"'), encoding="utf-8")
    markup = Case("markup", ("run", str(thesis), "--offline", "--no-record", "--out",
                             str(work / "markup-out"), "--as-of", "2026-11-24"), 0, "")
    groups = {"thesis": write_theses(work / "theses"), "data": write_data(work / "data"),
              "misc": write_misc(work / "misc"),
              "run": [markup, Case("facts", ("data", "show", "sec:GOOGL"), 0, "")]}
    named = [replace(c, name=f"{group}/{c.name}") for group, cases in groups.items()
             for c in cases]
    before = store_digest(home / "store.duckdb")
    results = run_corpus(named, home, work)
    return CorpusRun({g: [replace(c, name=f"{g}/{c.name}") for c in cases]
                      for g, cases in groups.items()},
                     results, before, store_digest(home / "store.duckdb"), work)


def _check(cases: list[Case], results: dict[str, dict[str, object]]) -> None:
    wrong = []
    for case in cases:
        got = results[case.name]
        stderr = str(got["stderr"])
        lines = stderr.strip().splitlines()
        problems = []
        if got["code"] != case.code:
            problems.append(f"exit {got['code']} (want {case.code})")
        if case.message not in stderr:
            problems.append(f"no {case.message!r}")
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines")
        if "Traceback" in stderr or "unexpected internal error" in stderr:
            problems.append("a traceback or the last-resort guard")
        if not float(got["seconds"]) < CASE_SECONDS:  # type: ignore[arg-type]
            problems.append(f"{got['seconds']} s")
        if problems:
            wrong.append(f"{case.name}: {'; '.join(problems)}\n    {stderr[:400]!r}")
    assert not wrong, "\n".join(wrong)


def test_bad_theses_get_one_line_and_exit_3(corpus: CorpusRun) -> None:
    assert len(corpus.groups["thesis"]) >= 30
    _check(corpus.groups["thesis"], corpus.results)


def test_bad_data_files_get_one_line_and_their_code(corpus: CorpusRun) -> None:
    assert len(corpus.groups["data"]) >= 35
    _check(corpus.groups["data"], corpus.results)


def test_bad_options_and_damaged_stores_get_one_line(corpus: CorpusRun) -> None:
    _check(corpus.groups["misc"], corpus.results)
    assert not (corpus.work / "misc" / "out").exists()  # refused before any work


def test_nothing_reaches_the_store_and_memory_stays_bounded(corpus: CorpusRun) -> None:
    assert corpus.after == corpus.before
    assert corpus.before["bars"][0] > 100_000  # the real data, not an empty store
    peak = max(int(r["peak_rss_kib"]) for r in corpus.results.values())  # type: ignore[call-overload]
    assert peak * 1024 < MEMORY_LIMIT


def test_stored_facts_show_as_a_table(corpus: CorpusRun) -> None:
    """Facts hold pandas' NA where a period has no start; showing them used to raise
    ``TypeError: boolean value of NA is ambiguous``."""
    got = corpus.results["run/facts"]
    assert got["code"] in (0, None), got["stderr"]
    assert "source " in str(got["stdout"]) and not str(got["stderr"]).strip()


def test_rich_markup_in_thesis_text_reaches_the_report_as_text(corpus: CorpusRun) -> None:
    """Square brackets are ordinary text in a thesis: ``[bold]`` or ``[/]`` in a reason must
    neither crash the terminal report nor stop the report being written."""
    got = corpus.results["run/markup"]
    assert got["code"] in (0, None), got["stderr"]
    assert "Traceback" not in str(got["stderr"])
    assert MARKUP in str(got["stdout"])
    scorecard = corpus.work / "markup-out" / "scorecard.json"
    assert MARKUP in scorecard.read_text(encoding="utf-8")
