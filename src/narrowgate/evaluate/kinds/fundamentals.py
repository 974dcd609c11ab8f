"""fundamentals: SEC figures of any set of companies against a threshold.

"Capex rose above 10% of operating cash flow", "buybacks stayed above 80% of free cash
flow every year", "revenue grew at least 5% a year", "buybacks in the latest quarters fell
against the same quarters a year before", "buybacks were half of the rise in market
value", "a tenth of the return came from fewer shares": one kind, six ``measure``s over
reconciled SEC concepts (``data.concepts``):

- ``value`` (USD bn), ``ratio`` (concept / denominator, %), ``growth`` (% a year) over the
  fiscal periods ending in (start, end]; ``over`` takes the latest period, all of them
  together (sums; growth: the compound rate first → last) or judges each;
- ``same-quarters-year-before``: the latest ``quarters`` ending after the baseline against
  the quarters a year before (% change), from SEC facts or, for a company the store lacks,
  quarters recorded in the params with their source (marked fallback);
- ``share-of-market-value-rise``: the concept summed over the fiscal years in the window
  over the rise of market value (close × cover-page shares, split-restated), in %;
- ``share-count-part-of-return``: the companies as a basket weighted by start market
  value, each return split into earnings growth + net share-count change + P/E change +
  dividends; the share-count term's share of the basket's return, in %
  (:mod:`.fundamentals_decompose`).

Across companies the figures are summed (``aggregate: sum``), the median company taken, or
each company judged. A reading on the expected side of ``threshold`` (within ± tolerance
for ``near``) is supported, within ``mixed_band`` beyond it mixed, else contradicted; several
readings agree or make it mixed. An optional ``versus`` block adds a market condition (an
instrument against a benchmark since the baseline): both hold → supported, one → mixed.
With a horizon the coverage gate keeps the verdict ``pending`` (with the interim reading)
until as-of passes it; the filings and closes read are those available at as-of.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import date_figure, figure, text
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.core.thresholds import conditions_held
from narrowgate.evaluate.kinds.fundamentals_params import (
    MARKET_VALUE_MEASURES,
    FundamentalsParams,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, register
from narrowgate.evaluate.verdict import (
    VERDICT_LABELS,
    Assessment,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.evaluate.watch import crossings
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.fundamentals_measures import Measured
    from narrowgate.evaluate.kinds.fundamentals_read import VersusRead
    from narrowgate.thesis.schema import Claim

_EXPECT_ZH = {"above": "高于", "below": "低于", "near": "接近"}


def _combined(params: FundamentalsParams, readings: list[float]) -> Verdict:
    """One reading decides by the thresholds; several agree, or the verdict is mixed."""
    seen = {params.reading(v) for v in readings}
    return seen.pop() if len(seen) == 1 else Verdict.MIXED


def _with_versus(reading: Verdict, versus_ok: bool | None) -> Verdict:
    """The fundamentals reading joined with the market condition (None: no condition)."""
    if versus_ok is None or reading is Verdict.MIXED:
        return reading
    return conditions_held((reading is Verdict.SUPPORTED, versus_ok))


@register
class Fundamentals(Evaluator[FundamentalsParams]):
    test = "fundamentals"
    params_model = FundamentalsParams
    title = "SEC figures of companies: a value, growth, a ratio, quarters vs a year before"

    def data_needs(self, params: FundamentalsParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.evaluate.common import bars_needs

        end = params.end or ctx.as_of
        # without a window start: two years before the baseline, for the year-before quarters
        start = params.start or (params.baseline or ctx.published) - timedelta(days=730)
        needs = [DataNeed(instrument=c.filings, kind="facts", start=start, end=end,
                          why=f"{params.concept} ({params.measure})") for c in params.companies]
        prices = [c.prices for c in params.companies if c.prices is not None]
        if params.measure in MARKET_VALUE_MEASURES and prices:
            needs += bars_needs(prices, start, end, "market value at both ends")
        if params.valuation_since_baseline and prices:
            needs += bars_needs(prices, params.baseline or ctx.published, ctx.as_of,
                                "market value since the baseline (valuation split)")
        if params.versus is not None:
            needs += bars_needs([params.versus.instrument, params.versus.benchmark],
                                params.baseline or ctx.published, ctx.as_of,
                                "the market condition since the baseline")
        return needs

    def evaluate(self, claim: Claim, params: FundamentalsParams, ctx: EvalContext
                 ) -> Assessment:
        from narrowgate.evaluate.kinds.fundamentals_measures import (
            periods_measure,
            quarters_measure,
            share_measure,
        )

        end = params.end or claim.horizon or ctx.as_of
        stop = min(end, ctx.as_of)
        baseline = params.baseline or ctx.published
        if params.measure == "same-quarters-year-before":
            m = quarters_measure(ctx, params, baseline, stop)
            if params.valuation_since_baseline:
                from narrowgate.evaluate.kinds.fundamentals_valuation import valuation_context

                valuation_context(ctx, params, baseline, stop, m)
        elif params.measure == "share-of-market-value-rise" and params.start is not None:
            m = share_measure(ctx, params, params.start, end)
        elif params.measure == "share-count-part-of-return" and params.start is not None:
            from narrowgate.evaluate.kinds.fundamentals_decompose import decomposition_measure

            m = decomposition_measure(ctx, params, params.start, end)
        else:
            m = periods_measure(ctx, params, params.start, stop)
        vs = None
        if params.versus is not None:
            from narrowgate.evaluate.kinds.fundamentals_read import read_versus

            vs = read_versus(ctx, params.versus, baseline, stop, m.missing)
        m.missing += [MissingData(what=x.what, how=x.how) for x in params.missing]
        return _assess(claim, params, ctx, m, vs, baseline)


def _assess(claim: Claim, params: FundamentalsParams, ctx: EvalContext, m: Measured,
            vs: VersusRead | None, baseline: date) -> Assessment:
    what, unit = params.what(), params.unit
    values = [v for _, v in m.readings]
    figures: list[Figure] = [
        figure("measured", f"{what.zh}({_names(m)})", f"{what.en} ({_names(m)})",
               round(values[0], 1) if len(values) == 1 else
               f"{sum(params.reading(v) is Verdict.SUPPORTED for v in values)} of "
               f"{len(values)} meet the threshold" if values else None,
               unit if len(values) == 1 else "readings", decisive=True),
        figure("companies_measured", "完整可测公司数", "companies fully measured",
               f"{m.full} of {len(params.companies)}", "companies")]
    if len(values) > 1:
        figures += [figure(f"reading_{label.replace(' ', '_')}", f"{what.zh} {label}",
                           f"{what.en} {label}", round(v, 1), unit) for label, v in m.readings]
    figures += m.figures + (vs.figures if vs else []) + _setup(params, baseline)
    versus_ok = None if vs is None or vs.excess is None or params.versus is None \
        else params.versus.holds(vs.excess)
    usable = bool(values) and (m.complete or m.decided_by_bounds or not params.require_all) and (
        params.versus is None or versus_ok is not None)
    notes = [n for n in (params.note,) if n is not None] + m.notes
    if not usable:
        missing = m.missing or [MissingData(what=f"{what.en}: no reading",
                                            how="check the companies' SEC facts")]
        summary = _summary(params, m, vs, values, None)
        return Assessment(verdict=Verdict.INSUFFICIENT_DATA, summary=summary, evidence=Evidence(
            figures=figures, data=m.data + (vs.data if vs else []), notes=notes,
            charts=m.charts, missing=missing))
    reading = _with_versus(_combined(params, values), versus_ok)
    # the reading reaches as far as its shortest input: the closes compared, and for
    # quarters the last one of a company still short of the quarters asked (complete
    # quarters are decided whatever the date; fiscal-year figures are as read at as-of)
    ends = [d.end for d in (vs.data if vs else []) if d.end and not d.fallback]
    ends += [m.short_of] if m.short_of is not None else []
    gate = coverage_gate(reading, decides_at=claim.horizon,
                         data_reaches=min(ends) if ends else ctx.as_of, as_of=ctx.as_of)
    figures.insert(1, figure("interim_verdict", "截至数据末的读数", "reading as of the data's "
                             "end", reading.value, "verdict", decisive=True))
    summary = gate.said_first(_summary(params, m, vs, values, reading))
    charts = ([vs.chart] if vs and vs.chart else []) + m.charts
    return Assessment(verdict=gate.verdict, summary=summary, evidence=Evidence(
        figures=figures, data=m.data + (vs.data if vs else []), charts=charts,
        notes=[*([gate.interim] if gate.interim else []), *notes, _method(params)],
        missing=m.missing, watch=_watch(params, m, vs, values, versus_ok)))


def _names(m: Measured) -> str:
    names = ", ".join(m.measured) or "none"
    # decided from bounds: the reading covers the others too, as the end of their range
    return f"{names}; others bounded, nearest end" if m.decided_by_bounds else names


def _setup(params: FundamentalsParams, baseline: date) -> list[Figure]:
    unit = params.unit
    out = [figure("threshold", f"阈值({_EXPECT_ZH[params.expect]})",
                  f"threshold ({params.expect})", params.threshold, unit)]
    if params.tolerance is not None:
        out.append(figure("tolerance", "成立所需误差范围", "tolerance for 'supported'",
                          params.tolerance, unit))
    if params.start is not None:
        out.append(date_figure("window_start", "窗口起点", "window start", params.start))
    if params.end is not None:
        out.append(date_figure("window_end", "窗口终点", "window end", params.end))
    if params.measure == "same-quarters-year-before" or params.versus is not None:
        out.append(date_figure("baseline", "基准日", "baseline", baseline))
    if params.measure == "same-quarters-year-before":
        out.append(figure("quarters", "比较季度数", "quarters compared", params.quarters,
                          "quarters"))
    out += [figure(f"recorded_{q.instrument}_{q.quarter}",
                   f"{q.instrument} {q.quarter} {params.concept}(记录值)",
                   f"{q.instrument} {q.quarter} {params.concept} (recorded)", q.value_usd_bn,
                   "USD bn") for q in params.recorded_quarters]
    return out


def _watch(params: FundamentalsParams, m: Measured, vs: VersusRead | None,
           values: list[float], versus_ok: bool | None) -> list[WatchItem]:
    out: list[WatchItem] = []
    what = params.what()
    if len(values) == 1:
        out += crossings(lambda x: _with_versus(params.reading(x), versus_ok), values[0],
                         params.lines(), label=what, unit=params.unit, digits=1,
                         observed=m.observed)
    if vs is not None and vs.excess is not None and params.versus is not None:
        fund = _combined(params, values)
        v = params.versus
        out += crossings(lambda x: _with_versus(fund, v.holds(x)), vs.excess, [v.line],
                         label=text(f"{v.instrument} 减 {v.benchmark}(基准日以来)",
                                    f"{v.instrument} minus {v.benchmark} since the baseline"),
                         unit="percentage points", digits=1,
                         instrument=f"{v.instrument} − {v.benchmark}", observed=vs.end)
    return out


def _summary(params: FundamentalsParams, m: Measured, vs: VersusRead | None,
             values: list[float], reading: Verdict | None) -> LocalizedText:
    what, unit = params.what(), params.unit
    n, total = len(m.measured), len(params.companies)
    if len(values) == 1:
        now_zh, now_en = f"{values[0]:,.1f} {unit}", f"{values[0]:,.1f} {unit}"
    elif values:
        lines = "; ".join(f"{label} {v:,.1f}" for label, v in m.readings)
        now_zh = now_en = f"{lines} ({unit})"
    else:
        now_zh, now_en = "无读数", "no reading"
    t = f"{params.threshold:g}" + (f" ± {params.tolerance:g}" if params.tolerance else "")
    zh = (f"{n}/{total} 家公司可测({_names(m)}):{what.zh} {now_zh},"
          f"论点预期{_EXPECT_ZH[params.expect]} {t}。")
    en = (f"{n} of {total} companies measured ({_names(m)}): {what.en} {now_en}; the claim "
          f"expects {params.expect} {t}.")
    if vs is not None and vs.excess is not None and params.versus is not None:
        v = params.versus
        zh += f"{v.instrument} 减 {v.benchmark}(基准日以来):{vs.excess:+.1f} 个百分点。"
        en += f" {v.instrument} minus {v.benchmark} since the baseline: {vs.excess:+.1f} points."
    if reading is None:
        zh += "数据不全,无法判定。"
        en += " Data are incomplete: no verdict."
    else:
        label = VERDICT_LABELS[reading]
        zh += f"读数:{label.zh}。"
        en += f" Reading: {label.en}."
        if m.decided_by_bounds:
            zh += "其余公司数据不全,但其可能范围内结论不变(由界限判定)。"
            en += (" The other companies lack data, but the verdict is the same over their "
                   "whole possible range (decided from bounds).")
    if params.note is not None:
        zh, en = zh + params.note.zh, f"{en} {params.note.en}"
    return text(zh, en)


def _method(params: FundamentalsParams) -> LocalizedText:
    over_zh = {"latest": "最近一期", "total": "窗口内合计", "each": "逐期判定"}[params.over]
    agg_zh = {"sum": "合计", "median": "取中位数公司", "each": "逐家判定"}[params.aggregate]
    return text(
        f"方法:SEC 事实中的 {params.concept}({params.measure});期次:{over_zh};"
        f"跨公司:{agg_zh}。成立:{_EXPECT_ZH[params.expect]} {params.threshold:g};"
        f"其外 {params.mixed_band:g} 以内为部分成立。",
        f"Method: {params.concept} from SEC facts ({params.measure}); periods: {params.over}; "
        f"across companies: {params.aggregate}. Supported {params.expect} "
        f"{params.threshold:g}; mixed within {params.mixed_band:g} beyond it.")
