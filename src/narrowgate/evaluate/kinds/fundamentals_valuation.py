"""Valuation since the baseline, beside a ``same-quarters-year-before`` reading (context).

Why: "capex eats the cash, buybacks shrink, the valuation comes down" has a valuation
part that buyback quarters cannot show. With ``valuation_since_baseline`` the companies
that have prices are split as a basket weighted by market value at the baseline close
(:func:`narrowgate.models.decompose.basket_decomposition`): earnings growth (trailing
four quarters of net income in the facts filed by each date) + net
share-count change + P/E change + dividends, from the baseline close to the last close
all of them have. Their combined P/E (Σ market value / Σ TTM net income) is shown at both
ends. Never deciding; money in USD bn, P/E in x, terms in % of the start value.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import FETCH_OR_IMPORT, date_figure, figure, text
from narrowgate.evaluate.kinds.fundamentals_params import Company, FundamentalsParams
from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.verdict import MissingData

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.evaluate.kinds.fundamentals_measures import Measured
    from narrowgate.models.decompose import HoldingMove


def _ttm_income(facts: pd.DataFrame, ticker: str, day: date
                ) -> tuple[float | None, date | None]:
    """Net income of the four latest consecutive quarters known on ``day`` (USD) and the
    last quarter's end: the facts filed by then (the same as reading the store as of
    ``day``), quarters ending by then; (None, None) without four such quarters."""
    import pandas as pd

    from narrowgate.data.concepts import ConceptNotFound, read_concept
    from narrowgate.models.capex_ttm import QUARTER_GAP_DAYS

    known = facts[pd.to_datetime(facts["filed"]) <= pd.Timestamp(day)]
    try:
        frame = read_concept(known, "net_income", "quarterly", company=ticker).frame
    except (ConceptNotFound, ValueError):
        return None, None
    ends = pd.to_datetime(frame["end"]).dt.date.tolist()
    values = frame["value"].astype(float).tolist()
    quarters = sorted((e, v) for e, v in zip(ends, values, strict=True) if e <= day)
    low, high = QUARTER_GAP_DAYS
    for k in range(len(quarters) - 1, 2, -1):  # the latest end with four consecutive quarters
        window = quarters[k - 3:k + 1]
        if all(low <= (b[0] - a[0]).days <= high for a, b in itertools.pairwise(window)):
            return sum(v for _e, v in window), window[-1][0]
    return None, None


def _closes(ctx: EvalContext, ids: list[str], start: date, stop: date, basis: str
            ) -> pd.DataFrame:
    from narrowgate.evaluate.hubdata import require_hub

    return require_hub(ctx, ids).closes(ids, start - timedelta(days=10), stop,
                                        basis=basis).dropna()  # type: ignore[arg-type]


def valuation_context(ctx: EvalContext, params: FundamentalsParams, baseline: date,
                      stop: date, out: Measured) -> None:
    """Add the basket's split since ``baseline`` to ``out`` (figures, notes, gaps)."""
    from narrowgate.evaluate.kinds.fundamentals_decompose import dividend_term
    from narrowgate.evaluate.kinds.fundamentals_read import company_facts, market_values
    from narrowgate.models.decompose import HoldingMove
    from narrowgate.models.fundamentals import BN, SHARE_COUNTS

    read: dict[str, tuple[Company, pd.DataFrame, str]] = {}
    for c in params.companies:
        if c.prices is None:
            continue
        try:
            facts, _used, t = company_facts(ctx, c, ["net_income"], SHARE_COUNTS)
        except (NarrowgateError, ValueError):
            continue  # no SEC facts: its gap is already listed by the buyback reading
        read[c.prices] = (c, facts, t)
    ids = list(read)
    if not ids:
        return
    try:  # the last close every company has (dividend-reinvested files reach furthest)
        total = _closes(ctx, ids, baseline, stop, "total")
    except NarrowgateError as exc:
        out.missing.append(MissingData(what=f"closes for the valuation split: {exc.message}",
                                       fetch=ids, how=FETCH_OR_IMPORT))
        return
    if total.empty or total.index[-1].date() <= baseline:
        out.missing.append(MissingData(what=f"closes of {', '.join(ids)} after the baseline "
                                            f"{baseline}", fetch=ids, how=FETCH_OR_IMPORT))
        return
    day1 = total.index[-1].date()
    moves: list[HoldingMove] = []
    through: dict[str, tuple[date | None, date | None]] = {}
    for p, (c, facts, t) in read.items():
        try:
            values, data, gaps = market_values(ctx, c, facts, t, {"start": baseline,
                                                                   "end": day1})
        except (NarrowgateError, ValueError) as exc:
            gaps, values, data = [str(exc)], {}, []
        if gaps:
            out.missing.append(MissingData(what=f"{t}: valuation split ({'; '.join(gaps)})",
                                           fetch=[p], how=FETCH_OR_IMPORT))
            continue
        out.data += data
        (m0, s0), (m1, s1) = values["start"], values["end"]
        p0, p1 = m0 * BN / s0, m1 * BN / s1
        dividend, why, _tr = dividend_term(ctx, p, baseline, day1, math.log(p1 / p0))
        if why:
            out.notes.append(text(f"{t}(估值拆分):分红项记为 0({why})",
                                  f"{t} (valuation split): {why}"))
        (e0, q0), (e1, q1) = _ttm_income(facts, t, baseline), _ttm_income(facts, t, day1)
        through[t] = (q0, q1)
        moves.append(HoldingMove(t, p0, p1, s0, s1, e0, e1, dividend))
    day0 = baseline
    if moves:
        _figures(out, moves, day0, day1, through)


