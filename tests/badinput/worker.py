"""Run many CLI command lines in one process, through the real entry point's error handling.

``python -m tests.badinput.worker CASES.json RESULTS.json``: each case's argv goes through
``narrowgate.cli.main._dispatch`` (what the ``narrowgate`` console script runs, minus the
final ``os._exit``) with stdout and stderr captured; the exit code, both streams, the wall
time and the process's peak resident memory after the case are written as JSON. One
process for the whole corpus keeps it quick: the imports (and the click commands) are
built once.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path


def run_case(argv: list[str], home: str | None = None) -> dict[str, object]:
    """One command line (with NARROWGATE_HOME set to ``home`` if given): exit code, stdout,
    stderr, seconds, peak RSS (KiB)."""
    from narrowgate.cli import main

    saved = os.environ.get("NARROWGATE_HOME")
    if home is not None:
        os.environ["NARROWGATE_HOME"] = home
    try:
        return _run(main._dispatch, argv)
    finally:
        if saved is None:
            os.environ.pop("NARROWGATE_HOME", None)
        else:
            os.environ["NARROWGATE_HOME"] = saved


def _run(dispatch: Callable[[], None], argv: list[str]) -> dict[str, object]:
    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    started = time.perf_counter()
    sys.argv = ["narrowgate", *argv]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            dispatch()
        except SystemExit as done:
            code = done.code
        except BaseException as exc:  # the guard let something through: a test failure
            code = f"escaped: {type(exc).__name__}: {exc}"
    return {
        "code": code if isinstance(code, int) or code is None else str(code),
        "stdout": out.getvalue()[-4000:],
        "stderr": err.getvalue()[-4000:],
        "seconds": time.perf_counter() - started,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def _build_commands_once() -> None:
    """Typer turns the app into click commands on every call (0.25 s of signatures and type
    hints for ~30 commands); the worker builds them once. What ``narrowgate`` runs is the
    same click group, so parsing, the commands and the error handling are unchanged."""
    import typer.main

    from narrowgate.cli import main as cli

    cli.app = typer.main.get_command(cli.app)  # type: ignore[assignment]


def main() -> None:
    _build_commands_once()
    request, answer = Path(sys.argv[1]), Path(sys.argv[2])  # run_case replaces sys.argv
    cases = json.loads(request.read_text(encoding="utf-8"))
    results = {case["name"]: run_case(case["argv"], case.get("home")) for case in cases}
    answer.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main()
