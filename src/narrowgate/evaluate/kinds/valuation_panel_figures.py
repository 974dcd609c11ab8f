"""Figures and notes of the valuation panel: readings per path, yardsticks, PEG, forecasts
dated after the price date, and the realised return against a 'limited upside' claim.

Why apart: the panel's arithmetic (:mod:`.valuation_panel`) stays free of wording; every
visible label here is zh and en, keys carry the instrument id and the case
(``priced_in_<id>_best``), so a thesis's tests can look a stock up in any group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrowgate.evaluate.common import figure, pct, text
from narrowgate.evaluate.kinds.valuation_panel import (
    CASE_ZH,
    CASES,
    VERDICT_ZH,
    Outcome,
    PathCase,
    StockPanel,
    beyond_for,
    reading,
)
from narrowgate.evaluate.verdict import Figure
from narrowgate.models.valuation import peg_ratio
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.valuation import ValuationParams
    from narrowgate.evaluate.kinds.valuation_inputs import StockValuation

YARD_ZH = {"pb": "市净率", "mid-cycle-earnings": "周期中值盈利市盈率", "ev-sales": "EV/销售额"}


def _shown_reading(sp: StockPanel, case: PathCase, params: ValuationParams) -> int | float | str:
    path, why = sp.decision_path(case, params)
    if path is None:
        return f"not used: {why}"
    got = reading(sp, case, params, multiple=params.fair_pe_x, rate=params.discount_rate,
                  growth=params.growth_after, beyond=beyond_for(params))
    if got is None:
        return "not computable"
    if params.measure == "priced_in_year":
        horizon = params.price_date.year + params.horizon_years
        return int(got) if got <= horizon else f"beyond {horizon}"
    return round(got, 1)


def stock_panel_figures(sp: StockPanel, params: ValuationParams) -> list[Figure]:
    """Per stock: the reading on each path (or why it does not decide), the yardstick,
    a loss-making year's P/E as not meaningful, PEG and implied against forecast growth."""
    v, i, out = sp.v, sp.v.instrument, []
    year = params.pe_year()
    what_zh, what_en = (("计入年份", "priced-in year") if params.measure == "priced_in_year"
                        else (f"{year} 远期市盈率", f"forward P/E on {year}"))
    unit = "year" if params.measure == "priced_in_year" else "x"
    for case in CASES:
        cp = sp.cases[case]
        stand = " (base path stands in: no sourced snapshot)" if cp.stand_in else ""
        shown_reading = _shown_reading(sp, case, params)
        out.append(figure(f"{params.measure}_{i}_{case}", f"{v.name} {what_zh}({CASE_ZH[case]})",
                          f"{i} {what_en}, {case} path{stand}", shown_reading,
                          "" if isinstance(shown_reading, str) else unit,
                          decisive=case == params.decide_on))
    if v.price_date is not None and v.price_date != params.price_date:
        days = (v.price_date - params.price_date).days
        side_zh, side_en = ("晚", "after") if days > 0 else ("早", "before")
        out.append(figure(f"price_off_date_{i}", f"{v.name} 价格为 {v.price_date} 的记录收盘价"
                          f"(比价格日{side_zh} {abs(days)} 天)",
                          f"{i} price not on the price date",
                          f"recorded close of {v.price_date}, {abs(days)} days {side_en} "
                          f"{params.price_date}", ""))
    kind = sp.stock.yardstick
    if kind != "pe":
        shown: float | str = (round(sp.yard_value, 2) if sp.yard_value is not None
                              else f"gap: {sp.yard_why}")
        out.append(figure(f"yardstick_{i}", f"{v.name} 衡量尺度:{YARD_ZH[kind]}",
                          f"{i} yardstick: {kind}" + (f" ({sp.yard_detail})"
                                                      if sp.yard_detail else ""), shown,
                          "" if isinstance(shown, str) else "x"))
    if sp.last_loss is not None:
        year, loss, measure = sp.last_loss
        out.append(figure(f"trailing_pe_{i}", f"{v.name} 市盈率({year},{measure})",
                          f"{i} P/E on {year} ({measure})",
                          f"not meaningful: a loss of {loss:g} {v.unit} in {year}", ""))
    if v.implied is not None and v.implied.path_growth is not None:
        g = v.implied
        out.append(figure(f"implied_minus_forecast_{i}", f"{v.name} 隐含增速减预测增速",
                          f"{i} implied minus forecast profit growth {g.base_year}→"
                          f"{g.target_year}", pct((g.growth - (g.path_growth or 0)) * 100),
                          "pp/yr"))
    pe = v.forward_pe.get(params.pe_year())
    growth = v.implied.path_growth if v.implied is not None else None
    peg = peg_ratio(pe, growth)
    out.append(figure(f"peg_{i}", f"{v.name} PEG", f"{i} PEG (forward P/E on "
                      f"{params.pe_year()} over forecast growth in %/yr)",
                      round(peg, 2) if peg is not None else
                      "not meaningful: no positive forecast growth or forward P/E", ""))
    return out


