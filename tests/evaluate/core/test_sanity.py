"""Sanity bounds (evaluate/core/sanity.py): a value outside a meaningful range is shown as
"not meaningful" with its reason and can never decide."""

from __future__ import annotations

import math

from narrowgate.evaluate.common import figure, text
from narrowgate.evaluate.core.sanity import SanityBound, because_of, judge, not_meaningful_figure

YEARS = SanityBound(unit="years", low=0.0, high=100.0, open_low=True,
                    why=text("原因", "a duration of centuries leaves out buybacks"))
MOVE = SanityBound(unit="%", low=-100.0, open_low=True, why=text("原因", "no more than all"))


def test_inside_and_outside() -> None:
    assert judge(69.2, YEARS).value == 69.2 and judge(69.2, YEARS).meaningful
    assert judge(100.0, YEARS).meaningful  # the end itself is inside (closed)
    out = judge(203.9, YEARS)
    assert out.value is None and out.reason is not None
    assert "203.9 years" in out.reason.en and "(0, 100] years" in out.reason.en
    assert "buybacks" in out.reason.en and "203.9" in out.reason.zh
    assert not judge(0.0, YEARS).meaningful  # open end
    assert not judge(-100.0, MOVE).meaningful and judge(-99.9, MOVE).meaningful
    assert not judge(math.nan, MOVE).meaningful and not judge(math.inf, YEARS).meaningful
    assert judge(None, YEARS).value is None and judge(None, YEARS).meaningful


def test_a_not_meaningful_figure_never_decides() -> None:
    reason = judge(203.9, YEARS).reason
    assert reason is not None
    f = not_meaningful_figure(figure("duration", "久期", "duration", 203.9, "years",
                                     decisive=True), reason)
    assert f.value is None and not f.decisive and f.unit == "years (not meaningful)"
    assert "not meaningful" in f.label.en and "无意义" in f.label.zh
    derived = because_of(text("久期", "the duration"))
    assert "derived from the duration" in derived.en
