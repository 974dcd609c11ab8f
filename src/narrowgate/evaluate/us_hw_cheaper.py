"""us-hw-cheaper: the US peers (LITE, LUMN, MU, SNDK) are valued more loosely.

Decided side by side with ai-hw-priced-in: the same priced-in year and the forward P/E for
both groups, from the recorded EPS paths (fiscal years as each firm reports them) and the
close on the price date. The valuation toolkit (issue #5) does the arithmetic.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

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


class EpsFigure(Params):
    fiscal_year: int = Field(ge=2015, le=2035)
    eps_usd: float = Field(description="diluted EPS, USD per share")
    basis: Literal["gaap", "non-gaap"]
    kind: Literal["actual", "consensus", "broker", "bull-case"]
    source: RecordedSource


class UsStock(Params):
    instrument: InstrumentId
    fiscal_year_end_month: int = Field(ge=1, le=12)
    eps: list[EpsFigure] = Field(default_factory=list)


class UsHwCheaperParams(Params):
    stocks: list[UsStock] = Field(min_length=1)
    price_date: date
    fair_pe_x: float = Field(gt=0, description="same multiple as ai-hw-priced-in")
    compare_with_claim: str = Field(description="the A-share claim to compare with")
    looser_by_years: int = Field(
        1, ge=0, description="US priced-in year at least this many years earlier → supported"
    )


@register
class UsHwCheaper(AwaitingEvaluator[UsHwCheaperParams]):
    test = "us-hw-cheaper"
    params_model = UsHwCheaperParams
    title = "US AI-hardware peers vs the A-share leaders: priced-in year and forward P/E"
    capability = Capability.VALUATION
    measures = text(
        "对美股同行计算与A股相同的“计入年份”和远期市盈率,并排比较。",
        "Compute the same priced-in year and forward P/E for the US peers and set them "
        "beside the A-share names.",
    )

    def data_needs(self, params: UsHwCheaperParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([s.instrument for s in params.stocks], params.price_date, ctx.as_of,
                          "close on the price date and after")

    def setup_figures(self, params: UsHwCheaperParams, ctx: EvalContext) -> list[Figure]:
        out = [
            date_figure("price_date", "价格日", "price date", params.price_date),
            figure("fair_pe", "合理市盈率", "fair P/E", params.fair_pe_x, "x"),
        ]
        for s in params.stocks:
            out += [figure(f"eps_{s.instrument}_fy{e.fiscal_year}_{e.kind}",
                           f"{s.instrument} FY{e.fiscal_year} EPS({e.kind}, {e.basis})",
                           f"{s.instrument} FY{e.fiscal_year} EPS ({e.kind}, {e.basis})",
                           e.eps_usd, "USD/share") for e in s.eps]
            if not any(e.kind != "actual" for e in s.eps):
                out.append(figure(f"no_forecast_{s.instrument}", f"{s.instrument} 缺少一致预期",
                                  f"{s.instrument} has no sourced forecast", "missing", ""))
        return out

    def recorded(self, params: UsHwCheaperParams) -> list[DataUsed]:
        return [recorded_data(e.source, s.instrument, f"FY{e.fiscal_year} EPS ({e.kind})")
                for s in params.stocks for e in s.eps]
