"""`narrowgate data …`: fill, inspect, export and check the local store.

Thin by design: parse options, call data/ (store, hub, importers), render with rich.
pandas/duckdb are imported inside commands so `narrowgate --help` stays fast. Errors are
narrowgate.errors types; the main CLI prints them on one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from narrowgate.cli.dates import parse_date

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.data.basis import Basis
    from narrowgate.data.hub import Provenance
    from narrowgate.data.snapshots_sql import SnapshotSummary
    from narrowgate.data.store import Store

app = typer.Typer(
    help="Local data store: pull, import, list, show, export and check data.", no_args_is_help=True
)

ExportFormat = Literal["csv", "parquet"]


def _console():  # type: ignore[no-untyped-def]
    """A console that never cuts a table when the output is piped (rich would fall back to
    80 columns): a file or a pipe gets the table at its full width."""
    import sys

    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=240)


@app.command()
def pull(
    ids: Annotated[list[str], typer.Argument(help="instrument ids, e.g. us:QQQ")],
    start: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
) -> None:
    """Fetch instruments from their live providers into the store now."""
    from rich.markup import escape

    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.instruments import kind_of

    hub = DataHub(Store())
    console = _console()
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    failures = []
    for instrument in ids:
        failure = hub.refresh(instrument, kind_of(instrument), first, last)
        status = "[green]ok[/]" if failure is None else f"[red]failed[/]: {escape(failure)}"
        console.print(f"{instrument}: {status}", highlight=False)
        if failure is not None:
            failures.append(failure)
    for warning in hub.warnings:  # a warning's text may hold brackets ([cn]) rich would eat
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
    if failures:
        # README exit codes: 4 when no source has the data, 5 when a source failed
        raise typer.Exit(4 if all(f.not_found for f in failures) else 5)


@app.command("ls")
def list_store(
    ids: Annotated[list[str] | None, typer.Argument()] = None,
    log: Annotated[
        bool, typer.Option("--log", help="show the fetch log (newest first) instead")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="with --log: at most N entries")] = 50,
    as_json: Annotated[bool, typer.Option(
        "--json", help="print the rows as JSON: {\"store\": PATH, \"rows\": [...]}")] = False,
) -> None:
    """List what the store holds: one row per instrument and source (or, with --log, the
    fetches and imports that brought it, including failed fetches)."""
    from rich.table import Table

    from narrowgate.data.store import Store

    store = Store()
    if log:
        _print_fetch_log(store, ids, limit)
        return
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        rows = [{"instrument": c.instrument, "kind": c.kind, "source": c.source,
                 "first": c.first.isoformat(), "last": c.last.isoformat(), "rows": c.rows,
                 "fetched_at": c.fetched_at.isoformat(), "provider": c.provider,
                 "adjustment": c.adjustment} for c in store.coverage(ids or None)]
        snaps = [{"table": s.table, "key": s.key, "measure": s.measure,
                  "snapshots": s.snapshots, "first": s.first.isoformat(),
                  "last": s.last.isoformat()} for s in _snapshots(store, ids)]
        emit_json({"store": str(store.path), "rows": rows, "snapshots": snaps})
        return
    table = Table(
        "instrument", "kind", "source", "first", "last", "rows", "fetched", title=str(store.path)
    )
    for c in store.coverage(ids or None):
        table.add_row(
            c.instrument,
            c.kind,
            c.source,
            str(c.first),
            str(c.last),
            str(c.rows),
            c.fetched_at.strftime("%Y-%m-%d %H:%M"),
        )
    _console().print(table)
    held = _snapshots(store, ids)
    if held:
        kept = Table("kind", "of", "measure", "snapshots", "first", "newest",
                     title="snapshots (consensus forecasts, price lists)")
        for s in held:
            kept.add_row(s.table.replace("_", " "), s.key, s.measure, str(s.snapshots),
                         str(s.first), str(s.last))
        _console().print(kept)


def _snapshots(store: Store, ids: list[str] | None) -> list[SnapshotSummary]:
    """The store's snapshot summaries, only those of ``ids`` when given."""
    wanted = set(ids or [])
    return [s for s in store.snapshot_summaries() if not wanted or s.key in wanted]


def _print_fetch_log(store: Store, ids: list[str] | None, limit: int) -> None:
    """One row per fetch-log entry: when, provider, instrument, request, rows, status, note.

    Requests are file paths or URLs and can be long; rich folds them rather than cutting,
    because the request is the provenance a user checks.
    """
    from rich.table import Table

    from narrowgate.instruments import canonical

    wanted = {canonical(i) for i in ids} if ids else None
    rows = [r for r in store.fetch_log(limit if wanted is None else max(limit, 10_000))
            if wanted is None or r.instrument in wanted][:limit]
    table = Table("id", "time", "provider", "instrument", "request", "rows", "status", "note",
                  title=f"fetch log of {store.path}")
    for r in rows:
        table.add_row(str(r.fetch_id), f"{r.fetched_at:%Y-%m-%d %H:%M:%S}", r.provider,
                      r.instrument, r.request, str(r.rows), r.status, r.note or "")
    console = _console()
    console.print(table if rows else f"the fetch log of {store.path} is empty")


