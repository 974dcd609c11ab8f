"""buyback-share: "about half of the Nasdaq's 10-year rise came from mega-cap buybacks".

The measurable approximation, stated in the evidence: the cumulative cash buybacks of the
mega-caps over the fiscal years ending inside the window, divided by the rise of their
combined market value over the window. Market value = close × shares outstanding (the
SEC cover-page count, ``dei:EntityCommonStockSharesOutstanding``, latest before the date).
Closes in the store are split-adjusted as of each source file's last date, so the share
count is put on that basis with the splits detected in the cover counts themselves (a jump
of more than 1.5× between consecutive filings, rounded to the integer ratio). A company
missing any component is named with what is missing; the share is then partial.
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
    bars_needs,
    date_figure,
    figure,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, DataUsed, Evidence, Figure, MissingData, Verdict

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim

COVER_SHARES = "EntityCommonStockSharesOutstanding"
SPLIT_JUMP = 1.5


class MegaCap(Params):
    filings: InstrumentId = Field(description="SEC facts id, e.g. sec:AAPL")
    prices: InstrumentId = Field(description="daily bars id, e.g. us:AAPL")


class BuybackShareParams(Params):
    companies: list[MegaCap] = Field(min_length=1)
    index_proxy: InstrumentId
    window_end: date
    window_years: int = Field(gt=0, le=30)
    article_share_pct: float = Field(gt=0, le=100)
    supported_within_pp: float = Field(10.0, gt=0, description="|measured − article| in points")

    @property
    def window_start(self) -> date:
        return self.window_end.replace(year=self.window_end.year - self.window_years)


def cover_shares(facts: pd.DataFrame) -> pd.Series:
    """Cover-page shares outstanding by date (latest filing per date), on each filing's basis."""
    import pandas as pd

    rows = facts[(facts["concept"] == COVER_SHARES) & (facts["unit"] == "shares")]
    rows = rows.sort_values("filed").groupby("end").tail(1).sort_values("end")
    return pd.Series(rows["value"].astype(float).to_numpy(),
                     index=pd.DatetimeIndex(rows["end"]), name="shares")


def split_factors(shares: pd.Series) -> list[tuple[pd.Timestamp, int]]:
    """(first cover date after the split, ratio) for each jump above ``SPLIT_JUMP``."""
    import pandas as pd

    ratios = shares / shares.shift(1)
    return [(pd.Timestamp(str(when)), round(float(r))) for when, r in ratios.items()
            if r > SPLIT_JUMP]


def shares_on_basis(shares: pd.Series, day: date, basis: date) -> tuple[float, int]:
    """The count at ``day`` (latest cover count on or before it) restated to the share basis
    of ``basis`` (splits detected after ``day`` up to ``basis`` multiply it)."""
    import pandas as pd

    before = shares[shares.index <= pd.Timestamp(day)]
    if before.empty:
        raise ValueError(f"no shares-outstanding count on or before {day}")
    factor = 1
    for when, ratio in split_factors(shares):
        if before.index[-1] < when <= pd.Timestamp(basis):
            factor *= ratio
    return float(before.iloc[-1]) * factor, factor


def _close_at(ctx: EvalContext, instrument: str, day: date) -> tuple[float, date, date, DataUsed]:
    """Last close on or before ``day``, its date, the source's basis date, provenance."""
    from narrowgate.evaluate.hubdata import provenance_to_data, require_hub

    bars = require_hub(ctx, [instrument]).bars(instrument, day - timedelta(days=10), day,
                                               adjust="raw")
    frame = bars.frame["close"].dropna()
    if frame.empty:
        raise ValueError(f"no close of {instrument} in the 10 days to {day}")
    prov = bars.provenance[0]
    basis_day = prov.source_last or frame.index[-1].date()
    return float(frame.iloc[-1]), frame.index[-1].date(), basis_day, provenance_to_data(prov)


