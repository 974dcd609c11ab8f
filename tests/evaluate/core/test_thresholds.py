"""The three threshold shapes of the decision core, at and around their lines."""

from __future__ import annotations

import pytest

from narrowgate.evaluate.core.thresholds import banded, conditions_held, within
from narrowgate.evaluate.verdict import Verdict

S, C, M = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.MIXED


@pytest.mark.parametrize(("value", "expected"), [(3, S), (2.5, M), (1, C), (0, C), (4, S)])
def test_banded_higher_inclusive(value: float, expected: Verdict) -> None:
    assert banded(value, supported=3, contradicted=1) is expected


@pytest.mark.parametrize(("value", "expected"), [(5.0, M), (5.01, S), (-2.0, M), (-2.01, C)])
def test_banded_strict_lines_leave_the_line_itself_mixed(value: float, expected: Verdict) -> None:
    assert banded(value, supported=5.0, contradicted=-2.0, inclusive=False) is expected


@pytest.mark.parametrize(("value", "expected"), [(0.5, S), (0.4, S), (0.7, M), (0.9, C), (1.2, C)])
def test_banded_lower_is_better(value: float, expected: Verdict) -> None:
    """A pace expected to slow: a ratio at or below 0.5 supports, at or above 0.9 contradicts."""
    assert banded(value, supported=0.5, contradicted=0.9, higher_is_better=False) is expected


@pytest.mark.parametrize(("distance", "expected"), [(-1.0, S), (0.0, S), (2.0, M), (2.1, C)])
def test_within(distance: float, expected: Verdict) -> None:
    assert within(distance, supported_within=0.0, mixed_within=2.0) is expected


def test_conditions_held() -> None:
    assert conditions_held([True, True]) is S
    assert conditions_held([]) is S
    assert conditions_held([True, False]) is M
    assert conditions_held([False, False]) is C
    assert conditions_held([False], leaning=True) is M
