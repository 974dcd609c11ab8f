"""Recorded runs: record a scorecard in the store, list runs, find flips, diff two runs.

A run is recorded in one store transaction (its row, the newest date of every instrument
it read, and the scorecard JSON), so history never holds half a run. History reads the
scorecards back through the same pydantic model ``scorecard.json`` uses, so a diff sees
exactly what the report showed. Flips are computed between *consecutive* runs of one
thesis in history order (as-of date, then generation time): a run back-filled for an
earlier date sorts where it belongs instead of looking like a reversal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from narrowgate.data import history_sql
from narrowgate.data.history_sql import RunRow
from narrowgate.data.store import Store
from narrowgate.errors import NarrowgateError, StoreError
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.watch.compare import ClaimChange, claim_changes


class RunNotFound(NarrowgateError):
    """A run id that history does not hold."""

    exit_code = 2


def content_sha256(scorecard: Scorecard) -> str:
    """Hex SHA-256 of the thesis as the scorecard carries it, for a thesis with no file
    (built in Python): stable across runs of the same thesis object."""
    return hashlib.sha256(scorecard.thesis.model_dump_json().encode("utf-8")).hexdigest()


def newest_per_instrument(scorecard: Scorecard) -> dict[str, date | None]:
    """Instrument → the newest date of it any claim read (figures copied from the thesis,
    ``fallback``, carry no data date and are left out)."""
    newest: dict[str, date | None] = {}
    for result in scorecard.results:
        for item in result.evidence.data:
            if item.fallback:
                continue
            seen = newest.get(item.instrument)
            if item.end is not None and (seen is None or item.end > seen):
                newest[item.instrument] = item.end
            else:
                newest.setdefault(item.instrument, None)
    return newest


def _utc_naive(moment: datetime) -> datetime:
    """The store keeps timestamps as naive UTC (DuckDB TIMESTAMP)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def record_run(store: Store, scorecard: Scorecard, thesis_hash: str,
               thesis_path: Path | None = None) -> int:
    """Record one evaluated scorecard in the store's history; returns its run id.

    Raises StoreError when the store cannot be written (read-only, busy, damaged, full);
    nothing is recorded then.
    """
    row = run_row(scorecard, thesis_hash, thesis_path)
    payload = scorecard.model_dump_json()
    with store.writing() as con:
        return history_sql.insert_run(con, row, payload)


def run_row(scorecard: Scorecard, thesis_hash: str, thesis_path: Path | None = None) -> RunRow:
    """The history row of a scorecard about to be recorded (its id is assigned on insert);
    for a caller that records the run inside its own transaction (a watch cycle)."""
    return RunRow(run_id=0, thesis_id=scorecard.thesis.id, thesis_hash=thesis_hash,
                  thesis_path=None if thesis_path is None else str(thesis_path),
                  as_of=scorecard.as_of, generated_at=_utc_naive(scorecard.generated_at),
                  recorded_at=_utc_naive(datetime.now(UTC)), offline=scorecard.offline,
                  counts=dict(scorecard.counts), data=newest_per_instrument(scorecard))


def list_runs(store: Store, thesis_id: str | None = None) -> list[RunRow]:
    """Recorded runs in history order (all theses, or one); [] for a store without any."""
    with store.reading() as con:
        if con is None or not history_sql.has_history(con):
            return []
        return history_sql.select_runs(con, thesis_id)


def load_runs(store: Store, run_ids: Sequence[int]) -> dict[int, tuple[RunRow, Scorecard]]:
    """The given runs with their scorecards; RunNotFound names an id history lacks."""
    with store.reading() as con:
        if con is None or not history_sql.has_history(con):
            rows, cards = [], {}
        else:
            rows = history_sql.select_runs(con, run_ids=list(run_ids))
            cards = history_sql.select_scorecards(con, list(run_ids))
    by_id = {row.run_id: row for row in rows}
    for run_id in run_ids:
        if run_id not in by_id:
            ids = sorted(r.run_id for r in list_runs(store))
            held = f"runs {ids[0]} to {ids[-1]} are recorded" if ids else "no run is recorded"
            raise RunNotFound(f"no recorded run {run_id} in {store.path} ({held})",
                              "list the runs with `narrowgate history`")
    return {i: (by_id[i], _scorecard(store, i, cards[i])) for i in run_ids}


def _scorecard(store: Store, run_id: int, text: str) -> Scorecard:
    """A recorded scorecard read back; one that no longer validates (damaged, or written
    by a newer narrowgate) is a StoreError naming the run, never a traceback."""
    from pydantic import ValidationError

    try:
        return Scorecard.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "scorecard"
        raise StoreError(f"recorded run {run_id} in {store.path} has a scorecard this "
                         f"narrowgate cannot read ({where}: {first['msg']})",
                         "update narrowgate, or leave that run out of the diff") from None


@dataclass(frozen=True)
class Flip:
    """A claim whose verdict changed between two consecutive runs of one thesis."""

    thesis_id: str
    before: RunRow
    after: RunRow
    change: ClaimChange

    def to_json(self) -> dict[str, object]:
        change = self.change.to_json()
        return {"thesis": self.thesis_id, "claim": change["claim"],
                "from_run": self.before.run_id, "to_run": self.after.run_id,
                "from_as_of": self.before.as_of.isoformat(),
                "to_as_of": self.after.as_of.isoformat(),
                "old": change["old"], "new": change["new"],
                "figure_before": change["figure_before"], "figure_after": change["figure_after"]}


def find_flips(store: Store, runs: Sequence[RunRow]) -> list[Flip]:
    """Verdict changes between consecutive runs of each thesis among ``runs`` (which must
    be in history order). Reads each scorecard once."""
    cards = load_runs(store, [r.run_id for r in runs])
    last: dict[str, RunRow] = {}
    flips: list[Flip] = []
    for row in runs:
        previous = last.get(row.thesis_id)
        last[row.thesis_id] = row
        if previous is None:
            continue
        for change in claim_changes(cards[previous.run_id][1], cards[row.run_id][1]):
            if change.verdict_changed:
                flips.append(Flip(row.thesis_id, previous, row, change))
    return flips


def run_json(row: RunRow) -> dict[str, object]:
    """One run as ``history --json`` and ``diff --json`` print it (dates ISO 8601;
    ``generated_at``/``recorded_at`` with their UTC offset; ``checks``: the watch cycles
    that found nothing new since this run and so recorded no copy of it, or null)."""
    ends = [d for d in row.data.values() if d is not None]
    return {"id": row.run_id, "thesis": row.thesis_id, "thesis_hash": row.thesis_hash,
            "thesis_path": row.thesis_path, "as_of": row.as_of.isoformat(),
            "generated_at": row.generated_at.replace(tzinfo=UTC).isoformat(),
            "recorded_at": row.recorded_at.replace(tzinfo=UTC).isoformat(),
            "offline": row.offline,
            "counts": row.counts, "data_end": max(ends).isoformat() if ends else None,
            "data": {k: (v.isoformat() if v is not None else None)
                     for k, v in row.data.items()},
            "checks": None if row.checks is None else {
                "count": row.checks.count, "last_as_of": row.checks.last_as_of.isoformat(),
                "last_checked_at": row.checks.last_checked_at.replace(tzinfo=UTC).isoformat()}}