def _spliced_closes(instrument: str, basis: Basis | None, offline: bool
                    ) -> tuple[pd.DataFrame, list[Provenance]]:
    """The closes a run reads: every stored source serving one price basis, spliced."""
    from narrowgate.data.hub import DataHub

    hub = DataHub(offline=offline)
    wide = hub.closes([instrument], basis=basis)
    provenance = wide.attrs.get("provenance", [])
    wide.attrs = {}
    return wide.rename(columns={instrument: "close"}), provenance


@app.command()
def show(
    instrument: str,
    tail: Annotated[int, typer.Option(help="last N rows")] = 10,
    source: Annotated[str | None, typer.Option(
        help="one stored source's rows as stored (default: the spliced closes a run uses)")]
    = None,
    basis: Annotated[Literal["raw", "split", "total"] | None, typer.Option(
        help="price basis of the spliced closes: raw, split or total (default: the widest "
             "coverage)")] = None,
    offline: Annotated[bool, typer.Option(help="never call a provider")] = True,
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"instrument", "rows": [...], "provenance": [...]} as JSON')]
    = False,
) -> None:
    """Show the last rows of an instrument and where they came from: by default the same
    spliced closes a run reads; with --source, one source's stored bars."""
    from rich.table import Table

    from narrowgate.data.hub import DataHub
    from narrowgate.instruments import kind_of

    hub = DataHub(offline=offline)
    kind = kind_of(instrument)
    if kind == "bars" and source is None:
        frame, prov = _spliced_closes(instrument, basis, offline)
    elif kind == "bars":
        result = hub.bars(instrument, source=source, adjust="raw")
        frame, prov = result.frame, result.provenance
    elif kind == "series":
        sres = hub.series(instrument, source=source)
        frame, prov = sres.frame, sres.provenance
    else:
        fres = hub.facts(instrument, source=source)
        frame, prov = fres.frame.set_index("end"), fres.provenance
    frame = frame.tail(tail)
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        rows = [{str(frame.index.name or "index"): idx, **row}
                for idx, row in zip(frame.index, frame.to_dict("records"), strict=True)]
        emit_json({"instrument": instrument, "rows": rows, "provenance": list(prov)})
        return
    table = Table(str(frame.index.name or ""), *[str(c) for c in frame.columns])
    import pandas as pd

    for idx, row in frame.iterrows():  # pd.isna: facts hold pandas' NA, which has no truth
        table.add_row(str(idx)[:10], *["" if pd.isna(v) else f"{v}" for v in row.tolist()])
    console = _console()
    console.print(table)
    for p in prov:
        console.print(
            f"source {p.source} ({p.provider}: {p.request}), {p.first} … {p.last}, "
            f"{p.rows} rows{', STALE' if p.stale else ''}"
            f"{'; ' + p.adjustment if p.adjustment else ''}"
        )


