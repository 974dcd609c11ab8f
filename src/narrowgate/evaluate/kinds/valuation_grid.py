"""The valuation kind's sensitivity grid: the deciding verdict over multiple × discount rate ×
later growth.

Why: a priced-in year rests on three assumptions the params fix (the fair multiple, the
discount rate, the growth after the forecasts). The grid recomputes the deciding path's
verdict in every cell with the kind's own rule (:func:`.valuation_panel.case_outcome`) and
reports the share of cells that keep the stated verdict and the flipping cell nearest to
the stated settings (distance: each axis's step over its span, summed). The share feeds the
claim's ``stability`` (:func:`narrowgate.evaluate.core.stability.note_replayed`).
Units: multiples in x, rates in decimals per year (shown in %/yr).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import figure, text
from narrowgate.evaluate.kinds.valuation_panel import VERDICT_ZH, case_outcome
from narrowgate.evaluate.verdict import Chart, ChartSeries, Figure, Verdict

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.valuation import ValuationParams
    from narrowgate.evaluate.kinds.valuation_panel import StockPanel


@dataclass(frozen=True)
class Cell:
    multiple: float
    rate: float
    growth: float
    verdict: Verdict | None
    reading: float | None

    def describe(self) -> str:
        shown = self.verdict.value if self.verdict is not None else "no reading"
        return (f"{self.multiple:g}x, {self.rate * 100:g}%/yr, growth {self.growth * 100:g}%/yr"
                f" → {shown}")


@dataclass(frozen=True)
class Grid:
    cells: list[Cell]
    stated: Verdict
    kept: float  # share (0–1) of cells keeping the stated verdict
    flip: Cell | None  # nearest cell with another verdict


def _span(values: list[float]) -> float:
    return (max(values) - min(values)) or 1.0


def sensitivity_grid(params: ValuationParams, panels: list[list[StockPanel]],
                     stated: Verdict) -> Grid:
    """Every cell's verdict on the deciding path, the kept share and the nearest flip."""
    cells = []
    for m in params.grid_multiples_x:
        for r in params.grid_discount_rates:
            for g in params.grid_growth_after:
                out = case_outcome(params, panels, params.decide_on, multiple=m, rate=r,
                                   growth=g)
                cells.append(Cell(m, r, g, out.verdict, out.reading))
    kept = sum(c.verdict is stated for c in cells) / len(cells)
    spans = (_span(params.grid_multiples_x), _span(params.grid_discount_rates),
             _span(params.grid_growth_after))

    def distance(c: Cell) -> float:
        return (abs(c.multiple - params.fair_pe_x) / spans[0]
                + abs(c.rate - params.discount_rate) / spans[1]
                + abs(c.growth - params.growth_after) / spans[2])

    flips = [c for c in cells if c.verdict is not stated]
    return Grid(cells, stated, kept, min(flips, key=distance) if flips else None)


def grid_figures(grid: Grid, params: ValuationParams) -> list[Figure]:
    m, r, g = params.grid_multiples_x, params.grid_discount_rates, params.grid_growth_after
    axes = (f"{min(m):g}–{max(m):g}x × {min(r) * 100:g}–{max(r) * 100:g}%/yr × growth "
            f"{min(g) * 100:g}–{max(g) * 100:g}%/yr")
    flip = grid.flip.describe() if grid.flip is not None else "none: every cell keeps it"
    return [
        figure("grid_kept_pct", f"敏感性网格中维持结论的比例({axes})",
               f"share of the sensitivity grid keeping the verdict ({axes})",
               round(grid.kept * 100, 1), "%"),
        figure("grid_cells", "网格单元数", "grid cells", len(grid.cells), ""),
        figure("grid_flip", "最近的翻转单元", "nearest cell where the verdict flips", flip, ""),
    ]


def grid_chart(grid: Grid, params: ValuationParams) -> Chart:
    """The decisive reading against the multiple, one line per discount rate, at the later
    growth nearest the stated one (names backing for one group, median gap for two)."""
    growth = min(params.grid_growth_after, key=lambda g: abs(g - params.growth_after))
    one = len(params.groups) == 1
    series = [ChartSeries(name=f"discount {r * 100:g}%/yr", x=list(params.grid_multiples_x),
                          y=[c.reading for c in grid.cells
                             if c.rate == r and c.growth == growth])
              for r in params.grid_discount_rates]
    label = "names backing" if one else "median gap (years)"
    return Chart(
        title=text(f"敏感性:{'支持结论的公司数' if one else '中位数差距'}随合理市盈率与折现率"
                   f"(预测期后增速 {growth * 100:g}%)",
                   f"Sensitivity: {label} by fair multiple and discount rate (growth after "
                   f"the forecasts {growth * 100:g}%/yr)"),
        series=series, x_label="fair P/E (x)", y_label=label, x_is_date=False)


def grid_note(grid: Grid) -> tuple[str, str]:
    """One sentence zh/en on the grid."""
    flip_zh = (f"最近的翻转:{grid.flip.describe()}" if grid.flip is not None
               else "网格内无翻转")
    flip_en = (f"nearest flip: {grid.flip.describe()}" if grid.flip is not None
               else "no cell flips it")
    kept_zh = VERDICT_ZH[grid.stated.value]
    return (f"敏感性网格 {len(grid.cells)} 格中 {grid.kept:.0%} 维持“{kept_zh}”;"
            f"{flip_zh}。",
            f"{grid.kept:.0%} of {len(grid.cells)} sensitivity-grid cells keep "
            f"'{grid.stated.value}'; {flip_en}.")
