"""What the server shows, read from the store and the thesis library: no HTTP here.

Why one module apart from the routes: the home page, the thesis page and the JSON API must
agree on which theses exist, which run is "latest" and which flips are "since the previous
run". A thesis is known when it is bundled, kept in the library, or has recorded runs (a
thesis removed from the library keeps its history, and its pages keep working). Every read
goes through the history helper's public functions (:mod:`narrowgate.watch.history`), so the
server sees exactly what ``narrowgate history`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from narrowgate.data.history_sql import RunRow
from narrowgate.data.store import Store
from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import ClaimResult
from narrowgate.thesis.schema import LocalizedText
from narrowgate.watch.history import Flip, find_flips, list_runs, load_runs

Origin = Literal["bundled", "library", "history"]


class UnknownThesis(NarrowgateError):
    """A thesis id the server does not know (not bundled, not in the library, never run)."""


class NoRecordedRun(NarrowgateError):
    """A known thesis without the recorded run asked for (none yet, or a run of another
    thesis)."""


class AssetNotFound(NarrowgateError):
    """A static file name the server does not serve."""


@dataclass(frozen=True)
class ThesisEntry:
    """One thesis the server lists: where it comes from, its file (None when only its
    history remains), its title, and its recorded runs in history order."""

    thesis_id: str
    origin: Origin
    path: Path | None
    title: LocalizedText | None
    runs: list[RunRow]

    @property
    def latest(self) -> RunRow | None:
        return self.runs[-1] if self.runs else None


def _title(path: Path) -> LocalizedText | None:
    """The thesis title from its file; None for a file that no longer validates (the
    listing still shows the id and history rather than failing the whole page)."""
    from narrowgate.thesis.loader import load_thesis

    try:
        return load_thesis(path).title
    except NarrowgateError:
        return None


def thesis_files() -> dict[str, tuple[Origin, Path]]:
    """Bundled and library thesis ids → origin and file (the library's newest version)."""
    from narrowgate.thesis.library import entries
    from narrowgate.thesis.loader import bundled_theses

    found: dict[str, tuple[Origin, Path]] = {
        thesis_id: ("bundled", path) for thesis_id, path in bundled_theses().items()}
    for entry in entries():  # by id then version: the last one of an id is its newest
        if found.get(entry.thesis_id, ("library",))[0] == "library":
            found[entry.thesis_id] = ("library", entry.path)
    return found


def list_theses(store: Store) -> list[ThesisEntry]:
    """Every known thesis, bundled first, then the library, then history-only ids."""
    runs = list_runs(store)
    by_thesis: dict[str, list[RunRow]] = {}
    for row in runs:
        by_thesis.setdefault(row.thesis_id, []).append(row)
    files = thesis_files()
    listed = [ThesisEntry(tid, origin, path, _title(path), by_thesis.get(tid, []))
              for tid, (origin, path) in files.items()]
    listed += [ThesisEntry(tid, "history", None, None, rows)
               for tid, rows in by_thesis.items() if tid not in files]
    order = {"bundled": 0, "library": 1, "history": 2}
    return sorted(listed, key=lambda e: (order[e.origin], e.thesis_id))


def thesis_entry(store: Store, thesis_id: str) -> ThesisEntry:
    """One known thesis; UnknownThesis names the ids the server knows. An id that is not
    a slug (``..``, upper case) is unknown before any folder is looked at."""
    from narrowgate.thesis.schema import SLUG

    files = thesis_files() if SLUG.match(thesis_id) else {}
    runs = list_runs(store, thesis_id) if SLUG.match(thesis_id) else []
    if thesis_id in files:
        origin, path = files[thesis_id]
        return ThesisEntry(thesis_id, origin, path, _title(path), runs)
    if runs:
        return ThesisEntry(thesis_id, "history", None, None, runs)
    known = ", ".join(sorted({*files, *(r.thesis_id for r in list_runs(store))})) or "none"
    raise UnknownThesis(f"no thesis '{thesis_id}' (not bundled, not in the library, "
                        f"never run)", f"known theses: {known}")


def latest_flips(store: Store, entry: ThesisEntry) -> list[Flip]:
    """The verdict flips between the thesis's previous run and its latest one."""
    if len(entry.runs) < 2:
        return []
    return find_flips(store, entry.runs[-2:])


#: the home page's "since last week": runs recorded in the last seven days
WEEK = timedelta(days=7)


def flips_since(store: Store, entry: ThesisEntry, since: datetime) -> list[Flip]:
    """The verdict flips into runs recorded at or after ``since`` (naive UTC), each
    against the run before it in history order (so the first flip of the window is
    measured from the last run before it): what changed for someone who looked a week
    ago."""
    recent = [i for i, row in enumerate(entry.runs) if row.recorded_at >= since]
    if not recent:
        return []
    window = entry.runs[max(recent[0] - 1, 0):]
    return [f for f in find_flips(store, window) if f.after.recorded_at >= since]


def week_ago() -> datetime:
    """Now minus :data:`WEEK`, naive UTC like the store's timestamps."""
    return datetime.now(UTC).replace(tzinfo=None) - WEEK


def recorded_scorecard(store: Store, entry: ThesisEntry,
                       run_id: int | None = None) -> tuple[RunRow, Scorecard]:
    """The latest recorded run of a thesis (or run ``run_id`` of it) with its scorecard;
    NoRecordedRun when there is none, or when the run belongs to another thesis."""
    if not entry.runs:
        raise NoRecordedRun(f"thesis '{entry.thesis_id}' has no recorded run yet",
                            f"POST /api/theses/{entry.thesis_id}/refresh, or run "
                            f"`narrowgate run {entry.thesis_id}`")
    if run_id is None:
        run_id = entry.runs[-1].run_id
    if run_id not in {r.run_id for r in entry.runs}:
        held = ", ".join(str(r.run_id) for r in entry.runs)
        raise NoRecordedRun(f"thesis '{entry.thesis_id}' has no recorded run {run_id}",
                            f"its runs: {held}")
    return load_runs(store, [run_id])[run_id]


@dataclass(frozen=True)
class ClaimPoint:
    """A claim as one recorded run saw it."""

    run: RunRow
    result: ClaimResult


def claim_timeline(store: Store, entry: ThesisEntry, claim_id: str) -> list[ClaimPoint]:
    """Every recorded run of the thesis that holds ``claim_id``, oldest first;
    NoRecordedRun when none does."""
    cards = load_runs(store, [r.run_id for r in entry.runs]) if entry.runs else {}
    points = [ClaimPoint(row, res) for row, card in (cards[r.run_id] for r in entry.runs)
              for res in card.results if res.claim_id == claim_id]
    if not points:
        raise NoRecordedRun(f"no recorded run of '{entry.thesis_id}' has a claim "
                            f"'{claim_id}'", f"see GET /api/theses/{entry.thesis_id}/scorecard "
                                             "for its claims")
    return points
