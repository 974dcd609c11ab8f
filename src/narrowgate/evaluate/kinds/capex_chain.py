"""capex-chain: capex drains cash now, depreciation arrives later, so FCF is squeezed first.

For any set of companies. Version 2 decides each link of the chain on its own — the lag
(D&A / capex), the squeeze (capex / OCF rising), payout capacity and, where the params name
two proxies, "long-duration valuations hit first" — weighted across companies by capex,
fallback-data companies weighted down (rules and thresholds:
:mod:`narrowgate.evaluate.kinds.capex_chain_links`; the assessment:
:mod:`narrowgate.evaluate.kinds.capex_chain_assess`). The depreciation-lag model's
out-of-sample error is checked against a stated bound, and the years ahead are projected
under the capex guidance of another claim (``scenario_claim``, a ``guidance`` claim whose
unit is USD bn): its first guide (low/mid/high) and its revision are the capex scenarios.

Version 1's rule stays here as context (:func:`links`, :func:`chain_verdict`): every
measurable company needed capex growth minus D&A growth above a gap and falling FCF
conversion. It no longer decides: one company on two years of fallback data could flip it,
and a difference of two CAGRs says little about cash.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    RecordedSource,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.kinds.capex_chain_links import ChainLinkParams
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, DataUsed, Figure, MissingData, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.capex_inputs import CompanyChain
    from narrowgate.models.capex_projection import CapexScenario
    from narrowgate.thesis.schema import Claim


class ChainCompany(Params):
    """A company of the chain and, where it discloses one, its server/network useful life."""

    instrument: InstrumentId
    server_useful_life_years: float | None = Field(
        None, gt=0, le=15, description="disclosed server/network useful life (years), shown")
    source: RecordedSource | None = Field(None, description="where the life is disclosed")

    @model_validator(mode="after")
    def _sourced(self) -> ChainCompany:
        if (self.server_useful_life_years is None) != (self.source is None):
            raise ValueError(f"{self.instrument}: server_useful_life_years and source go "
                             "together")
        return self


class GuidanceYears(Params):
    """Which fiscal year a company's guidance figures belong to (when not the default)."""

    instrument: InstrumentId
    guidance_fiscal_year: int = Field(description="fiscal year of the first guide")
    revision_fiscal_year: int = Field(description="fiscal year of the revision")
    note: LocalizedText = Field(description="why the years differ (said in the notes)")


