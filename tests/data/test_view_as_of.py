"""The DataView binds every read to as-of: replayed at any date, nothing after it is served
and no market-data evidence ends after it (property test over the bundled thesis)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.data.hub import DataHub
from narrowgate.data.store import Store
from narrowgate.data.view import DataView
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.thesis.loader import load_thesis

PUBLISHED = date(2026, 2, 8)


@pytest.fixture(scope="module")
def hub(imported_store_path: Path) -> DataHub:
    return DataHub(Store(imported_store_path), offline=True)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(day=st.integers(min_value=0, max_value=(date(2026, 12, 7) - PUBLISHED).days))
def test_nothing_after_as_of_is_served_or_reported(hub: DataHub, day: int) -> None:
    as_of = PUBLISHED + timedelta(days=day)
    view = DataView(hub, as_of)
    with hub.store.session():
        card = evaluate_thesis(load_thesis(None), as_of, offline=True, hub=view)
    assert view.served, "the run read nothing"
    late = [p for p in view.served if p.last is not None and p.last > as_of]
    assert not late, late[:3]
    for result in card.results:
        assert result.error is None, (result.claim_id, result.error)
        for used in result.evidence.data:
            if not used.fallback and used.end is not None:  # recorded thesis figures aside
                assert used.end <= as_of, (result.claim_id, used.instrument, used.end)


def test_the_view_clips_closes_bars_series_and_facts(hub: DataHub) -> None:
    view = DataView(hub, date(2026, 4, 30))
    with hub.store.session():
        closes = view.closes(["us:QQQ", "us:IGV"], date(2026, 1, 1))
        assert closes.index.max().date() <= date(2026, 4, 30)
        bars = view.bars("us:QQQ", date(2026, 1, 1))
        assert bars.provenance[0].last == bars.frame.index.max().date() <= date(2026, 4, 30)
        walcl = view.series("fred:WALCL", date(2026, 1, 1))
        assert walcl.provenance[0].last is not None
        assert walcl.provenance[0].last <= date(2026, 4, 30)
        facts = view.facts("sec:GOOGL", ["PaymentsToAcquirePropertyPlantAndEquipment"])
        assert (facts.frame["filed"].astype(str) <= "2026-04-30").all()
    assert view.newest_served() is not None
    assert view.newest_served() <= date(2026, 4, 30)  # type: ignore[operator]


def test_an_as_of_before_publication_is_one_clear_error(hub: DataHub) -> None:
    from narrowgate.errors import NarrowgateError

    with pytest.raises(NarrowgateError, match="before the thesis 'ai-narrow-gate' was "
                                               "published"):
        evaluate_thesis(load_thesis(None), date(2025, 6, 1), offline=True, hub=hub)
