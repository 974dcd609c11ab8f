"""capex-no-buyback: capex absorbs FCF, so mega-cap buybacks shrink and the Nasdaq de-rates.

Measured after publication: reported buybacks (and dividends) in the quarters after the
baseline vs the same number of quarters before, from the filings; and the Nasdaq's P/E
path against the Dow's. A few quarterly points are already recorded in the params with
their sources; the full comparison reads the SEC facts through the data hub.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from narrowgate.evaluate.common import (
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
from narrowgate.evaluate.verdict import DataUsed, Figure


class QuarterBuyback(Params):
    """A recorded quarterly buyback figure (cash paid to repurchase stock)."""

    instrument: InstrumentId
    quarter: str = Field(pattern=r"^Q[1-4]-\d{4}$", description="calendar quarter, e.g. Q1-2026")
    buybacks_usd_bn: float = Field(ge=0)
    source: RecordedSource


class CapexNoBuybackParams(Params):
    filings: list[InstrumentId] = Field(min_length=1)
    nasdaq: InstrumentId
    dow: InstrumentId
    baseline_date: date
    quarters_compared: int = Field(4, ge=1, le=12)
    min_buyback_drop_pct: float = Field(20.0, gt=0, description="drop at or above → 'shrink'")
    recorded_quarters: list[QuarterBuyback] = Field(default_factory=list)


@register
class CapexNoBuyback(AwaitingEvaluator[CapexNoBuybackParams]):
    test = "capex-no-buyback"
    params_model = CapexNoBuybackParams
    title = "Buybacks after publication; Nasdaq vs Dow P/E"
    capability = Capability.DATA_HUB
    measures = text(
        "发布后若干季度的回购与分红对比发布前同样季度数;纳指与道指市盈率的走势。",
        "Buybacks and dividends in the quarters after publication vs as many quarters "
        "before; Nasdaq vs Dow P/E paths.",
    )

    def data_needs(self, params: CapexNoBuybackParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.baseline_date.replace(year=params.baseline_date.year - 2)
        facts = [DataNeed(instrument=i, kind="facts", start=start, end=ctx.as_of,
                          why="PaymentsForRepurchaseOfCommonStock, PaymentsOfDividends")
                 for i in params.filings]
        return facts + bars_needs([params.nasdaq, params.dow], start, ctx.as_of,
                                  "price and P/E paths")

    def setup_figures(self, params: CapexNoBuybackParams, ctx: EvalContext) -> list[Figure]:
        out = [date_figure("baseline", "基准日", "baseline", params.baseline_date),
               figure("quarters", "比较季度数", "quarters compared", params.quarters_compared,
                      "quarters"),
               figure("drop_threshold", "视为收缩的降幅", "drop counted as shrinking",
                      params.min_buyback_drop_pct, "%")]
        out += [figure(f"buyback_{q.instrument}_{q.quarter}", f"{q.instrument} {q.quarter} 回购",
                       f"{q.instrument} {q.quarter} buybacks", q.buybacks_usd_bn, "USD bn")
                for q in params.recorded_quarters]
        return out

    def recorded(self, params: CapexNoBuybackParams) -> list[DataUsed]:
        return [recorded_data(q.source, q.instrument, f"{q.quarter} buybacks")
                for q in params.recorded_quarters]
