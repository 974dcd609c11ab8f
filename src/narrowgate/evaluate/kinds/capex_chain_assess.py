"""capex-chain: the assessment — links weighted across companies, figures, charts, notes
and the summary — from the chains of :mod:`narrowgate.evaluate.kinds.capex_chain`.

Split from the kind's module (params, version-1 links, the data it needs) so each keeps
one job; the rules live in :mod:`narrowgate.evaluate.kinds.capex_chain_links`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import FETCH_OR_IMPORT, figure, text
from narrowgate.evaluate.kinds.capex_chain import build_all, chain_verdict, links
from narrowgate.evaluate.verdict import Assessment, DataUsed, Evidence, Figure, MissingData, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.capex_chain import CapexChain, CapexChainParams
    from narrowgate.evaluate.kinds.capex_inputs import CompanyChain
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.models.capex_cash import CashReading


#: the chain's recurring English notes, in Chinese for the zh text (ids and numbers kept)
_ZH_NOTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"(\w+): not reported in the SEC facts", r"\1:SEC 财报中未报告"),
        (r"; the latest filing is used, earlier values kept in the facts",
         ";采用最新申报值,早前数值保留在原始数据中"),
        (r"RESTATED — ", "重述 — "), (r" \(filed ([\d-]+)\)", r"(\1 申报)"),
        (r" replaced by ", " 改为 "),
        (r"figures from the bundled FACTS\.md 3a fallback dataset, not from SEC facts",
         "数字来自内置 FACTS.md 3a 备用数据,而非 SEC 财报"),
        (r"only (\d+) D&A years for (\d+) parameters: the fit is not identified and its "
         r"error says little about predictive skill",
         r"只有 \1 年折旧数据对应 \2 个参数:拟合不可识别,其误差难以说明预测能力"),
        (r"capex includes finance-lease principal \(as the company's guidance does\)",
         "资本开支含融资租赁本金(与公司指引口径一致)"),
        (r"not found in FACTS\.md 3a \(unverified: ([^)]*)\)", r"FACTS.md 3a 中未找到(未核实:\1)"),
        (r"no stated server life \(FACTS\.md 3b\): the life is fitted",
         "无公开的服务器年限(FACTS.md 3b):年限由拟合得出"),
        (r"depreciation model not fitted: ", "折旧模型未拟合:"),
        (r"capex has gaps: only fiscal ([\d–]+) used", r"资本开支有缺口:只用 \1 财年"),
        (r"earlier assets enter through the opening-stock term", "更早的资产经期初存量项进入"),
    ))


def _zh_detail(detail: str) -> str:
    for pattern, replacement in _ZH_NOTES:
        detail = pattern.sub(replacement, detail)
    return detail


def _notes(evaluator: CapexChain, params: CapexChainParams, chains: list[CompanyChain],
           controls: list[CompanyChain], flags: dict[str, dict[str, bool | None]],
           reads: dict[str, CashReading]) -> list[LocalizedText]:
    from narrowgate.evaluate.kinds.capex_chain_figures import note_kept

    notes: list[LocalizedText] = [evaluator.measures]
    for c in [*chains, *controls]:
        f, r = flags.get(c.ticker), reads.get(c.ticker)
        state, state_zh = "control", "对照组"
        if f is not None and r is not None:
            yes = {True: "是", False: "否", None: "不可测"}
            state = (f"lag={r.lag}, squeeze={r.squeeze}, payout={r.payout} ({r.payout_measure})"
                     + "".join(f"; {g}" for g in r.gaps)
                     + "; old growth-gap rule: "
                     + ", ".join(f"{k}={v}" for k, v in f.items()))
            state_zh = (f"滞后={yes[r.lag]},挤压={yes[r.squeeze]},派现能力下降={yes[r.payout]}"
                        f";旧规则(增速差):滞后={yes[f['lag']]},挤压={yes[f['squeeze']]}")
        src = "FALLBACK (FACTS.md 3a, not SEC)" if c.fallback else "SEC facts via the hub"
        detail = "; ".join(dict.fromkeys(n for n in c.notes if note_kept(n, params)))
        src_zh = "备用数据(FACTS.md 3a,非 SEC)" if c.fallback else "SEC 财报数据"
        detail_zh = _zh_detail(detail)
        notes.append(text(f"{c.ticker}:{src_zh};{state_zh}。{detail_zh}",
                          f"{c.ticker}: {src}; {state}. {detail}"))
    notes += [text(f"{g.instrument}:{g.note.zh}", f"{g.instrument}: {g.note.en}")
              for g in params.guidance_years]
    if params.scenario_claim is not None:
        # "flat +0%, base +10%": the scenario names with their growth, not a Python dict
        scenarios = ", ".join(f"{name} {g:+.0%}" for name, g in params.ocf_growth.items())
        notes.append(text(
            f"预测假设:资本开支按论点 {params.scenario_claim} 的指引,之后每年增长 "
            f"{params.capex_growth_after:.0%};经营现金流情景 {scenarios};税率 "
            f"{params.tax_rate:.0%};折旧以基年报告值定水平。",
            f"Projection assumptions: capex per the guidance of claim {params.scenario_claim},"
            f" then {params.capex_growth_after:+.0%} a year; OCF scenarios {scenarios}; "
            f"tax rate {params.tax_rate:.0%}; modelled depreciation anchored to the base "
            "year's reported level."))
    if params.untested_note is not None and "duration" not in params.tested_links():
        notes.append(params.untested_note)
    return notes


def assess(evaluator: CapexChain, params: CapexChainParams, ctx: EvalContext) -> Assessment:
    """The capex-chain assessment from hub data (SEC) and the bundled fallback: each link
    weighted across companies (:mod:`~narrowgate.evaluate.kinds.capex_chain_links`); the
    version-1 unanimity rule on the growth gap stays as a context figure."""
    from narrowgate.evaluate.kinds import capex_chain_cash as cc
    from narrowgate.evaluate.kinds import capex_chain_figures as cf
    from narrowgate.evaluate.kinds import capex_chain_links as cl

    chains, controls, missing = build_all(params, ctx)
    flags = {c.ticker: links(c, params) for c in chains}
    frames = cc.cash_frames([*chains, *controls])
    reads = cc.readings(chains, frames, params)
    raw = cl.weights(chains, {t: f["capex"] for t, f in frames.items()}, params)
    total = sum(raw.values()) or 1.0
    figures: list[Figure] = []
    oos_ok: list[bool] = []
    for c in [*chains, *controls]:
        figures += cc.cash_figures(c, frames[c.ticker], reads.get(c.ticker),
                                   raw[c.ticker] / total if c.ticker in raw else None,
                                   params.pattern_start_year)
        figures += cf.company_figures(c, params)
        figures += cf.ttm_figures(c)
        figures += cf.sensitivity_figures(c, params)
        oos, ok = cf.oos_figures(c, params)
        figures += oos
        if ok is not None:
            oos_ok.append(ok)
        figures += cf.projection_figures(c, params)
    results: list[cl.LinkResult] = []
    extra_charts = []
    link_data: list[DataUsed] = []
    for name in params.tested_links():
        if name == "duration" and params.duration_link is not None:
            from narrowgate.evaluate.kinds.capex_chain_duration import duration_link

            result, parts = duration_link(params.duration_link, ctx)
            results.append(result)
            figures += parts.figures
            extra_charts += parts.charts
            missing += parts.missing
            link_data += parts.data
        elif name != "duration":
            results.append(cl.weighted_link(name, reads, raw, params, params.min_measured))
    measured_core = {t for t, r in reads.items() if r.lag is not None and r.squeeze is not None}
    verdict = cl.chain_verdict_v2(results, oos_ok, len(measured_core),
                                  params.min_measured_for_support)
    measured = [t for t, f in flags.items() if f["lag"] is not None and f["squeeze"] is not None]
    holds = [t for t in measured if flags[t]["lag"] and flags[t]["squeeze"]]
    grp = params.group
    old_rule = chain_verdict(flags, oos_ok, params)
    old_zh = cl.VERDICT_ZH.get(old_rule, old_rule.value)
    figures[:0] = [*cl.link_figures(results), figure(
        "lag_and_squeeze", f"滞后与挤压同时出现的{grp.zh}(旧规则:增速差,仅供参考;其一致性结论:"
        f"{old_zh})", f"{grp.en} showing both lag and squeeze (old growth-gap rule, context; "
        f"its unanimity verdict: {old_rule.value})", f"{len(holds)} of {len(measured)}",
        "companies")]
    ocf = params.headline_ocf_scenario
    charts = cc.link_charts(chains, frames, params) + extra_charts
    charts += [cf.company_chart(c, ocf) for c in chains if c.pattern is not None]
    for extra in (cf.gap_chart(chains, ocf), cf.oos_chart(controls + chains),
                  cf.sensitivity_chart(chains, params)):
        if extra is not None:
            charts.append(extra)
    data = [d for c in [*chains, *controls] for d in c.data] + evaluator.recorded(params)
    data += link_data
    if not missing and verdict is Verdict.INSUFFICIENT_DATA:
        missing.append(MissingData(what=f"{params.min_measured} or more {grp.en} with capex, "
                                        "D&A and FCF",
                                   fetch=[c.instrument for c in params.companies],
                                   how=FETCH_OR_IMPORT))
    ttm = "; ".join(
        f"{c.ticker} {c.trailing.fcf:.1f} ({c.trailing.label}"
        + (", FALLBACK FACTS.md 3a" if c.trailing.fallback else "") + ")"
        for c in chains if c.trailing is not None and c.trailing.fcf is not None)
    checked = ", ".join(c.ticker for c in controls + chains
                        if c.oos is not None and not c.oos.empty)
    fallback = ", ".join(f"{c.ticker} ({len(c.financials.years)}y)"
                         for c in [*chains, *controls] if c.fallback)
    chain_text = cl.links_summary(results)
    weight_zh = "资本开支" if params.weight == "capex" else "等权"
    summary = text(
        f"各环节按{weight_zh}加权({grp.zh};备用数据公司权重乘以 {params.fallback_weight:g}):"
        f"{chain_text.zh}折旧模型样本外检验{'达标' if all(oos_ok) else '未全部达标'}。"
        + (f"用备用数据(FACTS.md 3a,年数见括号)的公司:{fallback}。" if fallback else "")
        + (f"近四季自由现金流(十亿美元):{ttm}。" if ttm else "")
        + f"旧规则(增速差):{len(measured)} 家中 {len(holds)} 家同时出现滞后与挤压。",
        f"Links weighted by {params.weight} across {grp.en} (fallback-data companies × "
        f"{params.fallback_weight:g}): {chain_text.en} The depreciation model "
        f"{'meets' if all(oos_ok) else 'misses'} its out-of-sample bound on "
        f"{checked or 'none'}."
        + (f" From the bundled fallback dataset (years read): {fallback}." if fallback else "")
        + (f" Trailing-twelve-month FCF (USD bn): {ttm}." if ttm else "")
        + f" Old growth-gap rule, context: {len(holds)} of {len(measured)} measurable "
          f"{grp.en} show capex outgrowing D&A and FCF conversion falling "
          f"({', '.join(holds) or 'none'}).",
    )
    return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
        figures=figures + evaluator.setup_figures(params, ctx), data=data, charts=charts,
        notes=_notes(evaluator, params, chains, controls, flags, reads), missing=missing))
