"""capex-chain: capex drains cash now, depreciation arrives later, so FCF is squeezed first.

Decided on the measured pattern per hyperscaler (capex growth against D&A growth, FCF
conversion — or FCF itself where net income is not in the source — and buybacks against
FCF), with thresholds from the params. The depreciation-lag model's out-of-sample error
(SEC companies) is checked against a stated bound, and the 2026–2028 projections under
the capex-total guidance (February low/mid/high and the April-2026 revision) are shown as
figures and charts. The last link ("long-duration valuations are hit first") is not
measured here: capex-no-buyback and the valuation claims carry it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

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
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, DataUsed, Figure, MissingData

if TYPE_CHECKING:
    from narrowgate.evaluate.capex_data import CompanyChain
    from narrowgate.models.capex_projection import CapexScenario
    from narrowgate.thesis.schema import Claim


class UsefulLife(Params):
    """A firm's server/network useful life, as disclosed (the depreciation lag's anchor)."""

    instrument: InstrumentId
    server_useful_life_years: float = Field(gt=0, le=15)
    source: RecordedSource


class GuidanceYears(Params):
    """Which fiscal year a company's guidance figures belong to (when not calendar 2026)."""

    instrument: InstrumentId
    guidance_fiscal_year: int
    revision_fiscal_year: int
    note: str = Field(min_length=1)


class CapexChainParams(Params):
    companies: list[UsefulLife] = Field(min_length=1)
    controls: list[InstrumentId] = Field(default_factory=list,
                                         description="SEC companies checked as controls")
    history_start_year: int = Field(ge=2000, description="first fiscal year read")
    fit_end_year: int = Field(description="out-of-sample rows after this year are scored")
    test_end_year: int = Field(description="last fiscal year scored out of sample")
    pattern_start_year: int = Field(2021, description="first year of the measured pattern")
    scenario_claim: str = Field(description="claim whose guidance gives the capex scenarios")
    guidance_years: list[GuidanceYears] = Field(default_factory=list)
    default_guidance_year: int = 2026
    capex_growth_after: float = Field(0.0, ge=-0.5, le=1.0)
    ocf_growth: dict[str, float] = Field(default_factory=lambda: {"base": 0.1})
    headline_ocf_scenario: str = "base"
    tax_rate: float = Field(0.15, ge=0, lt=1)
    max_oos_error_pct: float = Field(
        10.0, gt=0, description="one-year-ahead |error| of predicted depreciation allowed")
    oos_bound_overrides: dict[str, float] = Field(default_factory=dict)
    min_capex_growth_gap: float = Field(0.10, description="capex CAGR − D&A CAGR at least")
    max_fcf_conversion_change: float = Field(-0.05, description="FCF/NI change at most")
    min_buybacks_to_fcf: float = Field(0.5, gt=0)
    fcf_to_net_income_floor: float = Field(
        0.6, gt=0, description="projected FCF / net income below this while NI grows → squeeze")

    sensitivity_lives: list[float] = Field(
        default_factory=lambda: [4.0, 5.0, 6.0, 7.0],
        description="server/network useful lives (years) of the sensitivity table")
    sensitivity_growths: list[float] = Field(
        default_factory=lambda: [0.0, 0.2, 0.4],
        description="capex growth a year (fractions) from the base year, sensitivity table")
    sensitivity_headline_growth: float = Field(
        0.2, description="the capex growth whose D&A drag by life is shown as figures")
    sensitivity_year_offset: int = Field(
        2, ge=1, le=3, description="drag shown for base year + this (2 → FY2027)")

    @model_validator(mode="after")
    def _years(self) -> CapexChainParams:
        if not self.history_start_year < self.fit_end_year < self.test_end_year:
            raise ValueError("need history_start_year < fit_end_year < test_end_year")
        if self.headline_ocf_scenario not in self.ocf_growth:
            raise ValueError("headline_ocf_scenario must be one of ocf_growth's names")
        if self.sensitivity_headline_growth not in self.sensitivity_growths:
            raise ValueError("sensitivity_headline_growth must be one of sensitivity_growths")
        if any(not 1 <= life <= 15 for life in self.sensitivity_lives):
            raise ValueError("sensitivity_lives must lie between 1 and 15 years")
        return self

    def oos_bound(self, instrument: str) -> float:
        return self.oos_bound_overrides.get(instrument, self.max_oos_error_pct)


