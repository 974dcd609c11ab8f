"""The depreciation-lag model: capex → assets in service after a lag → straight-line D&A.

Conventions (units: USD bn, fiscal years; fiscal time ``t`` = start of fiscal year ``t``):

- capex of fiscal year ``v`` is one lump placed in service at ``v + lag`` (lag in years,
  fractional allowed: lag 0.5 is the half-year convention, lag 1 the start of next year);
- each lump is split into short-lived assets (servers and network, at the company's life,
  which may change over time) and long-lived assets (buildings, default 25 years);
- depreciation is straight-line; a change of useful life is prospective (GAAP change in
  estimate): at the change, the remaining book value is spread over the new life minus the
  asset's age, or written off at once if the asset is already older than the new life;
- assets bought before the first year of data (the opening stock) are modelled as
  pre-history capex that grew at ``prehistory_growth`` a year into the first year's level.

The model is linear in capex; :mod:`narrowgate.models.depreciation_fit` fits it to
reported depreciation (least squares) and checks it out of sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from narrowgate.errors import DataNotFound
from narrowgate.models.capex import MissingFinancials

#: Buildings and other long-lived assets (years); an assumption, a parameter everywhere.
DEFAULT_LONG_LIFE = 25.0


@dataclass(frozen=True)
class LifeSchedule:
    """Useful life (years) over fiscal time; ``changes`` = ((effective time, new life), …)."""

    initial_years: float
    changes: tuple[tuple[float, float], ...] = ()
    basis: str = "stated"

    def __post_init__(self) -> None:
        lives = [self.initial_years, *(life for _, life in self.changes)]
        if any(life <= 0 for life in lives):
            raise ValueError(f"useful lives must be positive, got {lives}")
        times = [t for t, _ in self.changes]
        if times != sorted(times):
            raise ValueError("life changes must be in time order")

    def at(self, t: float) -> float:
        """Life in effect at fiscal time ``t``."""
        life = self.initial_years
        for when, new in self.changes:
            if when <= t:
                life = new
        return life

    @classmethod
    def constant(cls, years: float, basis: str = "stated") -> LifeSchedule:
        return cls(float(years), (), basis)


def life_schedule_from_table(ticker: str, table: pd.DataFrame) -> LifeSchedule:
    """The server/network life history of ``ticker`` from the bundled FACTS.md 3b table.

    ``table`` is :func:`narrowgate.data.fallback.load_useful_lives`. The basis is 'stated'
    unless any row is an assumption ('assumed'). DataNotFound when the ticker has no row.
    """
    rows = table[table["ticker"].str.upper() == ticker.upper()]
    if rows.empty:
        raise DataNotFound(
            f"{ticker}: no useful-life history in FACTS.md 3b",
            "fit the life instead (short_life=None) or pass a LifeSchedule",
        )
    initial = rows[rows["effective_fiscal_time"].isna()]
    if len(initial) != 1:
        raise DataNotFound(f"{ticker}: the useful-life table needs one initial row")
    changes = rows.dropna(subset=["effective_fiscal_time"]).sort_values("effective_fiscal_time")
    basis = "assumed" if (rows["basis"] == "assumed").any() else "stated"
    return LifeSchedule(
        float(initial["life_years"].iloc[0]),
        tuple(zip(changes["effective_fiscal_time"].astype(float),
                  changes["life_years"].astype(float), strict=True)),
        basis,
    )


def _segments(in_service: float, life: LifeSchedule) -> list[tuple[float, float, float]]:
    """Straight-line pieces (start, end, rate per year) of one unit of capex; a write-off
    at a life change is a piece of zero length carrying its amount in ``rate``."""
    pieces: list[tuple[float, float, float]] = []
    start, book, remaining = in_service, 1.0, life.at(in_service)
    for when, new_life in life.changes:
        if when <= in_service or start + remaining <= when:
            continue
        rate = book / remaining
        pieces.append((start, when, rate))
        book -= rate * (when - start)
        start, remaining = when, new_life - (when - in_service)
        if remaining <= 0:
            pieces.append((when, when, book))
            return pieces
    pieces.append((start, start + remaining, book / remaining))
    return pieces


def unit_depreciation(in_service: float, life: LifeSchedule, years: np.ndarray) -> np.ndarray:
    """Depreciation in each fiscal year ``y`` (interval [y, y+1)) of 1.0 placed in service
    at fiscal time ``in_service``; sums to 1.0 over a long enough range of years."""
    out = np.zeros(len(years))
    lo = years.astype(float)
    for start, end, rate in _segments(in_service, life):
        if end == start:
            out[years == int(np.floor(start))] += rate
        else:
            overlap = np.minimum(end, lo + 1.0) - np.maximum(start, lo)
            out += rate * np.clip(overlap, 0.0, None)
    return out


#: Matrices already built, by their exact inputs (see :func:`depreciation_matrix`).
_MATRICES: dict[tuple[object, ...], np.ndarray] = {}
_MATRICES_MAX = 512  # ~60 × 60 float64 each: a few MB at most


def depreciation_matrix(
    vintages: np.ndarray, life: LifeSchedule, lag_years: float, years: np.ndarray
) -> np.ndarray:
    """Matrix M (years × vintages): D&A = M @ capex for capex of ``vintages``.

    Column k is :func:`unit_depreciation` of vintage k, with the same arithmetic in the
    same order (tested bitwise), but every straight-line piece of every vintage goes
    through numpy at once: a capex fit builds this matrix thousands of times, and one
    numpy call per piece was most of a bundled run's capex chain.

    The matrix depends on its inputs only, not on the capex amounts, and projections ask
    for the same one again and again (every OCF scenario and year of a company: a bundled
    run makes 1,042 calls for 365 distinct matrices), so built matrices are kept, keyed by
    the inputs' exact bytes and returned read-only (measured: 0.17 s → 0.05 s a run).
    """
    vintages, years = np.asarray(vintages), np.asarray(years)
    key = (vintages.dtype.str, vintages.tobytes(), life, float(lag_years).hex(),
           years.dtype.str, years.tobytes())
    cached = _MATRICES.get(key)
    if cached is None:
        if len(_MATRICES) >= _MATRICES_MAX:
            _MATRICES.clear()
        cached = _build_matrix(vintages, life, lag_years, years)
        cached.setflags(write=False)
        _MATRICES[key] = cached
    return cached


def _build_matrix(
    vintages: np.ndarray, life: LifeSchedule, lag_years: float, years: np.ndarray
) -> np.ndarray:
    out = np.zeros((len(years), len(vintages)))
    pieces = [(k, *piece) for k, v in enumerate(vintages)
              for piece in _segments(float(v) + lag_years, life)]
    if not pieces:
        return out
    col, start, end, rate = (np.asarray(a) for a in zip(*pieces, strict=True))
    col = col.astype(np.intp)
    lo = np.asarray(years).astype(float)
    span = (end != start)[:, None]
    overlap = np.minimum(end[:, None], lo[None, :] + 1.0) - np.maximum(start[:, None], lo[None, :])
    # a zero-length piece (a write-off at a life change) puts its amount in its fiscal year
    contrib = np.where(span, rate[:, None] * np.clip(overlap, 0.0, None),
                       np.where(lo[None, :] == np.floor(start)[:, None], rate[:, None], 0.0))
    # np.add.at adds row by row in the pieces' order: each column sums as unit_depreciation
    np.add.at(out.T, col, contrib)
    return out


def depreciation_schedule(
    capex: pd.Series,
    life: LifeSchedule | float,
    lag_years: float = 0.5,
    years: Iterable[int] | None = None,
) -> pd.Series:
    """Straight-line D&A by fiscal year of capex by fiscal year (one asset class).

    Example: 100 of capex in 2020, life 5, lag 1 → 20 a year in 2021–2025.
    ``years`` defaults to the first capex year through the year the last asset is done.
    """
    schedule = life if isinstance(life, LifeSchedule) else LifeSchedule.constant(life)
    vintages = capex.index.to_numpy(dtype=int)
    if years is None:
        longest = max([schedule.initial_years, *(life for _, life in schedule.changes)])
        end = int(np.ceil(vintages.max() + lag_years + longest)) + 1
        years = range(int(vintages.min()), end)
    grid = np.asarray(list(years), dtype=int)
    values = depreciation_matrix(vintages, schedule, lag_years, grid) @ capex.to_numpy(float)
    return pd.Series(values, index=pd.Index(grid, name="fiscal_year"), name="depreciation")


@dataclass(frozen=True)
class DepreciationModel:
    """A fitted (or chosen) mix of short- and long-lived assets behind a company's D&A."""

    short_share: float
    lag_years: float
    short_life: LifeSchedule
    prehistory_growth: float
    first_capex_year: int
    long_life_years: float = DEFAULT_LONG_LIFE
    prehistory_years: int = 40
    scale: float = 1.0

    def _vintages(self, capex: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Vintage years (pre-history first) and their capex (USD bn) from fiscal-year capex.

        On the index and values as numpy arrays rather than a boolean pandas filter and
        ``sort_index``: it runs ~700 times a bundled run (every predict and book value),
        where the pandas overhead was nearly all of its cost. Same values: the years are
        unique when valid (duplicates fail the gap check below whatever their order).
        """
        return self._vintage_arrays(capex.index.to_numpy(), capex.to_numpy(float))

    def _vintage_arrays(self, index: np.ndarray, values: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_vintages` on the fiscal years and capex (USD bn) as numpy arrays."""
        keep = index >= self.first_capex_year
        order = np.argsort(index[keep], kind="stable")
        years = index[keep][order].astype(int)
        values = values[keep][order]
        if len(years) == 0 or years[0] != self.first_capex_year or np.any(np.diff(years) != 1):
            raise MissingFinancials(
                f"capex must run without gaps from fiscal {self.first_capex_year} "
                f"(got {list(years)})"
            )
        k = np.arange(self.prehistory_years, 0, -1)
        pre = float(values[0]) * (1.0 + self.prehistory_growth) ** (-k.astype(float))
        vintages = np.concatenate([years[0] - k, years])
        return vintages, np.concatenate([pre, values])

    def predict(self, capex: pd.Series, years: Iterable[int]) -> pd.Series:
        """Modelled D&A (USD bn) for ``years`` given capex by fiscal year from the first year."""
        grid = np.asarray(list(years), dtype=int)
        vintages, amounts = self._vintages(capex)
        values = self._predicted(vintages, amounts, grid)
        return pd.Series(values, index=pd.Index(grid, name="fiscal_year"), name="d_and_a")

    def _predicted(self, vintages: np.ndarray, amounts: np.ndarray, grid: np.ndarray
                   ) -> np.ndarray:
        """Modelled D&A (USD bn) for the fiscal years ``grid`` of vintages and their capex."""
        short = depreciation_matrix(vintages, self.short_life, self.lag_years, grid) @ amounts
        long = depreciation_matrix(
            vintages, LifeSchedule.constant(self.long_life_years), self.lag_years, grid
        ) @ amounts
        values: np.ndarray = self.scale * (self.short_share * short
                                           + (1.0 - self.short_share) * long)
        return values

    def undepreciated(self, capex: pd.Series, through_year: int) -> float:
        """Book value left at the end of ``through_year``: capex paid, not yet expensed.

        On numpy arrays end to end (no filtered Series, no predicted Series): projections
        call it for every scenario, OCF path and year (216 times a bundled run)."""
        index, values = capex.index.to_numpy(), capex.to_numpy(float)
        paid = index <= through_year
        vintages, amounts = self._vintage_arrays(index[paid], values[paid])
        spent = float(amounts.sum())
        grid = np.arange(int(vintages.min()), through_year + 1, dtype=int)
        expensed = float(self._predicted(vintages, amounts, grid).sum())
        return spent - expensed


def latest_contiguous(series: pd.Series) -> pd.Series:
    """The last run of consecutive fiscal years of ``series`` (NaN years dropped first)."""
    clean = series.dropna().sort_index()
    if clean.empty:
        return clean
    years = clean.index.to_numpy(dtype=int)
    breaks = np.flatnonzero(np.diff(years) != 1)
    start = int(breaks[-1]) + 1 if len(breaks) else 0
    return clean.iloc[start:]
