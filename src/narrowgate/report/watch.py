""""What to watch": one card per watch item, with how far it is in typical moves and when
new data or the deciding date come, nearest to flipping first.

Why here and from the scorecard only: a watch item says where an indicator stands against
a line (the evaluator's own rule, :mod:`narrowgate.evaluate.watch`). A reader also needs to
know whether the distance is large *for this indicator* — so the distance is also given in
σ, the standard deviation of the indicator's own recent one-step changes, read from the
claim's chart series. The series is found by its value, not its name: a chart series (as
drawn, or rebased ×100 − 100, or the difference of two rebased series in points, or its
change since an earlier point) whose last value on the item's date equals the item's
current value. When none does, σ is "n/a" rather than a guess.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import Chart, ChartSeries, ClaimResult, WatchItem
from narrowgate.thesis.schema import LocalizedText

#: how many of the latest one-step changes make "recent" (about three months of closes)
RECENT_STEPS = 60
#: fewer changes than this and σ is not stated
MIN_STEPS = 10
#: a quarterly filing (10-Q) is expected this many days after its quarter ends (SEC rule
#: for large filers: 40 days; 45 for the others, so the later date is the safe one)
FILING_LAG_DAYS = 45
QUARTER_DAYS = 91
#: instrument ids of filings (quarterly figures, released with a lag)
FILING_PREFIX = "sec:"


@dataclass(frozen=True)
class TypicalMove:
    """σ of the indicator's recent one-step changes (the indicator's unit) over ``steps``
    changes; ``step_days`` is the median spacing of its observations, in calendar days."""

    sigma: float
    steps: int
    step_days: int

    @property
    def step(self) -> LocalizedText:
        """The step in words: a trading day, a week, a month, a quarter or N days."""
        if self.step_days <= 4:
            return LocalizedText(zh="每个交易日", en="per trading day")
        if self.step_days <= 10:
            return LocalizedText(zh="每周", en="per week")
        if 25 <= self.step_days <= 35:
            return LocalizedText(zh="每月", en="per month")
        if 80 <= self.step_days <= 100:
            return LocalizedText(zh="每季度", en="per quarter")
        return LocalizedText(zh=f"每 {self.step_days} 天", en=f"per {self.step_days} days")


@dataclass(frozen=True)
class NextEvent:
    """A date that may move the item: new data expected, or the claim's horizon.
    ``due`` means the date is already past the as-of date (new data should exist)."""

    when: date
    what: LocalizedText
    due: bool = False


@dataclass(frozen=True)
class WatchCard:
    """One watch item with its claim and what the report adds to it."""

    claim: ClaimResult
    item: WatchItem
    age_days: int | None
    move: TypicalMove | None
    events: list[NextEvent]

    @property
    def in_sigma(self) -> float | None:
        """|distance| in σ (None when σ is unknown or zero)."""
        if self.move is None or self.move.sigma <= 0:
            return None
        return abs(self.item.distance) / self.move.sigma


def watch_cards(scorecard: Scorecard) -> list[WatchCard]:
    """Every watch item of the scorecard, nearest to flipping first: items whose σ is known
    by |distance| / σ, then the others by distance as a share of the larger of current
    value and threshold. The one closeness rule: the bottom line names the first of these."""
    cards = [_card(result, item, scorecard.as_of)
             for result in scorecard.results for item in result.evidence.watch]
    return sorted(cards, key=_closeness)


def watch_closeness(item: WatchItem) -> float:
    """How near an indicator is to its line, as a share of the larger of the two in size
    (0 = on the line), so indicators in different units can be ranked together; used only
    where σ is unknown."""
    scale = max(abs(item.threshold), abs(item.current))
    return abs(item.distance) / scale if scale else 0.0


def _closeness(card: WatchCard) -> tuple[int, float]:
    sigmas = card.in_sigma
    if sigmas is not None:
        return (0, sigmas)
    return (1, watch_closeness(card.item))


def _card(result: ClaimResult, item: WatchItem, as_of: date) -> WatchCard:
    age = (as_of - item.observed).days if item.observed else None
    move = typical_move(item, result.evidence.charts)
    return WatchCard(claim=result, item=item, age_days=age, move=move,
                     events=next_events(result, item, move, as_of))


# --- σ from the claim's chart series -------------------------------------------------


def typical_move(item: WatchItem, charts: Sequence[Chart]) -> TypicalMove | None:
    """σ of the recent one-step changes of the chart series that *is* the indicator (see
    the module's docstring); None when no series matches the current value."""
    tolerance = _tolerance(item.current)
    for chart in charts:
        if not chart.x_is_date:
            continue
        for dates, values in _candidates(chart, item.observed):
            if len(values) > MIN_STEPS and abs(values[-1] - item.current) <= tolerance:
                return _move(dates, values)
        for dates, level in _levels(chart, item.observed):
            for changes in (_change_since(level, item.current, tolerance, pct=False),
                            _change_since(level, item.current, tolerance, pct=True)):
                if changes is not None:
                    return _move(dates, changes)
    return None


def _tolerance(current: float) -> float:
    """Half a unit of the last digit the current value was rounded to, plus a little for
    the chart's own 6-significant-digit rounding."""
    text = repr(current)
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return 0.6 * 10 ** -decimals + 1e-6 * abs(current)


def _series_points(series: ChartSeries, observed: date | None
                   ) -> tuple[list[date], list[float]] | None:
    """The series' dated, finite points; None when it does not end on ``observed``."""
    points: list[tuple[date, float]] = []
    for x, y in zip(series.x, series.y, strict=False):
        if y is None or not math.isfinite(y) or not isinstance(x, str):
            continue
        try:
            points.append((date.fromisoformat(x[:10]), y))
        except ValueError:
            return None
    if not points or (observed is not None and points[-1][0] != observed):
        return None
    return [d for d, _ in points], [v for _, v in points]


def _rebased(chart: Chart, series: ChartSeries) -> bool:
    label = chart.y2_label if series.axis == "y2" else chart.y_label
    return (label or "").lstrip().startswith("×")


def _candidates(chart: Chart, observed: date | None
                ) -> list[tuple[list[date], list[float]]]:
    """The series as drawn; rebased series (× start) as % change; two rebased series'
    difference in percentage points."""
    found: list[tuple[list[date], list[float]]] = []
    rebased: list[tuple[list[date], list[float]]] = []
    for series in chart.series:
        points = _series_points(series, observed)
        if points is None:
            continue
        dates, values = points
        found.append((dates, values))
        if _rebased(chart, series):
            found.append((dates, [(v - 1) * 100 for v in values]))
            rebased.append((dates, values))
    for a_dates, a in rebased:
        for b_dates, b in rebased:
            if a is not b:
                common = sorted(set(a_dates) & set(b_dates))
                a_at, b_at = dict(zip(a_dates, a, strict=True)), dict(zip(b_dates, b, strict=True))
                found.append((common, [(a_at[d] - b_at[d]) * 100 for d in common]))
    return found


def _levels(chart: Chart, observed: date | None) -> list[tuple[list[date], list[float]]]:
    return [points for series in chart.series
            if not _rebased(chart, series)
            and (points := _series_points(series, observed)) is not None]


def _change_since(level: list[float], current: float, tolerance: float, *, pct: bool
                  ) -> list[float] | None:
    """The level's path as a change since an earlier point (in the level's unit, or in %
    of that point) when some earlier point makes the last change equal ``current``."""
    last = level[-1]
    for base in reversed(level[:-1]):
        if pct and base == 0:
            continue
        change = (last / base - 1) * 100 if pct else last - base
        if abs(change - current) <= tolerance:
            if pct:
                return [(v / base - 1) * 100 for v in level]
            return [v - base for v in level]
    return None


def _move(dates: list[date], values: list[float]) -> TypicalMove | None:
    changes = [b - a for a, b in pairwise(values)][-RECENT_STEPS:]
    if len(changes) < MIN_STEPS:
        return None
    gaps = sorted((b - a).days for a, b in pairwise(dates))
    return TypicalMove(sigma=statistics.stdev(changes), steps=len(changes),
                       step_days=gaps[len(gaps) // 2])


# --- what comes next -----------------------------------------------------------------


def next_events(result: ClaimResult, item: WatchItem, move: TypicalMove | None,
                as_of: date) -> list[NextEvent]:
    """The next data expected for the indicator and the claim's horizon, when known.

    New data: a filing-based claim (any ``sec:`` input) expects the next quarter's 10-Q
    ``FILING_LAG_DAYS`` after the quarter that follows the item's date; a series with a
    known step expects its next observation one step after the item's date. A date
    already past the as-of date is marked due: the data should exist and the store lacks it.
    """
    events: list[NextEvent] = []
    expected = _next_data(result, item, move)
    if expected is not None:
        events.append(expected(as_of))
    if result.horizon is not None and result.horizon >= as_of:
        events.append(NextEvent(result.horizon, LocalizedText(
            zh="期限:论点在此日判定", en="horizon: the claim is decided on this date")))
    return events


def _next_data(result: ClaimResult, item: WatchItem, move: TypicalMove | None
               ) -> Callable[[date], NextEvent] | None:
    if item.observed is None:
        return None
    observed = item.observed
    filings = (item.instrument or "").startswith(FILING_PREFIX) or (
        item.instrument is None and move is None
        and any(d.instrument.startswith(FILING_PREFIX) for d in result.evidence.data))
    if filings:
        when = observed + timedelta(days=QUARTER_DAYS + FILING_LAG_DAYS)
        what = LocalizedText(zh="下一份季度报告(10-Q)预计发布",
                             en="next quarterly report (10-Q) expected")
    elif move is not None:
        when = observed + timedelta(days=move.step_days)
        what = LocalizedText(zh="下一个观测值预计", en="next observation expected")
    else:
        return None
    return lambda as_of: NextEvent(when, what, due=when <= as_of)

