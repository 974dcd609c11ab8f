"""Capex-chain inputs per company, shared by the capex kinds and ``narrowgate capex``.

Why one place: the evaluator and the CLI must read the same figures the same way — SEC
facts through the hub where the store has them (filings after as-of dropped, so a replay
sees what was knowable then), else the bundled FACTS.md 3a fallback, marked ``fallback``
in every piece of provenance. The models (pure) then fit, check and project. pandas and
the models are imported inside functions: evaluator modules must import cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from narrowgate.errors import DataNotFound, NarrowgateError
from narrowgate.evaluate.hubdata import provenance_to_data
from narrowgate.evaluate.verdict import DataUsed

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.data.concepts import ConceptReader
    from narrowgate.evaluate.kinds.guidance import CompanyGuidance
    from narrowgate.models.capex import CompanyFinancials
    from narrowgate.models.capex_pattern import CapexChainPattern
    from narrowgate.models.capex_projection import CapexScenario
    from narrowgate.models.capex_ttm import Trailing
    from narrowgate.models.depreciation import LifeSchedule
    from narrowgate.models.depreciation_fit import DepreciationFit

FALLBACK_NOTE = "bundled FACTS.md 3a fallback (no SEC facts in the store for this company)"


def ticker_of(instrument: str) -> str:
    """'sec:NVDA' → 'NVDA' (a bare ticker passes through, upper-cased)."""
    return instrument.partition(":")[2].upper() if ":" in instrument else instrument.upper()


def _facts_tags() -> list[str]:
    from narrowgate.data.concepts import concept_tags
    from narrowgate.models.capex import FIELDS
    from narrowgate.models.capex_cash import cash_tags

    tags = {"Depreciation", *cash_tags()}
    for name in FIELDS:
        if name != "depreciation":
            tags.update(concept_tags(name))
    return sorted(tags)


def sec_facts(hub: Any, ticker: str, as_of: date, tags: Sequence[str] | None = None
              ) -> tuple[pd.DataFrame, DataUsed]:
    """Facts of ``sec:<ticker>`` filed on or before ``as_of``, with their provenance.

    DataNotFound when the store (or, online, the provider) has none: the caller decides
    whether a fallback exists.
    """
    import pandas as pd

    if hub is None:
        raise DataNotFound(f"no data hub to read sec:{ticker}",
                           "evaluate with a DataView over the local store",
                           fetch=(f"sec:{ticker}",))
    result = hub.facts(f"sec:{ticker}", list(tags) if tags else _facts_tags())
    frame = result.frame
    frame = frame[pd.to_datetime(frame["filed"]) <= pd.Timestamp(as_of)]
    if frame.empty:
        raise DataNotFound(f"sec:{ticker}: no facts filed on or before {as_of}")
    used = provenance_to_data(result.provenance[0],
                              note=f"SEC facts filed on or before {as_of}")
    return frame, used


def _trailing_sec(ticker: str, facts: pd.DataFrame | ConceptReader, notes: list[str]
                  ) -> Trailing | None:
    from narrowgate.models.capex_ttm import ttm_from_facts

    try:
        trailing, _ = ttm_from_facts(ticker, facts)
    except NarrowgateError as exc:
        notes.append(f"no TTM figures: {exc}")
        return None
    notes.extend(trailing.notes)
    return trailing


def _trailing_fallback(ticker: str, table: pd.DataFrame, as_of: date, notes: list[str]
                       ) -> Trailing | None:
    import pandas as pd

    from narrowgate.models.capex_ttm import ttm_from_fallback

    trailing = ttm_from_fallback(ticker, table)
    if trailing is not None and trailing.end > pd.Timestamp(as_of):
        notes.append(f"recorded {trailing.label} not shown: it ends after as-of {as_of}")
        return None
    return trailing


def load_company(hub: Any, ticker: str, as_of: date
                 ) -> tuple[CompanyFinancials, Trailing | None, list[DataUsed], list[str]]:
    """Annual financials, TTM figures (None where there are none), provenance and notes:
    SEC facts where the store has them, else the bundled fallback (marked fallback).

    DataNotFound when neither has the company; InvalidCapex / FiscalYearChange /
    ConceptNotFound when the SEC facts are unusable (never a silent zero).
    """
    from narrowgate.data.concepts import ConceptReader
    from narrowgate.data.fallback import load_hyperscaler_cashflows
    from narrowgate.models.capex import financials_from_facts, financials_from_fallback
    from narrowgate.models.capex_cash import cash_fields_from_facts, with_cash_fields

    notes: list[str] = []
    try:
        facts, used = sec_facts(hub, ticker, as_of)
    except DataNotFound:
        table = load_hyperscaler_cashflows()
        fin = financials_from_fallback(ticker, table)  # DataNotFound if not there either
        trailing = _trailing_fallback(ticker, table, as_of, notes)
        rows = table[(table["ticker"] == ticker) & (table["period"] == "FY")]
        sources = "; ".join(dict.fromkeys(rows["source"].astype(str)))
        marks = ", ".join(sorted({f"{f} FY{y}" for f, y, u in zip(
            rows["field"], rows["fiscal_year"], rows["unverified"], strict=True) if u}))
        note = FALLBACK_NOTE + (f"; UNVERIFIED: {marks}" if marks else "")
        years = fin.years
        return fin, trailing, [DataUsed(
            instrument=f"sec:{ticker}", source=f"fallback: {sources}",
            start=date(min(years), 1, 1) if years else None,
            end=date(max(years), 12, 31) if years else None,
            rows=len(rows), note=note, fallback=True,
        )], notes
    # one reader: the annual and quarterly reads share the tag column and fiscal calendar
    reader = ConceptReader(facts, ticker)
    fin = financials_from_facts(ticker, reader)
    cash_fields, cash_notes = cash_fields_from_facts(ticker, reader)
    fin = with_cash_fields(fin, cash_fields, cash_notes)
    trailing = _trailing_sec(ticker, reader, notes)
    return fin, trailing, [used.model_copy(update={"note": f"{used.note}; tags: "
                                                   f"{', '.join(fin.sources())}"})], notes


def life_schedule(ticker: str, override_years: float | None = None) -> LifeSchedule | None:
    """The stated server/network life history (FACTS.md 3b); None → fitted (NVDA, AAPL)."""
    from narrowgate.data.fallback import load_useful_lives
    from narrowgate.models.depreciation import LifeSchedule, life_schedule_from_table

    if override_years is not None:
        return LifeSchedule.constant(override_years, "override")
    try:
        return life_schedule_from_table(ticker, load_useful_lives())
    except DataNotFound:
        return None


@dataclass
class CompanyChain:
    """Everything the capex chain measures for one company; absent parts say why."""

    ticker: str
    financials: CompanyFinancials
    data: list[DataUsed]
    finance_leases: bool
    life: LifeSchedule | None
    pattern: CapexChainPattern | None = None
    fit: DepreciationFit | None = None
    oos: pd.DataFrame | None = None
    projection: pd.DataFrame | None = None
    trailing: Trailing | None = None
    sensitivity: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def fallback(self) -> bool:
        return self.financials.uses_fallback


def build_chain(
    hub: Any, ticker: str, as_of: date, *, pattern_start: int | None = None,
    finance_leases: bool = False, scenarios: Sequence[CapexScenario] = (),
    ocf_growth: Mapping[str, float] | None = None,
    projection_years: int = 3, life_override: float | None = None, tax_rate: float = 0.15,
    sensitivity_lives: Sequence[float] = (), sensitivity_growths: Sequence[float] = (0.0,),
) -> CompanyChain:
    """Financials (annual and TTM) → pattern → depreciation fit → out-of-sample check →
    projections → useful-life sensitivity (when ``sensitivity_lives`` is given).

    ``finance_leases``: the company's capex (and its guidance) includes finance-lease
    principal, so the chain adds it to purchases of property and equipment.
    Each step that cannot run (too few years, no D&A, no guidance) leaves its part None and
    a note; a company with no data at all raises DataNotFound, unusable SEC facts (zero or
    negative capex, a fiscal-year change, a missing required concept) raise their error.
    """
    from narrowgate.models.capex_pattern import capex_chain_pattern
    from narrowgate.models.capex_projection import life_sensitivity, project_capex_chain
    from narrowgate.models.depreciation_fit import fit_financials, out_of_sample_financials

    fin, trailing, data, load_notes = load_company(hub, ticker, as_of)
    if not fin.years:
        raise DataNotFound(
            f"{ticker}: no capex figures (the bundled fallback holds only "
            f"{', '.join(sorted(fin.fields)) or 'nothing'} for it)",
            "fetch its SEC facts", fetch=(f"sec:{ticker}",))
    leases = finance_leases
    life = life_schedule(ticker, life_override)
    chain = CompanyChain(ticker, fin, data, leases, life, trailing=trailing,
                         notes=[*fin.notes, *load_notes])
    if leases:
        chain.notes.append("capex includes finance-lease principal (as the company's guidance "
                           "does)")
    if life is None:
        chain.notes.append("no stated server life (FACTS.md 3b): the life is fitted")
    try:
        chain.pattern = capex_chain_pattern(fin, first_year=pattern_start,
                                            include_finance_leases=leases)
    except NarrowgateError as exc:
        chain.notes.append(f"pattern not measured: {exc}")
    try:
        chain.fit = fit_financials(fin, life, include_finance_leases=leases)
        chain.notes.extend(chain.fit.notes)
        chain.oos = out_of_sample_financials(fin, life, include_finance_leases=leases)
    except NarrowgateError as exc:
        chain.notes.append(f"depreciation model not fitted: {exc}")
    if chain.fit is not None and scenarios and ocf_growth:
        base = max(chain.fit.years)
        years = list(range(base + 1, base + 1 + projection_years))
        try:
            chain.projection = project_capex_chain(
                fin, chain.fit, scenarios, ocf_growth, years, tax_rate=tax_rate,
                include_finance_leases=leases)
        except (NarrowgateError, ValueError) as exc:
            chain.notes.append(f"no projection: {exc}")
    if chain.fit is not None and sensitivity_lives:
        base = max(chain.fit.years)
        chain.sensitivity = life_sensitivity(
            fin, chain.fit, sensitivity_lives, sensitivity_growths,
            range(base + 1, base + 1 + projection_years), include_finance_leases=leases)
    return chain


def history_frame(chain: CompanyChain) -> pd.DataFrame:
    """Reported capex, D&A, OCF, FCF, net income, FCF/NI, buybacks, dividends by fiscal year
    (USD bn), capex counted as the chain counts it (:meth:`CompanyFinancials.history`)."""
    return chain.financials.history(chain.finance_leases)


def guidance_scenarios_for(
    company: CompanyGuidance, guidance_year: int, revision_year: int | None,
    growth_after: float
) -> list[CapexScenario]:
    """'guide-low/mid/high' from the first guidance and 'revised-…' from the later revision
    of one ``guidance`` company entry (figures in USD bn).

    ``guidance_year`` / ``revision_year`` are the company's fiscal years the figures are
    assigned to. When they differ (e.g. a fiscal-year estimate first, a calendar-year figure
    later) the revised path keeps the first figure for its year and puts the revision on
    ``revision_year``; later years grow at ``growth_after`` (a fraction a year).
    """
    from narrowgate.models.capex_projection import CapexScenario

    g = company.guidance
    points = {"low": g.low, "mid": g.mid, "high": g.high}
    out = [CapexScenario(f"guide-{k}", {guidance_year: v}, growth_after)
           for k, v in points.items()]
    r = company.revision
    if r is not None:
        year = revision_year if revision_year is not None else guidance_year
        revised = {"low": r.low, "mid": r.mid, "high": r.high}
        for k, v in revised.items():
            path = {guidance_year: points[k]} if year > guidance_year else {}
            path[year] = v
            out.append(CapexScenario(f"revised-{k}", path, growth_after))
    return out
