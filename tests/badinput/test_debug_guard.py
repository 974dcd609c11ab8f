"""The last-resort guard of the CLI: an error narrowgate has no message for (a bug) is one
line naming it, exit 70, and a pointer to ``--debug``; with ``--debug`` the traceback is
printed too. Known errors keep their own line and code, with or without ``--debug``.

The bug is a command added to the real app in a fresh process (``explode``: a division by
zero), so everything between the command and the terminal is the shipped entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from narrowgate.errors import INTERNAL_ERROR_EXIT
from tests.conftest import REPO_ROOT

_WITH_A_BUG = """
import sys
from narrowgate.cli import main as cli

@cli.app.command("explode")
def explode() -> None:
    '''A command with a bug in it.'''
    print(1 / 0)

sys.argv = ["narrowgate", *sys.argv[1:]]
cli.main()
"""


def _narrowgate(*args: str, env: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _WITH_A_BUG, *args], capture_output=True,
                          text=True, timeout=120, check=False, cwd=REPO_ROOT,
                          env={**os.environ, **(env or {})})


def test_an_unexpected_error_is_one_line_pointing_at_debug() -> None:
    done = _narrowgate("explode")
    assert done.returncode == INTERNAL_ERROR_EXIT == 70
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: unexpected internal error (ZeroDivisionError: "
                               "division by zero)")
    assert "run again with --debug for the traceback" in lines[0]
    assert "加 --debug 重新运行" in lines[0]
    assert "Traceback" not in done.stderr


def test_debug_prints_the_traceback_then_the_line() -> None:
    done = _narrowgate("--debug", "explode")
    assert done.returncode == 70
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert ", in explode" in done.stderr
    assert "ZeroDivisionError: division by zero\n" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: unexpected internal error (ZeroDivisionError")
    assert "--debug for the traceback" not in last  # it was given


def test_a_known_error_keeps_its_line_and_code_under_debug(tmp_path: Path) -> None:
    bad = tmp_path / "prices.csv"
    bad.write_text("date,close\n2024-01-02,-3\n", encoding="utf-8")
    args = ("data", "import", str(bad), "--id", "us:ZZTEST")
    env = {"NARROWGATE_HOME": str(tmp_path / "home")}
    plain = _narrowgate(*args, env=env)
    debug = _narrowgate("--debug", *args, env=env)
    assert plain.returncode == debug.returncode == 7
    assert plain.stderr.strip().splitlines() == [
        f"error: {bad}:2: column 'close' holds '-3': zero or negative, which no price is — "
        "fix or delete that row, then re-import"]
    assert "Traceback" not in plain.stderr
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert debug.stderr.strip().splitlines()[-1] == plain.stderr.strip()