def deciding_sentence(panels: list[StockPanel], params: ValuationParams) -> tuple[str, str]:
    """Each stock's reading on the deciding path, zh and en."""
    case = params.decide_on
    shown = [(sp, _shown_reading(sp, case, params)) for sp in panels]
    zh = ";".join(f"{sp.v.name} {r if not isinstance(r, str) else '不参与'}" for sp, r in shown)
    en = "; ".join(f"{sp.v.instrument} {r}" for sp, r in shown)
    return (f"{CASE_ZH[case]}(决定结论):{zh}。",
            f"On the {case} path (deciding): {en}.")


def case_figures(outcomes: dict[PathCase, Outcome], params: ValuationParams) -> list[Figure]:
    return [figure(f"verdict_{case}", f"{CASE_ZH[case]}结论", f"verdict on the {case} path",
                   out.verdict.value if out.verdict is not None else "no reading", "",
                   decisive=case == params.decide_on) for case, out in outcomes.items()] + [
        figure("decides_on", "决定结论的利润路径", "profit path that decides",
               params.decide_on, "")]


def late_forecasts(panels: list[StockPanel], params: ValuationParams
                   ) -> tuple[list[Figure], list[LocalizedText]]:
    """How many forecasts are dated after the price date, and whether they decide."""
    late = sorted({f"{sp.v.instrument} ({cp.path.source.as_of})" for sp in panels
                   for cp in sp.cases.values() if cp.after_price_date and cp.path is not None})
    used = params.forecasts_after_price_date == "use"
    undated = sorted({sp.v.instrument for sp in panels for cp in sp.cases.values()
                      if cp.path is not None and cp.path.source.as_of is None})
    figures = [figure("forecasts_after_price_date", "价格日之后的预测", "forecasts dated after "
                      "the price date", len(late), "names"),
               figure("forecasts_undated", "无日期的预测(无法核对是否早于价格日)",
                      "undated forecasts (cannot be checked against the price date)",
                      ", ".join(undated) or "none", "")]
    if not late:
        return figures, []
    names = ", ".join(late)
    return figures, [text(
        f"{len(late)} 家公司的预测日期晚于价格日 {params.price_date}({names}):"
        + ("仍用于结论(参数 use)。" if used else "只展示,不用于结论。"),
        f"{len(late)} name(s) have forecasts dated after the price date {params.price_date} "
        f"({names}): " + ("used in the decision (forecasts_after_price_date: use)." if used
                          else "shown, not used in the decision."))]


def upside_lines(breaches: list[StockValuation], params: ValuationParams
                 ) -> tuple[list[Figure], list[LocalizedText]]:
    """The realised return against the upside the claim allows."""
    if params.max_upside_pct is None:
        return [], []
    cap = params.max_upside_pct
    listed = ", ".join(f"{v.instrument} {v.return_since * 100:+.1f}%" for v in breaches
                       if v.return_since is not None)
    fig = figure("upside_breaches", f"价格日后涨幅超过 {cap:g}% 的公司",
                 f"names up more than {cap:g}% since the price date", listed or "none", "",
                 decisive=bool(breaches))
    if not breaches:
        return [fig], []
    return [fig], [text(
        f"“上涨空间有限”:{listed} 自价格日起涨幅超过所允许的 {cap:g}%,结论不能为“成立”"
        f"(“成立”的读数改为“{VERDICT_ZH[params.upside_breach]}”)。",
        f"'Limited upside': {listed} since the price date, more than the {cap:g}% the claim "
        f"allows, so the verdict cannot be 'supported' (a supported reading becomes "
        f"{params.upside_breach}).")]
