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
from typing import TYPE_CHECKING, Protocol

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
        self._forecast_files: dict[str, pd.DataFrame] = {}
        self._llm: dict[tuple[tuple[str, str, tuple[str, ...]], ...], LiveMatch] = {}

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

    # -- sources outside the store: consensus forecasts and LLM price lists ------------
    def forecasts(self, instrument: str, measure: Measure) -> ForecastFetch | str:
        """Consensus forecasts of one stock (one fetch per run), or why there are none
        (offline runs never call out)."""
        key = (instrument, measure)
        if key not in self._forecasts:
            if self.offline:
                self._forecasts[key] = "offline, so no provider was called"
            else:
                from narrowgate.data.providers.forecasts import ForecastProvider
                from narrowgate.errors import NarrowgateError

                source = self._forecast_source or ForecastProvider()
                try:
                    self._forecasts[key] = source.fetch(instrument, measure)
                except NarrowgateError as exc:
                    self._forecasts[key] = str(exc)
        return self._forecasts[key]

    def fetched_forecasts(self) -> list[ForecastFetch]:
        """Every forecast fetch of this run that returned data (to save them as a CSV)."""
        return [f for f in self._forecasts.values() if not isinstance(f, str)]

    def forecast_file(self, path: str) -> pd.DataFrame:
        """A user's forecast CSV (read once per run; a broken file raises, naming it)."""
        if path not in self._forecast_files:
            from narrowgate.data.forecast_csv import load_forecast_csv

            self._forecast_files[path] = load_forecast_csv(path)
        return self._forecast_files[path]

    def llm_prices(self, models: Sequence[tuple[str, str, Sequence[str]]],
                   timeout_s: float) -> LiveMatch | str:
        """Live LLM API prices (OpenRouter's model list) matched to ``models`` (provider,
        model, exact ids); one fetch per run, or why there is none."""
        if self.offline:
            return "offline, so live prices were not fetched"
        from narrowgate.data.providers.openrouter import fetch_and_match, models_url

        key = tuple((p, m, tuple(ids)) for p, m, ids in models)
        if key not in self._llm:
            self._llm[key] = fetch_and_match(models, self._llm_prices_url or models_url(),
                                             timeout_s)
        return self._llm[key]

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
