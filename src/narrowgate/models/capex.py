"""Capex-chain inputs and the measured pattern: capex → D&A → earnings vs FCF → buybacks.

Units: every amount is **USD bn**; years are the company's **fiscal years** (the year in
which the fiscal year ends; a year ending in the first week of January belongs to the year
before, the 52/53-week convention). Pure functions: facts frames or tables in, typed
results out; reading files is :mod:`narrowgate.data.fallback`'s job.

Companion modules: :mod:`narrowgate.models.capex_pattern` (the measured pattern for the
``capex-chain`` kind), :mod:`narrowgate.models.depreciation` (the depreciation-lag model),
:mod:`narrowgate.models.depreciation_fit` (its fit and out-of-sample check) and
:mod:`narrowgate.models.capex_projection` (scenarios and the useful-life sensitivity).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from narrowgate.errors import DataNotFound, NarrowgateError

if TYPE_CHECKING:
    from narrowgate.data.concepts import ConceptReader, ConceptSeries

Field = Literal[
    "capex", "operating_cash_flow", "depreciation_amortization", "depreciation", "net_income",
    "buybacks", "dividends", "revenue", "ppe_gross", "ppe_net", "finance_lease_principal",
]
#: ``depreciation_amortization`` is the cash-flow D&A line (may include amortization of
#: acquired intangibles); ``depreciation`` is depreciation of property and equipment only
#: (``us-gaap:Depreciation``), the quantity the depreciation-lag model explains.
FIELDS: tuple[Field, ...] = (
    "capex", "operating_cash_flow", "depreciation_amortization", "depreciation", "net_income",
    "buybacks", "dividends", "revenue", "ppe_gross", "ppe_net", "finance_lease_principal",
)
REQUIRED_FROM_SEC: tuple[Field, ...] = (
    "capex", "operating_cash_flow", "depreciation_amortization", "net_income",
)
FALLBACK_SOURCE = "fallback:FACTS.md 3a"
#: Fiscal-year ends may drift by a few days (52/53-week years); more than this is a change.
FISCAL_END_TOLERANCE_DAYS = 14
#: A re-filed value differing by less than both of these (USD; fraction) is a change of
#: rounding or units (thousands → millions), not a restatement.
RESTATEMENT_MIN_USD = 1e6
RESTATEMENT_MIN_FRACTION = 5e-4


class MissingFinancials(DataNotFound):
    """A field the computation needs is absent for a company and year (never a zero)."""


class InvalidCapex(NarrowgateError):
    """Capex that is zero or negative: a tagging or sign error, not an economic figure."""


class FiscalYearChange(NarrowgateError):
    """The company's fiscal year end moved (or a transition period was filed)."""


@dataclass(frozen=True)
class Observation:
    """One annual figure (USD bn) and where it came from.

    ``source`` is ``sec:<taxonomy:Tag>`` or ``fallback:FACTS.md 3a``; ``unverified`` carries
    FACTS.md's mark; ``period_end`` is the fiscal period's last day when known;
    ``restated_from`` holds the earlier filed values (USD bn) a restatement replaced.
    """

    value_usd_bn: float
    source: str
    fallback: bool = False
    unverified: bool = False
    note: str = ""
    period_end: pd.Timestamp | None = None
    restated_from: tuple[float, ...] = ()


