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
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal, Protocol

from narrowgate.data.basis import Basis
from narrowgate.data.hub import Adjust, Bars, DataHub, FactsResult, Provenance, SeriesResult
from narrowgate.instruments import DataKind

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.data.forecasts_select import Measure
    from narrowgate.data.providers.forecasts import ForecastFetch
    from narrowgate.data.providers.openrouter import LiveMatch


class ForecastSource(Protocol):
    """What forecasts are read from (``ForecastProvider``; a recorded stand-in in tests)."""

    def fetch(self, instrument: str, measure: Measure) -> ForecastFetch: ...


def _clip(end: date | None, as_of: date) -> date:
    return min(end, as_of) if end is not None else as_of


def _served(prov: Provenance, index: pd.Index) -> Provenance:
    """``prov`` narrowed to the dates actually returned."""
    if len(index) == 0:
        return replace(prov, first=None, last=None, rows=0)
    return replace(prov, first=index.min().date(), last=index.max().date(), rows=len(index))


class DataView:
    """Typed, as-of-bound reads of closes, bars, series and facts, with provenance."""

    def __init__(self, hub: DataHub, as_of: date, *,
                 forecast_source: ForecastSource | None = None,
                 llm_prices_url: str | None = None, live: bool | None = None) -> None:
        """``live`` allows the sources outside the store (forecasts, price lists); it
        defaults to the hub's own setting (an offline hub: no live call at all)."""
        self._hub = hub
        self._live = (not hub.offline) if live is None else live
        self.as_of = as_of
        self.served: list[Provenance] = []
        self._forecast_source = forecast_source
        self._llm_prices_url = llm_prices_url
        # one fetch per run: both valuation claims read the same stocks' forecasts
        self._forecasts: dict[tuple[str, str], ForecastFetch | str] = {}
        self._fetched: list[ForecastFetch] = []
        self._price_frame: tuple[pd.DataFrame, datetime] | None = None
        self._forecast_files: dict[str, pd.DataFrame] = {}
        self._llm: dict[tuple[tuple[str, str, tuple[str, ...]], ...], LiveMatch | str] = {}

    @property
    def offline(self) -> bool:
        """True when no live source may be called (forecasts, price lists, the hub)."""
        return not self._live

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
        """The same data seen from another date (shares the hub, its session and the
        run's forecast and price-list sources)."""
        return DataView(self._hub, as_of, forecast_source=self._forecast_source,
                        llm_prices_url=self._llm_prices_url, live=self._live)

    # -- snapshots: consensus forecasts and LLM price lists --------------------------------
    # A live fetch is kept in the store as a dated snapshot; what a read serves is the
    # newest snapshot taken on or before as-of (a consensus fetched later was not knowable
    # then), so offline runs and replays of earlier dates use what was stored.
    def forecasts(self, instrument: str, measure: Measure, *, fetch: bool = True
                  ) -> ForecastFetch | str:
        """Consensus forecasts of one stock (one live fetch per run when ``fetch`` and the
        view is live; else the newest stored snapshot on or before as-of), or why there are
        none."""
        key = (instrument, measure)
        if key not in self._forecasts:
            self._forecasts[key] = self._forecast_snapshot(instrument, measure,
                                                           fetch and not self.offline)
        return self._forecasts[key]

    def _forecast_snapshot(self, instrument: str, measure: Measure, live: bool
                           ) -> ForecastFetch | str:
        from narrowgate.errors import NarrowgateError

        why = "offline, so no provider was called"
        if live:
            from narrowgate.data.providers.forecasts import ForecastProvider

            source = self._forecast_source or ForecastProvider()
            try:
                got = source.fetch(instrument, measure)
            except NarrowgateError as exc:
                why = str(exc)
            else:
                self._fetched.append(got)
                self._keep("forecasts", instrument, measure, got.frame, got.provider,
                           got.request, got.fetched_at, "; ".join(got.notes))
                if self._knowable(got.fetched_at):
                    return got
                why = (f"the consensus fetched on {got.fetched_at.date()} is after as-of "
                       f"{self.as_of}")
        stored = self._hub.store.forecast_snapshot(instrument, measure, self.as_of)
        if stored is None:
            return (f"{why}, and the store holds no consensus of {instrument} taken on or "
                    f"before {self.as_of}")
        origin, rows = stored
        from narrowgate.data.providers.forecasts import ForecastFetch, tidy_forecasts

        fetched_at = origin.fetched_at.replace(tzinfo=UTC)
        same = {"instrument": instrument, "measure": measure, "as_of": origin.as_of,
                "fetched_at": fetched_at, "source": origin.request}
        frame = tidy_forecasts([{**{str(k): v for k, v in r.items()}, **same}
                                for r in rows.to_dict("records")])
        self.served.append(Provenance(instrument, f"stored {origin.provider} consensus",
                                      origin.as_of, origin.as_of, len(frame), origin.fetched_at,
                                      origin.request, False, origin.provider, None))
        return ForecastFetch(frame, origin.provider,
                             f"{origin.request} (stored snapshot of {origin.as_of})",
                             fetched_at, [n for n in [origin.note] if n])

    def fetched_forecasts(self) -> list[ForecastFetch]:
        """Every live forecast fetch of this run that returned data (to save as a CSV)."""
        return list(self._fetched)

    def forecast_file(self, path: str) -> pd.DataFrame:
        """A user's forecast CSV (read once per run; a broken file raises, naming it)."""
        if path not in self._forecast_files:
            from narrowgate.data.forecast_csv import load_forecast_csv

            self._forecast_files[path] = load_forecast_csv(path)
        return self._forecast_files[path]

    def llm_prices(self, models: Sequence[tuple[str, str, Sequence[str]]],
                   timeout_s: float, *, fetch: bool = True) -> LiveMatch | str:
        """LLM API prices (OpenRouter's model list) matched to ``models`` (provider, model,
        exact ids): one live fetch per run when ``fetch`` and the view is live, else the
        newest stored list on or before as-of; or why there is none."""
        key = tuple((p, m, tuple(ids)) for p, m, ids in models)
        if key not in self._llm:
            self._llm[key] = self._price_list(models, timeout_s, fetch and not self.offline)
        return self._llm[key]

    def _price_list(self, models: Sequence[tuple[str, str, Sequence[str]]], timeout_s: float,
                    live: bool) -> LiveMatch | str:
        from narrowgate.data.providers.openrouter import (
            PRICE_LIST,
            fetch_models,
            matched,
            models_url,
        )
        from narrowgate.errors import ProviderError

        why = "offline, so live prices were not fetched"
        if live:
            url = self._llm_prices_url or models_url()
            from narrowgate.data.reachability import provider_reachable

            reach = (provider_reachable(PRICE_LIST, [url.split("/api/")[0]])
                     if self._price_frame is None else None)
            if reach is not None and not reach.ok:
                why = reach.line
            elif self._price_frame is None:
                try:
                    self._price_frame = (fetch_models(url, timeout_s=timeout_s),
                                         datetime.now(UTC))
                except ProviderError as exc:
                    why = exc.message
                else:
                    self._keep("price_lists", PRICE_LIST, "", self._price_frame[0],
                               PRICE_LIST, url, self._price_frame[1], "")
            if self._price_frame is not None:
                frame, at = self._price_frame
                if self._knowable(at):
                    return matched(frame, models, url=url, fetched_at=at)
                why = f"the list fetched on {at.date()} is after as-of {self.as_of}"
        stored = self._hub.store.price_list_snapshot(PRICE_LIST, self.as_of)
        if stored is None:
            return (f"{why}, and the store holds no {PRICE_LIST} price list taken on or "
                    f"before {self.as_of}")
        origin, frame = stored
        self.served.append(Provenance(f"{PRICE_LIST}:models", f"stored {PRICE_LIST} list",
                                      origin.as_of, origin.as_of, len(frame), origin.fetched_at,
                                      origin.request, False, origin.provider, None))
        return matched(frame, models, url=origin.request,
                       fetched_at=origin.fetched_at.replace(tzinfo=UTC),
                       stored_as_of=origin.as_of)

    def _knowable(self, fetched_at: datetime) -> bool:
        """A fetch of this run is servable when it was made on or before as-of (UTC day),
        or when as-of is today or later (the run looks at now)."""
        return fetched_at.date() <= self.as_of or self.as_of >= date.today()

    def _keep(self, table: Literal["forecasts", "price_lists"], key: str, measure: str,
              frame: pd.DataFrame, provider: str, request: str, fetched_at: datetime,
              note: str) -> None:
        """Store a fetched snapshot; a store that cannot take it (read-only, full) costs
        only the snapshot, never the run (said once in the run's warnings)."""
        from narrowgate.errors import StoreError

        try:
            self._hub.store.write_snapshot(table, key, measure, frame, provider=provider,
                                           request=request, fetched_at=fetched_at, note=note)
        except StoreError as exc:
            line = f"a fetched {table.replace('_', ' ')} snapshot was not stored: {exc}"
            if line not in self._hub.warnings:
                self._hub.warnings.append(line)

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
               source: str | None = None, prefer: str | None = None) -> SeriesResult:
        """A dated series to min(end, as-of), spliced from every stored source (``prefer``
        wins where it has data; see DataHub.series); provenance is the served window."""
        got = self._hub.series(instrument, start, _clip(end, self.as_of), source, prefer)
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
