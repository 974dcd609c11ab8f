"""`narrowgate run`: evaluate a thesis and write scorecard.json plus the HTML report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from narrowgate.cli.dates import parse_date


def run(
    thesis: Annotated[
        str | None, typer.Argument(help="Bundled or library thesis id, or a YAML file "
                                        "(default: ai-narrow-gate).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD; default today)."),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never call a live data source; use the local store.")
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for scorecard.json and the HTML report.")
    ] = Path("narrowgate-report"),
    lang: Annotated[Literal["zh", "en"], typer.Option("--lang", help="Language: zh or en.")] = "en",
    record: Annotated[bool, typer.Option(
        "--record/--no-record",
        help="Keep the scorecard in the store's run history (see `narrowgate history`)."),
    ] = True,
    timeline: Annotated[bool, typer.Option(
        "--timeline/--no-timeline",
        help="Replay each decided claim at the month ends since publication (cached in "
             "the store; a first run computes every month)."),
    ] = True,
) -> None:
    """Evaluate every claim and write the scorecard (JSON, HTML) — 评估全部论点并生成记分卡。"""
    from rich.console import Console

    from narrowgate.api import HISTORY_NOT_RECORDED, run_thesis
    from narrowgate.evaluate.runner import check_as_of
    from narrowgate.report.html import write_html_report
    from narrowgate.report.outdir import SCORECARD, writing
    from narrowgate.report.scorecard import write_scorecard_json
    from narrowgate.report.terminal import render_scorecard
    from narrowgate.thesis.loader import load_thesis, resolve_thesis_path

    console = Console()
    source = resolve_thesis_path(thesis)
    the_thesis = load_thesis(source)
    as_of_date = parse_date(as_of, "--as-of") or date.today()
    check_as_of(the_thesis, as_of_date)
    prepare_out(out)
    with _ProgressBars(console) as bars:
        scorecard = run_thesis(the_thesis, as_of_date, offline=offline, progress=bars,
                               record=record, source=source, timeline=timeline)
    render_scorecard(scorecard, console, lang)
    with writing(out):  # both files from this run, never mixed with another's
        json_path = write_scorecard_json(scorecard, out / SCORECARD)
        html_path = write_html_report(scorecard, out, lang)
    console.print(f"wrote {json_path} and {html_path}")
    if record and not (scorecard.warnings
                       and scorecard.warnings[0].startswith(HISTORY_NOT_RECORDED)):
        console.print(f"recorded in history (已记入历史) — narrowgate history "
                      f"{scorecard.thesis.id}", highlight=False)
    if any(result.error for result in scorecard.results):
        raise typer.Exit(1)


def prepare_out(out: Path) -> None:
    """Make the report folder before any work, so a path that cannot hold it fails in one
    line at once instead of after the evaluation (and never with a traceback)."""
    from narrowgate.errors import NarrowgateError

    if out.exists() and not out.is_dir():
        raise NarrowgateError(f"--out {out} is a file, not a folder",
                              "give a folder for scorecard.json and index.html (it is created)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NarrowgateError(f"cannot create the report folder {out}: {exc.strerror}",
                              "choose a writable folder with --out") from None
    from narrowgate.report.outdir import refuse_foreign

    refuse_foreign(out)  # someone else's files: refused now, not after the evaluation


class _ProgressBars:
    """Progress bars for a run: one while fetching, one while evaluating (rich)."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TextColumn("{task.fields[item]}"),
                                  console=console, transient=True)
        self._task: Any = None

    def __enter__(self) -> _ProgressBars:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def _start(self, what: str, total: int) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(what, total=total, item="")

    def fetching(self, total: int) -> None:
        self._start("fetching data", total)

    def fetched(self, instrument: str) -> None:
        self._progress.update(self._task, advance=1, item=instrument)

    def evaluating(self, total: int) -> None:
        self._start("evaluating", total)

    def evaluated(self, claim_id: str) -> None:
        self._progress.update(self._task, advance=1, item=claim_id)

    def replaying(self, total: int) -> None:
        self._start("timeline (按月回放)", total)

    def replayed(self, label: str) -> None:
        self._progress.update(self._task, advance=1, item=label)