class CapexChainParams(ChainLinkParams):
    companies: list[ChainCompany] = Field(min_length=1, description="SEC companies whose "
                                                                  "chain is measured")
    controls: list[InstrumentId] = Field(default_factory=list,
                                         description="SEC companies checked as controls")
    group: LocalizedText = Field(
        default_factory=lambda: LocalizedText(zh="公司", en="companies"),
        description="what the companies are called in labels, e.g. hyperscalers")
    finance_lease_capex: list[InstrumentId] = Field(
        default_factory=list, description="companies whose capex (and guidance) includes "
                                          "finance-lease principal")
    history_start_year: int = Field(ge=2000, description="first fiscal year read")
    fit_end_year: int = Field(description="out-of-sample rows after this year are scored")
    test_end_year: int = Field(description="last fiscal year scored out of sample")
    pattern_start_year: int = Field(description="first fiscal year of the measured pattern")
    scenario_claim: str | None = Field(
        None, description="id of a guidance claim (USD bn) whose figures are the capex "
                          "scenarios; none: no projection")
    default_guidance_year: int | None = Field(
        None, description="fiscal year the guidance belongs to (needed with scenario_claim)")
    guidance_years: list[GuidanceYears] = Field(
        default_factory=list, description="companies whose guidance belongs to other fiscal "
                                          "years than default_guidance_year")
    projection_years: int = Field(3, ge=1, le=10, description="years projected (count)")
    capex_growth_after: float = Field(
        0.0, ge=-0.5, le=1.0, description="capex growth a year after the guided year "
                                          "(fraction)")
    ocf_growth: dict[str, float] = Field(
        default_factory=lambda: {"base": 0.1},
        description="OCF growth scenarios: name → growth a year (fraction)")
    headline_ocf_scenario: str = Field("base", description="the OCF scenario shown as figures")
    tax_rate: float = Field(0.15, ge=0, lt=1, description="tax rate (fraction)")
    max_oos_error_pct: float = Field(
        10.0, gt=0, description="one-year-ahead |error| of predicted depreciation allowed (%)")
    oos_bound_overrides: dict[str, float] = Field(
        default_factory=dict, description="instrument → its own error bound (%)")
    min_capex_growth_gap: float = Field(
        0.10, description="capex CAGR − D&A CAGR at least (fraction)")
    max_fcf_conversion_change: float = Field(
        -0.05, description="FCF/NI change at most (ratio)")
    min_buybacks_to_fcf: float = Field(0.5, gt=0, description="buybacks / FCF at least (ratio)")
    fcf_to_net_income_floor: float = Field(
        0.6, gt=0, description="projected FCF / net income below this while NI grows → "
                               "squeeze (ratio)")
    min_measured: int = Field(2, ge=1, description="companies with both links measurable "
                                                   "needed for any verdict")
    min_measured_for_support: int = Field(
        3, ge=1, description="companies with both links measurable needed for supported")
    untested_note: LocalizedText | None = Field(
        None, description="a link of the claim this kind does not measure (said in the notes)")

    sensitivity_lives: list[float] = Field(
        default_factory=lambda: [4.0, 5.0, 6.0, 7.0],
        description="server/network useful lives (years) of the sensitivity table")
    sensitivity_growths: list[float] = Field(
        default_factory=lambda: [0.0, 0.2, 0.4],
        description="capex growth a year (fractions) from the base year, sensitivity table")
    sensitivity_headline_growth: float = Field(
        0.2, description="the capex growth whose D&A drag by life is shown as figures")
    sensitivity_year_offset: int = Field(
        2, ge=1, le=3, description="drag shown for the base fiscal year + this (years)")

    @model_validator(mode="after")
    def _years(self) -> CapexChainParams:
        if not self.history_start_year < self.fit_end_year < self.test_end_year:
            raise ValueError("need history_start_year < fit_end_year < test_end_year")
        if self.scenario_claim is not None and self.default_guidance_year is None:
            raise ValueError("scenario_claim needs default_guidance_year (the fiscal year "
                             "the guidance belongs to)")
        if self.headline_ocf_scenario not in self.ocf_growth:
            raise ValueError("headline_ocf_scenario must be one of ocf_growth's names")
        if self.sensitivity_headline_growth not in self.sensitivity_growths:
            raise ValueError("sensitivity_headline_growth must be one of sensitivity_growths")
        if any(not 1 <= life <= 15 for life in self.sensitivity_lives):
            raise ValueError("sensitivity_lives must lie between 1 and 15 years")
        if self.min_measured_for_support < self.min_measured:
            raise ValueError("min_measured_for_support must be at least min_measured")
        return self

    def oos_bound(self, instrument: str) -> float:
        return self.oos_bound_overrides.get(instrument, self.max_oos_error_pct)

    def leases(self, ticker: str) -> bool:
        from narrowgate.evaluate.kinds.capex_inputs import ticker_of

        return ticker in {ticker_of(i) for i in self.finance_lease_capex}