@dataclass(frozen=True)
class CompanyFinancials:
    """Annual cash-flow and income figures of one company, per field and fiscal year."""

    ticker: str
    fields: Mapping[str, Mapping[int, Observation]]
    notes: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, ...]:
        """Fiscal years that have a capex figure (the spine of the capex chain)."""
        return tuple(sorted(self.fields.get("capex", {})))

    @property
    def uses_fallback(self) -> bool:
        return any(o.fallback for obs in self.fields.values() for o in obs.values())

    def has(self, name: Field, year: int) -> bool:
        return year in self.fields.get(name, {})

    def observation(self, name: Field, year: int) -> Observation:
        """The figure of ``name`` for ``year``; MissingFinancials names what is absent."""
        by_year = self.fields.get(name, {})
        if year not in by_year:
            have = f"{min(by_year)}–{max(by_year)}" if by_year else "none"
            raise MissingFinancials(
                f"{self.ticker}: no {name} for fiscal {year} (years available: {have})",
                "fetch or import the company's SEC companyfacts, or add the figure with its "
                "source to the fallback dataset",
            )
        return by_year[year]

    def value(self, name: Field, year: int) -> float:
        return self.observation(name, year).value_usd_bn

    def series(self, name: Field) -> pd.Series:
        """Values of one field by fiscal year (USD bn); empty when never reported."""
        by_year = self.fields.get(name, {})
        years = sorted(by_year)
        return pd.Series(
            [by_year[y].value_usd_bn for y in years], index=pd.Index(years, name="fiscal_year"),
            name=name, dtype="float64",
        )

    def capex(self, include_finance_leases: bool = False) -> pd.Series:
        """Capex by fiscal year; optionally plus finance-lease principal where reported.

        Some companies' guidance (and their FACTS.md 3a totals) include finance-lease
        principal, others are purchases of property and equipment only: the thesis names
        the first kind (``capex-chain`` param ``finance_lease_capex``).
        """
        capex = self.series("capex")
        if include_finance_leases:
            leases = self.series("finance_lease_principal").reindex(capex.index).fillna(0.0)
            capex = capex + leases
        return capex

    def history(self, include_finance_leases: bool = False) -> pd.DataFrame:
        """Reported capex, D&A, OCF, FCF, net income, FCF/NI, buybacks, dividends, buyback
        capacity (FCF − dividends) and the capex − D&A gap by fiscal year (USD bn; NaN where
        the source lacks a field, never zero; FCF/NI only where net income is positive).

        Built once per instance and lease choice (the figures are frozen) and handed out as
        a copy, so a caller may change its frame: a bundled run asked for it 24 times over
        seven companies, ~10 ms of pandas construction each."""
        built = self._histories.get(include_finance_leases)
        if built is None:
            built = self._history(include_finance_leases)
            self._histories[include_finance_leases] = built
        return built.copy()

    @cached_property
    def _histories(self) -> dict[bool, pd.DataFrame]:
        """The built history frames by lease choice (outside the dataclass fields, so
        equality and ``replace`` ignore it; a replaced instance starts empty)."""
        return {}

    def _history(self, include_finance_leases: bool) -> pd.DataFrame:
        capex = self.capex(include_finance_leases)
        cols = {"capex": capex, "d_and_a": self.series("depreciation_amortization"),
                "operating_cash_flow": self.series("operating_cash_flow"),
                "net_income": self.series("net_income"), "buybacks": self.series("buybacks"),
                "dividends": self.series("dividends")}
        frame = pd.DataFrame(cols).reindex(capex.index)
        frame["fcf"] = frame["operating_cash_flow"] - frame["capex"]
        frame["fcf_to_net_income"] = frame["fcf"] / frame["net_income"].where(
            frame["net_income"] > 0)
        frame["buyback_capacity"] = frame["fcf"] - frame["dividends"]
        frame["gap"] = frame["capex"] - frame["d_and_a"]
        return frame

    def sources(self, names: Iterable[Field] = FIELDS) -> list[str]:
        """Distinct sources behind the given fields, in order of first use."""
        seen = [
            obs.source for n in names for _, obs in sorted(self.fields.get(n, {}).items())
        ]
        return list(dict.fromkeys(seen))

    def to_frame(self) -> pd.DataFrame:
        """Tidy: ticker, fiscal_year, field, value_usd_bn, source, fallback, unverified, note."""
        rows = [
            {"ticker": self.ticker, "fiscal_year": y, "field": n, "value_usd_bn": o.value_usd_bn,
             "source": o.source, "fallback": o.fallback, "unverified": o.unverified,
             "note": o.note}
            for n, by_year in self.fields.items() for y, o in sorted(by_year.items())
        ]
        return pd.DataFrame(rows, columns=[
            "ticker", "fiscal_year", "field", "value_usd_bn", "source", "fallback",
            "unverified", "note",
        ])


def fiscal_year_of(end: pd.Timestamp) -> int:
    """Fiscal year of a period ending on ``end`` (first week of January → the year before)."""
    return end.year - 1 if (end.month == 1 and end.day <= 7) else end.year


def _check_capex(ticker: str, by_year: Mapping[int, Observation]) -> None:
    for year, obs in by_year.items():
        if not np.isfinite(obs.value_usd_bn) or obs.value_usd_bn <= 0:
            raise InvalidCapex(
                f"{ticker}: capex for fiscal {year} is {obs.value_usd_bn} ({obs.source}); "
                "capex must be a positive cash outflow",
                "check the tag's sign and the filing; a zero usually means the wrong tag",
            )


