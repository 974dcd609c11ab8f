"""The ``share-count-part-of-return`` measure of the ``fundamentals`` kind.

Why: "half of the rise came from buybacks" is a claim about a return, so it is measured as
one — a cap-weighted (buy-and-hold, start market values) basket of the companies, each
company's return split exactly into earnings growth + net share-count change (buybacks
net of issuance, from SEC share counts as first filed) + P/E change + dividends
(:func:`narrowgate.models.decompose.basket_decomposition`). The reading is the share-count
term's share of the basket's return, in %.

Companies without share counts cannot be placed in the basket (their start market value
is unknown). The reading then only covers the companies measured; whether the missing ones
could move it across a line is said with a break-even figure: the share of the basket's
return they would have to hold (even with all of their rise from fewer shares) for the
reading to stay below the contradicted line. pandas is imported inside functions.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import figure, recorded_data, text
from narrowgate.evaluate.core.sanity import SanityBound, judge
from narrowgate.evaluate.kinds.fundamentals_measures import Measured, record_no_facts
from narrowgate.evaluate.kinds.fundamentals_params import Company, FundamentalsParams
from narrowgate.evaluate.kinds.fundamentals_read import (
    company_facts,
    concept_frame,
    market_values,
)
from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.verdict import DataUsed, MissingData
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.models.decompose import HoldingMove

#: a dividend term is a log gain: below zero it only shows a price-basis mismatch
DIVIDEND_TERM = SanityBound(unit="log", low=0.0, why=text(
    "分红项不可能为负,负值说明总回报与价格的口径不一致;此项记为 0。",
    "a dividend term cannot be negative; a negative one shows the total-return and price "
    "bases disagree, so the term is set to 0."))

_TERM_WORDS = {
    "earnings_growth": ("盈利增长", "earnings growth"),
    "share_count": ("股数净变化(回购减增发)", "net share-count change (buybacks net of "
                                           "issuance)"),
    "multiple_change": ("市盈率变化", "P/E change"),
    "valuation_unsplit": ("市值变化(盈利非正,无法拆分市盈率)",
                          "market-value change (earnings not positive: no P/E split)"),
    "dividend": ("分红", "dividends"),
}


def _earnings_at(frame: pd.DataFrame, day: date) -> float | None:
    """Net income of the last fiscal year ending on or before ``day`` (USD), else None."""
    import pandas as pd

    rows = frame[pd.to_datetime(frame["end"]) <= pd.Timestamp(day)]
    return None if rows.empty else float(rows.sort_values("end")["value"].iloc[-1])


def dividend_term(ctx: EvalContext, prices: str, start: date, end: date,
                   price_log: float) -> tuple[float, str, DataUsed | None]:
    """log total-return change minus the price's, from the store's total-return closes."""
    from narrowgate.evaluate.hubdata import provenance_to_data, require_hub

    try:
        closes = require_hub(ctx, [prices]).closes([prices], start - timedelta(days=10), end,
                                                   basis="total")
    except NarrowgateError as exc:
        return 0.0, f"no total-return closes ({exc.message}): dividend term 0", None
    series = closes[prices].dropna()
    first = series[series.index <= str(start)]
    if first.empty or series.empty:
        return 0.0, "no total-return close at the start: dividend term 0", None
    term = math.log(float(series.iloc[-1]) / float(first.iloc[-1])) - price_log
    judged = judge(term, DIVIDEND_TERM, digits=3)
    used = provenance_to_data(closes.attrs["provenance"][0], "total-return closes (dividend "
                              "term)")
    if judged.reason is not None:
        return 0.0, judged.reason.en, used
    return term, "", used


def _move(ctx: EvalContext, params: FundamentalsParams, c: Company, start: date, end: date,
          out: Measured) -> HoldingMove | None:
    """One company's move, or None (its gap recorded in ``out``)."""
    from narrowgate.models.decompose import HoldingMove
    from narrowgate.models.fundamentals import BN, SHARE_COUNTS

    fetch = [c.filings, *([c.prices] if c.prices else [])]
    dates = f"{start} to {end}"
    try:
        facts, used, t = company_facts(ctx, c, ["net_income"], SHARE_COUNTS)
        values, mv_data, gaps = market_values(ctx, c, facts, t, {"start": start, "end": end})
    except (NarrowgateError, ValueError) as exc:
        record_no_facts(out, params, c.filings, exc, dates, fetch)
        out.missing[-1] = out.missing[-1].model_copy(update={
            "what": f"{c.filings}: shares outstanding and prices ({exc})"})
        return None
    if gaps or c.prices is None:
        out.complete = False
        out.missing.append(MissingData(what=f"{c.filings}: {'; '.join(gaps)}", dates=dates,
                                       fetch=fetch, how="add the company's SEC facts"))
        return None
    out.data += [used, *mv_data]
    (m0, s0), (m1, s1) = values["start"], values["end"]
    p0, p1 = m0 * BN / s0, m1 * BN / s1  # per share, on the last day's split basis
    try:
        income = concept_frame(facts, "net_income", "annual", t)
        e0, e1 = _earnings_at(income, start), _earnings_at(income, end)
    except (NarrowgateError, ValueError):
        e0 = e1 = None
    dividend, why, tr_used = dividend_term(ctx, c.prices, start, end, math.log(p1 / p0))
    out.data += [tr_used] if tr_used else []
    if why:
        out.notes.append(text(f"{t}:分红项记为 0({why})", f"{t}: {why}"))
    return HoldingMove(t, p0, p1, s0, s1, e0, e1, dividend)


