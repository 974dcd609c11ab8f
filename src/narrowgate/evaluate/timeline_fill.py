"""Every decided claim's timeline for a run: cached months from the store, the rest replayed.

Why: a replay re-evaluates a claim as each month end since publication saw the data
(:mod:`narrowgate.evaluate.timeline`); for a whole thesis that costs seconds per month, so a
run reads what an earlier run stored and replays only the months whose key changed: the
claim's spec (its YAML block and its params after defaults), the code, or the data the
claim read up to that month end (:mod:`narrowgate.data.timeline_sql`). The as-of entry is
the run's own result. The replay never fetches: every date sees the store as it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from narrowgate import __version__
from narrowgate.data.timeline_sql import CachedReading, data_buckets, data_fingerprint
from narrowgate.evaluate.timeline import interim, month_ends
from narrowgate.evaluate.verdict import ClaimResult, TimelineEntry, Verdict

if TYPE_CHECKING:
    from narrowgate.data.store import Store
    from narrowgate.evaluate.scorecard import Scorecard
    from narrowgate.thesis.schema import Claim, Thesis

#: bump when the cached readings must be recomputed for a reason the source files below do
#: not show (e.g. a change in a dependency's arithmetic)
TIMELINE_CODE_VERSION = 1
#: the package folders and modules whose code decides a verdict
_DECIDING_CODE = ("evaluate", "models", "backtest", "data", "thesis", "instruments.py",
                  "errors.py")
#: verdicts that get no timeline (nothing is decided by data)
_UNDECIDED = (Verdict.QUALITATIVE,)


@cache
def code_fingerprint() -> str:
    """narrowgate's version, :data:`TIMELINE_CODE_VERSION` and a hash of the source of
    every module that decides a verdict (a code change invalidates every cached month)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{__version__}|{TIMELINE_CODE_VERSION}".encode())
    for part in _DECIDING_CODE:
        base = root / part
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in files:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def claim_spec_sha(thesis: Thesis, claim: Claim) -> str:
    """A hash of the claim as the evaluator sees it: its YAML block, its params after
    defaults, the thesis's publication date and benchmark, and any claim of the thesis it
    names in its params (a chain reading another claim's guidance)."""
    from narrowgate.evaluate.registry import get_evaluator

    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params).model_dump(mode="json")
    text = json.dumps(params, sort_keys=True, default=str)
    named = [other.model_dump(mode="json") for other in thesis.claims
             if other.id != claim.id and f'"{other.id}"' in text]
    spec = {"thesis": thesis.id, "published": str(thesis.published),
            "benchmark": thesis.benchmark, "claim": claim.model_dump(mode="json"),
            "params": params, "named": named}
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()
                          ).hexdigest()[:24]


def entry_of(result: ClaimResult, day: date) -> TimelineEntry:
    """A result as one timeline entry: verdict, interim reading, deciding figure (the first
    decisive figure, else the first), newest data date."""
    from narrowgate.evaluate.card import headline

    figure = headline(result)
    so_far = interim(result) if result.verdict is Verdict.PENDING else None
    return TimelineEntry(as_of=day, verdict=result.verdict, so_far=so_far,
                         figure_key=figure.key if figure else None,
                         value=figure.value if figure else None,
                         unit=figure.unit if figure else None,
                         data_end=result.evidence.newest_data())


def _read_set(result: ClaimResult, declared: Sequence[str]) -> tuple[str, ...]:
    """The instruments a reading rests on: those its evaluator declares, those its evidence
    names as read, and those it names as missing (their arrival must invalidate it)."""
    names = set(declared) | {d.instrument for d in result.evidence.data}
    names |= {i for m in result.evidence.missing for i in m.fetch}
    return tuple(sorted(names))


def _cached(row: CachedReading) -> TimelineEntry:
    value: float | str | None = row.value_num if row.value_num is not None else row.value_text
    return TimelineEntry(as_of=row.as_of, verdict=Verdict(row.verdict),
                         so_far=Verdict(row.so_far) if row.so_far else None,
                         figure_key=row.figure_key, value=value, unit=row.unit,
                         data_end=row.data_end)


def _row(claim: str, spec: str, code: str, fp: str, instruments: tuple[str, ...],
         entry: TimelineEntry) -> CachedReading:
    value = entry.value
    number = float(value) if isinstance(value, (int, float)) and value == value else None
    return CachedReading(claim, spec, entry.as_of, code, fp, instruments,
                         entry.verdict.value, entry.so_far.value if entry.so_far else None,
                         entry.figure_key, number,
                         value if isinstance(value, str) else None, entry.unit,
                         entry.data_end)


@dataclass
class TimelineFill:
    """The timelines of a run: per claim id its entries in date order, the readings to
    store (for the caller to write after its read session), and how many months each
    source gave."""

    entries: dict[str, list[TimelineEntry]] = field(default_factory=dict)
    to_store: list[CachedReading] = field(default_factory=list)
    from_cache: int = 0
    computed: int = 0


