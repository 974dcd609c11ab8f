"""Offline import of data files (../shared/data or a user's CSV) into the store.

Two phases, so an import is all or nothing: every file is read and checked first (a
malformed file raises ImportFailed naming file:line, before anything is written), then
all frames go to the store in one transaction. Files the catalog does not know are
reported, not fatal; files it knows to be non-data are listed with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from narrowgate.data.catalog import SEC_TICKERS, CatalogEntry, match
from narrowgate.data.importers.base import ImportFailed, Parsed, fail
from narrowgate.data.store import Store, StoreWrite
from narrowgate.instruments import canonical, kind_of

__all__ = ["ImportFailed", "ImportReport", "Parsed", "import_path", "read_file"]

IMPORT_PROVIDER = "import"


@dataclass
class ImportReport:
    """What an import wrote, skipped on purpose, and did not recognise."""

    written: list[tuple[str, str, int, Path]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unknown: list[Path] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(r[2] for r in self.written)


@dataclass
class _Item:
    parsed: Parsed
    source: str
    adjustment: str | None


def list_files(path: Path) -> list[Path]:
    """Every regular file under ``path`` (or ``path`` itself), in a stable order."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise ImportFailed(f"{path} does not exist", "give a data directory or a CSV file")
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def read_file(path: Path, entry: CatalogEntry) -> list[Parsed] | None:
    """Parse one catalogued file into standard frames; None if the layout has no reader
    for this particular file (reported as unknown)."""
    from narrowgate.data.importers import csv_layouts, json_layouts

    stem = path.stem
    if entry.layout == "ohlc_csv":
        frame, notes = csv_layouts.read_ohlc_csv(path, entry.options, entry.columns)
        return [_parsed(entry.instrument_for(stem), frame, path, notes)]
    if entry.layout == "value_csv":
        frame, notes = csv_layouts.read_value_csv(path, entry.columns)
        return [_parsed(entry.instrument_for(stem), frame, path, notes)]
    if entry.layout == "investing_cn":
        frame, notes = csv_layouts.read_investing_cn(path)
        return [_parsed(entry.instrument_for(stem), frame, path, notes)]
    if entry.layout == "margin_csv":
        return [_parsed(i, f, path, n) for i, f, n in csv_layouts.read_margin_csv(path)]
    if entry.layout == "dashboard_json":
        out = json_layouts.read_dashboard_json(path)
        return None if out is None else [_parsed(i, f, path, n) for i, f, n in out]
    if entry.layout == "companyfacts_json":
        instrument, frame = json_layouts.read_companyfacts_json(path, SEC_TICKERS)
        return [_parsed(instrument, frame, path, [])]
    return None


def read_user_csv(path: Path, instrument: str) -> Parsed:
    """A user's own CSV: ``date,open,high,low,close[,adj_close][,volume]`` for bar
    markets, ``date,value`` for series markets (the instrument id decides which)."""
    from narrowgate.data.importers import csv_layouts

    if kind_of(instrument) == "bars":
        frame, notes = csv_layouts.read_ohlc_csv(path)
    elif kind_of(instrument) == "series":
        frame, notes = csv_layouts.read_value_csv(path)
    else:
        raise fail(path, None, f"{instrument} holds facts; a CSV cannot be imported as facts",
                   "import SEC companyfacts JSON instead")
    return _parsed(instrument, frame, path, notes)


def _parsed(instrument: str, frame: object, path: Path, notes: list[str]) -> Parsed:
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    instrument = canonical(instrument)
    return Parsed(instrument, kind_of(instrument), frame, path, notes)


