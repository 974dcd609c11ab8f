"""The combined book's arithmetic on hand-checkable paths (models/book.py)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from narrowgate.models.book import BookWeighting, Sleeve, combine, path_stats, rebased_at

MON, TUE, WED, THU, FRI, SAT = (date(2026, 2, d) for d in (2, 3, 4, 5, 6, 7))


def test_equal_weight_is_the_mean_of_the_rebased_sleeves() -> None:
    a = Sleeve("a", [MON, TUE, WED], [2.0, 2.2, 2.4])  # +10%, +20% from Monday
    b = Sleeve("b", [MON, TUE, WED], [1.0, 0.9, 1.0])  # −10%, 0%
    book = combine([a, b], MON, BookWeighting.EQUAL_WEIGHT)
    assert book.dates == [MON, TUE, WED]
    assert book.weights == {"a": 0.5, "b": 0.5}
    assert book.values == pytest.approx([1.0, (1.1 + 0.9) / 2, (1.2 + 1.0) / 2], abs=1e-12)


def test_a_later_entry_is_cash_until_it_starts_and_an_ended_trade_stays_cash() -> None:
    early = Sleeve("early", [MON, TUE], [1.0, 1.5])  # ends Tuesday at +50%
    late = Sleeve("late", [WED, THU], [4.0, 2.0])  # enters Wednesday, then −50%
    book = combine([early, late], MON, BookWeighting.EQUAL_WEIGHT)
    assert book.dates == [MON, TUE, WED, THU]
    # Monday both at 1; Tuesday (1.5 + 1) / 2; Wednesday the late trade enters at 1;
    # Thursday it halves while the ended trade holds its 1.5 as cash
    assert book.values == pytest.approx([1.0, 1.25, 1.25, 1.0], abs=1e-12)


def test_rebased_at_the_last_point_on_or_before_the_start() -> None:
    dates, values = rebased_at([MON, TUE, WED], [10.0, 20.0, 30.0], date(2026, 2, 3))
    assert dates == [TUE, WED] and values == [1.0, 1.5]


def test_equal_risk_weights_are_inverse_volatility() -> None:
    calm = Sleeve("calm", [MON, TUE, WED, THU], [1.0, 1.01, 1.0, 1.01])
    wild = Sleeve("wild", [MON, TUE, WED, THU], [1.0, 1.02, 1.0, 1.02])
    book = combine([calm, wild], MON, BookWeighting.EQUAL_RISK)
    # the daily returns of "wild" are about twice those of "calm": about twice the vol
    vol = [math.sqrt(sum((r - sum(rs) / 3) ** 2 for r in rs) / 2)
           for rs in ([0.01, 1 / 1.01 - 1, 0.01], [0.02, 1 / 1.02 - 1, 0.02])]
    expected = (1 / vol[0]) / (1 / vol[0] + 1 / vol[1])
    assert book.weights["calm"] == pytest.approx(expected, abs=1e-12)
    assert sum(book.weights.values()) == pytest.approx(1.0, abs=1e-12)


def test_weekend_points_show_on_the_next_calendar_date_and_the_last_one_counts() -> None:
    mon_next = date(2026, 2, 9)
    crypto = Sleeve("btc", [THU, FRI, SAT, date(2026, 2, 8), mon_next],
                    [1.0, 1.1, 1.2, 1.3, 1.4])
    stock = Sleeve("stock", [THU, FRI, mon_next], [1.0, 1.0, 1.0])
    book = combine([crypto, stock], THU, BookWeighting.EQUAL_WEIGHT)
    assert book.dates == [THU, FRI, mon_next]  # the weekend is not a calendar date
    assert book.values == pytest.approx([1.0, 1.05, 1.2], abs=1e-12)
    # a sleeve whose last point is a Saturday: the book ends there, with that value
    ends = combine([Sleeve("btc", [THU, FRI, SAT], [1.0, 1.1, 1.2])], THU,
                   BookWeighting.EQUAL_WEIGHT)
    assert ends.dates == [THU, FRI, SAT] and ends.values[-1] == pytest.approx(1.2)


def test_path_stats_by_hand() -> None:
    stats = path_stats([1.0, 1.1, 0.99, 1.089])
    returns = [0.1, -0.1, 0.1]
    mean = sum(returns) / 3
    sd = math.sqrt(sum((r - mean) ** 2 for r in returns) / 2)
    assert stats.total_return_pct == pytest.approx(8.9, abs=1e-9)
    assert stats.max_drawdown_pct == pytest.approx(-10.0, abs=1e-9)
    assert stats.volatility_pct == pytest.approx(sd * math.sqrt(252) * 100, abs=1e-9)
    assert stats.sharpe == pytest.approx(mean / sd * math.sqrt(252), abs=1e-9)