def decomposition_measure(ctx: EvalContext, params: FundamentalsParams, start: date,
                          end: date) -> Measured:
    """The share-count term's share (%) of the measured companies' cap-weighted return."""
    from narrowgate.models.decompose import BASKET_TERMS, basket_decomposition

    out = Measured()
    moves: list[HoldingMove] = []
    unknown: list[Company] = []
    for c in params.companies:
        move = _move(ctx, params, c, start, end, out)
        if move is not None:
            moves.append(move)
        elif c.value_start_usd_bn is not None:
            unknown.append(c)
    out.observed = end
    out.measured = [m.name for m in moves]
    out.full = len(moves)
    if not moves:
        return out
    split = basket_decomposition(moves)
    for name, row in split.to_dict("index").items():
        who = "basket" if name == "basket" else str(name)
        who_zh = "组合" if name == "basket" else str(name)
        if name != "basket":
            out.figures += [
                figure(f"{who}_weight", f"{who} 起点市值权重", f"{who} weight at start "
                       "(market value)", round(float(row["weight"]) * 100, 1), "%"),
                figure(f"{who}_shares_change", f"{who} 股数变化(同一拆股口径)",
                       f"{who} share-count change (one split basis)",
                       round(math.expm1(-float(row["share_count"])) * 100, 1), "%"),
                figure(f"{who}_price_return", f"{who} 股价涨幅(对数)",
                       f"{who} price return (log)", round(float(row["price_return"]), 4),
                       "log")]
            terms = [(term, float(row[term])) for term in BASKET_TERMS]
            out.figures += [figure(f"{who}_{term}", f"{who} {_TERM_WORDS[term][0]}(对数)",
                                   f"{who} {_TERM_WORDS[term][1]} (log)", round(v, 4), "log")
                            for term, v in terms if v != 0.0 or term == "share_count"]
        total = float(row["contribution"])
        out.figures.append(
            figure("basket_return", "组合涨幅(起点市值加权,买入持有)", "basket return (weighted "
                   "by start market value, buy and hold)", round(total * 100, 1), "%")
            if name == "basket" else
            figure(f"{who}_contribution", f"{who_zh} 对组合涨幅的贡献",
                   f"{who} contribution to the basket's return", round(total * 100, 1),
                   "% of start value"))
    basket: dict[str, float] = {str(k): float(v) for k, v in
                                split.to_dict("index")["basket"].items()}
    rise = float(basket["contribution"])
    for term in BASKET_TERMS:
        zh, en = _TERM_WORDS[term]
        value = float(basket[f"c_{term}"])
        if term == "valuation_unsplit" and value == 0.0:
            continue  # every company had positive earnings: the P/E split is complete
        out.figures.append(figure(f"basket_{term}", f"组合涨幅中的{zh}", f"basket return from "
                                  f"{en}", round(value * 100, 1), "% of start value"))
        if rise > 0:
            out.figures.append(figure(f"basket_{term}_share", f"{zh}占组合涨幅的比例",
                                      f"share of the basket's return from {en}",
                                      round(value / rise * 100, 1), "%"))
    if rise > 0:
        out.readings = [("companies measured", float(basket["c_share_count"]) / rise * 100)]
    if unknown and len(unknown) + len(moves) == len(params.companies):
        _bounded(ctx, params, out, unknown, start, end,
                 float(basket["value_start"]), rise, float(basket["c_share_count"]))
    else:
        _break_even(params, out, moves, rise, float(basket["c_share_count"]))
    out.notes.append(_method_note())
    return out


