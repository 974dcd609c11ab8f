"""One chart of every trade, rebased to 100 at the thesis's publication, for the scoreboard.

Why from the cards' equity charts: a trade's back-test draws its equity (× initial
capital, 1 at entry) as a chart series named ``equity``; the k-th trade row of a claim is
the k-th such chart of that claim, paired and checked by
:func:`narrowgate.evaluate.book.trade_curves` (the curve's last value must equal the row's
return after costs) — the same rule the combined book uses. Each curve is divided by its
value on the last close on or before publication (or by its first value, for a trade
entered later) and × 100. The combined book (``Scorecard.book``) is the thick line, and the
reference is the thesis's benchmark rebased the same way, or a flat line at 100 — cash, no
gain — when the thesis names none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from narrowgate.evaluate.book import Book, trade_curves
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import Chart, ChartSeries
from narrowgate.report.trades import TradeRow, benchmark_name, book_benchmark, book_name
from narrowgate.thesis.schema import LocalizedText

REBASE = 100.0
#: the combined book's line width in px (the trades' lines are plotly's default, 2)
BOOK_LINE_WIDTH = 5
#: the benchmark's (or cash's) dashed line
REFERENCE_COLOUR = "#333333"
#: longest trade name in the chart's legend, in characters
LEGEND_CHARS = 40


def trades_chart(scorecard: Scorecard, rows: Sequence[TradeRow]) -> tuple[Chart, Chart] | None:
    """The chart in English and in Chinese (names and axis title already in each language:
    the word table must not touch claim ids), or None without curves."""
    published = scorecard.thesis.source.published
    by_claim = {r.claim_id: trade_curves(r) for r in scorecard.results}
    en: list[ChartSeries] = []
    zh: list[ChartSeries] = []
    for row in rows:
        curve = by_claim.get(row.claim_id, {}).get(row.prefix)
        if curve is None:
            continue
        x, y = rebased(curve, published)
        en.append(ChartSeries(name=legend_name(row.name.en), x=x, y=y))
        zh.append(ChartSeries(name=legend_name(row.name.zh), x=x, y=y))
    if not en:
        return None
    title = LocalizedText(zh="全部交易与合并组合:发表日 = 100(扣除成本)",
                          en="All trades and the combined book, publication = 100 (after costs)")
    charts = []
    axis = LocalizedText(zh="发表日 = 100", en="publication = 100")
    lines = [line for line in (_reference(scorecard, en), _book_line(scorecard.book)) if line]
    for lang, series in (("en", en), ("zh", zh)):
        extra = [ChartSeries(name=name.get(lang), x=x, y=y) for name, x, y in lines]
        charts.append(Chart(title=title, series=[*series, *extra], y_label=axis.get(lang)))
    return charts[0], charts[1]


#: a line drawn over the trades: its name in both languages, x and y
Line = tuple[LocalizedText, list[str | float | int], list[float | None]]


def _reference(scorecard: Scorecard, curves: Sequence[ChartSeries]) -> Line:
    """The benchmark's path × 100 from the book, or cash: a flat line at 100 across the
    curves' span."""
    book = scorecard.book
    if book is not None and book_benchmark(book) is not None:
        return (benchmark_name(book_benchmark(book)), [d.isoformat() for d in book.dates],
                [None if v is None else round(v * REBASE, 4) for v in book.benchmark_values])
    span: list[str | float | int] = [min(str(s.x[0]) for s in curves),
                                     max(str(s.x[-1]) for s in curves)]
    cash = LocalizedText(zh="现金(= 100,不盈不亏)", en="cash (= 100, no gain)")
    return cash, span, [REBASE, REBASE]


def _book_line(book: Book | None) -> Line | None:
    if book is None:
        return None
    return (book_name(book), [d.isoformat() for d in book.dates],
            [round(v * REBASE, 4) for v in book.values])


def thicken_book(spec: dict[str, Any], book: Book | None) -> None:
    """Draw the combined book (the chart's last series, when there is a book) as the
    thick line of the Plotly ``spec`` and the reference before it (benchmark or cash) as a
    dark dashed line, so neither is read as one more trade."""
    data = spec.get("data") or []
    if book is not None and len(data) >= 2:
        data[-1]["line"] = {"width": BOOK_LINE_WIDTH}
        data[-2]["line"] = {"width": 2, "dash": "dash", "color": REFERENCE_COLOUR}


def legend_name(name: str) -> str:
    """The trade's name cut to ``LEGEND_CHARS`` so a dozen trades' legend stays a few lines
    above the plot (the scoreboard row has the full name and the claim)."""
    return name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1].rstrip() + "…"


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
