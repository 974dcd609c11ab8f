"""DataHub: the one door models and evaluators use to get data, with provenance.

Policy (why): the store answers first, because research must be repeatable offline; a
provider is called only on a miss or when the stored data is stale (its last fetch is
older than the kind's freshness and the request reaches past the stored last date), and
never when ``offline``. A failing provider degrades to the store with one warning per
provider in ``hub.warnings`` and provenance marked stale, never to a crash or to silence.
Closes splice every stored source of an instrument that serves the read's price basis
(newest data wins; see ``closes``); single-source reads (``bars``, ``series``, ``facts``)
still pick one source per instrument (``choose_source``) so adjustments never mix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, TypeAlias

from narrowgate.data.basis import Basis, common_basis, eligible_sources
from narrowgate.data.need import FETCH_OR_IMPORT, DataNeed
from narrowgate.data.store import Coverage, Store, StoreWrite
from narrowgate.errors import DataNotFound, NarrowgateError, ProviderError
from narrowgate.instruments import DataKind, InstrumentError, canonical, kind_of

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from narrowgate.data.providers.base import Provider
    from narrowgate.data.splice import Segment

Adjust = Literal["adjusted", "raw"]
FRESHNESS: dict[DataKind, timedelta] = {
    "bars": timedelta(days=1), "series": timedelta(days=7), "facts": timedelta(days=30)}
# Beyond freshness, how far a source's last date may trail the request before the data is
# called stale: weekends/holidays for bars, a reporting quarter for facts; series add two
# observation periods (monthly CPI is published weeks after its month).
log = logging.getLogger(__name__)

_SLACK: dict[DataKind, timedelta] = {
    "bars": timedelta(days=4), "series": timedelta(days=0), "facts": timedelta(days=120)}
NO_PROVIDER = "no live provider serves this market"


@dataclass(frozen=True)
class Provenance:
    """Where a result's rows came from; ``stale`` means they may miss recent data."""

    instrument: str
    source: str
    first: date | None
    last: date | None
    rows: int
    fetched_at: datetime | None
    request: str
    stale: bool
    provider: str = ""
    adjustment: str | None = None
    basis: Basis | None = None  # the price basis served (spliced closes only)
    source_last: date | None = None  # the newest stored date of the (first) source


@dataclass
class Bars:
    """Daily bars of one instrument from one source; ``frame`` is indexed by date."""

    instrument: str
    frame: pd.DataFrame
    provenance: list[Provenance]


@dataclass
class SeriesResult:
    """A dated series (``frame`` indexed by date, one ``value`` column)."""

    instrument: str
    frame: pd.DataFrame
    provenance: list[Provenance]


@dataclass
class FactsResult:
    """Reported fundamentals facts, one row per fact (restatements kept)."""

    instrument: str
    frame: pd.DataFrame
    provenance: list[Provenance]


#: one piece of data needed (the one DataNeed type, named for the hub's plan)
Need: TypeAlias = DataNeed


@dataclass
class PlanItem:
    need: Need
    status: Literal["present", "partial", "missing"]
    coverage: Coverage | None


@dataclass
class Plan:
    items: list[PlanItem] = field(default_factory=list)

    @property
    def present(self) -> list[PlanItem]:
        return [i for i in self.items if i.status == "present"]

    @property
    def missing(self) -> list[PlanItem]:
        return [i for i in self.items if i.status != "present"]


def choose_source(covs: Sequence[Coverage], start: date | None, end: date | None
                  ) -> Coverage | None:
    """The source covering [start, end] best: most overlapping days, then the latest last
    date, then most rows, then name (deterministic)."""
    def overlap(c: Coverage) -> int:
        lo = max(c.first, start) if start else c.first
        hi = min(c.last, end) if end else c.last
        return max((hi - lo).days + 1, 0)

    if not covs:
        return None
    return max(covs, key=lambda c: (overlap(c), c.last, c.rows, c.source))


