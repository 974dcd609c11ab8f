"""Reconciled fundamentals: one concept name (``capex``) over the XBRL tags companies use.

Companies tag the same line differently and switch tags over time (NVIDIA moved capex from
``PaymentsToAcquirePropertyPlantAndEquipment`` to ``PaymentsToAcquireProductiveAssets``
after FY2020). :func:`read_concept` reads a facts frame (standard layout, every filing's
rows kept) and returns one value per fiscal period *and the tag used for it*:

- per period, the first tag in the concept's priority list that has a value wins (tags
  further down are broader or narrower measures, used only when the better one is absent);
- within that tag, the latest-filed value wins (restatements replace originals; the full
  history stays in the facts frame);
- annual = full-year durations (340–390 days: 52/53-week years) from 10-K-type forms;
- quarterly = ~90-day durations. Cash-flow lines are filed year-to-date only, so a missing
  quarter is derived from cumulative values of the same fiscal year (Q2 = 6M − 3M,
  Q4 = FY − 9M); such rows have ``derived`` True and say how in ``how``. Non-additive
  concepts (EPS, weighted shares) are never derived.

A concept a company never reported raises :class:`ConceptNotFound` (company, concept, tags
tried): never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from narrowgate.errors import DataNotFound

if TYPE_CHECKING:
    import pandas as pd

PeriodKind = Literal["annual", "quarterly"]

ANNUAL_FORMS = frozenset({"10-K", "10-K/A", "10-KT", "10-KT/A", "20-F", "20-F/A", "40-F"})
ANNUAL_DAYS = (340, 390)
QUARTER_DAYS = (80, 100)
SERIES_COLUMNS = (
    "fiscal_year", "fiscal_period", "start", "end", "value", "tag", "form", "filed",
    "accession", "derived", "how",
)


@dataclass(frozen=True)
class ConceptSpec:
    """A reconciled concept: tags in priority order (``taxonomy:Name``), unit, period type."""

    name: str
    tags: tuple[str, ...]
    unit: str = "USD"
    instant: bool = False
    additive: bool = True
    description: str = ""


def _spec(name: str, tags: str, **kwargs: object) -> ConceptSpec:
    full = tuple(t if ":" in t else f"us-gaap:{t}" for t in tags.split())
    return ConceptSpec(name, full, **kwargs)  # type: ignore[arg-type]


CONCEPTS: dict[str, ConceptSpec] = {
    spec.name: spec
    for spec in (
        _spec("capex", "PaymentsToAcquirePropertyPlantAndEquipment "
              "PaymentsToAcquireProductiveAssets PaymentsForCapitalImprovements",
              description="cash paid for property, plant and equipment (positive)"),
        _spec("depreciation_amortization", "DepreciationDepletionAndAmortization "
              "DepreciationAndAmortization DepreciationAmortizationAndAccretionNet "
              "DepreciationAmortizationAndOther Depreciation",
              description="D&A from the cash-flow statement; 'Depreciation' alone is last"),
        _spec("buybacks", "PaymentsForRepurchaseOfCommonStock PaymentsForRepurchaseOfEquity",
              description="cash paid to repurchase shares"),
        _spec("dividends", "PaymentsOfDividends PaymentsOfDividendsCommonStock",
              description="cash dividends paid"),
        _spec("operating_cash_flow", "NetCashProvidedByUsedInOperatingActivities "
              "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations"),
        _spec("net_income", "NetIncomeLoss ProfitLoss"),
        _spec("revenue", "Revenues RevenueFromContractWithCustomerExcludingAssessedTax "
              "RevenueFromContractWithCustomerIncludingAssessedTax SalesRevenueNet"),
        _spec("eps_diluted", "EarningsPerShareDiluted EarningsPerShareBasicAndDiluted",
              unit="USD/shares", additive=False),
        _spec("diluted_shares", "WeightedAverageNumberOfDilutedSharesOutstanding",
              unit="shares", additive=False),
        _spec("shares_outstanding", "CommonStockSharesOutstanding", unit="shares",
              instant=True, description="balance-sheet shares at period end"),
        _spec("ppe_gross", "PropertyPlantAndEquipmentGross "
              "PropertyPlantAndEquipmentAndFinanceLeaseRightOfUseAssetBeforeAccumulated"
              "DepreciationAndAmortization", instant=True),
        _spec("ppe_net", "PropertyPlantAndEquipmentNet "
              "PropertyPlantAndEquipmentAndFinanceLeaseRightOfUseAssetAfterAccumulated"
              "DepreciationAndAmortization", instant=True),
        _spec("finance_lease_principal", "FinanceLeasePrincipalPayments "
              "RepaymentsOfLongTermCapitalLeaseObligations",
              description="principal repaid on finance leases (capex-like for hyperscalers)"),
    )
}


def concept_tags(name: str) -> list[str]:
    """Bare XBRL concept names behind a reconciled concept: what to ask the store for
    (``DataHub.facts(instrument, concepts=...)``) before calling :func:`read_concept`."""
    if name not in CONCEPTS:
        raise DataNotFound(f"unknown concept {name!r}; known: {', '.join(sorted(CONCEPTS))}")
    return [tag.partition(":")[2] for tag in CONCEPTS[name].tags]


class ConceptNotFound(DataNotFound):
    """The company reported none of the concept's tags for the requested period type."""

    def __init__(self, company: str, concept: str, tags: tuple[str, ...], period: str) -> None:
        self.company, self.concept, self.tags = company, concept, tags
        super().__init__(
            f"{company}: no {period} '{concept}' in the SEC facts (tags tried: "
            f"{', '.join(tags)})",
            "check the company's filings for the tag it uses and add it to narrowgate's "
            "concept map",
        )