def _company(ctx: EvalContext, c: MegaCap, params: BuybackShareParams
             ) -> tuple[dict[str, Any], list[DataUsed], list[str]]:
    """Buybacks and market values of one company; the list names what is missing."""
    from narrowgate.data.concepts import concept_tags, read_concept
    from narrowgate.evaluate.capex_data import sec_facts, ticker_of
    from narrowgate.models.capex import fiscal_year_of

    ticker, start, end = ticker_of(c.filings), params.window_start, params.window_end
    facts, used = sec_facts(ctx.hub, ticker, ctx.as_of, [*concept_tags("buybacks"), COVER_SHARES])
    series = read_concept(facts, "buybacks", "annual", company=ticker).frame
    inside = series[(series["end"] > str(start)) & (series["end"] <= str(end))]
    out: dict[str, Any] = {"ticker": ticker, "buybacks": float(inside["value"].sum()) / 1e9,
                           "years": [fiscal_year_of(e) for e in inside["end"]]}
    missing: list[str] = []
    if len(inside) < params.window_years:
        missing.append(f"buybacks for {params.window_years - len(inside)} of the fiscal years")
    data = [used]
    shares = cover_shares(facts)
    if shares.empty:
        missing.append(f"shares outstanding ({COVER_SHARES} not in the SEC facts: "
                       "multi-class companies tag it per class)")
        return out, data, missing
    for label, day in (("start", start), ("end", end)):
        close, on, basis, prov = _close_at(ctx, c.prices, day)
        count, factor = shares_on_basis(shares, on, basis)
        out[f"mcap_{label}"] = close * count / 1e9
        out[f"split_{label}"] = factor
        data.append(prov.model_copy(update={"note": f"close {close:.4g} on {on}; split-adjusted "
                                            f"as of {basis}; shares × {factor} to that basis"}))
    return out, data, missing


def _fallback_buybacks(instrument: str) -> tuple[Figure, DataUsed] | None:
    """Buybacks of the bundled FACTS.md 3a years (two of ten at most): shown, not summed."""
    from narrowgate.data.fallback import load_hyperscaler_cashflows
    from narrowgate.evaluate.capex_data import FALLBACK_NOTE, ticker_of

    table = load_hyperscaler_cashflows()
    t = ticker_of(instrument)
    rows = table[(table["ticker"] == t) & (table["period"] == "FY")
                 & (table["field"] == "buybacks")].dropna(subset=["value_usd_bn"])
    if rows.empty:
        return None
    years = rows["fiscal_year"].astype(int).tolist()
    span = f"FY{min(years)}–FY{max(years)}"
    fig = figure(f"{t}_buybacks_fallback", f"{t} {span} 回购(备用数据,仅 {len(years)} 年,不计入)",
                 f"{t} buybacks {span} [fallback; only {len(years)} years, not in the share]",
                 round(float(rows["value_usd_bn"].sum()), 1), "USD bn")
    used = DataUsed(instrument=instrument, source="fallback: " + "; ".join(
        dict.fromkeys(rows["source"].astype(str))), start=date(min(years), 1, 1),
        end=date(max(years), 12, 31), rows=len(rows), note=FALLBACK_NOTE, fallback=True)
    return fig, used


