"""capex-chain: from the per-company chains to a verdict, its figures, notes and charts.

Split from :mod:`narrowgate.evaluate.capex_chain` (params and per-company figures) so each
module keeps one job. The verdict rule, with thresholds from the params:

- *supported*: in every hyperscaler where both are measurable (at least three), capex
  outgrows D&A ("the lag") and FCF conversion falls (FCF itself where the source has no
  net income); buybacks fall or absorb most of FCF in at least half of those measurable;
  and the depreciation model meets its stated out-of-sample bound;
- *contradicted*: the lag or the squeeze is absent in most measurable hyperscalers;
- *mixed*: anything between; *insufficient data*: fewer than two companies measurable.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from narrowgate.evaluate.capex_chain import (
    build_all,
    company_figures,
    links,
    oos_figures,
    projection_figures,
    sensitivity_figures,
    ttm_figures,
)
from narrowgate.evaluate.common import FETCH_OR_IMPORT, figure, text
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.capex_chain import CapexChain, CapexChainParams
    from narrowgate.evaluate.capex_data import CompanyChain
    from narrowgate.evaluate.registry import EvalContext

CHART_SCENARIO = "revised-mid"


def _verdict(flags: dict[str, dict[str, bool | None]], oos_ok: list[bool]) -> Verdict:
    measured = {t: f for t, f in flags.items() if f["lag"] is not None and f["squeeze"] is not None}
    if len(measured) < 2:
        return Verdict.INSUFFICIENT_DATA
    both = sum(bool(f["lag"] and f["squeeze"]) for f in measured.values())
    no_lag = sum(f["lag"] is False for f in measured.values())
    no_squeeze = sum(f["squeeze"] is False for f in measured.values())
    buy = [f["buybacks"] for f in measured.values() if f["buybacks"] is not None]
    if no_lag > len(measured) / 2 or no_squeeze > len(measured) / 2:
        return Verdict.CONTRADICTED
    if (both == len(measured) and len(measured) >= 3 and buy
            and sum(buy) >= len(buy) / 2 and all(oos_ok)):
        return Verdict.SUPPORTED
    return Verdict.MIXED


def _company_chart(chain: CompanyChain, ocf: str) -> Chart:
    import pandas as pd

    from narrowgate.evaluate.capex_data import history_frame
    from narrowgate.evaluate.charts import year_chart

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


def _gap_chart(chains: list[CompanyChain], ocf: str) -> Chart | None:
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
    return year_chart(text("累计资本开支减折旧(“滞后”),4 月修订指引中值",
                           "Cumulative capex − D&A (\"the lag\"), April-revision mid"),
                      pd.DataFrame(cols), "USD bn")


def _oos_chart(chains: list[CompanyChain]) -> Chart | None:
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


def _sensitivity_chart(chains: list[CompanyChain], params: CapexChainParams) -> Chart | None:
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


def _note_kept(note: str, params: CapexChainParams) -> bool:
    """Chain notes shown in the evidence: not the reader's labelling remarks, and
    restatements only of years the chain reads (from ``history_start_year``)."""
    if "labelled" in note:
        return False
    hit = _RESTATED.search(note)
    return hit is None or int(hit.group(1)) >= params.history_start_year


def assess(evaluator: CapexChain, params: CapexChainParams, ctx: EvalContext) -> Assessment:
    """The capex-chain assessment from hub data (SEC) and the bundled fallback."""
    chains, controls, missing = build_all(params, ctx)
    flags = {c.ticker: links(c, params) for c in chains}
    figures: list[Figure] = []
    oos_ok: list[bool] = []
    for c in [*chains, *controls]:
        figures += company_figures(c, params)
        figures += ttm_figures(c)
        figures += sensitivity_figures(c, params)
        oos, ok = oos_figures(c, params)
        figures += oos
        if ok is not None:
            oos_ok.append(ok)
        figures += projection_figures(c, params)
    verdict = _verdict(flags, oos_ok)
    measured = [t for t, f in flags.items() if f["lag"] is not None and f["squeeze"] is not None]
    holds = [t for t in measured if flags[t]["lag"] and flags[t]["squeeze"]]
    figures.insert(0, figure("lag_and_squeeze", "滞后与挤压同时出现的公司",
                             "hyperscalers showing both lag and squeeze",
                             f"{len(holds)} of {len(measured)}", "companies", decisive=True))
    notes: list[LocalizedText] = [evaluator.measures]
    for c in [*chains, *controls]:
        f = flags.get(c.ticker)
        state = ", ".join(f"{k}={v}" for k, v in f.items()) if f else "control"
        src = "FALLBACK (FACTS.md 3a, not SEC)" if c.fallback else "SEC facts via the hub"
        detail = "; ".join(dict.fromkeys(n for n in c.notes if _note_kept(n, params)))
        notes.append(text(f"{c.ticker}:{src};{state}。{detail}",
                          f"{c.ticker}: {src}; {state}. {detail}"))
    notes.append(text(
        "微软 2 月的数字是彭博对截至 2026 年 6 月财年的估计;4 月的约 1900 亿美元是 2026 日历年,"
        "此处归入截至 2027 年 6 月的财年(错开半年),2026 财年沿用 2 月数字。",
        "Microsoft: the February figure is Bloomberg's estimate for the fiscal year to "
        "Jun-2026; April's ~$190B is calendar 2026, mapped here to the fiscal year to "
        "Jun-2027 (a six-month shift); fiscal 2026 keeps the February figure."))
    notes.append(text(
        "预测假设:资本开支按指引,之后每年增长 "
        f"{params.capex_growth_after:.0%};经营现金流情景 {params.ocf_growth};税率 "
        f"{params.tax_rate:.0%};折旧以基年报告值定水平。链条最后一环(长久期估值先受冲击)不在此检验。",
        f"Projection assumptions: capex per guidance, then {params.capex_growth_after:+.0%} a "
        f"year; OCF scenarios {params.ocf_growth}; tax rate {params.tax_rate:.0%}; modelled "
        "depreciation anchored to the base year's reported level. The last link "
        "(long-duration valuations hit first) is not tested here."))
    charts = [_company_chart(c, params.headline_ocf_scenario) for c in chains
              if c.pattern is not None]
    for extra in (_gap_chart(chains, params.headline_ocf_scenario), _oos_chart(controls + chains),
                  _sensitivity_chart(chains, params)):
        if extra is not None:
            charts.append(extra)
    data = [d for c in [*chains, *controls] for d in c.data] + evaluator.recorded(params)
    if not missing and verdict is Verdict.INSUFFICIENT_DATA:
        missing.append(MissingData(what="two or more hyperscalers with capex, D&A and FCF",
                                   fetch=[c.instrument for c in params.companies],
                                   how=FETCH_OR_IMPORT))
    ttm = "; ".join(
        f"{c.ticker} {c.trailing.fcf:.1f} ({c.trailing.label}"
        + (", FALLBACK FACTS.md 3a" if c.trailing.fallback else "") + ")"
        for c in chains if c.trailing is not None and c.trailing.fcf is not None)
    checked = ", ".join(c.ticker for c in controls + chains
                        if c.oos is not None and not c.oos.empty)
    summary = text(
        f"{len(measured)} 家可测的超大规模云厂商中有 {len(holds)} 家同时出现“资本开支增速超过折旧”"
        f"与“自由现金流转化率下降”;折旧模型样本外检验{'达标' if all(oos_ok) else '未全部达标'}。"
        "微软、Meta、亚马逊、甲骨文用的是备用数据(仅两年)。"
        + (f"近四季自由现金流(十亿美元):{ttm}。" if ttm else ""),
        f"{len(holds)} of {len(measured)} measurable hyperscalers show capex outgrowing D&A "
        f"and FCF conversion falling ({', '.join(holds) or 'none'}); the depreciation model "
        f"{'meets' if all(oos_ok) else 'misses'} its out-of-sample bound on "
        f"{checked}."
        " MSFT, META, AMZN and ORCL use the two-year fallback dataset."
        + (f" Trailing-twelve-month FCF (USD bn): {ttm}." if ttm else ""),
    )
    return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
        figures=figures + evaluator.setup_figures(params, ctx), data=data, charts=charts,
        notes=notes, missing=missing))