@dataclass
class ConceptSeries:
    """One value per fiscal period, with the tag and filing it came from."""

    company: str
    concept: str
    period: PeriodKind
    unit: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def tags_used(self) -> list[str]:
        """Distinct tags behind the values, in order of first use."""
        return list(dict.fromkeys(self.frame["tag"]))

    def row(self, fiscal_year: int, fiscal_period: str | None = None) -> pd.Series:
        """The row of one fiscal period (``fiscal_period`` defaults to FY / Q4)."""
        wanted = fiscal_period or ("FY" if self.period == "annual" else "Q4")
        hit = self.frame[
            (self.frame["fiscal_year"] == fiscal_year) & (self.frame["fiscal_period"] == wanted)
        ]
        if hit.empty:
            raise DataNotFound(
                f"{self.company}: no {self.concept} for fiscal {fiscal_year} {wanted} "
                f"(have {self.frame['fiscal_year'].min()}–{self.frame['fiscal_year'].max()})"
            )
        return hit.iloc[-1]

    def value(self, fiscal_year: int, fiscal_period: str | None = None) -> float:
        return float(self.row(fiscal_year, fiscal_period)["value"])


def fiscal_calendar(facts: pd.DataFrame) -> dict[pd.Timestamp, tuple[int, str]]:
    """Period end → (fiscal year, fiscal period) as the company labelled its own filings.

    Each 10-K/10-Q's current period is the latest ``end`` among its duration facts; the
    filing's fy/fp label that period (comparatives carry the filing's label, not theirs).
    """
    durations = facts[facts["start"].notna() & facts["form"].isin(ANNUAL_FORMS | {"10-Q"})]
    if durations.empty:
        return {}
    current = durations.sort_values("end").groupby("accession", sort=False).tail(1)
    current = current.dropna(subset=["fy", "fp"]).sort_values("filed")
    calendar: dict[pd.Timestamp, tuple[int, str]] = {}
    for end, fy, fp in zip(current["end"], current["fy"], current["fp"], strict=True):
        calendar[end] = (int(fy), str(fp))
    return calendar


