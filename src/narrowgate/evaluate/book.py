"""The thesis's combined book: every trade it holds or implies, held together from the
publication to the data end, against the thesis's benchmark (or cash when it names none).

Why in the scorecard: the report renders a scorecard that may come from another machine,
and the benchmark's closes are not in any claim's evidence; so the book is computed once at
evaluation time and carried as ``Scorecard.book``. The trades are the claims' own equity
curves (chart series ``equity``): a claim's k-th trade figure group (keys ending in
``since_return``) is its k-th equity curve, and the pairing is checked (the curve's end must
equal the group's return after costs). The arithmetic is :mod:`narrowgate.models.book`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from narrowgate.evaluate.verdict import ChartSeries, ClaimResult, Figure
from narrowgate.models.book import PERIODS_PER_YEAR, BookWeighting, PathStats, Sleeve
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.data.view import DataView

#: the key every trade's figure group carries (after its prefix)
ANCHOR_KEY = "since_return"
EQUITY_SERIES = "equity"
#: percentage points a curve's end may differ from its figure (the figure rounds to 2)
MATCH_TOLERANCE_PP = 0.06
#: how the book weighs its trades unless asked otherwise
DEFAULT_WEIGHTING = BookWeighting.EQUAL_WEIGHT
#: calendar days before publication searched for the benchmark's base close
BASE_LOOKBACK_DAYS = 10

WEIGHTING_LABELS: dict[BookWeighting, LocalizedText] = {
    BookWeighting.EQUAL_WEIGHT: LocalizedText(
        zh="等权:每笔交易在发表日分得相同资金,此后不再调仓",
        en="equal weight: each trade gets the same capital at publication, never rebalanced"),
    BookWeighting.EQUAL_RISK: LocalizedText(
        zh="等风险:资金与各交易日波动率的倒数成正比(事后估计),此后不再调仓",
        en="equal risk: capital in proportion to 1 / each trade's daily volatility "
           "(measured ex post), never rebalanced"),
}


class Book(BaseModel):
    """The combined book as the scorecard carries it.

    ``figures``: the book's and the benchmark's return (%), max drawdown (%), volatility
    (% a year) and Sharpe (annualised from daily returns, risk-free 0), and the excess (pp);
    keys start with ``book_`` or ``benchmark_``. ``dates``/``values``: the book's path (1 at
    the start); ``benchmark_values``: the benchmark's closes rebased to 1 at the start on
    the same dates (None where it has no close; all 1 for cash).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weighting: BookWeighting
    benchmark: str | None
    start: date
    end: date
    trades: list[str]
    weights: list[float]
    figures: list[Figure]
    dates: list[date]
    values: list[float]
    benchmark_values: list[float | None]

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


def equity_curves(result: ClaimResult) -> list[ChartSeries]:
    """The claim's equity series (× initial capital), in chart order."""
    return [series for chart in result.evidence.charts if chart.x_is_date
            for series in chart.series if series.name == EQUITY_SERIES]


def trade_curves(result: ClaimResult) -> dict[str, ChartSeries]:
    """Each trade figure group's prefix → its equity curve, where the pairing checks out."""
    prefixes = [f.key[: -len(ANCHOR_KEY)] for f in result.evidence.figures
                if f.key.endswith(ANCHOR_KEY)]
    by_key = {f.key: f for f in result.evidence.figures}
    paired: dict[str, ChartSeries] = {}
    for prefix, curve in zip(prefixes, equity_curves(result), strict=False):
        value = by_key[prefix + ANCHOR_KEY].value
        if isinstance(value, int | float) and curve_matches(curve, float(value)):
            paired[prefix] = curve
    return paired


def curve_matches(curve: ChartSeries, return_pct: float) -> bool:
    """The curve's last value, as a return in %, equals the figure within its rounding."""
    values = [v for v in curve.y if v is not None]
    if not values:
        return False
    end = (values[-1] - 1.0) * 100
    return abs(end - return_pct) <= MATCH_TOLERANCE_PP + 1e-6 * abs(return_pct)


def sleeves(results: Sequence[ClaimResult]) -> list[Sleeve]:
    """Every paired trade of the results as a sleeve named ``claim-id`` or
    ``claim-id/prefix`` (an implied trade)."""
    out: list[Sleeve] = []
    for result in results:
        for prefix, curve in trade_curves(result).items():
            points = [(date.fromisoformat(str(x)[:10]), y)
                      for x, y in zip(curve.x, curve.y, strict=False) if y is not None]
            name = result.claim_id + (f"/{prefix.rstrip('_')}" if prefix else "")
            out.append(Sleeve(name, [d for d, _ in points], [v for _, v in points]))
    return out