def scenarios_by_ticker(params: CapexChainParams, ctx: EvalContext
                        ) -> dict[str, list[CapexScenario]]:
    """Capex scenarios per ticker from the scenario claim's guidance (fiscal-year mapped)."""
    from narrowgate.evaluate.kinds.capex_inputs import guidance_scenarios_for, ticker_of
    from narrowgate.evaluate.kinds.guidance import GuidanceParams

    if params.scenario_claim is None:
        return {}
    try:
        referenced = ctx.thesis.claim(params.scenario_claim)
    except KeyError:
        raise NarrowgateError(f"scenario_claim {params.scenario_claim!r} is no claim of thesis "
                              f"{ctx.thesis.id}", "name a guidance claim of the same thesis"
                              ) from None
    if referenced.test != "guidance":
        raise NarrowgateError(f"scenario_claim {params.scenario_claim!r} is a "
                              f"{referenced.test!r} claim, not a guidance claim",
                              "name a claim whose test is guidance")
    guide = GuidanceParams.model_validate(referenced.params)
    years = {g.instrument: g for g in params.guidance_years}
    default = params.default_guidance_year or 0  # set whenever scenario_claim is (validated)
    out: dict[str, list[CapexScenario]] = {}
    for company in guide.companies:
        mapped = years.get(company.instrument)
        g_year = mapped.guidance_fiscal_year if mapped else default
        r_year = mapped.revision_fiscal_year if mapped else g_year
        out[ticker_of(company.instrument)] = guidance_scenarios_for(
            company, g_year, r_year, params.capex_growth_after)
    return out


def links(chain: CompanyChain, params: CapexChainParams) -> dict[str, bool | None]:
    """The chain's measured links for one company: True, False or None (not measurable)."""
    from narrowgate.evaluate.kinds.capex_inputs import history_frame
    from narrowgate.models.capex_pattern import PatternThresholds

    p = chain.pattern
    if p is None:
        return {"lag": None, "squeeze": None, "buybacks": None}
    checks = p.checks(PatternThresholds(params.min_capex_growth_gap,
                                        params.max_fcf_conversion_change,
                                        params.min_buybacks_to_fcf))
    hist = history_frame(chain).loc[p.first_year:p.last_year]
    squeeze = checks["fcf_conversion_falls"]
    fcf = hist["fcf"].dropna()
    if squeeze is None and len(fcf) >= 2:
        squeeze = bool(fcf.iloc[-1] < fcf.iloc[0])  # net income missing: FCF itself
    buy = hist["buybacks"].dropna()
    buybacks: bool | None = None
    if len(buy) >= 2 and buy.abs().sum() > 0:
        buybacks = bool(buy.iloc[-1] < buy.iloc[0]) or bool(checks["buybacks_absorb_fcf"])
    return {"lag": checks["capex_outgrows_d_and_a"], "squeeze": squeeze, "buybacks": buybacks}


def chain_verdict(flags: dict[str, dict[str, bool | None]], oos_ok: list[bool],
                  params: CapexChainParams) -> Verdict:
    """Version 1's unanimity rule (context only): *supported* when every measurable company
    (at least ``min_measured_for_support``) shows the lag and the squeeze, buybacks fall or
    absorb most of FCF in half of them and the model meets its bound; *contradicted* when
    the lag or the squeeze is absent in most; *insufficient data* below ``min_measured``."""
    measured = {t: f for t, f in flags.items() if f["lag"] is not None and f["squeeze"] is not None}
    if len(measured) < params.min_measured:
        return Verdict.INSUFFICIENT_DATA
    both = sum(bool(f["lag"] and f["squeeze"]) for f in measured.values())
    no_lag = sum(f["lag"] is False for f in measured.values())
    no_squeeze = sum(f["squeeze"] is False for f in measured.values())
    buy = [f["buybacks"] for f in measured.values() if f["buybacks"] is not None]
    if no_lag > len(measured) / 2 or no_squeeze > len(measured) / 2:
        return Verdict.CONTRADICTED
    if (both == len(measured) and len(measured) >= params.min_measured_for_support and buy
            and sum(buy) >= len(buy) / 2 and all(oos_ok)):
        return Verdict.SUPPORTED
    return Verdict.MIXED