def _figures(out: Measured, moves: list[HoldingMove], day0: date, day1: date,
             through: dict[str, tuple[date | None, date | None]]) -> None:
    from narrowgate.models.decompose import BASKET_TERMS, basket_decomposition

    split = basket_decomposition(moves)
    rows = split.to_dict("index")
    names = ", ".join(m.name for m in moves)
    priced = [m for m in moves if (m.earnings_start or 0) > 0 and (m.earnings_end or 0) > 0]
    out.figures += [date_figure("valuation_from", "估值拆分起点收盘", "valuation split from "
                                "close", day0),
                    date_figure("valuation_to", "估值拆分终点收盘", "valuation split to close",
                                day1)]
    for m in priced:
        pe0 = m.value_start / (m.earnings_start or 1.0)
        pe1 = m.value_end / (m.earnings_end or 1.0)
        q0, q1 = through.get(m.name, (None, None))
        out.figures.append(figure(f"{m.name}_pe_ttm", f"{m.name} 市盈率(TTM 净利润,截至 "
                                  f"{q0} → {q1} 的四个季度)", f"{m.name} P/E (TTM net income, "
                                  f"four quarters to {q0} → to {q1})",
                                  f"{pe0:.1f} → {pe1:.1f}", "x"))
    if priced:
        v0 = sum(m.value_start for m in priced)
        v1 = sum(m.value_end for m in priced)
        e0 = sum(m.earnings_start or 0.0 for m in priced)
        e1 = sum(m.earnings_end or 0.0 for m in priced)
        out.figures.append(figure("combined_pe_change", f"合计市盈率变化({names})",
                                  f"combined P/E change ({names}; Σ value / Σ TTM net "
                                  f"income, {v0 / e0:.1f}x → {v1 / e1:.1f}x)",
                                  round(((v1 / e1) / (v0 / e0) - 1) * 100, 1), "%"))
    basket = rows["basket"]
    out.figures.append(figure("valuation_basket_return", "组合涨幅(基准日市值加权)",
                              "basket return (weighted by baseline market value)",
                              round(float(basket["contribution"]) * 100, 1), "%"))
    words = {"earnings_growth": ("盈利增长", "earnings growth"),
             "share_count": ("股数净变化", "net share-count change"),
             "multiple_change": ("市盈率变化", "P/E change"),
             "valuation_unsplit": ("市值变化(盈利非正)", "market-value change (earnings "
                                   "not positive)"),
             "dividend": ("分红", "dividends")}
    for term in BASKET_TERMS:
        value = float(basket[f"c_{term}"])
        if term == "valuation_unsplit" and value == 0.0:
            continue
        zh, en = words[term]
        out.figures.append(figure(f"valuation_{term}", f"组合涨幅中的{zh}",
                                  f"basket return from {en}", round(value * 100, 1),
                                  "% of start value"))
    out.notes.append(text(
        f"估值(背景,不参与判定):{names} 按基准日市值加权,{day0}→{day1} 的涨幅拆为盈利增长"
        "(截至各日已申报的最近四个季度净利润)+ 股数净变化 + 市盈率变化 + 分红。",
        f"Valuation (context, not deciding): {names} weighted by market value at the "
        f"baseline close, the return {day0}→{day1} split into earnings growth (net income "
        "of the latest four quarters filed by each date) + net share-count change + P/E "
        "change + dividends."))
