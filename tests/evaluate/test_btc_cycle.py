"""btc-cycle: the calendar part by hand; the price part names what it needs."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.cycle import CycleParams
from narrowgate.evaluate.verdict import Verdict
from narrowgate.models.cycles import cycle_lengths, days_since_event, same_phase_dates
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import fig, params_of, run

HALVINGS = [date(2012, 11, 28), date(2016, 7, 9), date(2020, 5, 11), date(2024, 4, 20)]


def test_calendar_by_hand() -> None:
    assert days_since_event(HALVINGS, date(2026, 2, 8)) == 659
    assert days_since_event(HALVINGS, date(2026, 10, 1)) == 894
    assert days_since_event(HALVINGS, date(2024, 4, 20)) == 0
    assert cycle_lengths(HALVINGS) == [1319, 1402, 1440]
    earlier = [h for h in HALVINGS if h < date(2024, 4, 20)]
    assert list(same_phase_dates(659, earlier).values()) == [
        date(2014, 9, 18), date(2018, 4, 29), date(2022, 3, 1)]


def test_after_entry_window_without_prices(thesis: Thesis) -> None:
    a = run(thesis, "btc-cycle")
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert fig(a, "days_since_event_at_publication") == 659
    assert fig(a, "days_since_event_at_as_of") == 948
    assert fig(a, "days_event_to_peak") == 534  # 2024-04-20 → 2025-10-06
    missing = a.evidence.missing[0]
    assert "crypto:BTC-USD" in missing.what
    assert missing.fetch == ["crypto:BTC-USD"]
    from narrowgate.report.commands import how_text

    assert "narrowgate data pull crypto:BTC-USD" in how_text(missing)  # the front end's words
    assert "narrowgate" not in missing.how and "shared/data" not in missing.how
    assert "crypto:BTC-USD" in a.summary.en and "crypto:BTC-USD" in a.summary.zh
    assert [s.kind for s in a.evidence.charts[0].series] == ["bar"] * 4


def test_before_entry_window_is_pending(thesis: Thesis) -> None:
    a = run(thesis, "btc-cycle", as_of=date(2026, 5, 1))
    assert a.verdict is Verdict.PENDING
    assert fig(a, "days_since_event_at_as_of") == 741


def test_halvings_must_increase(thesis: Thesis) -> None:
    p = params_of(thesis, "btc-cycle")
    p["events"] = list(reversed(p["events"]))
    with pytest.raises(ValidationError):
        CycleParams.model_validate(p)