def build_all(params: CapexChainParams, ctx: EvalContext
              ) -> tuple[list[CompanyChain], list[CompanyChain], list[MissingData]]:
    """Chains of the companies and the controls; companies without any data → missing."""
    from narrowgate.evaluate.common import fetch_how
    from narrowgate.evaluate.kinds.capex_inputs import build_chain, ticker_of

    scenarios = scenarios_by_ticker(params, ctx)
    missing: list[MissingData] = []
    groups: list[list[CompanyChain]] = [[], []]
    for group, ids in enumerate(([c.instrument for c in params.companies], params.controls)):
        for instrument in ids:
            ticker = ticker_of(instrument)
            try:
                groups[group].append(build_chain(
                    ctx.hub, ticker, ctx.as_of, pattern_start=params.pattern_start_year,
                    finance_leases=params.leases(ticker),
                    scenarios=scenarios.get(ticker, []), ocf_growth=params.ocf_growth,
                    projection_years=params.projection_years, tax_rate=params.tax_rate,
                    sensitivity_lives=params.sensitivity_lives if group == 0 else (),
                    sensitivity_growths=params.sensitivity_growths))
            except NarrowgateError as exc:
                missing.append(MissingData(what=f"{instrument}: {exc.message}",
                                           **fetch_how([instrument])))
    return groups[0], groups[1], missing


@register
class CapexChain(AwaitingEvaluator[CapexChainParams]):
    test = "capex-chain"
    params_model = CapexChainParams
    title = "Capex → depreciation → earnings → FCF → buybacks, for any set of companies"
    capability = Capability.CAPEX_CHAIN
    measures = text(
        "按公司测量资本开支/经营现金流、折旧/资本开支、派现能力(自由现金流减分红)、净发债、净现金与"
        "在建工程;各环节按资本开支加权判定(备用数据公司降权),长久期环节比较两个代理标的的收益;"
        "拟合折旧滞后模型并做样本外检验;按指引情景推算未来几年。",
        "Per company: capex / OCF, D&A / capex, payout capacity (FCF − dividends), net debt "
        "issuance, net cash and construction in progress; each link decided weighted by "
        "capex across companies (fallback-data companies weighted down), the duration link "
        "on two proxies' returns; a depreciation-lag model fitted and tested out of sample; "
        "the years ahead projected under the guidance.",
    )

    def data_needs(self, params: CapexChainParams, ctx: EvalContext) -> list[DataNeed]:
        ids = [c.instrument for c in params.companies] + list(params.controls)
        return [DataNeed(instrument=i, kind="facts", start=date(params.history_start_year, 1, 1),
                         end=ctx.as_of, why="capex, D&A, OCF, net income, buybacks, dividends")
                for i in ids]

    def setup_figures(self, params: CapexChainParams, ctx: EvalContext) -> list[Figure]:
        out = [
            figure("oos_window", "样本外计分区间", "out-of-sample years scored",
                   f"{params.fit_end_year + 1}–{params.test_end_year}", "fiscal years"),
            figure("max_oos_error", "一年期误差上限", "1y-ahead error bound",
                   params.max_oos_error_pct, "%"),
            figure("min_growth_gap", "资本开支须超出折旧增速", "capex must outgrow D&A by",
                   round(params.min_capex_growth_gap * 100, 1), "percentage points"),
            figure("fcf_floor", "FCF/净利润阈值", "FCF / net income threshold",
                   params.fcf_to_net_income_floor, "ratio"),
        ]
        out += [figure(f"life_{c.instrument}", f"{c.instrument} 服务器折旧年限",
                       f"{c.instrument} server useful life", c.server_useful_life_years, "years")
                for c in params.companies if c.server_useful_life_years is not None]
        return out

    def recorded(self, params: CapexChainParams) -> list[DataUsed]:
        return [recorded_data(c.source, c.instrument, "server/network useful life")
                for c in params.companies if c.source is not None]

    def decide(self, claim: Claim, params: CapexChainParams, ctx: EvalContext
               ) -> Assessment | None:
        from narrowgate.evaluate.kinds.capex_chain_assess import assess

        if not hasattr(ctx.hub, "facts"):
            return None
        return assess(self, params, ctx)
