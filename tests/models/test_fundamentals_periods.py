"""Fiscal periods of a concept frame inside a window, in USD bn."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from narrowgate.models.fundamentals import expected_years, period_label, window_periods

FRAME = pd.DataFrame({
    "fiscal_year": [2023, 2024, 2025],
    "fiscal_period": ["FY", "FY", "FY"],
    "end": pd.to_datetime(["2023-06-30", "2024-06-30", "2025-06-30"]),
    "value": [10e9, 12e9, 15e9],
})


def test_window_keeps_periods_ending_after_start_up_to_end() -> None:
    out = window_periods(FRAME, date(2023, 6, 30), date(2025, 6, 30), "annual")
    assert [(p.end, p.label, p.numerator) for p in out] == [
        (date(2024, 6, 30), "FY2024", 12.0), (date(2025, 6, 30), "FY2025", 15.0)]
    assert all(p.denominator is None for p in out)


def test_denominator_of_the_same_period_end() -> None:
    den = FRAME.assign(value=[40e9, 48e9, 50e9]).iloc[1:]
    out = window_periods(FRAME, None, date(2025, 12, 31), "annual", den)
    assert [p.end for p in out] == [date(2024, 6, 30), date(2025, 6, 30)]
    assert out[1].denominator == pytest.approx(50.0)


def test_labels_and_expected_years() -> None:
    assert period_label(2025, "Q3", "quarterly") == "FY2025 Q3"
    assert period_label(2025, "FY", "annual") == "FY2025"
    assert expected_years(date(2022, 12, 31), date(2025, 12, 31)) == 3
    assert expected_years(None, date(2025, 12, 31)) is None
