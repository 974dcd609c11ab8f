"""ai-hw-priced-in: the A-share optical-module leaders already price in 2027's profit.

The deciding quantity is the priced-in year (:func:`narrowgate.models.valuation.priced_in_year`):
the first year whose profit, at a fair multiple and discounted back, justifies the market
value on the price date. Profits and forecasts come from the bundled, sourced dataset
``data/bundled/ai_hardware_valuation.yaml`` (FACTS.md); prices from the hub where the store
has the price date, rebased to the share basis of the share count, else a recorded price.
Where a stock has no sourced forecast the result says so and shows the growth the price
needs instead. The per-stock machinery here is shared with ``us-hw-cheaper`` (same method).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    pct,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)

if TYPE_CHECKING:
    from narrowgate.evaluate.valuation_inputs import StockValuation
    from narrowgate.thesis.schema import Claim


class ValuedStock(Params):
    """One stock of the bundled valuation dataset and how to price it on the price date."""

    instrument: InstrumentId
    forecast: int = Field(0, ge=0, description="forecast snapshot number in the dataset")
    price_source: str | None = Field(None, description="hub source for the close (None: best)")
    rebase_to_source: str | None = Field(
        None, description="rescale the close to this source's share basis (last common date)"
    )
    shares: int = Field(0, ge=0, description="share-count entry in the dataset (total basis)")
    fallback_price_date: date | None = Field(
        None, description="recorded price used when the store has no close on the price date"
    )
    fallback_share_basis: str = Field(
        "", description="text the recorded price's share_basis must contain (e.g. pre-bonus)"
    )


class ValuationSettings(Params):
    """The same method for every stock: one date, one multiple, one discount rate."""

    price_date: date = Field(description="close used for the market value")
    fair_pe_x: float = Field(gt=0, description="P/E at which a year's profit justifies a price")
    fair_pe_sensitivity_x: list[float] = Field(default_factory=lambda: [20.0, 25.0, 30.0])
    fair_pe_basis: str = Field(description="why this multiple")
    discount_rate: float = Field(0.10, gt=-1, lt=1, description="decimal per year")
    growth_after: float = Field(0.15, gt=-1, lt=1, description="profit growth after forecasts")
    horizon_years: int = Field(30, ge=1, le=60)
    target_year: int = Field(2027, ge=2025, le=2040, description="year for implied growth")
    forecasts: str = Field(
        "bundled",
        description="forecast sources in order: provider, csv:FILE, bundled (comma-separated);"
        " the bundled dataset keeps runs reproducible offline",
    )


class AiHwPricedInParams(ValuationSettings):
    stocks: list[ValuedStock] = Field(min_length=1)
    article_priced_in_year: int = Field(ge=2025, le=2035)
    tolerance_years: int = Field(0, ge=0, description="priced-in year this close → supports")
    min_share_with_forecast: float = Field(
        0.5, gt=0, le=1, description="share of names with a forecast needed for a full verdict"
    )


def method_figures(settings: ValuationSettings) -> list[Figure]:
    """The method both valuation claims share (same date, multiple, discount rate)."""
    return [
        date_figure("price_date", "价格日", "price date", settings.price_date),
        figure("fair_pe", "合理市盈率", "fair P/E", settings.fair_pe_x, "x"),
        figure("discount_rate", "折现率", "discount rate", settings.discount_rate * 100, "%/yr"),
    ]


def stock_figures(v: StockValuation, fair: float) -> list[Figure]:
    """The per-stock figures both valuation claims show (same keys, same units)."""
    i, out = v.instrument, []
    year = v.priced_in.year if v.priced_in else None
    out.append(figure(f"price_{i}", f"{v.name} 价格({v.price_date})", f"{i} price "
                      f"({v.price_date})", round(v.price, 2) if v.price else None, v.price_unit))
    if v.value is not None and v.value != v.price:
        out.append(figure(f"value_{i}", f"{v.name} 市值", f"{i} market value", round(v.value, 1),
                          v.unit))
    if v.priced_in is not None:
        shown: int | str = year if year is not None else f"beyond {v.priced_in.horizon_year}"
        out.append(figure(f"priced_in_{i}", f"{v.name} 计入年份({fair:g}x)",
                          f"{i} priced-in year at {fair:g}x", shown, "year", decisive=True))
        if v.priced_in.years_ahead is not None:
            out.append(figure(f"years_ahead_{i}", f"{v.name} 提前年数", f"{i} years ahead",
                              round(v.priced_in.years_ahead, 2), "years"))
        for m, y in v.sensitivity.items():
            out.append(figure(f"priced_in_{i}_at_{m:g}x", f"{v.name} 计入年份({m:g}x)",
                              f"{i} priced-in year at {m:g}x", y if y else "beyond horizon",
                              "year"))
    else:
        out.append(figure(f"priced_in_{i}", f"{v.name} 计入年份", f"{i} priced-in year",
                          "not computable: no sourced forecast", "", decisive=True))
    for y, pe in v.forward_pe.items():
        out.append(figure(f"forward_pe_{i}_{y}", f"{v.name} {y} 远期市盈率",
                          f"{i} forward P/E on {y}", round(pe, 1) if pe else None, "x"))
    if v.implied is not None:
        g = v.implied
        out.append(figure(f"implied_growth_{i}", f"{v.name} 隐含利润增速至{g.target_year}",
                          f"{i} implied profit growth {g.base_year}→{g.target_year}",
                          pct(g.growth * 100), "%/yr"))
        out.append(figure(f"path_growth_{i}", f"{v.name} 预测利润增速至{g.target_year}",
                          f"{i} forecast profit growth {g.base_year}→{g.target_year}",
                          pct(g.path_growth * 100) if g.path_growth is not None
                          else f"no forecast for {g.target_year}", "%/yr"))
    elif v.implied_error:
        out.append(figure(f"implied_growth_{i}", f"{v.name} 隐含利润增速", f"{i} implied profit "
                          "growth", f"not computable: {v.implied_error}", ""))
    if v.return_since is not None:
        out.append(figure(f"return_since_{i}", f"{v.name} 价格日后涨跌", f"{i} return since "
                          f"the price date (to {v.return_to})", pct(v.return_since * 100), "%"))
    return out


def justified_chart(v: StockValuation) -> Chart | None:
    """Justified value by year (fair multiple, discounted) against the price, for one stock."""
    if v.priced_in is None or v.price is None:
        return None
    years = list(v.priced_in.justified)
    level = v.value if v.value is not None else v.price
    return Chart(
        title=text(f"{v.name}:各年利润的合理价值(折现)与价格",
                   f"{v.instrument}: justified value by year (discounted) vs price"),
        series=[
            ChartSeries(name=f"justified at {v.priced_in.fair_multiple:g}x", x=list(years),
                        y=[round(x, 3) for x in v.priced_in.justified.values()]),
            ChartSeries(name=f"value on {v.price_date}", x=list(years),
                        y=[round(level, 3)] * len(years)),
        ],
        x_label="fiscal year", y_label=v.unit, x_is_date=False,
    )


def missing_forecasts(vals: list[StockValuation], price_date: date) -> list[MissingData]:
    """What keeps a stock out of the verdict: its price on the date, or its forecasts."""
    out = []
    for v in vals:
        if v.price is None:
            out.append(MissingData(what=f"{v.instrument} close on the price date",
                                   dates=price_date.isoformat(),
                                   fetch=[v.instrument], how="or record a sourced price in "
                                                             "the valuation dataset"))
        elif v.priced_in is None:
            out.append(MissingData(
                what=f"{v.instrument} consensus profit forecasts ({v.no_forecast})",
                how="run `narrowgate value pricedin "
                    f"{v.instrument} --forecasts provider` online (or csv:FILE with your own "
                    "figures), or add a sourced snapshot to the valuation dataset"))
    return out


@register
class AiHwPricedIn(AwaitingEvaluator[AiHwPricedInParams]):
    test = "ai-hw-priced-in"
    params_model = AiHwPricedInParams
    title = "Priced-in year of the A-share optical-module leaders"
    capability = Capability.DATA_HUB
    measures = text(
        "计算“计入年份”:按合理市盈率并折现,哪一年的利润足以支撑价格日的市值;并算到 2027 年"
        "所需的利润增速与一致预期比较。",
        "Compute the priced-in year: the first year whose profit, at the fair P/E and "
        "discounted back, justifies the value on the price date; and the profit growth to "
        "2027 the price needs, against consensus.",
    )

    def data_needs(self, params: AiHwPricedInParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([s.instrument for s in params.stocks], params.price_date, ctx.as_of,
                          "close on the price date and after")

    def setup_figures(self, params: AiHwPricedInParams, ctx: EvalContext) -> list[Figure]:
        return [
            *method_figures(params),
            figure("growth_after", "预测期后增速", "growth after the forecasts",
                   params.growth_after * 100, "%/yr"),
            figure("article_year", "文章所称计入年份", "article's priced-in year",
                   params.article_priced_in_year, "year"),
        ]

    def decide(
        self, claim: Claim, params: AiHwPricedInParams, ctx: EvalContext
    ) -> Assessment | None:
        from narrowgate.evaluate.valuation_inputs import value_stocks

        vals, data = value_stocks(params.stocks, params, ctx)
        with_path = [v for v in vals if v.priced_in is not None]
        bar = params.article_priced_in_year - params.tolerance_years
        backing = [v for v in with_path if v.priced_in and (v.priced_in.year or 10_000) >= bar]
        share = len(with_path) / len(vals)
        if not with_path:
            verdict = Verdict.INSUFFICIENT_DATA
        elif len(backing) == len(with_path):
            full = share >= params.min_share_with_forecast
            verdict = Verdict.SUPPORTED if full else Verdict.MIXED
        else:
            verdict = Verdict.CONTRADICTED if not backing else Verdict.MIXED
        figures = [f for v in vals for f in stock_figures(v, params.fair_pe_x)]
        figures += [figure("names_with_forecast", "有预测的公司数", "names with a forecast",
                           len(with_path), f"of {len(vals)}"),
                    figure("names_backing", f"计入年份≥{bar}", f"priced-in year ≥ {bar}",
                           len(backing), f"of {len(with_path)}", decisive=True),
                    *self.setup_figures(params, ctx)]
        parts_en = [v.sentence_en() for v in vals]
        parts_zh = [v.sentence_zh() for v in vals]
        summary = text(
            f"价格日 {params.price_date},合理市盈率 {params.fair_pe_x:g} 倍、折现率 "
            f"{params.discount_rate:.0%}:" + ";".join(parts_zh) + f"。{len(backing)}/"
            f"{len(with_path)} 家有预测的公司计入年份不早于 {bar} 年。",
            f"On {params.price_date} at {params.fair_pe_x:g}x, discounted at "
            f"{params.discount_rate:.0%}/yr: " + "; ".join(parts_en) + f". {len(backing)} of "
            f"{len(with_path)} names with forecasts price in {bar} or later.",
        )
        charts = [c for v in vals if (c := justified_chart(v)) is not None]
        notes = [self.measures, text(f"合理倍数依据:{params.fair_pe_basis}",
                                     f"Fair multiple: {params.fair_pe_basis}")]
        notes += [n for v in vals for n in v.notes]
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=figures, data=data, charts=charts, notes=notes,
            missing=missing_forecasts(vals, params.price_date)))
