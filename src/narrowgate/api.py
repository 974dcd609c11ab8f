"""The public Python face of narrowgate: run a thesis, read prices, back-test, in a notebook.

Why one module: the command line and a notebook must get the same scorecard the same way
(one store session for the whole run, the same fetch plan, the same warnings), so ``narrowgate
run`` calls :func:`run_thesis` here and only adds progress bars and files. Every function
opens the local store itself (``NARROWGATE_HOME`` or the user's cache folder) and, unless
``offline=True``, fetches what the store lacks from the live providers. Heavy libraries
(pandas, the evaluators) are imported inside the functions: ``import narrowgate`` stays
cheap, because the CLI imports the package too.

    >>> import narrowgate as ng
    >>> card = ng.run(as_of="2026-11-24", offline=True)     # the bundled thesis
    >>> card.to_frame()                                     # one row per claim
    >>> ng.bars(["us:QQQ", "us:DIA"], start="2026-02-06", offline=True)
    >>> ng.backtest({"kind": "long_short", "long": {"us:DIA": 1},
    ...              "short": {"us:QQQ": 1}}, start="2026-02-06", offline=True).stats()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.scorecard import Lang, Scorecard, load_scorecard

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.backtest.api import BacktestResult
    from narrowgate.backtest.strategies import Basket, LongShort, Pair
    from narrowgate.data.basis import Basis
    from narrowgate.data.hub import DataHub
    from narrowgate.data.need import DataNeed
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView
    from narrowgate.thesis.schema import Thesis

__all__ = ["BacktestRun", "RunProgress", "Scorecard", "backtest", "bars", "facts", "flips",
           "history", "load_scorecard", "open_hub", "record_run", "run", "run_thesis",
           "series"]

DateLike = date | str
#: how a run's warning starts when its scorecard could not be kept in history
HISTORY_NOT_RECORDED = "history not recorded (历史未记录)"


class RunProgress(Protocol):
    """What a front end hears during a run (the CLI draws progress bars from it)."""

    def fetching(self, total: int) -> None: ...
    def fetched(self, instrument: str) -> None: ...
    def evaluating(self, total: int) -> None: ...
    def evaluated(self, claim_id: str) -> None: ...
    def replaying(self, total: int) -> None: ...
    def replayed(self, label: str) -> None: ...


def _day(value: DateLike | None, what: str) -> date | None:
    """A date from a date or an ISO string; a bad string is one clear error."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise NarrowgateError(f"{what} {value!r} is not a date",
                              "write it as YYYY-MM-DD, e.g. 2026-11-24") from None