def scenarios_by_ticker(params: CapexChainParams, ctx: EvalContext) -> dict[str, list[Any]]:
    """Capex scenarios per ticker from the scenario claim's guidance (fiscal-year mapped)."""
    from narrowgate.evaluate.capex_data import guidance_scenarios_for, ticker_of
    from narrowgate.evaluate.capex_total import CapexTotalParams

    total = CapexTotalParams.model_validate(ctx.thesis.claim(params.scenario_claim).params)
    years = {g.instrument: g for g in params.guidance_years}
    out: dict[str, list[CapexScenario]] = {}
    for company in total.companies:
        mapped = years.get(company.instrument)
        g_year = mapped.guidance_fiscal_year if mapped else params.default_guidance_year
        r_year = mapped.revision_fiscal_year if mapped else g_year
        out[ticker_of(company.instrument)] = guidance_scenarios_for(
            company, g_year, r_year, params.capex_growth_after)
    return out


def links(chain: CompanyChain, params: CapexChainParams) -> dict[str, bool | None]:
    """The chain's measured links for one company: True, False or None (not measurable)."""
    from narrowgate.evaluate.capex_data import history_frame
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


def _mark(chain: CompanyChain) -> tuple[str, str]:
    return (" [备用数据]", " [fallback]") if chain.fallback else ("", "")


def company_figures(chain: CompanyChain, params: CapexChainParams) -> list[Figure]:
    """Latest reported year and the measured pattern of one company."""
    from narrowgate.evaluate.capex_data import history_frame

    t, (mz, me) = chain.ticker, _mark(chain)
    hist = history_frame(chain)
    out: list[Figure] = []
    last = int(hist.index.max())
    latest: dict[str, Any] = {str(k): v for k, v in hist.loc[last].items()}
    for key, zh, en in (("capex", "资本开支", "capex"), ("d_and_a", "折旧摊销", "D&A"),
                        ("fcf", "自由现金流", "FCF"), ("buybacks", "回购", "buybacks")):
        value = latest[key]
        if value == value:
            out.append(figure(f"{t}_{key}_{last}", f"{t} FY{last} {zh}{mz}",
                              f"{t} FY{last} {en}{me}", round(float(value), 3), "USD bn"))
    p = chain.pattern
    if p is not None:
        span = f"{p.first_year}–{p.last_year}"
        out.append(figure(f"{t}_capex_cagr", f"{t} 资本开支年化增速 {span}{mz}",
                          f"{t} capex CAGR {span}{me}", round(p.capex_cagr * 100, 1), "%"))
        if p.capex_growth_gap is not None and p.d_and_a_cagr is not None:
            out.append(figure(f"{t}_d_and_a_cagr", f"{t} 折旧年化增速{mz}",
                              f"{t} D&A CAGR{me}", round(p.d_and_a_cagr * 100, 1), "%"))
            out.append(figure(f"{t}_growth_gap", f"{t} 资本开支减折旧增速{mz}",
                              f"{t} capex minus D&A growth{me}",
                              round(p.capex_growth_gap * 100, 1), "percentage points",
                              decisive=True))
        if p.fcf_to_net_income:
            y = max(p.fcf_to_net_income)
            out.append(figure(f"{t}_fcf_to_ni_{y}", f"{t} FY{y} 自由现金流/净利润{mz}",
                              f"{t} FY{y} FCF / net income{me}",
                              round(p.fcf_to_net_income[y], 3), "ratio"))
        if p.fcf_conversion_change is not None:
            out.append(figure(f"{t}_fcf_conversion_change", f"{t} 自由现金流/净利润变化{mz}",
                              f"{t} change in FCF / net income {span}{me}",
                              round(p.fcf_conversion_change, 3), "ratio", decisive=True))
        if p.last_year in p.buybacks_to_fcf:
            out.append(figure(f"{t}_buybacks_to_fcf_{p.last_year}", f"{t} 回购/自由现金流{mz}",
                              f"{t} FY{p.last_year} buybacks / FCF{me}",
                              round(p.buybacks_to_fcf[p.last_year], 3), "ratio"))
    return out


