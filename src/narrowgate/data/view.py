"""DataView: what an evaluation may read, bound to one as-of date.

Why a view over the hub: an evaluation at ``--as-of D`` must see only what was knowable on
D, and its evidence must say which window it actually used. Call sites used to re-apply
the as-of cut themselves and report the stored source's span; the view does both once:
every read ends at ``as_of`` (facts: filed on or before it), and every provenance it hands
back describes the rows served (first and last date returned), not the source's coverage.
``served`` keeps each read's provenance, so a run can state the newest date it used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from narrowgate.data.basis import Basis
from narrowgate.data.hub import Adjust, Bars, DataHub, FactsResult, Provenance, SeriesResult
from narrowgate.instruments import DataKind

if TYPE_CHECKING:
    import pandas as pd


def _clip(end: date | None, as_of: date) -> date:
    return min(end, as_of) if end is not None else as_of


def _served(prov: Provenance, index: pd.Index) -> Provenance:
    """``prov`` narrowed to the dates actually returned."""
    if len(index) == 0:
        return replace(prov, first=None, last=None, rows=0)
    return replace(prov, first=index.min().date(), last=index.max().date(), rows=len(index))


class DataView:
    """Typed, as-of-bound reads of closes, bars, series and facts, with provenance."""

    def __init__(self, hub: DataHub, as_of: date) -> None:
        self._hub = hub
        self.as_of = as_of
        self.served: list[Provenance] = []

    @property
    def offline(self) -> bool:
        return self._hub.offline

    @property
    def warnings(self) -> list[str]:
        return self._hub.warnings

    @contextmanager
    def session(self) -> Iterator[None]:
        """One store connection for a burst of reads (DuckDB opens cost ~10 ms each)."""
        with self._hub.store.session():
            yield

    def held(self, instruments: Sequence[str], kind: DataKind = "bars") -> set[str]:
        """Which of ``instruments`` the store holds (a look at coverage: never fetches)."""
        if not instruments:
            return set()
        covs = self._hub.store.coverage(list(dict.fromkeys(instruments)), kind)
        return {c.instrument for c in covs}

    def at(self, as_of: date) -> DataView:
        """The same data seen from another date (shares the hub and its session)."""
        return DataView(self._hub, as_of)

    def closes(self, instruments: Sequence[str], start: date | None = None,
               end: date | None = None, basis: Basis | None = None) -> pd.DataFrame:
        """Wide closes to min(end, as-of), spliced in one price basis (see DataHub.closes);
        ``attrs["provenance"]`` gives each instrument's served window, sources and basis."""
        frame = self._hub.closes(instruments, start, _clip(end, self.as_of), basis)
        self.served.extend(frame.attrs.get("provenance", []))
        return frame

    def bars(self, instrument: str, start: date | None = None, end: date | None = None,
             adjust: Adjust = "adjusted", source: str | None = None) -> Bars:
        """One source's daily bars to min(end, as-of); provenance is the served window."""
        got = self._hub.bars(instrument, start, _clip(end, self.as_of), adjust, source)
        provs = [_served(p, got.frame.index) for p in got.provenance]
        self.served.extend(provs)
        return Bars(got.instrument, got.frame, provs)

    def series(self, instrument: str, start: date | None = None, end: date | None = None,
               source: str | None = None) -> SeriesResult:
        """A dated series to min(end, as-of); provenance is the served window."""
        got = self._hub.series(instrument, start, _clip(end, self.as_of), source)
        provs = [_served(p, got.frame.dropna(how="all").index) for p in got.provenance]
        self.served.extend(provs)
        return SeriesResult(got.instrument, got.frame, provs)

    def facts(self, instrument: str, concepts: list[str] | None = None,
              source: str | None = None) -> FactsResult:
        """Reported facts filed on or before as-of (a later filing was not knowable then)."""
        import pandas as pd

        got = self._hub.facts(instrument, concepts, source)
        frame = got.frame
        if "filed" in frame.columns and len(frame):
            filed = pd.to_datetime(frame["filed"], errors="coerce")
            frame = frame[filed.isna() | (filed <= pd.Timestamp(self.as_of))]
        ends = (pd.to_datetime(frame["end"], errors="coerce").dropna()
                if "end" in frame.columns else pd.Series(dtype="datetime64[ns]"))
        provs = [_served(p, pd.DatetimeIndex(ends)) for p in got.provenance]
        self.served.extend(provs)
        return FactsResult(got.instrument, frame, provs)

    def newest_served(self) -> date | None:
        """The newest date any read returned (never after as-of)."""
        lasts = [p.last for p in self.served if p.last is not None]
        return max(lasts) if lasts else None