class FetchFailure(str):
    """Why a fetch did not happen, as text. ``not_found``: the source (or the provider
    table) has no such data — `data pull` exits 4; otherwise the source could not be
    used — it exits 5."""

    not_found: bool

    def __new__(cls, text: str, not_found: bool = False) -> FetchFailure:
        failure = super().__new__(cls, text)
        failure.not_found = not_found
        return failure


class DataHub:
    """Store-first access to bars, series and facts, fetching live data when allowed."""

    def __init__(self, store: Store | None = None, offline: bool = False,
                 provider_for: Callable[[str], Provider] | None = None,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.store = store or Store()
        self.offline = offline
        self.warnings: list[str] = []
        self._provider_for = provider_for
        self._clock = clock
        self._failed_providers: set[str] = set()

    # -- public reads -----------------------------------------------------------------
    def bars(self, instrument: str, start: date | None = None, end: date | None = None,
             adjust: Adjust = "adjusted", source: str | None = None) -> Bars:
        """Daily bars; ``adjusted`` rescales OHLC by adj_close/close where the source has
        adj_close (otherwise prices are as the source adjusted them, see provenance)."""
        inst, rows, prov = self._load([instrument], "bars", start, end, source)[0]
        return Bars(inst, _bars_frame(rows, adjust), [prov])

    def closes(self, instruments: Sequence[str], start: date | None = None,
               end: date | None = None, basis: Basis | None = None) -> pd.DataFrame:
        """Wide closes (one column per instrument, union of dates, NaN where a market was
        closed; no filling), each instrument spliced from every stored source that serves
        its price basis (see ``data/splice.py``). ``basis`` None picks one basis for the
        whole read (:func:`common_basis`), so returns in one read are comparable.

        Provenance (one per instrument, in ``frame.attrs["provenance"]``) gives the window
        actually served, the sources spliced and the basis. Coverage and rows share one
        connection and one query each: opening the DuckDB file is most of a cold call."""
        import numpy as np
        import pandas as pd

        from narrowgate.data.basis import as_published, column_for
        from narrowgate.data.splice import splice_columns

        insts = list(dict.fromkeys(canonical(i) for i in instruments))
        with self.store.session():
            _, resolved, covs = self._resolve(insts, "bars", start, end, None)
            bases = (common_basis(insts, covs, start) if basis is None
                     else dict.fromkeys(insts, basis))
            picks: list[tuple[str, str]] = []
            columns: list[str] = []
            owned: list[list[Coverage]] = []
            for inst in insts:
                eligible = eligible_sources(inst, covs, bases[inst])
                owned.append(eligible)
                for cov in eligible:
                    picks.append((inst, cov.source))
                    columns.append(column_for(inst, cov.adjustment, bases[inst]) or "close")
            grid = self.store.read_source_closes(picks, columns, start, None)
        if end is not None:
            grid = grid.loc[: pd.Timestamp(end)]
        dates = grid.index.to_numpy()
        raw = grid.to_numpy(dtype="float64")
        wide = np.full((len(dates), len(insts)), np.nan)
        provs: list[Provenance] = []
        stale = {p.instrument: p.stale for p in resolved}
        k = 0
        for i, inst in enumerate(insts):
            mine = owned[i]
            warns: list[str] = []
            segs: list[Segment] | None = None
            if len(mine) == 1:  # one source: nothing to splice
                values = raw[:, k]
            else:
                values, segs, warns = splice_columns(
                    dates, raw[:, k:k + len(mine)], [c.source for c in mine],
                    as_published=[as_published(inst, c.adjustment) for c in mine])
            k += len(mine)
            wide[:, i] = values
            self.warnings.extend(f"{inst}: {w}" for w in warns if f"{inst}: {w}"
                                 not in self.warnings)
            provs.append(_spliced_provenance(inst, dates, values, segs, warns, mine,
                                             bases[inst], stale[inst]))
        keep = ~np.isnan(wide).all(axis=1)
        frame = pd.DataFrame(wide[keep], index=pd.DatetimeIndex(dates[keep], name="date"),
                             columns=insts)
        frame.attrs["provenance"] = provs
        return frame

    def series(self, instrument: str, start: date | None = None, end: date | None = None,
               source: str | None = None, prefer: str | None = None) -> SeriesResult:
        """A dated series. ``source`` reads that stored source alone; otherwise every
        stored source is spliced (``data/splice.py``, unscaled: a series is published in one
        unit): the source with the newest last date wins, or ``prefer`` when the store
        holds it (e.g. exact values over a rounded copy that runs longer), and the others
        extend it backwards and forwards; disagreement on common days beyond the tolerance
        is warned and stated in the provenance."""
        if source is not None:
            inst, rows, prov = self._load([instrument], "series", start, end, source)[0]
            return SeriesResult(inst, rows.drop(columns=["instrument"]).set_index("date"),
                                [prov])
        import pandas as pd

        from narrowgate.data.basis import newest_first
        from narrowgate.data.splice import splice_columns

        with self.store.session():
            picks, provs, covs = self._resolve([instrument], "series", start, end, None)
            inst = picks[0][0]
            mine = newest_first(c for c in covs if c.instrument == inst and c.kind == "series")
            mine.sort(key=lambda c: c.source != prefer)  # stable: the preferred first
            if len(mine) <= 1:
                rows = self.store.read_rows("series", picks, start, end)
                return SeriesResult(inst, rows.drop(columns=["instrument"]).set_index("date"),
                                    [replace(provs[0], rows=len(rows))])
            parts = [self.store.read_rows("series", [(inst, c.source)], start, end)
                     .set_index("date")["value"].rename(i) for i, c in enumerate(mine)]
        grid = pd.concat(parts, axis=1, sort=True)
        dates = grid.index.to_numpy()
        values, segs, warns = splice_columns(dates, grid.to_numpy(dtype="float64"),
                                             [c.source for c in mine], scale=False)
        self.warnings.extend(f"{inst}: {w}" for w in warns if f"{inst}: {w}"
                             not in self.warnings)
        prov = _spliced_provenance(inst, dates, values, segs, warns, mine, None,
                                   provs[0].stale)
        keep = ~pd.isna(values)
        frame = pd.DataFrame({"value": values[keep]},
                             index=pd.DatetimeIndex(dates[keep], name="date"))
        return SeriesResult(inst, frame, [prov])

    def facts(self, instrument: str, concepts: list[str] | None = None,
              source: str | None = None) -> FactsResult:
        inst, rows, prov = self._load([instrument], "facts", None, None, source, concepts)[0]
        return FactsResult(inst, rows.drop(columns=["instrument", "source"]), [prov])

    def plan(self, needs: Sequence[Need]) -> Plan:
        """Which needs the store can answer now, without fetching anything."""
        plan = Plan()
        covs = self.store.coverage(sorted({canonical(n.instrument) for n in needs}))
        for need in needs:
            inst = canonical(need.instrument)
            pick = choose_source([c for c in covs if c.instrument == inst and
                                  c.kind == need.kind], need.start, need.end)
            if pick is None:
                status: Literal["present", "partial", "missing"] = "missing"
            elif ((need.start and pick.first > need.start + _SLACK[need.kind])
                  or (need.end and pick.last < need.end - _SLACK[need.kind])):
                status = "partial"
            else:
                status = "present"
            plan.items.append(PlanItem(need, status, pick))
        return plan

    # -- policy ---------------------------------------------------------------------------
    def _load(self, instruments: Sequence[str], kind: DataKind, start: date | None,
              end: date | None, source: str | None, concepts: list[str] | None = None
              ) -> list[tuple[str, pd.DataFrame, Provenance]]:
        """Resolve sources (fetching if needed), then read all picks in one query."""
        with self.store.session():
            picks, provs, _ = self._resolve(instruments, kind, start, end, source)
            rows = self.store.read_rows(kind, picks, start, end, concepts)
        out = []
        for (inst, _), prov in zip(picks, provs, strict=True):
            part = rows[rows["instrument"] == inst] if len(picks) > 1 else rows
            out.append((inst, part, replace(prov, rows=len(part))))
        return out

    def _resolve(self, instruments: Sequence[str], kind: DataKind, start: date | None,
                 end: date | None, source: str | None
                 ) -> tuple[list[tuple[str, str]], list[Provenance], list[Coverage]]:
        """One (instrument, source) pick and its provenance per instrument; refreshes what
        is missing or stale first (one connection for all: 20 instruments in ms)."""
        insts = [canonical(i) for i in instruments]
        for inst in insts:
            if kind_of(inst) != kind:
                raise InstrumentError(f"{inst} holds {kind_of(inst)}, not {kind}",
                                      f"ask the hub for {kind_of(inst)} of it")
        with self.store.session():
            covs = self.store.coverage(insts, kind)
            out: list[tuple[str, str]] = []
            provs: list[Provenance] = []
            for inst in insts:
                pick = self._pick(inst, [c for c in covs if c.instrument == inst], start, end,
                                  source)
                failure: str | None = None
                if (pick is None or self._needs_refresh(pick, kind, end)) and source is None:
                    failure = self.refresh(inst, kind, start, end)
                    if failure is None:
                        fresh = self.store.coverage([inst], kind)
                        covs = [c for c in covs if c.instrument != inst] + fresh
                        pick = self._pick(inst, fresh, start, end, source)
                if pick is None:
                    raise self._not_found(inst, kind, start, end, failure)
                stale = failure not in (None, NO_PROVIDER) or self._is_stale(pick, kind, end)
                out.append((inst, pick.source))
                provs.append(Provenance(inst, pick.source, pick.first, pick.last, pick.rows,
                                        pick.fetched_at, pick.request, stale, pick.provider,
                                        pick.adjustment, source_last=pick.last))
        return out, provs, covs

    def _pick(self, inst: str, covs: list[Coverage], start: date | None, end: date | None,
              source: str | None) -> Coverage | None:
        if source is not None:
            chosen = [c for c in covs if c.source == source]
            if covs and not chosen:
                raise DataNotFound(f"{inst} has no source {source!r} in the store",
                                   f"sources held: {', '.join(c.source for c in covs)}")
            covs = chosen
        return choose_source(covs, start, end)

    def _needs_refresh(self, pick: Coverage, kind: DataKind, end: date | None) -> bool:
        if end is not None and kind != "facts" and pick.last >= end:
            return False  # the request lies inside stored history: history does not change
        return self._clock() - pick.fetched_at > FRESHNESS[kind]

    def _is_stale(self, pick: Coverage, kind: DataKind, end: date | None) -> bool:
        today = self._clock().date()
        target = min(end, today) if end else today
        allowance = FRESHNESS[kind] + _SLACK[kind]
        if kind == "series" and pick.rows > 1:
            allowance += 2 * (pick.last - pick.first) / (pick.rows - 1)
        return target - pick.last > allowance

    def _provider(self, inst: str) -> Provider | None:
        if self._provider_for is not None:
            return self._provider_for(inst)
        from narrowgate.data.providers import provider_for

        try:
            return provider_for(inst)
        except DataNotFound:
            return None  # import-only market (lbma:, macro:, …)

    def refresh(self, instrument: str, kind: DataKind, start: date | None = None,
                end: date | None = None) -> FetchFailure | None:
        """Fetch from the live provider and store; None on success, else why not (a
        network failure is also warned once per provider, and every failed call is written
        to the fetch log with status ``error``). Used by `data pull` and a run's plan."""
        inst = canonical(instrument)
        if self.offline:
            return FetchFailure("offline")
        try:
            provider = self._provider(inst)
        except NarrowgateError as exc:
            return FetchFailure(str(exc), not_found=True)
        if provider is None:
            return FetchFailure(NO_PROVIDER, not_found=True)
        if provider.name in self._failed_providers:
            return FetchFailure(f"{provider.name} is unreachable")
        from narrowgate.data.providers.base import Query

        log.info("fetching %s %s from %s (%s to %s)", inst, kind, provider.name,
                 start or "the start", end or "today")
        asked = f"{provider.name} {kind} {inst} {start or '…'} to {end or '…'}"
        try:
            result = provider.fetch(Query(inst, kind, start, end))
        except DataNotFound as exc:
            self._log_failure(provider.name, asked, kind, inst, str(exc))
            return FetchFailure(str(exc), not_found=True)
        except (ProviderError, OSError) as exc:
            self._failed_providers.add(provider.name)
            reason = exc.reason if isinstance(exc, ProviderError) else "unreachable"
            self.warnings.append(f"{provider.name} {reason} ({exc}); using stored data, "
                                 "marked stale")
            self._log_failure(provider.name, asked, kind, inst, str(exc))
            return FetchFailure(f"{provider.name} {reason}")
        frame = result.frame
        if kind != "facts" and len(frame):
            frame = frame.drop_duplicates("date", keep="last")
        self.store.write([StoreWrite(kind, inst, result.provider, frame, result.provider,
                                     result.request, result.fetched_at, result.notes)])
        log.info("stored %d %s rows of %s from %s", len(frame), kind, inst, result.provider)
        return None

    def _log_failure(self, provider: str, asked: str, kind: DataKind, inst: str,
                     note: str) -> None:
        """The failed call in the fetch log; a store that cannot take it (read-only) only
        loses the log line, never the run."""
        from narrowgate.errors import StoreError

        try:
            self.store.record_failure(provider, asked, kind, inst, note, self._clock())
        except StoreError as exc:
            log.warning("failed fetch of %s not logged: %s", inst, exc)

    def _not_found(self, inst: str, kind: DataKind, start: date | None, end: date | None,
                   failure: str | None) -> DataNotFound:
        span = f" from {start or 'the start'} to {end or 'today'}" if start or end else ""
        why = f" ({failure})" if failure else ""
        return DataNotFound(f"no {kind} for {inst}{span} in the store{why}",
                            FETCH_OR_IMPORT, fetch=(inst,))


def _spliced_provenance(inst: str, dates: np.ndarray, values: np.ndarray,
                        segments: list[Segment] | None, warnings: list[str],
                        sources: Sequence[Coverage], basis: Basis | None, stale: bool
                        ) -> Provenance:
    """Provenance of the window served: first/last dates actually returned, the sources
    in the splice (the winner first, with spans, factors and gaps) and the basis (None: a
    dated series, which has none)."""
    import numpy as np
    import pandas as pd

    have = np.flatnonzero(~np.isnan(values))
    first = pd.Timestamp(dates[have[0]]).date() if len(have) else None
    last = pd.Timestamp(dates[have[-1]]).date() if len(have) else None
    if segments is None:  # a single source
        used = [(sources[0].source, first, last, 1.0)] if len(have) else []
    else:
        used = [(g.source, g.first, g.last, g.factor) for g in segments]
    names = [u[0] for u in used] or [sources[0].source]
    by_name = {c.source: c for c in sources}
    head = by_name[names[0]]
    parts = [f"{name} {lo}…{hi}" + (f" ×{factor:.6g}" if abs(factor - 1.0) > 1e-9 else "")
             for name, lo, hi, factor in used]
    head_text = [f"{basis} basis"] if basis is not None else []
    request = "; ".join([*head_text, *parts, *warnings]) if used else head.request
    return Provenance(inst, " + ".join(names), first, last, len(have),
                      max(by_name[n].fetched_at for n in names), request, stale,
                      head.provider, f"{basis} basis" if basis else head.adjustment, basis,
                      head.last)


def _bars_frame(rows: pd.DataFrame, adjust: Adjust) -> pd.DataFrame:
    frame = rows.drop(columns=["instrument"]).set_index("date")
    if adjust == "adjusted" and frame["adj_close"].notna().any():
        factor = (frame["adj_close"] / frame["close"]).fillna(1.0)
        frame = frame.assign(**{c: frame[c] * factor for c in ("open", "high", "low")},
                             close=frame["close"] * factor)
    return frame