def replay_dates(thesis: Thesis, as_of: date) -> list[date]:
    """The month ends after publication before ``as_of`` (as-of itself is the run)."""
    return [d for d in month_ends(thesis.published, as_of) if d < as_of]


def fill_timelines(thesis: Thesis, card: Scorecard, store: Store, *,
                   on_start: Callable[[int], None] | None = None,
                   on_done: Callable[[str], None] | None = None) -> TimelineFill:
    """Timelines of every decided claim of ``card`` (run inside the caller's read session
    of ``store``): cached months whose key matches, the others replayed offline.
    ``on_start(n)`` is told how many claim-months will be computed (only when some are),
    ``on_done(label)`` after each."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.timeline_sql import cached_readings
    from narrowgate.data.view import DataView
    from narrowgate.errors import NarrowgateError
    from narrowgate.evaluate.registry import EvalContext, get_evaluator
    from narrowgate.evaluate.runner import evaluate_claim

    fill = TimelineFill()
    claims = {c.id: c for c in thesis.claims}
    decided = [r for r in card.results
               if r.verdict not in _UNDECIDED and r.error is None and r.claim_id in claims]
    days = replay_dates(thesis, card.as_of)
    if not decided:
        return fill
    code = code_fingerprint()
    specs = {r.claim_id: claim_spec_sha(thesis, claims[r.claim_id]) for r in decided}
    with store.reading() as con:
        rows = cached_readings(con, thesis.id, list(specs), days, code) if con else []
        rows = [r for r in rows if r.spec_sha == specs[r.claim]]
        buckets = data_buckets(con, {i for r in rows for i in r.instruments}, card.as_of)
    got: dict[tuple[str, date], TimelineEntry] = {}
    for row in rows:
        if data_fingerprint(buckets, row.instruments, row.as_of) == row.data_fp:
            got[(row.claim, row.as_of)] = _cached(row)
    fill.from_cache = len(got)
    missing = [(day, r.claim_id) for day in days for r in decided if (r.claim_id, day) not in got]
    if missing and on_start is not None:
        on_start(len(missing))
    fresh: list[tuple[str, date, tuple[str, ...], TimelineEntry]] = []
    replay_hub = DataHub(store, offline=True)  # never fetches: each date sees the store
    for day in sorted({d for d, _ in missing}):
        ctx = EvalContext(thesis=thesis, as_of=day, offline=True,
                          hub=DataView(replay_hub, day))
        for d, claim_id in missing:
            if d != day:
                continue
            claim = claims[claim_id]
            result = evaluate_claim(claim, ctx)
            entry = entry_of(result, day)
            got[(claim_id, day)] = entry
            if result.error is None:
                evaluator = get_evaluator(claim.test)
                try:
                    params = evaluator.params_model.model_validate(claim.params)
                    declared = [n.instrument for n in evaluator.data_needs(params, ctx)]
                except (NarrowgateError, ValueError):  # a need that cannot be planned
                    declared = []  # (unknown id, bad params): the evidence names what it read
                fresh.append((claim_id, day, _read_set(result, declared), entry))
            if on_done is not None:
                on_done(f"{claim_id} {day}")
    fill.computed = len(missing)
    if fresh:
        with store.reading() as con:
            buckets = data_buckets(con, {i for f in fresh for i in f[2]}, card.as_of)
        fill.to_store = [_row(c, specs[c], code, data_fingerprint(buckets, inst, day), inst, e)
                         for c, day, inst, e in fresh]
    for result in decided:
        fill.entries[result.claim_id] = [
            *(got[(result.claim_id, day)] for day in days), entry_of(result, card.as_of)]
    return fill


def store_timeline(store: Store, thesis_id: str, readings: Sequence[CachedReading]) -> bool:
    """Keep computed readings in ``store`` (one transaction). A store that cannot take
    them (read-only, busy, full) keeps what it had and the run goes on: False."""
    from narrowgate.data.store import Store as StoreType
    from narrowgate.data.timeline_sql import store_readings
    from narrowgate.errors import StoreError

    if not readings:
        return True
    # a short wait: a cache write never holds a run up behind another process's write
    writer = StoreType(store.path, lock_timeout=1.0)
    try:
        with writer.writing() as con:
            store_readings(con, thesis_id, readings)
    except (StoreError, OSError):
        return False
    return True


def attach_timelines(card: Scorecard, fill: TimelineFill) -> None:
    """Put each claim's entries on its result."""
    for result in card.results:
        result.timeline = fill.entries.get(result.claim_id, [])


def warm_timeline_cache(thesis: Thesis, store: Store, as_of: date) -> TimelineFill:
    """Fill ``store``'s timeline cache for ``thesis`` up to ``as_of`` without a run (no
    fetch, no history): what a later run, or one at any earlier as-of, then reads."""
    from narrowgate.data.hub import DataHub
    from narrowgate.evaluate.runner import evaluate_thesis

    with store.session():
        card = evaluate_thesis(thesis, as_of, offline=True, hub=DataHub(store, offline=True),
                               book=False)
        fill = fill_timelines(thesis, card, store)
    store_timeline(store, thesis.id, fill.to_store)
    return fill
