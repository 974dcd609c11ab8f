"""Figures, charts and missing-data lines of the ``valuation`` kind, one stock at a time.

Why apart from the kind: the same per-stock figures (same keys, same units) serve a single
group against a threshold and two groups side by side, and the kind module stays short.
Keys carry the instrument id (``priced_in_<id>``, ``forward_pe_<id>_<year>``), so a thesis
and its tests can look a stock up whatever group it sits in.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import date_figure, figure, pct, text
from narrowgate.evaluate.verdict import Chart, ChartSeries, Figure, MissingData
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.valuation import ValuationSettings
    from narrowgate.evaluate.kinds.valuation_inputs import StockValuation


def method_figures(settings: ValuationSettings) -> list[Figure]:
    """The method every stock is valued by (one date, one multiple, one discount rate)."""
    return [
        date_figure("price_date", "价格日", "price date", settings.price_date),
        figure("fair_pe", "合理市盈率", "fair P/E", settings.fair_pe_x, "x"),
        figure("discount_rate", "折现率", "discount rate", settings.discount_rate * 100, "%/yr"),
        figure("growth_after", "预测期后增速", "growth after the forecasts",
               settings.growth_after * 100, "%/yr"),
    ]


def stock_figures(v: StockValuation, fair: float) -> list[Figure]:
    """The per-stock figures: price, value, priced-in year (and at each sensitivity
    multiple), forward P/E, implied against forecast growth, return since the price date."""
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
                          f"{i} priced-in year at {fair:g}x (base path)", shown, "year"))
        if v.priced_in.years_ahead is not None:
            out.append(figure(f"years_ahead_{i}", f"{v.name} 提前年数", f"{i} years ahead",
                              round(v.priced_in.years_ahead, 2), "years"))
        for m, y in v.sensitivity.items():
            out.append(figure(f"priced_in_{i}_at_{m:g}x", f"{v.name} 计入年份({m:g}x)",
                              f"{i} priced-in year at {m:g}x", y if y else "beyond horizon",
                              "year"))
    else:
        out.append(figure(f"priced_in_{i}", f"{v.name} 计入年份", f"{i} priced-in year",
                          "not computable: no sourced forecast", ""))
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


def comparison_chart(first: list[StockValuation], second: list[StockValuation], year: int,
                     labels: tuple[str, str]) -> Chart:
    """Bars per stock of both groups: years ahead to the priced-in year, forward P/E on
    ``year``; ``labels`` are the two groups' English names."""
    both = [*first, *second]
    names = [v.instrument for v in both]
    ahead = [None if v.priced_in is None or v.priced_in.years_ahead is None
             else round(v.priced_in.years_ahead, 2) for v in both]
    pes = [v.forward_pe.get(year) for v in both]
    return Chart(
        title=text(f"{labels[0]} 与 {labels[1]}:计入年份(提前年数)与远期市盈率",
                   f"{labels[0]} vs {labels[1]}: years ahead to the priced-in year, and "
                   "forward P/E"),
        series=[
            ChartSeries(name="years ahead", x=list(names), y=ahead, kind="bar"),
            ChartSeries(name=f"forward P/E {year}", x=list(names),
                        y=[None if p is None else round(p, 1) for p in pes], kind="bar",
                        axis="y2"),
        ],
        x_label="stock", y_label="years ahead", y2_label="x", x_is_date=False,
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


def basis_caveat(vals: list[StockValuation]) -> list[LocalizedText]:
    """A note when per-share EPS and total profits meet in one comparison (their 'year'
    is each company's fiscal year, and a consensus EPS is often non-GAAP)."""
    bases = {v.basis for v in vals}
    if len(bases) < 2:
        return []
    return [text(
        "部分公司按每股收益(一致预期常为非 GAAP,财年未必在年末结束),部分按全年归母净利润;"
        "两者按同一“当年”对齐,这是近似。",
        "Some names are valued on EPS (consensus often non-GAAP, fiscal years not always "
        "ending in December), others on total net profit; both count as the same 'year': "
        "an approximation.")]
