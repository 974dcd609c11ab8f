"""The narrowgate command line: parse, call the library, render. Nothing else lives here.

Heavy libraries are imported inside commands so ``narrowgate --help`` answers at once.
Exit codes (documented in README): 0 ok · 1 an evaluator failed (scorecard still written) ·
2 bad usage or input · 3 invalid thesis · 4 data not found · 5 provider failed · 6 store
error · 7 an import, a back-test or the report cannot go on · 70 an internal error (a bug:
one line; ``--debug`` shows the traceback) · 130 interrupted.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from narrowgate.cli import (
    backtest_cmd,
    capex_cmd,
    data_app,
    history_cmd,
    serve_cmd,
    thesis_cmd,
    timeline_cmd,
    value_cmd,
    watch_cmd,
)
from narrowgate.cli.run_cmd import run

if TYPE_CHECKING:
    from narrowgate.errors import NarrowgateError

app = typer.Typer(
    name="narrowgate",
    help=(
        "Turn an investment thesis into data, models, back-tests and a living scorecard.\n\n"
        "把投资观点变成数据、模型、回测与持续更新的记分卡。"
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
)
app.command("run")(run)
app.add_typer(thesis_cmd.app, name="thesis")
app.add_typer(data_app(), name="data")
app.command("capex")(capex_cmd.capex)
app.command("backtest")(backtest_cmd.backtest)
app.add_typer(value_cmd.app, name="value")
app.command("history")(history_cmd.history)
app.command("diff")(history_cmd.diff)
app.command("timeline")(timeline_cmd.timeline)
app.command("serve")(serve_cmd.serve)
app.command("watch")(watch_cmd.watch)


@app.command("version")
def version() -> None:
    """Print the narrowgate version."""
    from narrowgate import __version__

    typer.echo(__version__)


def _print_version(value: bool) -> None:
    if value:
        version()
        raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", callback=_print_version,
                                      is_eager=True, help="Print the version and exit."),
    verbose: int = typer.Option(0, "-v", "--verbose", count=True,
                                help="More detail on stderr (what is fetched, from where); "
                                     "-vv also other libraries' debug lines."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Errors only on stderr."),
    debug: bool = typer.Option(False, "--debug",
                               help="On an error, print the Python traceback too (for a bug "
                                    "report)."),
) -> None:
    """Options before the command (``narrowgate -v run``, ``narrowgate --version``)."""
    from narrowgate.logs import configure

    _DEBUG[0] = debug
    configure(-1 if quiet else verbose)


#: set by ``--debug``: errors also print their traceback (a list, so the callback can set it)
_DEBUG = [False]


def main() -> None:
    """Console entry point: user errors become one line on stderr and a documented code.

    The process then ends without the interpreter's teardown (:func:`_exit_now`)."""
    try:
        _dispatch()
    except SystemExit as done:
        _exit_now(done.code)
    _exit_now(0)


def _exit_now(code: object) -> None:
    """End the process with ``code`` once exit handlers have run and stdio is flushed,
    skipping the interpreter's teardown: after a command that loaded numba's compiled
    kernels, pandas and DuckDB, freeing every module object one by one took 0.3–1 s of a
    ``narrowgate run`` (measured on a 2-core machine; the work itself was done). Every file
    and store connection is closed by then (the store only writes inside ``with`` blocks).
    ``code`` follows :class:`SystemExit`: None is 0, a message is printed and gives 1."""
    import atexit
    import contextlib
    import os

    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()  # logging.shutdown and the other registered handlers
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`)
            stream.flush()
    os._exit(code or 0)


def _dispatch() -> None:
    """Run the app; turn narrowgate's errors into one line and their documented code."""
    from narrowgate.errors import INTERNAL_ERROR_EXIT, NarrowgateError

    try:
        app()
    except NarrowgateError as exc:
        _traceback_if_debug()
        _report(exc)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last resort: every known failure has its own line above
        _traceback_if_debug()
        typer.echo(_unexpected_line(exc), err=True)
        sys.exit(INTERNAL_ERROR_EXIT)


def _report(exc: NarrowgateError) -> None:
    """Print one of narrowgate's errors as its line(s) and exit with its documented code."""
    from narrowgate.errors import DataNotFound, ThesisError

    if isinstance(exc, ThesisError):
        for line in exc.problems:
            typer.echo(line, err=True)
    elif isinstance(exc, DataNotFound):
        from narrowgate.report.commands import fetch_commands  # only when it is needed

        fix = f" — run {fetch_commands(exc.fetch)}" if exc.fetch else ""
        typer.echo(f"error: {exc}{fix}", err=True)
    else:
        typer.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _traceback_if_debug() -> None:
    """With ``--debug``, the traceback of the exception being handled goes to stderr."""
    if _DEBUG[0]:
        import traceback

        traceback.print_exc()


def _unexpected_line(exc: BaseException) -> str:
    """One line for an error narrowgate has no message for: what it was, and how to get the
    detail a bug report needs (``--debug``), in English and Chinese."""
    from narrowgate.errors import shown

    what = f"{type(exc).__name__}: {shown(str(exc), limit=200, quote=False)}"
    hint = ("" if _DEBUG[0] else " — run again with --debug for the traceback and report it "
            "(加 --debug 重新运行可看到回溯)")
    return f"error: unexpected internal error ({what}); this is a narrowgate bug{hint}"