def import_path(store: Store, path: Path, instrument: str | None = None,
                source: str | None = None,
                on_file: Callable[[Path], None] | None = None,
                replace: bool = False) -> ImportReport:
    """Import a directory (catalogued files) or one file (catalogued, or generic with
    ``instrument``) in one transaction. ``on_file`` is called after each file is read.
    A file replaces what the store holds from the same source; when that would drop stored
    rows outside the file's dates the import stops (nothing written) unless ``replace``."""
    path = Path(path)
    report = ImportReport()
    items: list[_Item] = []
    if instrument is not None:
        if not path.is_file():
            raise ImportFailed(f"--id needs a single CSV file, and {path} is not one",
                               "give the file path, e.g. data import my.csv --id us:FOO")
        parsed = read_user_csv(path, instrument)
        items.append(_Item(parsed, source or f"user_{path.stem}", None))
        if on_file:
            on_file(path)
    else:
        for file in list_files(path):
            entry = match(file)
            if file.is_symlink():  # never read outside the folder given
                report.skipped.append((file, f"a symbolic link (to {file.resolve()}): "
                                             "import the file itself"))
            elif entry is None:
                report.unknown.append(file)
            elif entry.skip is not None:
                report.skipped.append((file, entry.skip))
            else:
                found = read_file(file, entry)
                if found is None:
                    report.unknown.append(file)
                for parsed in found or []:
                    items.append(_Item(parsed, source or entry.source_for(file),
                                       entry.adjustment))
            if on_file:
                on_file(file)
    _check_unique(items)
    if not replace:
        with store.session():  # one read connection for every check (~10 ms an open)
            _check_no_shrink(store, items)
    now = datetime.now()
    # the request names the folder and file, never the absolute path: provenance travels
    # into shared reports, and the user's file system is not theirs to read
    writes = [StoreWrite(it.parsed.kind, it.parsed.instrument, it.source, it.parsed.frame,
                         IMPORT_PROVIDER, f"{it.parsed.path.parent.name}/{it.parsed.path.name}",
                         now, it.parsed.notes, it.adjustment) for it in items]
    if writes:
        store.write(writes)
    for it in items:
        p = it.parsed
        report.written.append((p.instrument, it.source, len(p.frame), p.path))
        report.notes.extend((p.path, f"{p.instrument}: {n}") for n in p.notes)
    return report


def _check_no_shrink(store: Store, items: list[_Item]) -> None:
    """A re-import must not silently cut stored history. The store replaces a source's
    bars and series over the incoming file's date span (and its facts whole), so a file
    whose few rows span years would delete every stored day between them it does not
    hold: a 2-row file once cut 6,906 stored rows to 161. Count what would go, refuse."""
    import pandas as pd

    if not items:
        return
    held = {(c.instrument, c.source): c
            for c in store.coverage(sorted({it.parsed.instrument for it in items}))}
    for it in items:
        old = held.get((it.parsed.instrument, it.source))
        frame = it.parsed.frame
        if old is None or frame.empty:
            continue
        if it.parsed.kind == "facts":  # replaced whole: fewer facts is the loss
            lost = old.rows - len(frame)
            what = f"{old.rows} facts; this file has {len(frame)}"
        else:
            first, last = frame["date"].min().date(), frame["date"].max().date()
            stored = store.read_rows(it.parsed.kind, [(old.instrument, old.source)], first,
                                     last, None)
            kept = set(pd.to_datetime(frame["date"]).dt.date)
            lost = sum(d not in kept for d in pd.to_datetime(stored["date"]).dt.date)
            what = (f"{lost} stored rows between {first} and {last} that this file "
                    f"({len(frame)} rows) does not hold")
        if lost > 0:
            raise ImportFailed(
                f"{it.parsed.path}: {old.instrument} from source {old.source!r} holds {what}; "
                "importing it would delete them", "re-run with --replace to accept that, or "
                "--source NAME to keep both")


def _check_unique(items: list[_Item]) -> None:
    seen: dict[tuple[str, str], Path] = {}
    for it in items:
        key = (it.parsed.instrument, it.source)
        if key in seen:
            raise ImportFailed(f"{seen[key]} and {it.parsed.path} both hold {key[0]} from "
                               f"source {key[1]!r}", "import them separately with --source")
        seen[key] = it.parsed.path