def _total_return(ctx: EvalContext, prices: str, start: date, end: date) -> float:
    """Simple total return (decimal) from the last total-return close on or before ``start``
    to the last on or before ``end``; raises NarrowgateError/ValueError without closes."""
    from narrowgate.evaluate.hubdata import require_hub

    closes = require_hub(ctx, [prices]).closes([prices], start - timedelta(days=10), end,
                                               basis="total")[prices].dropna()
    first = closes[closes.index <= str(start)]
    if first.empty:
        raise ValueError(f"no total-return close of {prices} on or before {start}")
    return float(closes.iloc[-1]) / float(first.iloc[-1]) - 1


def _bounded(ctx: EvalContext, params: FundamentalsParams, out: Measured,
             unknown: list[Company], start: date, end: date, measured_value: float,
             rise: float, term: float) -> None:
    """Companies without share counts but with a recorded start market value: their weight
    and return are known, their share-count term is not (at most all of their contribution,
    either way). When both ends of the reading's range give one verdict, it decides."""
    from narrowgate.models.fundamentals import BN

    term_usd, rise_usd = term * measured_value, rise * measured_value
    spans: list[float] = []
    for c in unknown:
        if c.value_start_usd_bn is None or c.value_source is None:
            continue  # not in ``unknown`` (kept for the type checker)
        try:
            r = _total_return(ctx, c.prices or "", start, end)
        except (NarrowgateError, ValueError) as exc:
            out.missing.append(MissingData(what=f"{c.prices}: total-return closes ({exc})",
                                           fetch=[c.prices or c.filings]))
            return
        contribution = c.value_start_usd_bn * BN * r
        spans.append(contribution)
        rise_usd += contribution
        out.data.append(recorded_data(c.value_source, c.filings, "market value at the start"))
        out.figures.append(figure(
            f"{c.filings}_recorded_value_start", f"{c.filings} 起点市值(记录值,股数未知)",
            f"{c.filings} market value at start (recorded; share count unknown)",
            round(c.value_start_usd_bn, 1), "USD bn"))
    if rise_usd <= 0:
        return
    low = (term_usd - sum(abs(x) for x in spans)) / rise_usd * 100
    high = (term_usd + sum(abs(x) for x in spans)) / rise_usd * 100
    held = sum(spans) / rise_usd * 100
    out.figures += [
        figure("bounds_low", "读数下界(未测公司股数项取其贡献的 −100%)", "reading, lowest "
               "(unmeasured companies' share-count term at −100% of their contribution)",
               round(low, 1), "%"),
        figure("bounds_high", "读数上界(未测公司股数项取其贡献的 100%)", "reading, highest "
               "(unmeasured companies' share-count term at 100% of their contribution)",
               round(high, 1), "%"),
        figure("unmeasured_share", "未测公司在组合涨幅中的占比", "unmeasured companies' "
               "share of the basket's return", round(held, 1), "%")]
    # one verdict over the whole range: the same at both ends and no line strictly inside
    one = params.reading(low) is params.reading(high) and not any(
        low < line < high for line in params.lines())
    names = ", ".join(c.filings for c in unknown)
    if not one:
        out.notes.append(text(
            f"界限:{names} 的股数项未知,读数介于 {low:.1f}% 与 {high:.1f}% 之间,跨越判定线,"
            "不下结论。", f"Bounds: with the share-count term of {names} unknown the reading "
            f"lies between {low:.1f}% and {high:.1f}%, across a line: no verdict."))
        return
    near = min((low, high), key=lambda v: abs(v - params.threshold))
    out.readings = [("all companies, from bounds", near)]
    out.decided_by_bounds = True
    out.notes.append(text(
        f"由界限判定:{names} 缺少股数,但按其起点市值与涨幅,无论其股数如何变化,读数都在 "
        f"{low:.1f}% 与 {high:.1f}% 之间,结论相同;取离阈值最近的一端 {near:.1f}%。",
        f"Decided from bounds: {names} lack share counts, but by their start market values "
        f"and returns the reading lies between {low:.1f}% and {high:.1f}% whatever their "
        f"share counts did, and both ends give the same verdict; the end nearest the "
        f"threshold, {near:.1f}%, is reported."))