def open_hub(offline: bool) -> tuple[DataHub, list[str]]:
    """The data hub over the local store, starting a run: each provider is asked whether
    it answers before its first fetch of the run (``data/reachability.py``, through the
    proxy variables), so one that does not is said once (a hub warning) and skipped while
    the others still fetch. The warning list is for the caller's own notes (empty here)."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.reachability import new_run
    from narrowgate.data.store import Store

    new_run()
    return DataHub(Store(), offline=offline), []


def prepare_data(hub: DataHub, needs: Sequence[DataNeed],
                 progress: RunProgress | None = None) -> list[str]:
    """Plan every evaluator's data in one pass: fetch what the store lacks when online
    (each provider is tried once per run), then say what is still missing, one warning
    per instrument with the command that would bring it."""
    from narrowgate.data.hub import Need
    from narrowgate.report.commands import fetch_commands

    unique = {(n.instrument, n.kind, n.start, n.end) for n in needs}
    plan = hub.plan([Need(i, k, s, e) for i, k, s, e in sorted(unique, key=str)])
    missing = plan.missing
    if not missing:
        return []
    if not hub.offline:
        if progress is not None:
            progress.fetching(len(missing))
        for item in missing:
            need = item.need
            hub.refresh(need.instrument, need.kind, need.start, need.end)
            if progress is not None:
                progress.fetched(need.instrument)
        missing = hub.plan([item.need for item in plan.items]).missing
    by_instrument: dict[str, list[object]] = {}
    warnings: list[str] = []
    for item in missing:
        by_instrument.setdefault(item.need.instrument, []).append(item)
    for instrument, items in sorted(by_instrument.items()):
        starts = [i.need.start for i in items if i.need.start is not None]  # type: ignore[attr-defined]
        ends = [i.need.end for i in items if i.need.end is not None]  # type: ignore[attr-defined]
        wanted = f"{min(starts) if starts else '…'} to {max(ends) if ends else '…'}"
        held = [i.coverage for i in items if i.coverage is not None]  # type: ignore[attr-defined]
        have = (f"store has {min(c.first for c in held)} to {max(c.last for c in held)}"
                if held else "not in the store")
        warnings.append(f"{instrument}: {have}, needed {wanted} — run "
                        f"{fetch_commands([instrument])}")
    return warnings


def run_thesis(thesis: Thesis, as_of: date, *, offline: bool = False,
               progress: RunProgress | None = None, record: bool = False,
               source: Path | None = None, timeline: bool = True) -> Scorecard:
    """Evaluate every claim of a loaded thesis as of ``as_of``: open the store once,
    fetch the planned data (unless offline), evaluate, and name the fetch commands in
    every missing-data entry. The engine behind ``narrowgate run`` and :func:`run`.

    ``record``: also keep the scorecard in the store's run history (``narrowgate run``
    does; a plain API call does not unless asked); ``source`` is the thesis file, whose
    hash the history names. A store that cannot be written does not fail the run: the
    scorecard gets one warning saying history was not recorded. ``timeline``: replay each
    decided claim at the month ends since publication (``ClaimResult.timeline``), reusing
    the months the store's timeline cache holds and keeping the ones computed (a store
    that cannot be written only loses the cache).
    """
    from narrowgate.data.view import DataView
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.evaluate.runner import check_as_of, evaluate_thesis, planned_data_needs
    from narrowgate.report.commands import with_commands

    check_as_of(thesis, as_of)
    hub, warnings = open_hub(offline)
    ctx = EvalContext(thesis=thesis, as_of=as_of, offline=offline, hub=DataView(hub, as_of))
    needs = planned_data_needs(thesis, ctx)
    # One read connection for the whole run: each DuckDB open costs ~10 ms and a run
    # makes about a hundred reads (measured: 1.5 s of a 4.4 s run before this).
    with hub.store.session():
        if needs:
            warnings.extend(prepare_data(hub, [need for _, need in needs], progress))
        if progress is not None:
            progress.evaluating(len(thesis.claims))
        scorecard = evaluate_thesis(
            thesis, as_of, offline=hub.offline, hub=hub, warnings=warnings,
            on_claim=None if progress is None else (lambda c: progress.evaluated(c.id)))
        fill = None
        if timeline:  # each decided claim replayed monthly; cached months are reused
            from narrowgate.evaluate.timeline_fill import fill_timelines

            fill = fill_timelines(
                thesis, scorecard, hub.store,
                on_start=None if progress is None else progress.replaying,
                on_done=None if progress is None else progress.replayed)
    scorecard = with_commands(scorecard)
    if fill is not None:
        from narrowgate.evaluate.timeline_fill import attach_timelines, store_timeline

        attach_timelines(scorecard, fill)
        store_timeline(hub.store, thesis.id, fill.to_store)  # never fails the run
    if record:
        from narrowgate.errors import StoreError

        try:
            record_run(scorecard, source, store=hub.store)
        except StoreError as exc:
            # first, so the terminal's shortened warning list always shows it
            scorecard.warnings.insert(0, f"{HISTORY_NOT_RECORDED}: {exc}")
    return scorecard


def record_run(scorecard: Scorecard, source: Path | None = None, *,
               store: Store | None = None) -> int:
    """Keep an evaluated scorecard in the store's run history; returns the run id.

    ``source``: the thesis file (its SHA-256 names the thesis version); without one the
    hash is taken over the thesis as the scorecard carries it. Raises StoreError when the
    store cannot be written (nothing is recorded then).
    """
    from narrowgate.data.store import Store
    from narrowgate.thesis.library import file_sha256
    from narrowgate.watch.history import content_sha256
    from narrowgate.watch.history import record_run as record

    target = store if store is not None else Store()
    digest = file_sha256(source) if source is not None else content_sha256(scorecard)
    return record(target, scorecard, digest, source)


def run(thesis: str | Path | None = None, *, as_of: DateLike | None = None,
        offline: bool = False, lang: Lang = "en", record: bool = False,
        timeline: bool = True) -> Scorecard:
    """Evaluate a thesis and return its scorecard (nothing is written to disk unless
    ``record=True``, which keeps it in the store's run history like ``narrowgate run``,
    apart from the store's timeline cache).

    ``thesis``: a bundled id (``ai-narrow-gate``), a library id, a YAML file, or None for
    the default; ``as_of``: the evaluation date (default today; nothing after it is read);
    ``offline``: never call a live source; ``lang``: the language ``to_frame()`` and the
    notebook card show by default (the scorecard itself holds both); ``timeline``: each
    decided claim's verdict replayed at the month ends since publication (cached in the
    store; False skips it). Same speed as ``narrowgate run``.
    """
    from narrowgate.thesis.loader import load_thesis, resolve_thesis_path

    day = _day(as_of, "as_of") or date.today()
    path = thesis if isinstance(thesis, Path) else resolve_thesis_path(thesis)
    card = run_thesis(load_thesis(path), day, offline=offline, record=record, source=path,
                      timeline=timeline)
    return card.set_language(lang)


def history(thesis: str | None = None) -> pd.DataFrame:
    """Recorded runs (all theses, or one thesis id), one row per run in history order
    (as-of, then generation time), indexed by run id: thesis, thesis hash, as-of,
    generated (UTC), one column per verdict with its count of claims, and the newest data
    date any claim read. Empty (same columns) when nothing is recorded."""
    from narrowgate.data.store import Store
    from narrowgate.watch.frames import runs_frame

    return runs_frame(Store(), thesis)


def flips(thesis: str | None = None) -> pd.DataFrame:
    """Verdict flips between consecutive recorded runs of each thesis (or one): claim,
    runs and as-of dates before and after, old and new verdict, and the headline figure
    (key, value before and after, unit). Empty (same columns) when there are none."""
    from narrowgate.data.store import Store
    from narrowgate.watch.frames import flips_frame

    return flips_frame(Store(), thesis)


def _view(as_of: DateLike | None, offline: bool) -> DataView:
    from narrowgate.data.view import DataView

    hub, _ = open_hub(offline)
    return DataView(hub, _day(as_of, "as_of") or date.today())


def bars(ids: str | Sequence[str], start: DateLike | None = None,
         end: DateLike | None = None, *, basis: Basis = "split",
         as_of: DateLike | None = None, offline: bool = False) -> pd.DataFrame:
    """Daily closes, one column per instrument id (``us:QQQ``, ``cn:600519`` …), in each
    instrument's own currency (index levels in points), NaN where a market was closed.

    ``basis``: ``split`` (split-adjusted, dividends not reinvested), ``total`` (dividends
    reinvested) or ``raw`` (as traded). Each instrument is one series spliced from every
    stored source serving that basis; ``frame.attrs["provenance"]`` lists, per instrument,
    the sources, the window served and the basis. Nothing after ``as_of`` (default today).
    """
    from narrowgate.data.basis import BASES

    if basis not in BASES:
        raise NarrowgateError(f"basis {basis!r} is not a price basis",
                              "use one of: " + ", ".join(BASES))
    names = [ids] if isinstance(ids, str) else list(ids)
    view = _view(as_of, offline)
    with view.session():
        return view.closes(names, _day(start, "start"), _day(end, "end"), basis)


def series(id: str, start: DateLike | None = None, end: DateLike | None = None, *,
           as_of: DateLike | None = None, offline: bool = False) -> pd.Series:
    """A dated series (``fred:WALCL``, ``lbma:GOLD``, ``macro:…``) in its source's own
    units (see ``narrowgate data ls``); provenance in ``series.attrs["provenance"]``."""
    view = _view(as_of, offline)
    with view.session():
        got = view.series(id, _day(start, "start"), _day(end, "end"))
    values = got.frame["value"].rename(got.instrument)
    values.attrs["provenance"] = got.provenance
    return values


def facts(id: str, concepts: Sequence[str] | None = None, *,
          as_of: DateLike | None = None, offline: bool = False) -> pd.DataFrame:
    """Reported SEC facts of one company (``sec:MSFT``): one row per fact as filed
    (restatements kept), values in the unit column (USD, shares …); only filings made on
    or before ``as_of``. ``concepts`` narrows to XBRL concept names."""
    view = _view(as_of, offline)
    with view.session():
        got = view.facts(id, list(concepts) if concepts else None)
    frame = got.frame.reset_index(drop=True)
    frame.attrs["provenance"] = got.provenance
    return frame


@dataclass(frozen=True)
class BacktestRun:
    """One back-test of a strategy: daily equity in the cash currency, and its metrics.

    Exposure, rebalancing and costs are the strategy's own (see docs/backtest.md); the
    prices are split-adjusted closes (``basis``), so dividends are not in the returns.
    """

    name: str
    result: BacktestResult
    periods_per_year: float
    initial_cash: float
    basis: str = "split"

    @property
    def equity(self) -> pd.Series:
        """Portfolio value per day, in the cash currency (starts at ``initial_cash``)."""
        return self.result.equity

    @property
    def returns(self) -> pd.Series:
        """Daily simple returns of the equity (0.01 = +1%)."""
        return self.result.returns

    def stats(self) -> pd.Series:
        """Headline metrics, the unit in each index label ("total return (%)", …)."""
        from narrowgate.backtest.stats import stats_series

        return stats_series(self.result, self.periods_per_year, self.initial_cash)

    def plot(self) -> object:
        """The equity curve as a plotly figure (needs plotly: ``pip install plotly``)."""
        from narrowgate.evaluate.verdict import Chart, ChartSeries
        from narrowgate.thesis.schema import LocalizedText

        equity = self.equity.dropna()
        chart = Chart(title=LocalizedText(zh=f"{self.name} 净值", en=f"{self.name} equity"),
                      series=[ChartSeries(name=self.name,
                                          x=[d.date().isoformat() for d in equity.index],
                                          y=[float(v) for v in equity])],
                      y_label="equity (cash currency)")
        return chart.to_plotly()


def backtest(strategy: Mapping[str, object] | str | Path | Basket | LongShort | Pair,
             start: DateLike | None = None, end: DateLike | None = None, *,
             offline: bool = False) -> BacktestRun:
    """Back-test a strategy (a mapping or YAML file in the format of docs/backtest.md, or
    a strategy object) on the stored split-adjusted closes of its assets, from ``start``
    (default: the first day all assets trade) to ``end`` (default: the latest close)."""
    import yaml

    from narrowgate.backtest.strategies import load_strategy, run_strategy
    from narrowgate.instruments import canonical, periods_per_year

    file_name: str | None = None
    if isinstance(strategy, (str, Path)):
        from narrowgate.textfile import UnreadableFile, read_text_file

        path = Path(strategy)
        try:
            spec = yaml.safe_load(read_text_file(path))
        except (UnreadableFile, yaml.YAMLError) as exc:
            raise NarrowgateError(f"{path}: not a readable strategy file ({exc})",
                                  "see docs/backtest.md 'Strategies as data'") from None
        if not isinstance(spec, Mapping):
            raise NarrowgateError(f"{path}: a strategy file is a mapping (kind: long_short, …)",
                                  "see docs/backtest.md 'Strategies as data'")
        strategy, file_name = spec, path.stem
    if isinstance(strategy, Mapping):
        from pydantic import ValidationError

        try:
            strategy = load_strategy(dict(strategy))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "strategy"
            raise NarrowgateError(f"strategy: {where}: {first['msg']}",
                                  "see docs/backtest.md 'Strategies as data'") from None
    assets = [canonical(a) for a in strategy.assets]
    frame = bars(assets, start, end, offline=offline)
    prices = frame.dropna(how="any")
    if prices.empty:
        raise NarrowgateError(f"no day on which all of {', '.join(assets)} have a close",
                              "fetch or import their prices (narrowgate data pull …)")
    prices.columns = list(strategy.assets)
    result = run_strategy(strategy, prices)
    name = strategy.name or file_name or " / ".join(assets)
    return BacktestRun(name=name, result=result, periods_per_year=periods_per_year(assets),
                       initial_cash=strategy.initial_cash)
