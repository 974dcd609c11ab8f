"""A read-only ``NARROWGATE_HOME`` (issue #14 item 4): reads work, a write is one line.

The store is a copy of the imported real data that the user running narrowgate can read but
not write. Tests run as root here, and root writes anything, so as root the commands run as
``nobody`` (uid 65534) through ``setpriv`` (util-linux, on every Debian), keeping only
CAP_DAC_READ_SEARCH so that ``nobody`` can still read the interpreter and the source tree
under /root — reading, never writing. As any other user, the folder is simply made
read-only with chmod. ``HOME`` is ``/nonexistent``, as ``nobody``'s is on Debian, which
also checks that numba's kernel cache finds a writable place when the install and the home
are both read-only (it used to fail every trade claim with "no locator available").
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from narrowgate.data.store import STORE_FILE
from tests.conftest import SHARED_DATA, require_shared

NOBODY = 65534
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
DROP = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
        "--inh-caps=-all,+dac_read_search", "--ambient-caps=-all,+dac_read_search"]


@dataclass
class ReadOnlyHome:
    home: Path
    out: Path  # a folder the reader may write (the report goes there)

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
        # compiled modules go beside the report: the reader cannot write the source tree
        env.update(NARROWGATE_HOME=str(self.home), HOME="/nonexistent",
                   PYTHONPYCACHEPREFIX=str(self.out / "pycache"))
        command = [sys.executable, "-m", "narrowgate", *args]
        return subprocess.run([*DROP, *command] if AS_ROOT else command, capture_output=True,
                              text=True, timeout=timeout, check=False, env=env)


def _can_drop_privileges() -> str | None:
    """Why ``setpriv`` cannot run a command as nobody here, or None when it can."""
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    probe = subprocess.run([*DROP, sys.executable, "-c", "import narrowgate"],
                           capture_output=True, text=True, check=False, timeout=60)
    return None if probe.returncode == 0 else f"setpriv failed: {probe.stderr.strip()[:200]}"


@pytest.fixture(scope="module")
def readonly_home(pristine_store_path: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[ReadOnlyHome]:
    if AS_ROOT and (why := _can_drop_privileges()) is not None:
        pytest.skip(f"cannot test a read-only home as root: {why}")
    base = tmp_path_factory.mktemp("readonly")
    home, out = base / "home", base / "out"
    home.mkdir()
    out.mkdir()
    shutil.copyfile(pristine_store_path, home / STORE_FILE)
    (home / f"{STORE_FILE}.lock").touch()  # a home that has been used before
    if AS_ROOT:
        os.chown(out, NOBODY, NOBODY)  # the home stays root's: nobody may only read it
        home.chmod(0o755)
    else:
        for path in home.iterdir():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        home.chmod(0o555)
    try:
        yield ReadOnlyHome(home, out)
    finally:
        home.chmod(0o755)
        for path in home.iterdir():
            path.chmod(0o644)


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr[-2000:]


def test_data_ls_reads_a_read_only_home(readonly_home: ReadOnlyHome) -> None:
    done = readonly_home.run("data", "ls", "--json")
    _no_traceback(done)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert {"us:QQQ", "fred:WALCL", "sec:GOOGL", "cnidx:000300"} <= \
        {row["instrument"] for row in rows}
    assert len(rows) > 100  # every instrument-source of the shared data


def test_an_offline_run_evaluates_and_says_history_was_not_kept(
        readonly_home: ReadOnlyHome) -> None:
    report = readonly_home.out / "report"
    # --no-timeline: the monthly replay (tests/evaluate/test_timeline_cache.py) would add
    # half a minute of re-evaluation here and reads the store the same way
    done = readonly_home.run("run", "--offline", "--no-timeline", "--as-of", "2026-11-24",
                             "--out", str(report))
    _no_traceback(done)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr)
    said = " ".join(done.stdout.split())  # rich wraps long lines at the terminal width
    assert (f"warning: history not recorded (历史未记录): cannot use the store folder "
            f"{readonly_home.home}: Permission denied — set NARROWGATE_HOME to a folder you "
            "can write") in said
    card = json.loads((report / "scorecard.json").read_text(encoding="utf-8"))
    assert [r["claim_id"] for r in card["results"] if r.get("error")] == []
    assert sum(card["counts"].values()) == len(card["results"]) == 25
    assert card["counts"]["insufficient data"] <= 2  # the store was read in full


def test_a_write_is_one_line_naming_the_home_and_the_fix(readonly_home: ReadOnlyHome) -> None:
    before = (readonly_home.home / STORE_FILE).read_bytes()
    source = require_shared("fred/series_macro_charts/WALCL.csv")
    assert source.is_relative_to(SHARED_DATA)
    done = readonly_home.run("data", "import", str(source), timeout=120)
    _no_traceback(done)
    assert done.returncode == 6, (done.stdout, done.stderr)
    assert done.stderr.strip().splitlines() == [
        f"error: cannot use the store folder {readonly_home.home}: Permission denied — set "
        "NARROWGATE_HOME to a folder you can write"]
    assert (readonly_home.home / STORE_FILE).read_bytes() == before


def test_numba_gets_a_temp_cache_when_its_own_places_cannot_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user can write under /dev/null, root included: the kernels' folder and the user
    cache both unusable sends numba's cache to the temp folder; usable, nothing changes."""
    import tempfile

    from narrowgate.backtest import numba_cache

    config = sys.modules.get("numba.core.config")
    if config is not None:
        monkeypatch.setattr(config, "CACHE_DIR", config.CACHE_DIR)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(numba_cache, "_KERNELS", Path("/dev/null/narrowgate/backtest"))
    monkeypatch.setenv("XDG_CACHE_HOME", "/dev/null/cache")
    chosen = numba_cache.ensure_numba_cache()
    assert chosen == tmp_path / f"narrowgate-numba-{os.getuid()}" and chosen.is_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(chosen)
    if config is not None:
        assert getattr(config, "CACHE_DIR") == str(chosen)  # noqa: B009
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a writable user cache
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    assert numba_cache.ensure_numba_cache() is None and "NUMBA_CACHE_DIR" not in os.environ
