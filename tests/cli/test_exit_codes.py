"""The README's exit-code table is the one the CLI honours: every code an error class
carries is documented, and the error paths a user meets most give their documented code
on one line of stderr, without a traceback."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import narrowgate
from narrowgate.errors import NarrowgateError
from tests.conftest import REPO_ROOT


def _documented() -> set[int]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("**Exit codes**"):].split("\n\n")[0]
    return {int(code) for code in re.findall(r"`(\d+)`", table)}


def _error_classes() -> list[type[NarrowgateError]]:
    for module in pkgutil.walk_packages(narrowgate.__path__, "narrowgate."):
        if ".cli" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found, todo = [], [NarrowgateError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_code_an_error_carries_is_documented() -> None:
    documented = _documented()
    assert {0, 1, 130} <= documented
    for cls in _error_classes():
        assert cls.exit_code in documented, f"{cls.__module__}.{cls.__name__}: {cls.exit_code}"


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NARROWGATE_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "narrowgate", *args], capture_output=True,
                          text=True, timeout=120, env=env, check=False)


@pytest.mark.parametrize(("case", "code"), [
    ("bad-as-of", 2), ("bad-thesis", 3), ("no-data", 4), ("broken-store", 6),
    ("bad-import", 7),
])
def test_each_error_path_gives_its_documented_code(tmp_path: Path, case: str,
                                                   code: int) -> None:
    home = tmp_path / "home"
    home.mkdir()
    thesis = tmp_path / "t.yaml"
    thesis.write_text("format: 1\nid: x\n", encoding="utf-8")
    csv = tmp_path / "bad.csv"
    csv.write_text("date,close\n2024-01-02,inf\n", encoding="utf-8")
    if case == "broken-store":
        (home / "store.duckdb").write_bytes(b"not a database at all" * 100)
    args = {
        "bad-as-of": ["run", "--offline", "--as-of", "2026-13-01", "--out", str(tmp_path)],
        "bad-thesis": ["thesis", "validate", str(thesis)],
        "no-data": ["data", "show", "us:NOPE", "--offline"],
        "broken-store": ["data", "ls"],
        "bad-import": ["data", "import", str(csv), "--id", "us:MINE"],
    }[case]
    done = _run(args, home)
    assert done.returncode == code, (case, done.returncode, done.stderr)
    assert code in _documented()
    assert "Traceback" not in done.stderr and done.stderr.strip()


def test_a_failed_pull_exits_5_and_is_in_the_fetch_log(tmp_path: Path) -> None:
    """A source that answers 500 to every try: `data pull` exits 5 (README), and the failed
    call is in the fetch log with status error; an id no source serves exits 4."""
    from narrowgate.data.store import Store
    from tests.providers.scripted_server import Answer, ScriptedServer

    server = ScriptedServer()
    server.thread.start()
    try:
        server.route("/graph/fredgraph.csv", Answer(500, "down"))
        home = tmp_path / "home"
        home.mkdir()
        env = {**os.environ, "NARROWGATE_HOME": str(home), "NARROWGATE_FRED_BASE": server.url}
        done = subprocess.run([sys.executable, "-m", "narrowgate", "data", "pull", "fred:WALCL",
                               "--start", "2024-01-02", "--end", "2024-01-10"],
                              capture_output=True, text=True, timeout=180, env=env,
                              check=False)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    assert done.returncode == 5, (done.stdout, done.stderr)
    assert "fred:WALCL: failed" in done.stdout and "Traceback" not in done.stderr
    log = Store(home / "store.duckdb").fetch_log()
    assert log and log[0].status == "error" and log[0].instrument == "fred:WALCL"
    nobody = _run(["data", "pull", "lbma:GOLD"], home)
    assert nobody.returncode == 4, nobody.stdout


def test_a_bad_date_option_is_one_line_in_every_command(tmp_path: Path) -> None:
    """Every date option goes through one parser: `data pull --start` used to crash."""
    for args in (["data", "pull", "fred:WALCL", "--start", "2026-13-01"],
                 ["capex", "--offline", "--as-of", "someday"],
                 ["value", "decompose", "cnidx:931160", "--from", "x", "--to", "2026-01-01"],
                 ["timeline", "--to", "tomorrow"]):
        done = _run(args, tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "is not a date" in done.stderr and "Traceback" not in done.stderr, args
