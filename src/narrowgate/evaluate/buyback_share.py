"""buyback-share: "about half of the Nasdaq's 10-year rise came from mega-cap buybacks".

The measurable approximation: cumulative buybacks of the mega-caps over the window divided
by the rise of their combined market value (shares × price) over the same window. It reads
SEC facts and daily bars through the data hub; the share is compared with the article's.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Figure


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