def ttm_figures(chain: CompanyChain) -> list[Figure]:
    """Trailing-twelve-month capex, OCF, FCF, buybacks (USD bn) where the source has them;
    recorded FACTS.md figures are marked fallback and carry their definition."""
    tr = chain.trailing
    if tr is None:
        return []
    t, (mz, me) = chain.ticker, _mark(chain)
    how = f" ({tr.definition})" if tr.fallback else ""
    out: list[Figure] = []
    values = {"capex": tr.get("capex"), "operating_cash_flow": tr.get("operating_cash_flow"),
              "fcf": tr.fcf, "buybacks": tr.get("buybacks")}
    names = {"capex": ("资本开支", "capex"), "operating_cash_flow": ("经营现金流", "OCF"),
             "fcf": ("自由现金流", "FCF"), "buybacks": ("回购", "buybacks")}
    for key, value in values.items():
        if value is None:
            continue
        zh, en = names[key]
        out.append(figure(f"{t}_ttm_{key}", f"{t} 截至 {tr.end:%Y-%m-%d} 的近四季{zh}{mz}",
                          f"{t} {tr.label} {en}{me}{how if key == 'fcf' else ''}",
                          round(value, 3), "USD bn", decisive=key == "fcf"))
    return out


def sensitivity_figures(chain: CompanyChain, params: CapexChainParams) -> list[Figure]:
    """D&A drag (modelled D&A of base + offset minus the base year's, USD bn) by server
    life, at the headline capex growth: the useful-life sensitivity as figures."""
    sens = chain.sensitivity
    if sens is None or sens.empty or chain.fit is None:
        return []
    t, (mz, me) = chain.ticker, _mark(chain)
    base = max(chain.fit.years)
    year = base + params.sensitivity_year_offset
    g = params.sensitivity_headline_growth
    rows = sens[(sens["capex_growth"] == g) & (sens["fiscal_year"] == year)]
    return [figure(f"{t}_life{float(r['short_life_years']):g}_drag_{year}",
                   f"{t} 服务器年限 {float(r['short_life_years']):g} 年:FY{year} 折旧较 FY{base} "
                   f"增加(资本开支年增 {g:.0%}){mz}",
                   f"{t} FY{year} D&A drag vs FY{base}, server life "
                   f"{float(r['short_life_years']):g}y, capex {g:+.0%}/yr{me}",
                   round(float(r["d_and_a"]) - float(r["base_d_and_a"]), 2), "USD bn")
            for r in rows.to_dict("records")]


def oos_figures(chain: CompanyChain, params: CapexChainParams) -> tuple[list[Figure], bool | None]:
    """Out-of-sample errors in the scored window and whether the stated bound holds."""
    oos = chain.oos
    if oos is None or oos.empty:
        return [], None
    scored = oos[(oos["fiscal_year"] > params.fit_end_year)
                 & (oos["fiscal_year"] <= params.test_end_year)]
    t = chain.ticker
    rows: list[dict[str, Any]] = [{str(k): v for k, v in r.items()}
                                  for r in scored.to_dict("records")]
    out = [figure(f"{t}_oos_{int(r['fiscal_year'])}_h{int(r['horizon'])}",
                  f"{t} FY{int(r['fiscal_year'])} 折旧预测误差({int(r['horizon'])} 年前拟合)",
                  f"{t} FY{int(r['fiscal_year'])} depreciation error, {int(r['horizon'])}y ahead",
                  round(float(r["pct_error"]) * 100, 1), "%")
           for r in rows]
    one = scored[scored["horizon"] == 1]
    if one.empty:
        return out, None
    worst = float(one["pct_error"].abs().max()) * 100
    bound = params.oos_bound(f"sec:{t}")
    out.append(figure(f"{t}_oos_worst_1y", f"{t} 一年期最大误差", f"{t} worst 1y-ahead error",
                      round(worst, 1), "%", decisive=True))
    out.append(figure(f"{t}_oos_bound", f"{t} 误差上限", f"{t} stated bound", bound, "%"))
    return out, worst <= bound