def _break_even(params: FundamentalsParams, out: Measured, moves: list[HoldingMove],
                rise: float, term: float) -> None:
    """When companies are missing: the most of the basket's return they could hold for the
    reading to stay on its side of the nearest line whatever their share count did (at
    most all of their rise, either way). Their market values are unknown, so this decides
    nothing; it says how far the measured part is from deciding."""
    from narrowgate.models.decompose import max_unknown_share

    missing = len(params.companies) - len(moves)
    if not missing or rise <= 0:
        return
    share = term / rise
    line = min(params.lines(), key=lambda x: abs(x / 100 - share)) / 100
    if not -1.0 < line < 1.0 or share == line:
        return
    need = max_unknown_share(share, line)
    side_zh, side_en = ("低于", "below") if share < line else ("高于", "above")
    out.figures.append(figure(
        "missing_break_even", f"未测公司在组合涨幅中的占比须低于(读数才能保持{side_zh} "
        f"{line * 100:g}%)", f"the {missing} unmeasured companies would have to hold less "
        f"than this share of the basket's return for the reading to stay {side_en} "
        f"{line * 100:g}% whatever their share counts did", round(need * 100, 1), "%"))
    out.notes.append(text(
        f"界限:{missing} 家公司缺少股数,其起点市值未知,不能放入组合。无论其股数如何变化"
        f"(至多解释其全部涨幅),只要它们在组合涨幅中的占比低于 {need * 100:.1f}%,读数仍"
        f"{side_zh} {line * 100:g}%;不知道其市值就无法确认这一点,因此不下结论。",
        f"Bounds: {missing} companies lack share counts, so their start market value is "
        "unknown and they cannot be placed in the basket. Whatever their share counts did "
        f"(explaining at most all of their rise), the reading stays {side_en} "
        f"{line * 100:g}% only if they hold less than {need * 100:.1f}% of the basket's "
        "return; without their market values that cannot be ruled in or out, so there is "
        "no verdict."))


def _method_note() -> LocalizedText:
    return text(
        "方法:按起点市值加权(买入持有)的组合;每家公司的对数收益精确拆为 盈利增长(财年净利润,"
        "取各端点前最近一个财年)+ 股数净变化(SEC 股数,取首次申报值,同一拆股口径)+ 市盈率变化"
        "(市值/净利润)+ 分红(总回报与价格的对数差);每家的简单收益按对数项比例分摊,各项之和"
        "等于组合收益。净利润非正时市盈率无意义,盈利与估值合并为市值变化。",
        "Method: a basket weighted by start market value (buy and hold); each company's log "
        "return split exactly into earnings growth (fiscal-year net income, the last year "
        "ending before each end) + net share-count change (SEC share counts as first filed, "
        "on one split basis) + P/E change (market value / net income) + dividends (total-"
        "return log change minus the price's); each company's simple return is shared out "
        "in proportion to its log terms, so the terms add up to the basket's return. Where "
        "net income is not positive a P/E means nothing: earnings and multiple are kept "
        "together as the market-value change.")
