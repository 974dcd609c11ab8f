"""us-hw-cheaper: one group of stocks is valued more loosely than another group.

Decided side by side with ai-hw-priced-in by the same method, date and settings (this
claim's): the priced-in year and forward P/E of every US name and every A-share name of the
compared claim. Looser means an earlier priced-in year: the US median must come at least
``looser_by_years`` before the A-share median. Names without a sourced forecast are
shown and left out of the medians. Caveat kept in the notes: US consensus EPS is
non-GAAP and US fiscal years end mid-year, the A-share profits are calendar-year 归母净利润.
"""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.ai_hw_priced_in import (
    AiHwPricedInParams,
    ValuationSettings,
    ValuedStock,
    method_figures,
    missing_forecasts,
    stock_figures,
)
from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    bars_needs,
    figure,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    Figure,
    Verdict,
)

if TYPE_CHECKING:
    from narrowgate.evaluate.valuation_inputs import StockValuation
    from narrowgate.thesis.schema import Claim


class UsHwCheaperParams(ValuationSettings):
    stocks: list[ValuedStock] = Field(min_length=1)
    compare_with_claim: str = Field(description="the A-share claim whose stocks are compared")
    looser_by_years: int = Field(
        1, ge=0, description="US median priced-in year at least this many years earlier"
    )


def _year(v: StockValuation) -> int | None:
    """Priced-in year for the medians; beyond the horizon counts as the horizon year."""
    if v.priced_in is None:
        return None
    return v.priced_in.year or v.priced_in.horizon_year


def _whole(value: float) -> float | int:
    """A median year shown as an integer when it is one (2033, not 2033.0)."""
    return int(value) if float(value).is_integer() else float(value)


def comparison_chart(us: list[StockValuation], cn: list[StockValuation], year: int) -> Chart:
    """Bars per stock: years ahead to the priced-in year, and the forward P/E on ``year``."""
    names = [v.instrument for v in [*us, *cn]]
    ahead = [None if v.priced_in is None or v.priced_in.years_ahead is None
             else round(v.priced_in.years_ahead, 2) for v in [*us, *cn]]
    pes = [v.forward_pe.get(year) for v in [*us, *cn]]
    return Chart(
        title=text("美股与A股:计入年份(提前年数)与远期市盈率",
                   "US vs A-share: years ahead to the priced-in year, and forward P/E"),
        series=[
            ChartSeries(name="years ahead", x=list(names), y=ahead, kind="bar"),
            ChartSeries(name=f"forward P/E {year}", x=list(names),
                        y=[None if p is None else round(p, 1) for p in pes], kind="bar",
                        axis="y2"),
        ],
        x_label="stock", y_label="years ahead", y2_label="x", x_is_date=False,
    )


@register
class UsHwCheaper(AwaitingEvaluator[UsHwCheaperParams]):
    test = "us-hw-cheaper"
    params_model = UsHwCheaperParams
    title = "US AI-hardware peers vs the A-share leaders: priced-in year and forward P/E"
    capability = Capability.DATA_HUB
    measures = text(
        "对美股同行与A股龙头用同一方法、同一日期计算“计入年份”和远期市盈率,并排比较。",
        "Compute the same priced-in year and forward P/E, on the same date and settings, "
        "for the US peers and the A-share leaders, side by side.",
    )

    def data_needs(self, params: UsHwCheaperParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([s.instrument for s in params.stocks], params.price_date, ctx.as_of,
                          "close on the price date")

    def setup_figures(self, params: UsHwCheaperParams, ctx: EvalContext) -> list[Figure]:
        return [
            *method_figures(params),
            figure("looser_by", "宽松所需提前年数", "years earlier for 'looser'",
                   params.looser_by_years, "years"),
        ]

    def decide(
        self, claim: Claim, params: UsHwCheaperParams, ctx: EvalContext
    ) -> Assessment | None:
        from narrowgate.evaluate.valuation_inputs import value_stocks

        other = AiHwPricedInParams.model_validate(ctx.thesis.claim(params.compare_with_claim)
                                                  .params)
        us, data = value_stocks(params.stocks, params, ctx)
        cn, cn_data = value_stocks(other.stocks, params, ctx)
        us_years = [y for v in us if (y := _year(v)) is not None]
        cn_years = [y for v in cn if (y := _year(v)) is not None]
        figures = [f for v in [*us, *cn] for f in stock_figures(v, params.fair_pe_x)]
        if not us_years or not cn_years:
            return None
        us_med, cn_med = _whole(median(us_years)), _whole(median(cn_years))
        gap = cn_med - us_med
        looser = gap >= params.looser_by_years
        against = [v for v in us if (y := _year(v)) is not None and y > cn_med]
        if looser:
            verdict = Verdict.MIXED if len(against) * 2 >= len(us_years) else Verdict.SUPPORTED
        else:
            verdict = Verdict.CONTRADICTED
        figures = [
            figure("us_median_year", "美股计入年份中位数", "US median priced-in year", us_med,
                   "year", decisive=True),
            figure("cn_median_year", "A股计入年份中位数", "A-share median priced-in year",
                   cn_med, "year", decisive=True),
            figure("median_gap", "中位数相差", "A-share minus US median", gap, "years",
                   decisive=True),
            figure("us_against", "美股中估值更紧的公司", "US names priced later than the A-share "
                   "median", ", ".join(v.instrument for v in against) or "none", ""),
            *figures, *self.setup_figures(params, ctx),
        ]
        no_fc = [v.instrument for v in [*us, *cn] if v.priced_in is None]
        summary = text(
            f"同一方法({params.price_date},{params.fair_pe_x:g} 倍,折现率 "
            f"{params.discount_rate:.0%}):美股计入年份中位数 {us_med:g},A股 {cn_med:g},"
            f"相差 {gap:g} 年。" + (f"与结论相反的:{'、'.join(v.instrument for v in against)}。"
                                   if against else "")
            + (f"无可用预测、未计入中位数:{'、'.join(no_fc)}。" if no_fc else ""),
            f"Same method ({params.price_date}, {params.fair_pe_x:g}x, discount "
            f"{params.discount_rate:.0%}/yr): US median priced-in year {us_med:g}, A-share "
            f"{cn_med:g}, {gap:g} years apart. "
            + "; ".join(v.sentence_en() for v in [*us, *cn]) + "."
            + (f" Cutting against: {', '.join(v.instrument for v in against)}." if against
               else "")
            + (f" No sourced forecast, left out of the medians: {', '.join(no_fc)}."
               if no_fc else ""),
        )
        caveat = text(
            "美股一致预期为非 GAAP 每股收益,财年年中结束;A股为日历年归母净利润。两者按同一"
            "“当年”对齐,这是近似。",
            "US consensus EPS is non-GAAP and US fiscal years end mid-year; A-share figures "
            "are calendar-year net profit. Both count as the same 'year': an approximation.",
        )
        notes = [self.measures, caveat, *[n for v in [*us, *cn] for n in v.notes]]
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=figures, data=data + cn_data,
            charts=[comparison_chart(us, cn, params.price_date.year)], notes=notes,
            missing=missing_forecasts([*us, *cn], params.price_date)))