def thesis_book(results: Sequence[ClaimResult], published: date, benchmark: str | None,
                view: DataView | None,
                weighting: BookWeighting = DEFAULT_WEIGHTING) -> Book | None:
    """The combined book, or None when the thesis holds no scored trade. Benchmark closes
    come through ``view`` (the store's default price basis); a benchmark the store lacks
    is compared as cash and the report says which it is (``benchmark_values`` all 1)."""
    from narrowgate.models.book import combine

    held = sleeves(results)
    if not held:
        return None
    path = combine(held, published, weighting)
    bench, own = _benchmark_path(benchmark, view, published, path.dates)
    return Book(
        weighting=weighting, benchmark=benchmark, start=path.dates[0], end=path.dates[-1],
        trades=list(path.weights), weights=[round(w, 6) for w in path.weights.values()],
        figures=book_figures(path.values, own, benchmark),
        dates=path.dates, values=[round(v, 6) for v in path.values],
        benchmark_values=bench if bench is not None else [1.0] * len(path.dates))


def benchmark_warning(book: Book | None) -> str | None:
    """A run warning when the thesis names a benchmark the store could not serve (the
    book is then compared with cash, and the run should say so)."""
    if book is None or book.benchmark is None or any(v != 1.0 for v in book.benchmark_values):
        return None
    return (f"benchmark {book.benchmark}: no closes in the store on or before publication "
            f"through {book.end}; the combined book is compared with cash")


def _benchmark_path(benchmark: str | None, view: DataView | None, published: date,
                    dates: list[date]
                    ) -> tuple[list[float | None] | None, list[float] | None]:
    """The benchmark's closes rebased to 1 at its last close on or before publication:
    on the book's dates (carried over days it has no close) for the chart, and on its own
    trading days up to the book's end for its figures (no invented flat days); None for
    cash or when the store has no such closes."""
    if benchmark is None or view is None:
        return None, None
    from narrowgate.errors import NarrowgateError

    try:
        frame = view.closes([benchmark], published - timedelta(days=BASE_LOOKBACK_DAYS),
                            dates[-1])
    except NarrowgateError:
        return None, None
    if benchmark not in frame.columns:
        return None, None
    series = frame[benchmark].dropna()
    closes = [(_as_date(d), float(v)) for d, v in series.items()]
    base_at = [(d, v) for d, v in closes if d <= published]
    if not base_at:
        return None, None
    start, base = base_at[-1]
    own = [(d, v / base) for d, v in closes if start <= d <= dates[-1]]
    out: list[float | None] = []
    last: float | None = None
    k = 0
    for d in dates:  # its last close on or before each of the book's dates
        while k < len(own) and own[k][0] <= d:
            last, k = own[k][1], k + 1
        out.append(None if last is None else round(last, 6))
    return out, [v for _, v in own]


def _as_date(value: object) -> date:
    """A frame's index label (a pandas Timestamp, a date or an ISO string) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def book_figures(values: Sequence[float], bench: Sequence[float] | None,
                 benchmark: str | None) -> list[Figure]:
    """The book's figures, the benchmark's from its own closes ``bench`` (None: cash, 0
    return, no risk) and the excess."""
    from narrowgate.models.book import path_stats

    own = path_stats(values)
    figures = _stats_figures("book_", LocalizedText(zh="组合", en="book"), own)
    if bench is not None:
        other = path_stats(bench)
        name = LocalizedText(zh=f"基准 {benchmark}", en=f"benchmark {benchmark}")
    else:
        other = PathStats(0.0, 0.0, 0.0, None)
        name = LocalizedText(zh="现金", en="cash")
    figures += _stats_figures("benchmark_", name, other)
    figures.append(Figure(
        key="book_excess_return",
        label=LocalizedText(zh=f"组合相对{name.zh}的超额收益",
                            en=f"book's excess over {name.en}"),
        value=round(own.total_return_pct - other.total_return_pct, 2),
        unit="percentage points", decisive=True))
    return figures


def _stats_figures(prefix: str, name: LocalizedText, stats: PathStats) -> list[Figure]:
    rows = (
        ("return", "收益", "return", stats.total_return_pct, "%"),
        ("max_drawdown", "最大回撤", "max drawdown", stats.max_drawdown_pct, "%"),
        ("volatility", "年化波动", "volatility", stats.volatility_pct,
         f"% a year (daily × √{PERIODS_PER_YEAR})"),
        ("sharpe", "夏普比率", "Sharpe", stats.sharpe,
         f"annualised (daily × √{PERIODS_PER_YEAR}), risk-free 0"),
    )
    return [Figure(key=f"{prefix}{key}", label=LocalizedText(zh=f"{name.zh}{zh}",
                                                              en=f"{name.en} {en}"),
                   value=None if value is None else round(value, 2), unit=unit)
            for key, zh, en, value, unit in rows]