def projection_figures(chain: CompanyChain, params: CapexChainParams) -> list[Figure]:
    """FCF, D&A and the cumulative capex − D&A gap under guide-mid and revised-mid."""
    proj = chain.projection
    if proj is None or proj.empty:
        return []
    t, (mz, me) = chain.ticker, _mark(chain)
    out: list[Figure] = []
    view = proj[proj["ocf_scenario"] == params.headline_ocf_scenario]
    for scen in ("guide-mid", "revised-mid"):
        rows = view[view["capex_scenario"] == scen]
        for r in rows.to_dict("records"):
            y = int(r["fiscal_year"])
            out.append(figure(f"{t}_{scen}_fcf_{y}", f"{t} {scen} FY{y} 自由现金流(预测){mz}",
                              f"{t} {scen} FY{y} projected FCF{me}", round(float(r["fcf"]), 2),
                              "USD bn"))
            out.append(figure(f"{t}_{scen}_d_and_a_{y}", f"{t} {scen} FY{y} 折旧(预测){mz}",
                              f"{t} {scen} FY{y} projected D&A{me}",
                              round(float(r["d_and_a"]), 2), "USD bn"))
        if not rows.empty:
            end = rows.iloc[-1]
            y = int(end["fiscal_year"])
            out.append(figure(f"{t}_{scen}_gap_{y}", f"{t} {scen} 至 FY{y} 累计资本开支−折旧{mz}",
                              f"{t} {scen} cumulative capex − D&A to FY{y}{me}",
                              round(float(end["cumulative_gap"]), 1), "USD bn", decisive=True))
            out.append(figure(f"{t}_{scen}_buyback_capacity_{y}",
                              f"{t} {scen} FY{y} 回购能力{mz}",
                              f"{t} {scen} FY{y} buyback capacity (FCF − dividends){me}",
                              round(float(end["buyback_capacity"]), 1), "USD bn"))
    return out


@register
class CapexChain(AwaitingEvaluator[CapexChainParams]):
    test = "capex-chain"
    params_model = CapexChainParams
    title = "Capex → depreciation → earnings → FCF → buybacks"
    capability = Capability.CAPEX_CHAIN
    measures = text(
        "按公司测量资本开支增速与折旧增速之差、自由现金流转化率与回购;拟合折旧滞后模型并做样本外检验;"
        "按指引情景推算 2026–2028 年。",
        "Per firm: capex growth vs D&A growth, FCF conversion and buybacks; a depreciation-"
        "lag model fitted and tested out of sample; 2026–2028 projected under the guidance.",
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
                for c in params.companies]
        return out

    def recorded(self, params: CapexChainParams) -> list[DataUsed]:
        return [recorded_data(c.source, c.instrument, "server/network useful life")
                for c in params.companies]

    def decide(self, claim: Claim, params: CapexChainParams, ctx: EvalContext
               ) -> Assessment | None:
        from narrowgate.evaluate.capex_chain_report import assess

        if not hasattr(ctx.hub, "facts"):
            return None
        return assess(self, params, ctx)


def build_all(params: CapexChainParams, ctx: EvalContext
              ) -> tuple[list[CompanyChain], list[CompanyChain], list[MissingData]]:
    """Chains of the hyperscalers and the controls; companies without any data → missing."""
    from narrowgate.evaluate.capex_data import build_chain, ticker_of
    from narrowgate.evaluate.common import fetch_how

    scenarios = scenarios_by_ticker(params, ctx)
    missing: list[MissingData] = []
    groups: list[list[CompanyChain]] = [[], []]
    for group, ids in enumerate(([c.instrument for c in params.companies], params.controls)):
        for instrument in ids:
            ticker = ticker_of(instrument)
            try:
                groups[group].append(build_chain(
                    ctx.hub, ticker, ctx.as_of, pattern_start=params.pattern_start_year,
                    scenarios=scenarios.get(ticker, []), ocf_growth=params.ocf_growth,
                    tax_rate=params.tax_rate,
                    sensitivity_lives=params.sensitivity_lives if group == 0 else (),
                    sensitivity_growths=params.sensitivity_growths))
            except NarrowgateError as exc:
                missing.append(MissingData(what=f"{instrument}: {exc.message}",
                                           **fetch_how([instrument])))
    return groups[0], groups[1], missing
