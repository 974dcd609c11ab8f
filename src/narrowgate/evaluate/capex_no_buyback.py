"""capex-no-buyback: capex absorbs FCF, so mega-cap buybacks shrink and the Nasdaq de-rates.

Measured after publication: cash buybacks (and dividends) in the latest quarters ending
after the baseline against the same quarters a year before — SEC quarterly facts through
the hub where the store has them, else the quarters recorded in the params (sourced,
marked fallback) — and the Nasdaq (QQQ) against the Dow (DIA) since the baseline close.
The horizon is the end of 2026: before it the verdict is ``pending`` with the interim
figures. P/E paths of the two indices are not available from any provider (named missing).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.common import (
    FETCH_OR_IMPORT,
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    RecordedSource,
    bars_needs,
    date_figure,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.evaluate.watch import both_ways, crossings

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

#: A quarter "a year before" ends within this many days of 365 days earlier.
YEAR_BEFORE_SLACK_DAYS = 20
#: Dow minus Nasdaq since the baseline above this (percentage points) → the Nasdaq lagged.
DOW_AHEAD_MIN_PP = 0.0


class QuarterBuyback(Params):
    """A recorded quarterly buyback figure (cash paid to repurchase stock)."""

    instrument: InstrumentId
    quarter: str = Field(pattern=r"^Q[1-4]-\d{4}$", description="calendar quarter, e.g. Q1-2026")
    buybacks_usd_bn: float = Field(ge=0)
    source: RecordedSource

    @property
    def end(self) -> date:
        q, year = int(self.quarter[1]), int(self.quarter[3:])
        return date(year, 3 * q, 30 if q in (2, 3) else 31)


class CapexNoBuybackParams(Params):
    filings: list[InstrumentId] = Field(min_length=1)
    nasdaq: InstrumentId
    dow: InstrumentId
    baseline_date: date
    quarters_compared: int = Field(4, ge=1, le=12)
    min_buyback_drop_pct: float = Field(20.0, gt=0, description="drop at or above → 'shrink'")
    dividend_cut_pct: float = Field(5.0, gt=0, description="dividends down this much → 'cut'")
    recorded_quarters: list[QuarterBuyback] = Field(default_factory=list)


def _pairs(frame: Any, baseline: date, count: int) -> list[tuple[date, float, date, float]]:
    """(end, value, end a year before, value) for the latest ``count`` quarters after
    ``baseline`` that have a matching quarter a year earlier."""
    import pandas as pd

    by_end = {pd.Timestamp(e).date(): float(v) for e, v in zip(frame["end"], frame["value"],
                                                                 strict=True)}
    post = sorted(e for e in by_end if e > baseline)[-count:]
    out = []
    for end in post:
        earlier = [e for e in by_end
                   if abs((end - e).days - 365) <= YEAR_BEFORE_SLACK_DAYS]
        if earlier:
            out.append((end, by_end[end] / 1e9, earlier[0], by_end[earlier[0]] / 1e9))
    return out


def _sec_quarters(ctx: EvalContext, instrument: str, params: CapexNoBuybackParams
                  ) -> tuple[dict[str, list[tuple[date, float, date, float]]], DataUsed, date]:
    """Buyback and dividend pairs from SEC quarterly facts; the latest quarter end."""
    from narrowgate.data.concepts import ConceptNotFound, concept_tags, read_concept
    from narrowgate.evaluate.capex_data import sec_facts, ticker_of

    ticker = ticker_of(instrument)
    tags = concept_tags("buybacks") + concept_tags("dividends")
    facts, used = sec_facts(ctx.hub, ticker, ctx.as_of, tags)
    out: dict[str, list[tuple[date, float, date, float]]] = {}
    latest = date.min
    for concept in ("buybacks", "dividends"):
        try:
            series = read_concept(facts, concept, "quarterly", company=ticker)
        except ConceptNotFound:
            continue
        latest = max(latest, series.frame["end"].max().date())
        out[concept] = _pairs(series.frame, params.baseline_date, params.quarters_compared)
    return out, used, latest


def _recorded_pairs(params: CapexNoBuybackParams, instrument: str
                    ) -> list[tuple[date, float, date, float, QuarterBuyback]]:
    rows = {q.end: q for q in params.recorded_quarters if q.instrument == instrument}
    out = []
    for end, q in sorted(rows.items()):
        before = date(end.year - 1, end.month, end.day)
        if end > params.baseline_date and before in rows:
            out.append((end, q.buybacks_usd_bn, before, rows[before].buybacks_usd_bn, q))
    return out[-params.quarters_compared:]


@register
class CapexNoBuyback(AwaitingEvaluator[CapexNoBuybackParams]):
    test = "capex-no-buyback"
    params_model = CapexNoBuybackParams
    title = "Buybacks after publication; Nasdaq vs Dow"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后各季度的回购与分红对比一年前同季;纳指(QQQ)与道指(DIA)自发布以来的表现。",
        "Buybacks and dividends in the quarters after publication vs the same quarters a "
        "year before; Nasdaq (QQQ) vs Dow (DIA) since publication.",
    )

    def data_needs(self, params: CapexNoBuybackParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.baseline_date.replace(year=params.baseline_date.year - 2)
        facts = [DataNeed(instrument=i, kind="facts", start=start, end=ctx.as_of,
                          why="PaymentsForRepurchaseOfCommonStock, PaymentsOfDividends")
                 for i in params.filings]
        return facts + bars_needs([params.nasdaq, params.dow], start, ctx.as_of,
                                  "price paths since publication")

    def setup_figures(self, params: CapexNoBuybackParams, ctx: EvalContext) -> list[Figure]:
        out = [date_figure("baseline", "基准日", "baseline", params.baseline_date),
               figure("quarters", "比较季度数", "quarters compared", params.quarters_compared,
                      "quarters"),
               figure("drop_threshold", "视为收缩的降幅", "drop counted as shrinking",
                      params.min_buyback_drop_pct, "%")]
        out += [figure(f"buyback_{q.instrument}_{q.quarter}", f"{q.instrument} {q.quarter} 回购",
                       f"{q.instrument} {q.quarter} buybacks (recorded)", q.buybacks_usd_bn,
                       "USD bn")
                for q in params.recorded_quarters]
        return out

    def recorded(self, params: CapexNoBuybackParams) -> list[DataUsed]:
        return [recorded_data(q.source, q.instrument, f"{q.quarter} buybacks")
                for q in params.recorded_quarters]

    def decide(self, claim: Claim, params: CapexNoBuybackParams, ctx: EvalContext
               ) -> Assessment | None:
        if not hasattr(ctx.hub, "facts"):
            return None
        figures: list[Figure] = []
        data: list[DataUsed] = []
        missing: list[MissingData] = []
        notes = [self.measures]
        post_total = before_total = 0.0
        bars: dict[str, tuple[float, float]] = {}
        cuts: list[str] = []
        kept: list[str] = []
        quarter_ends: list[date] = []
        for instrument in params.filings:
            try:
                pairs, used, latest = _sec_quarters(ctx, instrument, params)
            except NarrowgateError:
                rec = _recorded_pairs(params, instrument)
                if not rec:
                    missing.append(MissingData(
                        what=f"{instrument}: quarterly buybacks after {params.baseline_date}",
                        fetch=[instrument], how="SEC companyfacts, or record the quarter "
                                                "with its source in the thesis params"))
                    continue
                for end, post, e0, before, q in rec:
                    post_total, before_total = post_total + post, before_total + before
                    quarter_ends.append(end)
                    bars[f"{instrument} {q.quarter}"] = (post, before)
                    figures.append(figure(f"{instrument}_buybacks_{end}",
                                          f"{instrument} 截至 {end} 季度回购(记录值,备用)",
                                          f"{instrument} quarter to {end} buybacks "
                                          f"(recorded, fallback) vs {e0}",
                                          round(post - before, 3), "USD bn change"))
                continue
            data.append(used)
            buy = pairs.get("buybacks", [])
            if not buy:
                missing.append(MissingData(
                    what=f"{instrument}: no quarter after {params.baseline_date} in the store "
                         f"(latest quarter ends {latest})",
                    fetch=[instrument], how="once the next 10-Q is filed"))
            for end, post, e0, before in buy:
                post_total, before_total = post_total + post, before_total + before
                quarter_ends.append(end)
                bars[f"{instrument} {end}"] = (post, before)
                figures.append(figure(f"{instrument}_buybacks_{end}",
                                      f"{instrument} 截至 {end} 季度回购", f"{instrument} "
                                      f"buybacks, quarter to {end}", round(post, 3), "USD bn"))
                figures.append(figure(f"{instrument}_buybacks_{e0}",
                                      f"{instrument} 一年前同季({e0})回购",
                                      f"{instrument} buybacks a year before (to {e0})",
                                      round(before, 3), "USD bn"))
            for end, post, _e0, before in pairs.get("dividends", []):
                (cuts if post < before * (1 - params.dividend_cut_pct / 100) else kept).append(
                    instrument)
                figures.append(figure(f"{instrument}_dividends_{end}",
                                      f"{instrument} 截至 {end} 季度分红(一年前 {before:.3f})",
                                      f"{instrument} dividends, quarter to {end} (a year "
                                      f"before: {before:.3f})", round(post, 3), "USD bn"))
        drop = (1 - post_total / before_total) * 100 if before_total > 0 else None
        shrink = drop is not None and drop >= params.min_buyback_drop_pct
        figures.insert(0, figure("buyback_change", "发布后季度回购合计对比一年前",
                                 "post-publication quarterly buybacks vs a year before",
                                 None if drop is None else round(-drop, 1), "%", decisive=True))
        market, market_data, chart = self._market(params, ctx, missing)
        figures += market
        data += market_data
        dow_ahead = next((f.value for f in market if f.key == "dow_minus_nasdaq"), None)
        dow_led = isinstance(dow_ahead, float) and dow_ahead > DOW_AHEAD_MIN_PP
        missing.append(MissingData(
            what=f"P/E paths of the Nasdaq-100 ({params.nasdaq}) and the Dow ({params.dow})",
            how="no provider in this version supplies index P/E history; price paths stand in"))
        notes.append(text(
            "GOOGL 2026 年一季度回购在 XBRL 中为 0,事实表标注“待核实”;"
            "Meta 的季度数字是记录值(备用)。",
            "GOOGL's Q1-2026 buybacks are 0 in the XBRL facts, a value the fact sheet marks "
            "unverified; Meta's quarters are recorded figures (fallback), not SEC facts."))
        if cuts or kept:
            notes.append(text(f"分红削减:{sorted(set(cuts)) or '无'};维持:{sorted(set(kept))}。",
                              f"Dividends cut: {sorted(set(cuts)) or 'none'}; kept or raised: "
                              f"{sorted(set(kept))}."))
        decided = claim.horizon is None or ctx.as_of >= claim.horizon
        if not decided:
            verdict = Verdict.PENDING
        elif drop is None or dow_ahead is None:
            verdict = Verdict.INSUFFICIENT_DATA
        else:
            verdict = both_ways(shrink, dow_led)
        watch: list[WatchItem] = []
        if drop is not None and isinstance(dow_ahead, float):
            market_end = next(str(f.value) for f in market if f.key == "market_end")
            watch = [
                *crossings(lambda x: both_ways(-x >= params.min_buyback_drop_pct, dow_led),
                           -drop, [-params.min_buyback_drop_pct],
                           label=text("发布后季度回购合计对比一年前",
                                      "post-publication quarterly buybacks vs a year before"),
                           unit="%", digits=1, observed=max(quarter_ends)),
                *crossings(lambda x: both_ways(shrink, x > DOW_AHEAD_MIN_PP), dow_ahead,
                           [DOW_AHEAD_MIN_PP], label=text("道指减纳指(基准日以来)",
                                                          "Dow minus Nasdaq since the baseline"),
                           unit="percentage points", digits=1,
                           instrument=f"{params.dow} − {params.nasdaq}",
                           observed=date.fromisoformat(market_end)),
            ]
        drop_txt = "n/a" if drop is None else f"{-drop:+.1f}%"
        summary = text(
            f"发布后可得季度的回购合计较一年前同季 {drop_txt};道指减纳指 {dow_ahead} 个百分点。"
            f"期限 {claim.horizon},{'已到' if decided else '未到,暂为中期读数'}。",
            f"Buybacks in the quarters reported after publication are {drop_txt} against the "
            f"same quarters a year before; Dow minus Nasdaq since the baseline: {dow_ahead} "
            f"points. Horizon {claim.horizon}: {'reached' if decided else 'not reached, interim'}.")
        charts = [c for c in (chart, _buyback_chart(bars)) if c is not None]
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=figures + self.setup_figures(params, ctx),
            data=data + self.recorded(params), charts=charts, notes=notes, missing=missing,
            watch=watch))

    def _market(self, params: CapexNoBuybackParams, ctx: EvalContext,
                missing: list[MissingData]) -> tuple[list[Figure], list[DataUsed], Chart | None]:
        """QQQ and DIA from the baseline close to the latest close at or before as-of."""
        from narrowgate.evaluate.hubdata import line_chart, read_closes
        from narrowgate.models.performance import last_close_before, normalised_path, total_return

        ids = [params.nasdaq, params.dow]
        try:
            closes, data = read_closes(ctx, ids, params.baseline_date - timedelta(days=10))
        except NarrowgateError as exc:
            missing.append(MissingData(what=f"{', '.join(ids)} closes: {exc.message}",
                                       fetch=list(ids), how=FETCH_OR_IMPORT))
            return [], [], None
        both = closes.dropna()
        start = last_close_before(both, params.baseline_date + timedelta(days=1))
        end = both.index[-1].date()
        nq = total_return(both[params.nasdaq], start, end) * 100
        dw = total_return(both[params.dow], start, end) * 100
        figures = [date_figure("market_start", "起点收盘", "from close", start),
                   date_figure("market_end", "终点收盘", "to close", end),
                   figure("nasdaq_return", f"{params.nasdaq} 涨跌", f"{params.nasdaq} return",
                          round(nq, 1), "%"),
                   figure("dow_return", f"{params.dow} 涨跌", f"{params.dow} return",
                          round(dw, 1), "%"),
                   figure("dow_minus_nasdaq", "道指减纳指", "Dow minus Nasdaq",
                          round(dw - nq, 1), "percentage points", decisive=True)]
        chart = line_chart(text("纳指与道指(基准日=1)", "Nasdaq vs Dow (baseline = 1)"),
                           normalised_path(both, start, end), "× baseline")
        return figures, data, chart


def _buyback_chart(bars: dict[str, tuple[float, float]]) -> Chart | None:
    if not bars:
        return None
    names: list[str | float | int] = list(bars)
    return Chart(
        title=text("发布后季度回购与一年前同季", "Quarterly buybacks after publication vs a "
                   "year before"),
        series=[ChartSeries(name="after publication", x=list(names),
                            y=[round(v[0], 3) for v in bars.values()], kind="bar"),
                ChartSeries(name="a year before", x=list(names),
                            y=[round(v[1], 3) for v in bars.values()], kind="bar")],
        x_label="company, quarter", y_label="USD bn", x_is_date=False)
