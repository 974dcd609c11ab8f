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
from typing import TYPE_CHECKING, Any, Literal

from narrowgate.errors import DataNotFound

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
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


#: Sort key of a missing filing date: pandas sorts NaT last, so it maps above every date.
_NAT_LAST = 2**63 - 1


class _FactsArrays:
    """One company's facts frame as numpy columns, built once per :class:`ConceptReader`.

    Why: a read used to filter, copy, sort and group the (Arrow-string) facts frame with
    pandas at every step, ~20 ms a read and 16–20 reads a company. The reads below work
    on integer row positions into these arrays and build one small frame at the end
    (measured, warm, best of 5: Apple's 10 annual + 6 quarterly capex-chain reads 326 ms →
    30 ms). Dates stay in the frame's own datetime64 unit; ``*_key`` are their int64 views
    for grouping and sorting.
    """

    def __init__(self, facts: pd.DataFrame) -> None:
        import numpy as np
        import pandas as pd

        self.facts = facts
        #: ``taxonomy:Name`` per row (pandas, so taken slices keep the frame's string dtype)
        self.tagged: pd.Series = facts["taxonomy"] + ":" + facts["concept"]
        tag_code, tag_names = pd.factorize(self.tagged)
        unit_code, unit_names = pd.factorize(facts["unit"])
        self.tag_code: npt.NDArray[np.intp] = np.asarray(tag_code)
        self.tag_index = {str(name): i for i, name in enumerate(tag_names)}
        self.unit_code: npt.NDArray[np.intp] = np.asarray(unit_code)
        self.unit_index = {str(name): i for i, name in enumerate(unit_names)}
        self.start: npt.NDArray[np.datetime64] = facts["start"].to_numpy()
        self.end: npt.NDArray[np.datetime64] = facts["end"].to_numpy()
        self.filed: npt.NDArray[np.datetime64] = facts["filed"].to_numpy()
        self.start_key = self.start.view("int64")
        self.end_key = self.end.view("int64")
        self.filed_key = np.where(np.isnat(self.filed), _NAT_LAST, self.filed.view("int64"))
        self.value: npt.NDArray[np.float64] = np.asarray(
            facts["value"].to_numpy(dtype=np.float64, na_value=np.nan))
        self.accession_code: npt.NDArray[np.intp] = np.asarray(
            pd.factorize(facts["accession"])[0])
        self.annual_form: npt.NDArray[np.bool_] = facts["form"].isin(ANNUAL_FORMS).to_numpy()
        # duration in whole days, floored like pandas' ``.dt.days``; NaN for instants
        dated = ~np.isnat(self.start) & ~np.isnat(self.end)
        self.days: npt.NDArray[np.float64] = np.full(len(facts), np.nan)
        self.days[dated] = (self.end[dated] - self.start[dated]) // np.timedelta64(1, "D")

    def rows(self, tags: tuple[str, ...], unit: str
             ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Positions of the rows of ``tags`` in ``unit`` and each row's tag priority (index
        in ``tags``), sorted by priority then filing date (stable: ties keep frame order,
        as pandas' multi-column ``sort_values`` does)."""
        import numpy as np

        priority_of_code = np.full(len(self.tag_index) + 1, -1)  # last slot: missing tag
        for i, tag in enumerate(tags):
            if tag in self.tag_index:
                priority_of_code[self.tag_index[tag]] = i
        unit_code = self.unit_index.get(unit, -2)
        priority = priority_of_code[self.tag_code]
        positions = np.flatnonzero((priority >= 0) & (self.unit_code == unit_code))
        priority = priority[positions]
        order = np.lexsort((self.filed_key[positions], priority))
        return positions[order], priority[order]


def _sort_like_pandas(values: npt.NDArray[np.datetime64]) -> npt.NDArray[np.intp]:
    """Positions that sort ``values`` exactly as ``DataFrame.sort_values(column)`` does.

    pandas sorts one datetime column with numpy's (unstable) quicksort over the non-missing
    values and puts NaT last; calling the same argsort on the same array reproduces its
    order of equal dates, on which the latest-filing picks depend (bit-identical results).
    """
    import numpy as np

    missing = np.isnat(values)
    if not missing.any():
        return values.argsort(kind="quicksort")
    index = np.arange(len(values))
    present = index[~missing][values[~missing].argsort(kind="quicksort")]
    return np.concatenate([present, index[missing]])


def _last_of_each(*keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """True at the last row of each distinct key tuple: ``groupby(keys).tail(1)``.

    Hand-written over numpy rather than a pandas groupby because it runs on a few hundred
    int64 keys several times a read, where the groupby's fixed cost dominated (~1 ms each).
    """
    import numpy as np

    size = len(keys[0])
    last = np.zeros(size, dtype=bool)
    if size == 0:
        return last
    order = np.lexsort(keys[::-1])  # stable: rows with equal keys keep their order
    boundary = np.zeros(size, dtype=bool)
    boundary[-1] = True
    for key in keys:
        ordered = key[order]
        boundary[:-1] |= ordered[1:] != ordered[:-1]
    last[order[boundary]] = True
    return last


def _best_priority(end_key: npt.NDArray[np.int64], priority: npt.NDArray[np.intp]
                   ) -> npt.NDArray[np.bool_]:
    """True where a row's tag priority is the best (lowest) among rows of its period end."""
    import numpy as np

    if len(end_key) == 0:
        return np.zeros(0, dtype=bool)
    _, group = np.unique(end_key, return_inverse=True)
    best = np.full(int(group.max()) + 1, np.iinfo(np.int64).max)
    np.minimum.at(best, group, priority)
    return np.asarray(priority == best[group])


def _latest(a: _FactsArrays, positions: npt.NDArray[np.intp], priority: npt.NDArray[np.intp]
            ) -> npt.NDArray[np.intp]:
    """Per period end, the best tag (lowest priority number), then its latest-filed row."""
    keep = _best_priority(a.end_key[positions], priority)
    positions = positions[keep]
    positions = positions[_sort_like_pandas(a.filed[positions])]
    return positions[_last_of_each(a.end_key[positions])]


def _derive_quarters(a: _FactsArrays, positions: npt.NDArray[np.intp],
                     priority: npt.NDArray[np.intp], tags: tuple[str, ...]
                     ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp],
                                npt.NDArray[np.intp]]:
    """Discrete quarters from year-to-date rows, per tag: YTD(k) − YTD(k−1).

    Per (tag, start, end) the latest filing is kept; within a tag and fiscal-year start,
    consecutive cumulative periods 80–100 days apart give a quarter. Returns the positions
    of the later (current) and earlier (previous) cumulative rows and the current rows'
    priorities, in (tag, start, end) order so ties resolve as the pandas version did.
    """
    import numpy as np

    order = _sort_like_pandas(a.filed[positions])
    positions, priority = positions[order], priority[order]
    last = _last_of_each(a.tag_code[positions], a.start_key[positions], a.end_key[positions])
    positions, priority = positions[last], priority[last]
    # tags sort as strings (pandas orders a string key by value, not by first appearance)
    rank_of_code = np.zeros(len(a.tag_index) + 1, dtype=np.intp)
    for rank, name in enumerate(sorted(tags)):
        if name in a.tag_index:
            rank_of_code[a.tag_index[name]] = rank
    order = np.lexsort((a.end_key[positions], a.start_key[positions],
                        rank_of_code[a.tag_code[positions]]))
    positions, priority = positions[order], priority[order]
    tag, start = a.tag_code[positions], a.start_key[positions]
    current = np.flatnonzero((tag[1:] == tag[:-1]) & (start[1:] == start[:-1])) + 1
    gap = a.days[positions[current]] - a.days[positions[current - 1]]
    current = current[(gap >= QUARTER_DAYS[0]) & (gap <= QUARTER_DAYS[1])]
    return positions[current], positions[current - 1], priority[current]


def _derived_how(a: _FactsArrays, current: int, previous: int) -> str:
    """The ``how`` text of a derived quarter, e.g. 'derived: 6M − 3M year-to-date (…)'."""
    import pandas as pd

    days, before = int(a.days[current]), int(a.days[previous])
    span = "FY" if days >= ANNUAL_DAYS[0] else f"{round(days / 30.4)}M"
    return (f"derived: {span} − {round(before / 30.4)}M year-to-date (year from "
            f"{pd.Timestamp(a.start[current]):%Y-%m-%d})")


class ConceptReader:
    """Reads concepts from one company's facts frame, each (concept, period) once.

    The facts are turned into numpy columns once (:class:`_FactsArrays`) and the fiscal
    calendar and the restatement index are built once per frame rather than once per
    concept, for speed (measured: capex-chain's 51 reads + restatement checks 1.7 s →
    0.38 s with per-frame caches; the numpy reads then cut the reads ~10×). Series are
    cached and shared: treat them as read-only, and do not change the facts frame under a
    reader.
    """

    def __init__(self, facts: pd.DataFrame, company: str = "company") -> None:
        self.facts, self.company = facts, company
        self._arrays: _FactsArrays | None = None
        self._calendar: dict[pd.Timestamp, tuple[int, str]] | None = None
        self._labels: dict[int, tuple[int, str]] | None = None
        self._calendar_entries: list[tuple[int, tuple[int, str]]] | None = None
        self._rows: dict[tuple[tuple[str, ...], str], pd.DataFrame] = {}
        self._series: dict[tuple[ConceptSpec, str], ConceptSeries | None] = {}
        self._filings: dict[str, dict[tuple[str, int, int], list[tuple[int, float]]]] = {}

    @property
    def arrays(self) -> _FactsArrays:
        if self._arrays is None:
            self._arrays = _FactsArrays(self.facts)
        return self._arrays

    @property
    def calendar(self) -> dict[pd.Timestamp, tuple[int, str]]:
        """Period end → (fiscal year, fiscal period): see :func:`fiscal_calendar`."""
        if self._calendar is None:
            import pandas as pd

            a = self.arrays
            self._calendar = {pd.Timestamp(a.end[i]): label for i, label in self._entries()}
        return self._calendar

    @property
    def labels(self) -> dict[int, tuple[int, str]]:
        """The calendar keyed by the period end's int64 view (the reads' lookup)."""
        if self._labels is None:
            a = self.arrays
            self._labels = {int(a.end_key[i]): label for i, label in self._entries()}
        return self._labels

    def _entries(self) -> list[tuple[int, tuple[int, str]]]:
        if self._calendar_entries is None:
            self._calendar_entries = _calendar_entries(self.facts, self.arrays)
        return self._calendar_entries

    def tag_rows(self, tags: tuple[str, ...], unit: str) -> pd.DataFrame:
        """Facts rows of ``tags`` (``taxonomy:Name``) in ``unit``, in frame order, with
        a ``tag`` column."""
        key = (tags, unit)
        if key not in self._rows:
            facts, tagged = self.facts, self.arrays.tagged
            rows = facts[tagged.isin(tags) & (facts["unit"] == unit)].copy()
            rows["tag"] = tagged[rows.index]
            self._rows[key] = rows
        return self._rows[key]

    def filings(self, unit: str) -> dict[tuple[str, int, int], list[tuple[int, float]]]:
        """(filed, value) of every duration fact in ``unit`` per (tag, start, end), in frame
        order: the restatement check's index, built once per unit.

        Dates are the int64 views of the facts' own datetime64 unit (``arrays.start.dtype``)
        rather than Timestamps: building a Timestamp per row of the unit was most of the
        index's cost (measured: 17 ms → 0.9 ms for Apple's 1,794 capex-chain facts). Rows
        with no filing date are left out (no date is "earlier" than a missing one).
        """
        if unit not in self._filings:
            import numpy as np

            a = self.arrays
            wanted = (a.unit_code == self.arrays.unit_index.get(unit, -2)) \
                & ~np.isnat(a.start) & ~np.isnat(a.end) & ~np.isnat(a.filed)
            rows = np.flatnonzero(wanted)
            names = dict(zip(a.tag_index.values(), a.tag_index.keys(), strict=True))
            index: dict[tuple[str, int, int], list[tuple[int, float]]] = {}
            for code, start, end, filed, value in zip(
                a.tag_code[rows].tolist(), a.start_key[rows].tolist(), a.end_key[rows].tolist(),
                a.filed_key[rows].tolist(), a.value[rows].tolist(), strict=True,
            ):
                index.setdefault((names.get(code, "nan"), start, end), []).append((filed, value))
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


def _calendar_entries(facts: pd.DataFrame, a: _FactsArrays
                      ) -> list[tuple[int, tuple[int, str]]]:
    """(row position, (fiscal year, fiscal period)) of each filing's current period, in
    the order :func:`fiscal_calendar` assigns them (later filings overwrite earlier)."""
    import numpy as np

    durations = np.flatnonzero(
        ~np.isnat(a.start) & facts["form"].isin(ANNUAL_FORMS | {"10-Q"}).to_numpy())
    if len(durations) == 0:
        return []
    durations = durations[_sort_like_pandas(a.end[durations])]
    accession = a.accession_code[durations]
    current = durations[_last_of_each(accession) & (accession >= 0)]
    labelled = ~(facts["fy"].isna().to_numpy()[current] | facts["fp"].isna().to_numpy()[current])
    current = current[labelled]
    current = current[_sort_like_pandas(a.filed[current])]
    years = facts["fy"].iloc[current].tolist()
    periods = facts["fp"].iloc[current].tolist()
    return [(int(i), (int(fy), str(fp)))
            for i, fy, fp in zip(current, years, periods, strict=True)]


def fiscal_calendar(facts: pd.DataFrame) -> dict[pd.Timestamp, tuple[int, str]]:
    """Period end → (fiscal year, fiscal period) as the company labelled its own filings.

    Each 10-K/10-Q's current period is the latest ``end`` among its duration facts; the
    filing's fy/fp label that period (comparatives carry the filing's label, not theirs).
    """
    return ConceptReader(facts).calendar


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
    import numpy as np

    a = reader.arrays
    positions, priority = a.rows(spec.tags, spec.unit)
    days = a.days[positions]
    notes: list[str] = []
    none = np.zeros(0, dtype=np.intp)
    previous = none  # the earlier year-to-date row of each derived quarter
    mixed = False  # were derived quarters pooled with reported ones (pandas: a concat)?
    if spec.instant:
        wanted = {"FY"} if period == "annual" else {"Q1", "Q2", "Q3", "Q4", "FY"}
        ends = np.array([end for end, (_, fp) in reader.labels.items() if fp in wanted],
                        dtype=np.int64)
        keep = (np.isnat(a.start[positions]) & ~np.isnat(a.end[positions])
                & np.isin(a.end_key[positions], ends))
        picked = _latest(a, positions[keep], priority[keep])
        derived = np.zeros(len(picked), dtype=bool)
        how = "reported (instant)"
    elif period == "annual":
        keep = a.annual_form[positions] & (days >= ANNUAL_DAYS[0]) & (days <= ANNUAL_DAYS[1])
        picked = _latest(a, positions[keep], priority[keep])
        derived = np.zeros(len(picked), dtype=bool)
        how = "reported"
    else:
        direct = (days >= QUARTER_DAYS[0]) & (days <= QUARTER_DAYS[1])
        pool, pool_priority = positions[direct], priority[direct]
        pool_previous = np.full(len(pool), -1, dtype=np.intp)
        if spec.additive:
            ytd = days >= QUARTER_DAYS[0]
            current, earlier, current_priority = _derive_quarters(
                a, positions[ytd], priority[ytd], spec.tags)
            mixed = len(current) > 0
            pool = np.concatenate([pool, current])
            pool_priority = np.concatenate([pool_priority, current_priority])
            pool_previous = np.concatenate([pool_previous, earlier])
        is_derived = pool_previous >= 0
        # a reported quarter beats a derived one of the same tag; tag priority beats both
        order = np.lexsort((a.filed_key[pool], ~is_derived))
        pool, pool_priority, pool_previous = pool[order], pool_priority[order], \
            pool_previous[order]
        keep = _best_priority(a.end_key[pool], pool_priority)
        pool, pool_previous = pool[keep], pool_previous[keep]
        last = _last_of_each(a.end_key[pool])
        picked, previous = pool[last], pool_previous[last]
        derived = previous >= 0
        how = "reported"
        if derived.any():
            notes.append("some quarters are derived from year-to-date values (see 'how')")
    if len(picked) == 0:
        return None
    order = np.argsort(a.end_key[picked], kind="stable")  # one row per end: no ties
    picked, derived = picked[order], derived[order]
    previous = previous[order] if len(previous) else none
    frame = _series_frame(reader, picked, derived, previous, how, period, mixed, notes)
    return ConceptSeries(reader.company, spec.name, period, spec.unit, frame, notes)


def _series_frame(
    reader: ConceptReader,
    picked: npt.NDArray[np.intp],
    derived: npt.NDArray[np.bool_],
    previous: npt.NDArray[np.intp],
    how: str,
    period: PeriodKind,
    mixed: bool,
    notes: list[str],
) -> pd.DataFrame:
    """The series frame (SERIES_COLUMNS) of the picked rows, sorted by period end.

    Fiscal year/period come from the company's own filings (fallback: calendar year).
    Column dtypes are the facts frame's own, as the pandas version produced them: with
    derived quarters in the pool, ``value`` is float64 and ``start`` at least µs.
    """
    import numpy as np
    import pandas as pd

    a, facts = reader.arrays, reader.facts
    labels = reader.labels
    years: list[int] = []
    periods: list[str] = []
    guessed = 0
    for end_key, end in zip(a.end_key[picked].tolist(), a.end[picked], strict=True):
        label = labels.get(end_key)
        if label is None:
            guessed += 1
            stamp = pd.Timestamp(end)
            label = (stamp.year,
                     "FY" if period == "annual" else f"Q{(stamp.month - 1) // 3 + 1}")
        fy, fp = label
        if period == "quarterly" and fp == "FY":
            fp = "Q4"
        years.append(fy)
        periods.append("FY" if period == "annual" else fp)
    if guessed:
        notes.append(f"{guessed} period(s) not labelled by a filing: calendar year/quarter used")
    start: Any = a.start[picked]
    value: Any = facts["value"].array.take(picked)
    hows: list[str] = [how] * len(picked)
    if mixed:
        one_day = np.timedelta64(1, "D").astype("m8[us]")  # pandas' Timedelta(days=1) unit
        start = start + np.timedelta64(0, "us")  # the unit pandas' concat promotes to
        value = a.value[picked]
        where = np.flatnonzero(derived)
        before = previous[where]
        start[where] = a.end[before] + one_day
        value[where] = value[where] - a.value[before]
        for i, current, earlier in zip(where.tolist(), picked[where].tolist(),
                                       before.tolist(), strict=True):
            hows[i] = _derived_how(a, current, earlier)
    return pd.DataFrame({
        "fiscal_year": np.array(years, dtype=np.int64),
        "fiscal_period": periods,
        "start": start,
        "end": a.end[picked],
        "value": value,
        "tag": a.tagged.array.take(picked),
        "form": facts["form"].array.take(picked),
        "filed": a.filed[picked],
        "accession": facts["accession"].array.take(picked),
        "derived": derived.astype(bool),
        "how": hows,
    }, columns=list(SERIES_COLUMNS))

