"""One chart of every trade, rebased to 100 at the thesis's publication, for the scoreboard.

Why from the cards' equity charts: a trade's back-test draws its equity (× initial
capital, 1 at entry) as a chart series named ``equity``; the k-th trade row of a claim is
the k-th such chart of that claim (the order :mod:`narrowgate.report.trades` keeps), and the
pairing is checked: the curve's last value must equal the row's return after costs.
Each curve is divided by its value on the last close on or before publication (or by its
first value, for a trade entered later) and × 100. The reference is a flat line at 100 —
cash, no gain: the scorecard carries no thesis-wide benchmark, so the excess over a market
index is each claim's own figure, not this chart's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import Chart, ChartSeries, ClaimResult
from narrowgate.report.trades import TradeRow
from narrowgate.thesis.schema import LocalizedText

EQUITY_SERIES = "equity"
#: percentage points of return a curve's end may differ from its row (the row rounds to 2)
MATCH_TOLERANCE_PP = 0.06
REBASE = 100.0
#: longest trade name in the chart's legend, in characters
LEGEND_CHARS = 40


def equity_curves(result: ClaimResult) -> list[ChartSeries]:
    """The claim's equity series (× initial capital), in chart order."""
    return [series for chart in result.evidence.charts if chart.x_is_date
            for series in chart.series if series.name == EQUITY_SERIES]


def trades_chart(scorecard: Scorecard, rows: Sequence[TradeRow]) -> tuple[Chart, Chart] | None:
    """The chart in English and in Chinese (names and axis title already in each language:
    the word table must not touch claim ids), or None without curves."""
    published = scorecard.thesis.source.published
    by_claim = {r.claim_id: equity_curves(r) for r in scorecard.results}
    seen: dict[str, int] = {}
    en: list[ChartSeries] = []
    zh: list[ChartSeries] = []
    for row in rows:
        n = seen.get(row.claim_id, 0)
        seen[row.claim_id] = n + 1
        curves = by_claim.get(row.claim_id, [])
        if n >= len(curves) or not _matches(curves[n], row):
            continue
        x, y = rebased(curves[n], published)
        en.append(ChartSeries(name=legend_name(row.name.en), x=x, y=y))
        zh.append(ChartSeries(name=legend_name(row.name.zh), x=x, y=y))
    if not en:
        return None
    span = [min(str(s.x[0]) for s in en), max(str(s.x[-1]) for s in en)]
    cash = LocalizedText(zh="现金(= 100,不盈不亏)", en="cash (= 100, no gain)")
    title = LocalizedText(zh="全部交易:发表日 = 100(扣除成本)",
                          en="All trades, publication = 100 (after costs)")
    charts = []
    axis = LocalizedText(zh="发表日 = 100", en="publication = 100")
    for lang, series in (("en", en), ("zh", zh)):
        flat = ChartSeries(name=cash.get(lang), x=list(span), y=[REBASE, REBASE])
        charts.append(Chart(title=title, series=[*series, flat], y_label=axis.get(lang)))
    return charts[0], charts[1]


def legend_name(name: str) -> str:
    """The trade's name cut to ``LEGEND_CHARS`` so a dozen trades' legend stays a few lines
    above the plot (the scoreboard row has the full name and the claim)."""
    return name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1].rstrip() + "…"


def _matches(curve: ChartSeries, row: TradeRow) -> bool:
    values = [v for v in curve.y if v is not None]
    expected = row.return_pct
    if not values or expected is None:
        return False
    return abs((values[-1] - 1.0) * 100 - expected) <= MATCH_TOLERANCE_PP + 1e-6 * abs(expected)


def rebased(curve: ChartSeries, published: date | None) -> tuple[list[str | float | int],
                                                                  list[float | None]]:
    """The curve × 100 / its value at publication (last point on or before it; the first
    point when the curve starts later)."""
    points = [(x, y) for x, y in zip(curve.x, curve.y, strict=False) if y is not None]
    base = points[0][1]
    if published is not None:
        before = [y for x, y in points if str(x)[:10] <= published.isoformat()]
        base = before[-1] if before else base
    return [x for x, _ in points], [round(y / base * REBASE, 4) for _, y in points]