@register
class BuybackShare(AwaitingEvaluator[BuybackShareParams]):
    test = "buyback-share"
    params_model = BuybackShareParams
    title = "Mega-cap buybacks as a share of the Nasdaq's 10-year rise"
    capability = Capability.DATA_HUB
    measures = text(
        "十年内巨头累计回购额 ÷ 同期巨头合计市值增量(近似),与文章的一半相比。",
        "Cumulative mega-cap buybacks over the window ÷ the rise in their combined market "
        "value (an approximation), against the article's half.",
    )

    def data_needs(self, params: BuybackShareParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.window_start
        facts = [DataNeed(instrument=c.filings, kind="facts", start=start, end=params.window_end,
                          why="PaymentsForRepurchaseOfCommonStock, shares outstanding")
                 for c in params.companies]
        prices = [c.prices for c in params.companies] + [params.index_proxy]
        return facts + bars_needs(prices, start, params.window_end, "market value and index rise")

    def setup_figures(self, params: BuybackShareParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("window_start", "窗口起点", "window start", params.window_start),
            date_figure("window_end", "窗口终点", "window end", params.window_end),
            figure("article_share", "文章所称占比", "article's share", params.article_share_pct,
                   "%"),
            figure("tolerance", "支持所需误差范围", "tolerance for 'supported'",
                   params.supported_within_pp, "percentage points"),
        ]

    def decide(self, claim: Claim, params: BuybackShareParams, ctx: EvalContext
               ) -> Assessment | None:
        if not hasattr(ctx.hub, "facts"):
            return None
        figures: list[Figure] = []
        data: list[DataUsed] = []
        missing: list[MissingData] = []
        complete: list[dict[str, Any]] = []
        for c in params.companies:
            try:
                row, used, gaps = _company(ctx, c, params)
            except (NarrowgateError, ValueError) as exc:
                missing.append(MissingData(
                    what=f"{c.filings}: buybacks and shares outstanding ({exc})",
                    dates=f"{params.window_start} to {params.window_end}",
                    fetch=[c.filings, c.prices], how=FETCH_OR_IMPORT))
                fallback = _fallback_buybacks(c.filings)
                if fallback is not None:
                    figures.append(fallback[0])
                    data.append(fallback[1])
                continue
            data += used
            t = row["ticker"]
            figures.append(figure(f"{t}_buybacks", f"{t} 窗口内累计回购", f"{t} cumulative "
                                  f"buybacks FY{min(row['years'])}–FY{max(row['years'])}",
                                  round(row["buybacks"], 1), "USD bn"))
            if "mcap_end" in row:
                rise = row["mcap_end"] - row["mcap_start"]
                figures += [
                    figure(f"{t}_mcap_start", f"{t} 起点市值", f"{t} market value at start",
                           round(row["mcap_start"], 1), "USD bn"),
                    figure(f"{t}_mcap_end", f"{t} 终点市值", f"{t} market value at end",
                           round(row["mcap_end"], 1), "USD bn"),
                    figure(f"{t}_share", f"{t} 回购/市值增量", f"{t} buybacks / rise in value",
                           round(row["buybacks"] / rise * 100, 1), "%")]
            if gaps:
                missing.append(MissingData(what=f"{c.filings}: {'; '.join(gaps)}",
                                           dates=f"{params.window_start} to {params.window_end}",
                                           how="add the component from the 10-K (per-class "
                                               "shares) with its source"))
            else:
                complete.append(row)
        buybacks = sum(r["buybacks"] for r in complete)
        rise = sum(r["mcap_end"] - r["mcap_start"] for r in complete)
        share = buybacks / rise * 100 if rise > 0 else None
        names = [r["ticker"] for r in complete]
        figures.insert(0, figure("measured_share", f"可测公司({', '.join(names)})回购/市值增量",
                                 f"buybacks / rise in value, companies measured "
                                 f"({', '.join(names) or 'none'})",
                                 None if share is None else round(share, 1), "%", decisive=True))
        figures.insert(1, figure("companies_measured", "完整可测公司数", "companies fully measured",
                                 f"{len(complete)} of {len(params.companies)}", "companies"))
        notes = [self.measures, text(
            "近似方法:回购为窗口内结束的财年现金回购之和;"
            "市值 = 收盘价 × 封面流通股数(最近一次申报),"
            "股数按从价格数据中推断的拆股调整到价格口径;不计股权激励稀释、分红和其他纳指成分股。",
            "Approximation: buybacks = cash repurchases of the fiscal years ending inside the "
            "window; market value = close × cover-page shares outstanding (latest filing "
            "before the date), restated to the price file's split basis with splits detected "
            "in the share counts; stock-based dilution, dividends and the rest of the Nasdaq "
            "are left out. The ratio says how large buybacks were against the value created, "
            "not a causal attribution.")]
        complete_all = len(complete) == len(params.companies)
        if share is None or not complete_all:
            verdict = Verdict.INSUFFICIENT_DATA
            if not missing:
                missing.append(MissingData(what="market value rise of the companies measured",
                                           how="check the closes and share counts"))
        elif abs(share - params.article_share_pct) <= params.supported_within_pp:
            verdict = Verdict.SUPPORTED
        elif abs(share - params.article_share_pct) <= 2 * params.supported_within_pp:
            verdict = Verdict.MIXED
        else:
            verdict = Verdict.CONTRADICTED
        value = "n/a" if share is None else f"{share:.1f}%"
        summary = text(
            f"可完整测量的 {len(complete)}/{len(params.companies)} 家({', '.join(names) or '无'}):"
            f"累计回购 {buybacks * 10:,.0f} 亿美元,占其市值增量 {rise * 10:,.0f} 亿美元的 {value},"
            f"文章称约 {params.article_share_pct:.0f}%。其余公司缺数据,结论为部分测量。",
            f"Fully measured {len(complete)} of {len(params.companies)} "
            f"({', '.join(names) or 'none'}): cumulative buybacks ${buybacks:,.0f}B against a "
            f"${rise:,.0f}B rise in their market value = {value}; the article says about "
            f"{params.article_share_pct:.0f}%. Missing companies make this a partial figure.")
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=figures + self.setup_figures(params, ctx), data=data, notes=notes,
            missing=missing))
