"""capex-chain figures and charts per company: what the evidence shows, built from the
chain of :mod:`narrowgate.evaluate.kinds.capex_inputs` and the kind's params.

Split from :mod:`narrowgate.evaluate.kinds.capex_chain` (params, links, verdict) so each
module keeps one job. Amounts are USD bn, growth rates %, ratios plain; a company read from
the bundled fallback is marked ``[fallback]`` in every label. pandas is imported inside the
functions (the kind module must import cheaply).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from narrowgate.evaluate.common import figure, text
from narrowgate.evaluate.verdict import Chart, ChartSeries, Figure

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.capex_chain import CapexChainParams
    from narrowgate.evaluate.kinds.capex_inputs import CompanyChain

#: the capex scenario drawn in the charts (the later revision's mid; else the first guide's)
CHART_SCENARIO = "revised-mid"


def _mark(chain: CompanyChain) -> tuple[str, str]:
    return (" [备用数据]", " [fallback]") if chain.fallback else ("", "")


def company_figures(chain: CompanyChain, params: CapexChainParams) -> list[Figure]:
    """Latest reported year and the measured pattern of one company."""
    from narrowgate.evaluate.kinds.capex_inputs import history_frame

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
                              round(p.capex_growth_gap * 100, 1), "percentage points"))
        if p.fcf_to_net_income:
            y = max(p.fcf_to_net_income)
            out.append(figure(f"{t}_fcf_to_ni_{y}", f"{t} FY{y} 自由现金流/净利润{mz}",
                              f"{t} FY{y} FCF / net income{me}",
                              round(p.fcf_to_net_income[y], 3), "ratio"))
        if p.fcf_conversion_change is not None:
            out.append(figure(f"{t}_fcf_conversion_change", f"{t} 自由现金流/净利润变化{mz}",
                              f"{t} change in FCF / net income {span}{me}",
                              round(p.fcf_conversion_change, 3), "ratio"))
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


def company_chart(chain: CompanyChain, ocf: str) -> Chart:
    """Reported capex, D&A and FCF by fiscal year, then the projection (USD bn)."""
    import pandas as pd

    from narrowgate.evaluate.charts import year_chart
    from narrowgate.evaluate.kinds.capex_inputs import history_frame

    hist = history_frame(chain)
    frame = pd.DataFrame({"capex (reported)": hist["capex"], "D&A": hist["d_and_a"],
                          "FCF": hist["fcf"]})
    proj = chain.projection
    if proj is not None and not proj.empty:
        rows = proj[(proj["capex_scenario"] == CHART_SCENARIO)
                    & (proj["ocf_scenario"] == ocf)]
        if rows.empty:
            rows = proj[(proj["capex_scenario"] == "guide-mid") & (proj["ocf_scenario"] == ocf)]
        rows = rows.drop_duplicates("fiscal_year").set_index("fiscal_year")
        ahead = pd.DataFrame({"capex (projected)": rows["capex"], "D&A": rows["d_and_a"],
                              "FCF": rows["fcf"]})
        frame = pd.concat([frame, ahead]).groupby(level=0).last()
    mark = " [fallback]" if chain.fallback else ""
    return year_chart(
        text(f"{chain.ticker} 资本开支、折旧与自由现金流(含预测)",
             f"{chain.ticker}: capex vs D&A vs FCF, reported and projected{mark}"),
        frame, "USD bn",
        kinds={"capex (reported)": "bar", "capex (projected)": "bar"})


def gap_chart(chains: list[CompanyChain], ocf: str) -> Chart | None:
    """Cumulative projected capex − D&A per company (USD bn); None without projections."""
    import pandas as pd

    from narrowgate.evaluate.charts import year_chart

    cols = {}
    for c in chains:
        if c.projection is None or c.projection.empty:
            continue
        rows = c.projection[(c.projection["capex_scenario"] == CHART_SCENARIO)
                            & (c.projection["ocf_scenario"] == ocf)]
        cols[c.ticker + (" [fallback]" if c.fallback else "")] = rows.set_index(
            "fiscal_year")["cumulative_gap"]
    if not cols:
        return None
    return year_chart(text("累计资本开支减折旧(“滞后”),修订后指引中值",
                           "Cumulative capex − D&A (\"the lag\"), revised guidance mid"),
                      pd.DataFrame(cols), "USD bn")


def oos_chart(chains: list[CompanyChain]) -> Chart | None:
    """One-year-ahead depreciation errors (% of reported) per company and fiscal year."""
    import pandas as pd

    from narrowgate.evaluate.charts import year_chart

    cols = {}
    for c in chains:
        if c.oos is not None and not c.oos.empty:
            one = c.oos[c.oos["horizon"] == 1].set_index("fiscal_year")
            cols[c.ticker] = one["pct_error"] * 100
    if not cols:
        return None
    return year_chart(text("折旧模型一年期样本外误差", "Depreciation model: 1y-ahead error"),
                      pd.DataFrame(cols).sort_index(), "% of reported",
                      kinds=dict.fromkeys(cols, "bar"))


def sensitivity_chart(chains: list[CompanyChain], params: CapexChainParams) -> Chart | None:
    """D&A drag in base + offset by server life (x), one line per company."""
    series = []
    for c in chains:
        sens, fit = c.sensitivity, c.fit
        if sens is None or sens.empty or fit is None:
            continue
        year = max(fit.years) + params.sensitivity_year_offset
        rows = sens[(sens["capex_growth"] == params.sensitivity_headline_growth)
                    & (sens["fiscal_year"] == year)].sort_values("short_life_years")
        series.append(ChartSeries(
            name=f"{c.ticker} FY{year}" + (" [fallback]" if c.fallback else ""),
            x=[float(v) for v in rows["short_life_years"]],
            y=[round(float(d) - float(b), 3)
               for d, b in zip(rows["d_and_a"], rows["base_d_and_a"], strict=True)]))
    if not series:
        return None
    g = params.sensitivity_headline_growth
    return Chart(title=text(f"折旧拖累与服务器年限(资本开支年增 {g:.0%},基年后第 "
                            f"{params.sensitivity_year_offset} 年)",
                            f"D&A drag vs the base year by server life (capex {g:+.0%}/yr, "
                            f"base + {params.sensitivity_year_offset}y)"),
                 series=series, x_label="server/network useful life (years)",
                 y_label="USD bn", x_is_date=False)


_RESTATED = re.compile(r"FY(\d{4}): RESTATED")


def note_kept(note: str, params: CapexChainParams) -> bool:
    """Chain notes shown in the evidence: not the reader's labelling remarks, and
    restatements only of years the chain reads (from ``history_start_year``)."""
    if "labelled" in note:
        return False
    hit = _RESTATED.search(note)
    return hit is None or int(hit.group(1)) >= params.history_start_year
