"""Quarterly capex-chain inputs and trailing-twelve-month (TTM) sums.

Units: every amount is **USD bn**; a quarter is named by its last day (``end``) and the
company's own fiscal label (``fiscal_year``, ``fiscal_period``). Cash-flow lines are filed
year-to-date, so most quarters are derived by the concept reader (Q2 = 6M − 3M,
Q4 = FY − 9M; the ``how`` column says so). A TTM figure is the sum of the four latest
consecutive quarters ending on the same day for every field; a gap (a missing or
non-consecutive quarter) gives no TTM for that field, named in ``notes``, never a zero.

Pure functions: facts frames or the bundled table in, typed results out.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from narrowgate.models.capex import (
    FALLBACK_SOURCE,
    InvalidCapex,
    MissingFinancials,
    restatement_note,
    restatements,
)

if TYPE_CHECKING:
    from narrowgate.data.concepts import ConceptReader, ConceptSeries

QUARTERLY_FIELDS: tuple[str, ...] = (
    "capex", "operating_cash_flow", "depreciation_amortization", "buybacks", "dividends",
    "net_income",
)
QUARTER_COLUMNS = (
    "field", "fiscal_year", "fiscal_period", "start", "end", "value_usd_bn", "tag", "filed",
    "how", "note",
)
#: Consecutive quarter ends lie this many days apart (91 ± a 52/53-week drift).
QUARTER_GAP_DAYS = (80, 100)
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


@dataclass(frozen=True)
class Trailing:
    """TTM figures (USD bn) of one company through the quarter ending ``end``.

    ``values`` holds the fields that have four consecutive quarters through ``end``;
    ``free_cash_flow`` is present only where a source reports it directly (the fallback's
    Amazon figure, Amazon's own definition: OCF − capex net of proceeds).
    ``quarters`` are the four quarter ends summed; ``fallback`` marks FACTS.md figures.
    """

    ticker: str
    end: pd.Timestamp
    values: Mapping[str, float]
    quarters: tuple[pd.Timestamp, ...]
    sources: tuple[str, ...]
    fallback: bool = False
    definition: str = "sum of the four latest quarters (SEC 10-Q / 10-K)"
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"TTM to {self.end:%Y-%m-%d}"

    @property
    def fcf(self) -> float | None:
        """Reported TTM FCF where given, else OCF − capex; None when either is absent."""
        if "free_cash_flow" in self.values:
            return float(self.values["free_cash_flow"])
        if "operating_cash_flow" in self.values and "capex" in self.values:
            return float(self.values["operating_cash_flow"] - self.values["capex"])
        return None

    def get(self, name: str) -> float | None:
        value = self.values.get(name)
        return None if value is None else float(value)


def _quarter_rows(name: str, series: ConceptSeries, facts: pd.DataFrame | ConceptReader
                  ) -> pd.DataFrame:
    frame = series.frame
    restated = restatements(facts, series)
    notes = [
        restatement_note(name, f"{fy} {fp}", float(v) / 1e9, pd.Timestamp(filed),
                         restated[pd.Timestamp(end)])
        if pd.Timestamp(end) in restated else ""
        for fy, fp, v, filed, end in zip(frame["fiscal_year"], frame["fiscal_period"],
                                         frame["value"], frame["filed"], frame["end"],
                                         strict=True)
    ]
    return pd.DataFrame({
        "field": name, "fiscal_year": frame["fiscal_year"].astype(int),
        "fiscal_period": frame["fiscal_period"], "start": frame["start"], "end": frame["end"],
        "value_usd_bn": frame["value"].astype(float) / 1e9, "tag": frame["tag"],
        "filed": frame["filed"], "how": frame["how"], "note": notes,
    })


def quarterly_from_facts(ticker: str, facts: pd.DataFrame | ConceptReader
                         ) -> tuple[pd.DataFrame, list[str]]:
    """Quarterly values of QUARTERLY_FIELDS (columns QUARTER_COLUMNS) and notes.

    Uses :func:`narrowgate.data.concepts.read_concept` with ``period="quarterly"`` (latest
    filing wins; a restated quarter carries a ``note`` naming the replaced values). A field
    the company never reported is left out and named; MissingFinancials when not even
    capex has quarters. ``facts`` may be a :class:`~narrowgate.data.concepts.ConceptReader`
    shared with the annual reads (one tag column and fiscal calendar per company).
    """
    from narrowgate.data.concepts import ConceptNotFound, as_reader

    reader = as_reader(facts, ticker)
    notes: list[str] = []
    parts: list[pd.DataFrame] = []
    for name in QUARTERLY_FIELDS:
        try:
            series = reader.read(name, "quarterly")
        except ConceptNotFound:
            notes.append(f"quarterly {name}: not reported in the SEC facts")
            continue
        parts.append(_quarter_rows(name, series, reader))
    if not parts or parts[0]["field"].iloc[0] != "capex":
        raise MissingFinancials(f"{ticker}: no quarterly capex in the SEC facts",
                                "import the company's 10-Q filings (SEC companyfacts)")
    frame = pd.concat(parts, ignore_index=True).sort_values(["field", "end"])
    return frame.reset_index(drop=True)[list(QUARTER_COLUMNS)], notes


def trailing_sum(quarters: pd.DataFrame, end: pd.Timestamp) -> tuple[float, tuple[
        pd.Timestamp, ...]] | None:
    """Sum (USD bn) of the four consecutive quarters ending on ``end``; None if any is
    missing. ``quarters`` has columns ``end`` and ``value_usd_bn`` for one field."""
    return _trailing(_points(quarters), end)


def _points(quarters: pd.DataFrame) -> list[tuple[pd.Timestamp, float]]:
    """(end, USD bn) of each row with an end date, in order of end: one field's quarters
    read once, so the search for the latest TTM does not rebuild them per candidate."""
    points = [(pd.Timestamp(e), float(v))
              for e, v in zip(quarters["end"], quarters["value_usd_bn"], strict=True)]
    return sorted(((e, v) for e, v in points if not pd.isna(e)), key=lambda p: p[0])


def _trailing(points: list[tuple[pd.Timestamp, float]], end: pd.Timestamp) -> tuple[
        float, tuple[pd.Timestamp, ...]] | None:
    """:func:`trailing_sum` on one field's :func:`_points` (one value per quarter end)."""
    upto = [p for p in points if p[0] <= end]
    if not upto or upto[-1][0] != end or len(upto) < 4:
        return None
    window = upto[-4:]
    if any(not QUARTER_GAP_DAYS[0] <= (b[0] - a[0]).days <= QUARTER_GAP_DAYS[1]
           for a, b in itertools.pairwise(window)):
        return None
    return float(sum(v for _, v in window)), tuple(e for e, _ in window)


def ttm_series(quarterly: pd.DataFrame, name: str) -> pd.Series:
    """Rolling TTM of one field by quarter end (USD bn); quarters without four consecutive
    quarters behind them are left out."""
    rows = quarterly[quarterly["field"] == name]
    out = {}
    for end in rows["end"]:
        hit = trailing_sum(rows, pd.Timestamp(end))
        if hit is not None:
            out[pd.Timestamp(end)] = hit[0]
    return pd.Series(out, name=name, dtype="float64")


def ttm_from_quarterly(ticker: str, quarterly: pd.DataFrame,
                       notes: list[str] | None = None) -> Trailing:
    """TTM figures through the latest capex quarter with four consecutive quarters.

    Restatements of the summed quarters are named in ``notes``. InvalidCapex when any
    summed capex quarter is zero or negative;
    MissingFinancials when capex has no four consecutive quarters at all.
    """
    notes = list(notes or [])
    capex = quarterly[quarterly["field"] == "capex"]
    capex_points = _points(capex)
    end = next((e for e, _ in reversed(capex_points)
                if _trailing(capex_points, e) is not None), None)
    if end is None:
        raise MissingFinancials(f"{ticker}: no four consecutive quarters of capex for a TTM")
    values: dict[str, float] = {}
    window: tuple[pd.Timestamp, ...] = ()
    for name in QUARTERLY_FIELDS:
        points = capex_points if name == "capex" else _points(
            quarterly[quarterly["field"] == name])
        hit = _trailing(points, end)
        if hit is None:
            notes.append(f"TTM {name} to {end:%Y-%m-%d}: not four consecutive quarters")
            continue
        values[name] = hit[0]
        if name == "capex":
            window = hit[1]
    in_window = capex[capex["end"].isin(window)]
    bad = in_window[~np.isfinite(in_window["value_usd_bn"]) | (in_window["value_usd_bn"] <= 0)]
    if not bad.empty:
        row = bad.iloc[0]
        raise InvalidCapex(
            f"{ticker}: quarterly capex {row['fiscal_year']} {row['fiscal_period']} (ending "
            f"{pd.Timestamp(row['end']):%Y-%m-%d}) is {row['value_usd_bn']}; capex must be a "
            "positive cash outflow", "check the tag's sign and the 10-Q")
    used = quarterly[quarterly["end"].isin(window)]
    notes.extend(n for n in used["note"] if n)
    sources = tuple(dict.fromkeys(f"sec:{t}" for t in used["tag"]))
    return Trailing(ticker.upper(), end, values, window, sources, notes=tuple(notes))


def ttm_from_facts(ticker: str, facts: pd.DataFrame | ConceptReader
                   ) -> tuple[Trailing, pd.DataFrame]:
    """TTM figures and the quarterly table from an SEC facts frame (see the functions)."""
    quarterly, notes = quarterly_from_facts(ticker, facts)
    return ttm_from_quarterly(ticker, quarterly, notes), quarterly


def _fallback_end(definition: str) -> pd.Timestamp | None:
    """Month end of 'to Mar-2026' in a definition text (the FACTS.md wording)."""
    match = re.search(r"to ([A-Z][a-z]{2})-(\d{4})", definition)
    if match is None or match.group(1) not in _MONTHS:
        return None
    return pd.Timestamp(int(match.group(2)), _MONTHS[match.group(1)], 1) + pd.offsets.MonthEnd(0)


def ttm_from_fallback(ticker: str, table: pd.DataFrame) -> Trailing | None:
    """Recorded TTM figures (period ``TTM``) of ``ticker`` in the bundled FACTS.md 3a table,
    marked ``fallback``; None when it records none (not an error: TTM is optional)."""
    rows = table[(table["ticker"].str.upper() == ticker.upper()) & (table["period"] == "TTM")]
    rows = rows[rows["value_usd_bn"].notna()]
    if rows.empty:
        return None
    records = rows.to_dict("records")
    ends = {_fallback_end(str(r["definition"])) for r in records}
    end = next(iter(ends)) if len(ends) == 1 else None
    if end is None:
        return None
    by_field = {str(r["field"]): str(r["definition"]) for r in records}
    definition = by_field.get("free_cash_flow", next(iter(by_field.values())))
    return Trailing(
        ticker.upper(), end, {str(r["field"]): float(r["value_usd_bn"]) for r in records},
        (), (FALLBACK_SOURCE,), fallback=True, definition=definition,
        notes=tuple(dict.fromkeys(f"TTM from {r['source']}" for r in records)),
    )