def _check_fiscal_ends(ticker: str, ends: Mapping[int, pd.Timestamp]) -> None:
    """Consecutive fiscal-year ends must fall within the tolerance of the same calendar day."""
    years = sorted(ends)
    for earlier, later in itertools.pairwise(years):
        gap = (ends[later] - ends[earlier]).days
        expected = 365 * (later - earlier)
        if abs(gap - expected) > FISCAL_END_TOLERANCE_DAYS + 2 * (later - earlier):
            raise FiscalYearChange(
                f"{ticker}: fiscal year end moved from {ends[earlier]:%Y-%m-%d} (FY{earlier}) "
                f"to {ends[later]:%Y-%m-%d} (FY{later})",
                "the capex chain needs comparable 12-month years; restrict the years to one "
                "side of the change",
            )


def restatements(facts: pd.DataFrame | ConceptReader, series: ConceptSeries
                 ) -> dict[pd.Timestamp, list[tuple[float, pd.Timestamp]]]:
    """Earlier filed values that the value read for each period replaced: period end →
    [(value USD, filed), …] in filing order, for periods whose filings disagree.

    Same tag, same start and end; the reader took the latest filing (a restatement wins,
    the original stays in ``facts``). Identical re-filings (comparatives) and differences
    below RESTATEMENT_MIN_USD / RESTATEMENT_MIN_FRACTION (rounding) are not listed.
    ``facts`` may be the :class:`~narrowgate.data.concepts.ConceptReader` the series came
    from (its filings index is then reused).
    """
    from narrowgate.data.concepts import as_reader

    # A dict of filings per (tag, start, end), built once per reader, instead of boolean
    # masks over the facts per period (measured: 50 calls 1.85 s → ~0.01 s; a pandas merge
    # per call still cost ~4 ms each). Instants (no start) never match, as before. Dates
    # are compared as int64 in the reader's datetime unit (see ConceptReader.filings).
    reader = as_reader(facts)
    history = reader.filings(series.unit)
    date_type = reader.arrays.start.dtype
    frame = series.frame
    keys = [frame[c].to_numpy().astype(date_type).view("int64").tolist()
            for c in ("start", "end", "filed")]
    missing = np.datetime64("NaT").astype(date_type).view("int64")
    out: dict[pd.Timestamp, list[tuple[float, pd.Timestamp]]] = {}
    for tag, start, end, filed, value, derived, end_at in zip(
        frame["tag"], *keys, frame["value"], frame["derived"], frame["end"], strict=True,
    ):
        if bool(derived) or start == missing or end == missing:
            continue
        value = float(value)
        tolerance = max(RESTATEMENT_MIN_USD, RESTATEMENT_MIN_FRACTION * abs(value))
        # in frame order, then stably by filing date; the first filing of each value
        earlier = sorted(((f, v) for f, v in history.get((tag, start, end), ())
                          if filed != missing and f < filed and abs(v - value) > tolerance),
                         key=lambda fv: fv[0])
        firsts: dict[float, int] = {}
        for f, v in earlier:
            firsts.setdefault(v, f)
        if firsts:
            out[pd.Timestamp(end_at)] = [(float(v), pd.Timestamp(np.int64(f).view(date_type)))
                                         for v, f in firsts.items()]
    return out


def restatement_note(name: str, period: str, value_usd_bn: float, filed: pd.Timestamp,
                     earlier: list[tuple[float, pd.Timestamp]]) -> str:
    """One line naming a restatement: earlier values, the value used and its filing."""
    was = ", ".join(f"{v / 1e9:.3f} (filed {f:%Y-%m-%d})" for v, f in earlier)
    return (f"{name} {period}: RESTATED — {was} replaced by {value_usd_bn:.3f} (filed "
            f"{filed:%Y-%m-%d}); the latest filing is used, earlier values kept in the facts")


def _observations(
    ticker: str, series: ConceptSeries, notes: list[str],
    facts: pd.DataFrame | ConceptReader | None = None,
) -> dict[int, Observation]:
    frame = series.frame
    restated = restatements(facts, series) if facts is not None else {}
    out: dict[int, Observation] = {}
    ends: dict[int, pd.Timestamp] = {}
    for end, label, value, tag, how, filed in zip(
        frame["end"], frame["fiscal_year"], frame["value"], frame["tag"], frame["how"],
        frame["filed"], strict=True,
    ):
        year = fiscal_year_of(pd.Timestamp(end))
        if int(label) != year:
            notes.append(
                f"{series.concept}: period ending {pd.Timestamp(end):%Y-%m-%d} labelled "
                f"FY{label} by the reader; FY{year} used (fiscal year = year the period ends)"
            )
        if year in out:
            raise FiscalYearChange(
                f"{ticker}: two annual {series.concept} periods fall in fiscal {year} "
                f"(ending {ends[year]:%Y-%m-%d} and {pd.Timestamp(end):%Y-%m-%d})",
                "a transition period or a fiscal-year change; restrict the years",
            )
        ends[year] = pd.Timestamp(end)
        earlier = restated.get(pd.Timestamp(end), [])
        note = "" if how == "reported" else str(how)
        if earlier:
            note = restatement_note(series.concept, f"FY{year}", float(value) / 1e9,
                                    pd.Timestamp(filed), earlier)
            notes.append(note)
        out[year] = Observation(
            float(value) / 1e9, f"sec:{tag}", note=note, period_end=pd.Timestamp(end),
            restated_from=tuple(v / 1e9 for v, _ in earlier),
        )
    _check_fiscal_ends(ticker, ends)
    return out


