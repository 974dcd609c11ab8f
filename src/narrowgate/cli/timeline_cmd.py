"""`narrowgate timeline [THESIS]`: every claim's verdict at each month end since publication.

Thin: dates from the options, the replay from :mod:`narrowgate.evaluate.timeline`, a table
or JSON out. It reads the store as it is (never fetches: a replay must see the same data
at every date), so `narrowgate run` or `data pull` first for fresh data.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

#: one short mark per verdict for the table (the legend prints them)
MARKS = {"supported": ("✓", "green"), "contradicted": ("✗", "red"), "mixed": ("~", "yellow"),
         "pending": ("…", "cyan"), "insufficient data": ("?", "magenta"),
         "qualitative": ("q", "blue")}


def timeline(
    thesis: Annotated[str | None, typer.Argument(
        help="Bundled thesis id or YAML file (default: ai-narrow-gate).")] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="First date (YYYY-MM-DD; default: publication); month ends follow.")]
    = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Last date (YYYY-MM-DD; default: today).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"dates": [...], "claims": [{"id", "readings"}], "flips"}')]
    = False,
) -> None:
    """Replay the verdicts at every month end since publication and show the flips —
    按月回放每个论点的结论及其变化。"""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from narrowgate.cli.dates import parse_date
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.errors import NarrowgateError
    from narrowgate.evaluate.timeline import month_ends, replay
    from narrowgate.thesis.loader import load_thesis

    the_thesis = load_thesis(thesis)
    start = parse_date(from_, "--from") or the_thesis.published
    end = parse_date(to, "--to") or date.today()
    if start < the_thesis.published:
        raise NarrowgateError(f"--from {start} is before the thesis was published "
                              f"({the_thesis.published})", f"use --from {the_thesis.published} "
                              "or later")
    if end <= start:
        raise NarrowgateError(f"--to {end} must come after --from {start}")
    dates = month_ends(start, end)
    import sys

    # never cut the table when piped (rich would fall back to 80 columns)
    console = Console(stderr=as_json, width=None if sys.stdout.isatty() else 240)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("replaying", total=len(dates))
        line = replay(the_thesis, dates, DataHub(Store(), offline=True),
                      on_date=lambda _d: progress.advance(task))
    flips = line.flips()
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"thesis": the_thesis.id, "dates": line.dates, "claims": [
            {"id": claim, "readings": [
                {"verdict": r.verdict.value, "so_far": r.so_far.value if r.so_far else None}
                for r in line.readings[claim]]} for claim in line.claims],
            "flips": [{"claim": claim, "date": day, "from": before.label(),
                       "to": after.label()} for claim, day, before, after in flips],
            "errors": line.errors})
        return
    table = Table(title=f"{the_thesis.id}: verdicts at month ends (as each date saw the data)")
    table.add_column("claim", no_wrap=True)
    for day in line.dates:
        table.add_column(str(day) if day == end else f"{day:%Y-%m}", no_wrap=True)
    for claim in line.claims:
        cells = []
        for reading in line.readings[claim]:
            mark, colour = MARKS[reading.verdict.value]
            hint = MARKS[reading.so_far.value][0] if reading.so_far else ""
            cells.append(f"[{colour}]{mark}{hint}[/]")
        table.add_row(claim, *cells)
    console.print(table)
    console.print("  ".join(f"{mark} {name}" for name, (mark, _) in MARKS.items())
                  + "  (…✗ = pending, so far contradicted)", highlight=False)
    for claim, day, before, after in flips:
        console.print(f"{day}: {claim} {before.label()} → {after.label()}", highlight=False)
    for error in line.errors:
        console.print(f"[red]evaluator failed[/] {error}", highlight=False)
    if line.errors:
        raise typer.Exit(1)