@app.command()
def sources(
    instrument: str,
    offline: Annotated[bool, typer.Option(help="never call a provider")] = True,
) -> None:
    """Every stored source of a bars instrument: span, the price bases it serves, and its
    closes over the newest source's on their common days (the splice check)."""
    from rich.table import Table

    from narrowgate.data.basis import BASES, column_bases
    from narrowgate.data.hub import DataHub
    from narrowgate.data.splice import agreement
    from narrowgate.instruments import canonical

    inst = canonical(instrument)
    hub = DataHub(offline=offline)
    covs = sorted((c for c in hub.store.coverage([inst], "bars")),
                  key=lambda c: (c.last, c.rows, c.source), reverse=True)
    if not covs:
        from narrowgate.errors import DataNotFound

        raise DataNotFound(f"no stored bars for {inst}", fetch=(inst,))
    closes = {c.source: hub.bars(inst, source=c.source, adjust="raw").frame["close"]
              for c in covs}
    head = covs[0].source
    table = Table("source", "first", "last", "rows", "bases (close / adj_close)",
                  f"close ÷ {head}: median (min–max), common days", title=inst)
    for c in covs:
        close_b, adj_b = column_bases(inst, c.adjustment)
        bases = (",".join(b for b in BASES if b in close_b) or "—") + " / " + (
            ",".join(b for b in BASES if b in adj_b) or "—")
        a = agreement((head, closes[head]), (c.source, closes[c.source]))
        ratio = ("—" if c.source == head else "no common day" if not a.common_days else
                 f"{a.median_ratio:.5f} ({a.min_ratio:.5f}–{a.max_ratio:.5f}), {a.common_days}")
        table.add_row(c.source, str(c.first), str(c.last), str(c.rows), bases, ratio)
    _console().print(table)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="a directory or one file")],
    id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="instrument id for your own file: a CSV (date,open,high,low,close"
            "[,adj_close][,volume] or date,value), a yfinance download CSV, a ;-separated "
            "export or an Excel workbook",
        ),
    ] = None,
    source: Annotated[str | None, typer.Option(help="source label")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="accept dropping stored rows of the same source outside the "
                          "file's dates")] = False,
) -> None:
    """Import data files (all of ../shared/data, or your own CSV with --id)."""
    from rich.progress import Progress

    from narrowgate.data.importers import import_path, list_files
    from narrowgate.data.store import Store

    console = _console()
    files = [path] if id else list_files(path)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("reading files", total=len(files))
        report = import_path(
            Store(), path, instrument=id, source=source,
            on_file=lambda _p: progress.advance(task), replace=replace)
    console.print(
        f"imported {report.rows} rows for {len(report.written)} instrument-sources from {path}"
    )
    for file, note in report.notes:
        console.print(f"  note {file.name}: {note}")
    for file, reason in report.skipped:
        console.print(f"  skipped {file}: {reason}", style="dim")
    for file in report.unknown:
        console.print(f"  [yellow]unknown file (not imported)[/]: {file}")


@app.command()
def export(
    instrument: str,
    format: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    out: Annotated[Path | None, typer.Option(
        help="output file; '-' writes CSV to stdout (the status line goes to stderr)")] = None,
    source: Annotated[str | None, typer.Option(
        help="one stored source's rows as stored (default: the spliced closes a run uses)")]
    = None,
    basis: Annotated[Literal["raw", "split", "total"] | None, typer.Option(
        help="price basis of the spliced closes: raw, split or total")] = None,
) -> None:
    """Write one instrument's data to CSV or Parquet: by default the spliced closes a run
    reads (the sources are printed); with --source, that source's stored rows."""
    from narrowgate.data.hub import DataHub
    from narrowgate.errors import NarrowgateError
    from narrowgate.instruments import kind_of

    if format not in ("csv", "parquet"):
        raise NarrowgateError(f"unknown format {format!r}", "use --format csv or parquet")
    hub = DataHub(offline=True)
    kind = kind_of(instrument)
    origin = ""
    if kind == "bars" and source is None:
        frame, prov = _spliced_closes(instrument, basis, True)
        origin = "; ".join(f" ({p.request})" for p in prov)
    elif kind == "bars":
        frame = hub.bars(instrument, adjust="raw", source=source).frame
    elif kind == "series":
        frame = hub.series(instrument, source=source).frame
    else:
        frame = hub.facts(instrument, source=source).frame
    if out is not None and str(out) == "-":
        if format != "csv":
            raise NarrowgateError("parquet cannot go to stdout", "give --out FILE, or --format csv")
        import sys

        frame.to_csv(sys.stdout)
        typer.echo(f"wrote {len(frame)} rows to stdout{origin}", err=True)
        return
    target = out or Path(f"{instrument.replace(':', '_')}.{format}")
    if target.is_dir():
        raise NarrowgateError(f"--out {target} is a folder", "give a file name, e.g. "
                              f"{target / instrument.replace(':', '_')}.{format}")
    if not target.absolute().parent.is_dir():
        raise NarrowgateError(f"--out {target}: the folder {target.absolute().parent} does "
                              "not exist", "create it first, or give another path")
    try:
        if format == "csv":
            frame.to_csv(target)
        else:
            frame.to_parquet(target)
    except OSError as exc:
        raise NarrowgateError(f"cannot write {target} ({exc.strerror or exc})",
                              "give a path you may write to") from None
    _console().print(f"wrote {len(frame)} rows to {target}{origin}")


@app.command()
def check(
    ids: Annotated[list[str] | None, typer.Argument(help="ids or CSV files")] = None,
) -> None:
    """Quality report: non-positive prices, duplicate dates, calendar gaps, split-like
    jumps. Problems are flagged, never fixed."""
    from rich.table import Table

    from narrowgate.data.importers.quality import check_targets

    findings = check_targets(ids or [])
    table = Table("target", "check", "date", "detail", title="data check")
    for f in findings:
        table.add_row(f.target, f.check, f.day, f.detail)
    console = _console()
    console.print(table if findings else "no problems found")
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)