def financials_from_facts(
    ticker: str,
    facts: pd.DataFrame | ConceptReader,
    required: Iterable[Field] = REQUIRED_FROM_SEC,
) -> CompanyFinancials:
    """Annual figures from a standard SEC facts frame, via the concept reader.

    Uses :func:`narrowgate.data.concepts.read_concept` (tag priority, latest-filed value
    wins: restatements replace originals, the full history stays in the facts frame).
    D&A is whatever the reader found first: Alphabet only reports ``Depreciation`` (of
    property and equipment); the tag is kept in each observation's ``source``. The field
    ``depreciation`` (PP&E only) is read separately where the company reports it.
    Raises the reader's ConceptNotFound for a missing required concept, InvalidCapex,
    FiscalYearChange. Values are converted from USD to USD bn. ``facts`` may be a
    :class:`~narrowgate.data.concepts.ConceptReader` shared with the quarterly reads.
    """
    from narrowgate.data.concepts import ConceptNotFound, ConceptSpec, as_reader

    # not (yet) in the shared concept map: PP&E depreciation alone
    local = {"depreciation": ConceptSpec(
        "depreciation", ("us-gaap:Depreciation",),
        description="depreciation of property and equipment only",
    )}
    required_set = set(required)
    reader = as_reader(facts, ticker)
    notes: list[str] = []
    fields: dict[str, dict[int, Observation]] = {}
    for name in FIELDS:
        try:
            series = reader.read(local.get(name, name), "annual")
        except ConceptNotFound:
            if name in required_set:
                raise
            notes.append(f"{name}: not reported in the SEC facts")
            continue
        fields[name] = _observations(ticker, series, notes, reader)
        notes.extend(f"{name}: {n}" for n in series.notes)
    if "capex" in fields:
        _check_capex(ticker, fields["capex"])
    return CompanyFinancials(ticker.upper(), fields, tuple(dict.fromkeys(notes)))


def financials_from_fallback(ticker: str, table: pd.DataFrame) -> CompanyFinancials:
    """Annual (period ``FY``) figures of one ticker from the bundled FACTS.md 3a table.

    ``table`` is :func:`narrowgate.data.fallback.load_hyperscaler_cashflows`. Rows whose
    value FACTS.md could not confirm (empty, ``unverified``) are left out of ``fields`` and
    named in ``notes``: asking for them raises MissingFinancials, never returns a zero.
    Every observation carries ``fallback=True`` and the row's source text in its note.
    """
    rows = table[(table["ticker"].str.upper() == ticker.upper()) & (table["period"] == "FY")]
    if rows.empty:
        raise DataNotFound(
            f"{ticker}: no annual figures in the bundled FACTS.md 3a dataset "
            f"(it covers {', '.join(sorted(table['ticker'].unique()))})",
            "import SEC companyfacts for this company",
        )
    fields: dict[str, dict[int, Observation]] = {}
    notes: list[str] = []
    for row in rows.to_dict("records"):
        name, year = str(row["field"]), int(row["fiscal_year"])
        value, note = float(row["value_usd_bn"]), str(row["note"])
        if name not in FIELDS:
            continue
        if np.isnan(value):
            notes.append(f"{name} FY{year}: not found in FACTS.md 3a (unverified: {note})")
            continue
        text = "; ".join(t for t in (str(row["definition"]), str(row["source"]), note) if t)
        fields.setdefault(name, {})[year] = Observation(
            value, FALLBACK_SOURCE, fallback=True, unverified=bool(row["unverified"]),
            note=text,
        )
    if "capex" in fields:
        _check_capex(ticker, fields["capex"])
    notes.append("figures from the bundled FACTS.md 3a fallback dataset, not from SEC facts")
    return CompanyFinancials(ticker.upper(), fields, tuple(notes))
