"""The coverage gate: a final verdict only when the data reach the deciding date."""

from __future__ import annotations

from datetime import date

from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.verdict import Verdict


def test_reading_stands_once_data_reach_the_deciding_date() -> None:
    got = coverage_gate(Verdict.SUPPORTED, decides_at=date(2026, 6, 30),
                        data_reaches=date(2026, 7, 1), as_of=date(2026, 8, 1))
    assert got.verdict is Verdict.SUPPORTED and got.interim is None


def test_before_the_date_it_is_pending_with_the_interim_reading() -> None:
    got = coverage_gate(Verdict.CONTRADICTED, decides_at=date(2027, 2, 8),
                        data_reaches=date(2026, 5, 31), as_of=date(2026, 12, 7))
    assert got.verdict is Verdict.PENDING and got.interim is not None
    assert "So far: contradicted" in got.interim.en and "2026-05-31" in got.interim.en
    assert "被否定" in got.interim.zh


def test_past_the_date_with_short_data_it_is_still_pending() -> None:
    got = coverage_gate(Verdict.MIXED, decides_at=date(2026, 6, 30),
                        data_reaches=date(2026, 5, 31), as_of=date(2026, 12, 7))
    assert got.verdict is Verdict.PENDING and got.interim is not None
    assert "has passed" in got.interim.en


def test_no_deciding_date_or_no_final_reading_passes_through() -> None:
    assert coverage_gate(Verdict.SUPPORTED, decides_at=None, data_reaches=None,
                         as_of=date(2026, 1, 1)).verdict is Verdict.SUPPORTED
    assert coverage_gate(Verdict.INSUFFICIENT_DATA, decides_at=date(2027, 1, 1),
                         data_reaches=None, as_of=date(2026, 1, 1)).interim is None


def test_data_reach_covers_the_last_period() -> None:
    from narrowgate.evaluate.core.coverage import data_reach

    monthly = [date(2026, m, 1) for m in range(1, 7)]
    assert data_reach(monthly) == date(2026, 6, 30)  # June's value covers June (30-day step)
    weekly = [date(2026, 7, 1), date(2026, 7, 8), date(2026, 7, 15)]
    assert data_reach(weekly) == date(2026, 7, 21)
    assert data_reach([]) is None