def _latest(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key, the best tag (lowest priority number), then its latest-filed row."""
    best_tag = rows.groupby(keys)["priority"].transform("min")
    rows = rows[rows["priority"] == best_tag]
    return rows.sort_values("filed").groupby(keys, sort=False).tail(1)


def _derive_quarters(ytd: pd.DataFrame) -> pd.DataFrame:
    """Discrete quarters from year-to-date values, per tag: YTD(k) − YTD(k−1).

    Vectorised over all tags at once (shift within tag and fiscal-year start) instead of
    a Python loop over ``to_dict`` records per tag, for speed (measured, with
    :class:`ConceptReader`: 252 reads of 3 companies 2.9 s → 1.3 s; a quarterly read
    ~8 ms). Rows come out in the old order (tag, start, end) so ties resolve as before.
    """
    import pandas as pd

    # per (tag, start, end) the latest filing; the multi-key sort is stable (lexsort)
    cumulative = ytd.sort_values("filed").groupby(["tag", "start", "end"]).tail(1)
    cumulative = cumulative.sort_values(["tag", "start", "end"])
    previous = cumulative.groupby(["tag", "start"], sort=False)[["end", "days", "value"]].shift(1)
    gap = cumulative["days"] - previous["days"]
    keep = gap.between(*QUARTER_DAYS).to_numpy()
    current, previous = cumulative[keep], previous[keep]
    how = [
        f"derived: {'FY' if days >= ANNUAL_DAYS[0] else f'{round(days / 30.4)}M'} − "
        f"{round(before / 30.4)}M year-to-date (year from {pd.Timestamp(start):%Y-%m-%d})"
        for days, before, start in zip(current["days"].astype(int),
                                       previous["days"].astype(int), current["start"],
                                       strict=True)
    ]
    return pd.DataFrame({
        **{k: current[k].to_numpy() for k in ("end", "tag", "priority", "form", "filed",
                                              "accession")},
        "start": (previous["end"] + pd.Timedelta(days=1)).to_numpy(),
        "value": (current["value"].astype(float) - previous["value"].astype(float)).to_numpy(),
        "derived": True,
        "how": how,
    })


class ConceptReader:
    """Reads concepts from one company's facts frame, each (concept, period) once.

    The ``taxonomy:Name`` tag column, the fiscal calendar, the rows per tag set and the
    restatement index are computed once per frame rather than once per concept, for speed
    (measured: capex-chain's 51 reads + restatement checks 1.7 s → 0.38 s). Series are
    cached and shared: treat them as read-only.
    """

    def __init__(self, facts: pd.DataFrame, company: str = "company") -> None:
        self.facts, self.company = facts, company
        self._tagged: pd.Series | None = None
        self._calendar: dict[pd.Timestamp, tuple[int, str]] | None = None
        self._rows: dict[tuple[tuple[str, ...], str], pd.DataFrame] = {}
        self._series: dict[tuple[ConceptSpec, str], ConceptSeries | None] = {}
        self._filings: dict[str, dict[tuple[str, pd.Timestamp, pd.Timestamp],
                                      list[tuple[pd.Timestamp, float]]]] = {}

    @property
    def calendar(self) -> dict[pd.Timestamp, tuple[int, str]]:
        if self._calendar is None:
            self._calendar = fiscal_calendar(self.facts)
        return self._calendar

    def tag_rows(self, tags: tuple[str, ...], unit: str) -> pd.DataFrame:
        """Facts rows of ``tags`` (``taxonomy:Name``) in ``unit``, in frame order, with
        a ``tag`` column."""
        key = (tags, unit)
        if key not in self._rows:
            facts = self.facts
            if self._tagged is None:
                self._tagged = facts["taxonomy"] + ":" + facts["concept"]
            tagged = self._tagged
            rows = facts[tagged.isin(tags) & (facts["unit"] == unit)].copy()
            rows["tag"] = tagged[rows.index]
            self._rows[key] = rows
        return self._rows[key]

    def filings(self, unit: str) -> dict[tuple[str, pd.Timestamp, pd.Timestamp],
                                          list[tuple[pd.Timestamp, float]]]:
        """(filed, value) of every duration fact in ``unit`` per (tag, start, end), in
        frame order: the restatement check's index, built once per unit."""
        if unit not in self._filings:
            rows = self.facts[(self.facts["unit"] == unit) & self.facts["start"].notna()
                              & self.facts["end"].notna()]
            index: dict[tuple[str, pd.Timestamp, pd.Timestamp],
                        list[tuple[pd.Timestamp, float]]] = {}
            for taxonomy, name, start, end, filed, value in zip(
                rows["taxonomy"], rows["concept"], rows["start"], rows["end"], rows["filed"],
                rows["value"], strict=True,
            ):
                index.setdefault((f"{taxonomy}:{name}", start, end), []).append(
                    (filed, float(value)))
            self._filings[unit] = index
        return self._filings[unit]

    def read(self, concept: str | ConceptSpec, period: PeriodKind = "annual") -> ConceptSeries:
        """As :func:`read_concept` on this reader's facts (cached per concept and period)."""
        spec = concept if isinstance(concept, ConceptSpec) else CONCEPTS.get(concept)
        if spec is None:
            raise DataNotFound(
                f"unknown concept {concept!r}; known: {', '.join(sorted(CONCEPTS))}")
        key = (spec, period)
        if key not in self._series:
            self._series[key] = _read(self, spec, period)
        series = self._series[key]
        if series is None:
            raise ConceptNotFound(self.company, spec.name, spec.tags, period)
        return series


def as_reader(facts: pd.DataFrame | ConceptReader, company: str = "company") -> ConceptReader:
    """``facts`` itself when already a reader, else a new reader over the frame."""
    return facts if isinstance(facts, ConceptReader) else ConceptReader(facts, company)


def read_concept(
    facts: pd.DataFrame | ConceptReader,
    concept: str | ConceptSpec,
    period: PeriodKind = "annual",
    *,
    company: str = "company",
) -> ConceptSeries:
    """Values of ``concept`` per fiscal period, with tag and filing; see the module docstring.

    ``facts`` is the standard facts frame of one company (``normalise_companyfacts``), or
    a :class:`ConceptReader` over it to read several concepts cheaply; ``company`` names it
    in errors and in the result.
    """
    if isinstance(facts, ConceptReader):
        return facts.read(concept, period)
    return ConceptReader(facts, company).read(concept, period)


def _read(reader: ConceptReader, spec: ConceptSpec, period: PeriodKind) -> ConceptSeries | None:
    import pandas as pd

    rows = reader.tag_rows(spec.tags, spec.unit).copy()
    rows["priority"] = rows["tag"].map({tag: i for i, tag in enumerate(spec.tags)})
    rows["days"] = (rows["end"] - rows["start"]).dt.days
    rows = rows.sort_values(["priority", "filed"])
    calendar = reader.calendar
    notes: list[str] = []
    if spec.instant:
        wanted = {"FY"} if period == "annual" else {"Q1", "Q2", "Q3", "Q4", "FY"}
        ends = {end for end, (_, fp) in calendar.items() if fp in wanted}
        picked = _latest(rows[rows["start"].isna() & rows["end"].isin(ends)], ["end"])
        picked = picked.assign(derived=False, how="reported (instant)")
    elif period == "annual":
        annual = rows[rows["form"].isin(ANNUAL_FORMS) & rows["days"].between(*ANNUAL_DAYS)]
        picked = _latest(annual, ["end"]).assign(derived=False, how="reported")
    else:
        direct = rows[rows["days"].between(*QUARTER_DAYS)].assign(derived=False, how="reported")
        pool = [direct]
        if spec.additive:
            derived = _derive_quarters(rows[rows["days"] >= QUARTER_DAYS[0]])
            if not derived.empty:
                pool.append(derived)
        merged = pd.concat(pool, ignore_index=True)
        # a reported quarter beats a derived one of the same tag; tag priority beats both
        merged = merged.sort_values(["derived", "filed"], ascending=[False, True])
        best_tag = merged.groupby("end")["priority"].transform("min")
        merged = merged[merged["priority"] == best_tag]
        picked = merged.groupby("end", sort=False).tail(1)
        if picked["derived"].any():
            notes.append("some quarters are derived from year-to-date values (see 'how')")
    if picked.empty:
        return None
    return ConceptSeries(reader.company, spec.name, period, spec.unit,
                         _label(picked, calendar, period, notes), notes)


def _label(
    picked: pd.DataFrame,
    calendar: dict[pd.Timestamp, tuple[int, str]],
    period: PeriodKind,
    notes: list[str],
) -> pd.DataFrame:
    """Attach fiscal year/period from the company's own filings (fallback: calendar year)."""
    frame = picked.sort_values("end").reset_index(drop=True)
    years: list[int] = []
    periods: list[str] = []
    guessed = 0
    for end in frame["end"]:
        label = calendar.get(end)
        if label is None:
            guessed += 1
            label = (end.year, "FY" if period == "annual" else f"Q{(end.month - 1) // 3 + 1}")
        fy, fp = label
        if period == "quarterly" and fp == "FY":
            fp = "Q4"
        years.append(fy)
        periods.append("FY" if period == "annual" else fp)
    if guessed:
        notes.append(f"{guessed} period(s) not labelled by a filing: calendar year/quarter used")
    frame["fiscal_year"] = years
    frame["fiscal_period"] = periods
    frame["derived"] = frame["derived"].astype(bool)
    return frame[list(SERIES_COLUMNS)]
