"""The generic `level` kind on real data: a series above or below a line at a date or by a
date, with the coverage gate, the mixed band, the price basis and the watch item."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from pydantic import ValidationError

from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.verdict import Assessment, Verdict
from narrowgate.thesis.loader import load_thesis
from narrowgate.thesis.schema import Thesis
from tests.conftest import REPO_ROOT, require_shared
from tests.evaluate.conftest import fig

GOLD = "commodities/lbma_gold_silver_finance_terminal/gold.csv"
DGS10 = "fred/series_macro_charts/DGS10.csv"
SPY_SPLIT = "prices/us/etf_daily_kittycapital/SPY.csv"
AS_OF = date(2026, 11, 24)


def _example(name: str) -> Thesis:
    return load_thesis(str(REPO_ROOT / "docs" / "examples" / f"{name}.yaml"))


def _run(thesis: Thesis, claim_id: str, hub: object, as_of: date = AS_OF,
         **edits: Any) -> Assessment:
    claim = thesis.claim(claim_id)
    evaluator = get_evaluator("level")
    params = evaluator.params_model.model_validate({**claim.params, **edits})
    return evaluator.evaluate(claim, params, EvalContext(thesis=thesis, as_of=as_of, hub=hub))


def _gold() -> pd.Series:
    frame = pd.read_csv(require_shared(GOLD), index_col=0, parse_dates=True)
    return frame["value"].dropna()


def test_gold_at_the_horizon_is_supported_with_its_distance(imported_hub: object) -> None:
    result = _run(_example("rates-and-gold"), "gold-holds-4000", imported_hub)
    gold = _gold()
    assert result.verdict is Verdict.SUPPORTED
    assert fig(result, "reading") == float(gold["2026-06-30"]) == 4026.05
    assert fig(result, "reading_date") == "2026-06-30"
    assert fig(result, "distance") == round(4026.05 - 4000, 2)
    assert fig(result, "window") == "2026-03-02 → 2026-06-30"  # the horizon ends the window
    assert result.evidence.charts and not result.evidence.watch  # final: nothing to watch


def test_before_the_horizon_the_reading_is_held_back_with_a_watch_item(
        imported_hub: object) -> None:
    result = _run(_example("rates-and-gold"), "gold-holds-4000", imported_hub,
                  as_of=date(2026, 5, 1))
    assert result.verdict is Verdict.PENDING
    assert "So far: supported" in result.summary.en and "目前的读数:成立" in result.summary.zh
    assert fig(result, "reading") == float(_gold()["2026-05-01"])
    (item,) = result.evidence.watch  # the nearest line whose crossing changes the reading
    assert (item.threshold, item.flips_to, item.unit) == (4000, Verdict.MIXED, "USD/oz")
    assert item.current == fig(result, "latest") and item.observed == date(2026, 5, 1)


def test_the_mixed_band_is_the_only_way_to_mixed(imported_hub: object) -> None:
    thesis = _example("rates-and-gold")
    near = _run(thesis, "gold-holds-4000", imported_hub, threshold=4100)  # 73.95 short
    assert near.verdict is Verdict.MIXED
    far = _run(thesis, "gold-holds-4000", imported_hub, threshold=4100, mixed_band=50)
    assert far.verdict is Verdict.CONTRADICTED


def test_a_line_crossed_early_is_final_before_the_horizon(imported_hub: object) -> None:
    result = _run(_example("rates-and-gold"), "gold-tops-5000-this-year", imported_hub)
    gold = _gold().loc["2026-03-02":]
    assert date(2026, 12, 31) > AS_OF  # as-of is before the horizon
    assert result.verdict is Verdict.SUPPORTED
    assert fig(result, "reading") == float(gold.max()) == 5313.9
    assert fig(result, "first_crossing") == gold[gold >= 5000].index[0].date().isoformat()
    not_yet = _run(_example("rates-and-gold"), "gold-tops-5000-this-year", imported_hub,
                   threshold=6000)
    assert not_yet.verdict is Verdict.PENDING
    assert "So far: contradicted" in not_yet.summary.en
    assert fig(not_yet, "first_crossing") == "none"


def test_a_yield_that_never_fell_below_the_line_by_the_horizon(imported_hub: object) -> None:
    result = _run(_example("us-soft-landing"), "ten-year-below-4", imported_hub)
    frame = pd.read_csv(require_shared(DGS10), index_col=0, parse_dates=True)
    lows = frame["DGS10"].dropna().loc["2026-03-02":"2026-07-24"]
    assert result.verdict is Verdict.CONTRADICTED
    assert fig(result, "reading") == round(float(lows.min()), 2) == 4.05
    assert fig(result, "reading_date") == lows.idxmin().date().isoformat()
    assert fig(result, "first_crossing") == "none"


def test_the_price_basis_comes_from_the_params(imported_hub: object) -> None:
    result = _run(_example("us-soft-landing"), "spy-above-700-in-july", imported_hub)
    closes = pd.read_csv(require_shared(SPY_SPLIT), index_col=0, parse_dates=True)["Close"]
    assert result.verdict is Verdict.SUPPORTED
    assert fig(result, "reading") == round(float(closes["2026-07-31"]), 2) == 747.03
    assert {d.basis for d in result.evidence.data} == {"split"}


@pytest.mark.parametrize("edit", [{"side": "over"}, {"mixed_band": -1}, {"rule": "near"},
                                  {"series": "gold"}, {"basis": "adjusted"}])
def test_params_that_do_not_fit_are_refused(edit: dict[str, object]) -> None:
    claim = _example("rates-and-gold").claim("gold-holds-4000")
    with pytest.raises(ValidationError):
        get_evaluator("level").params_model.model_validate({**claim.params, **edit})


def test_a_date_before_the_window_is_one_clear_line(imported_hub: object) -> None:
    from narrowgate.evaluate.runner import evaluate_claim

    claim = _example("rates-and-gold").claim("gold-holds-4000")
    with pytest.raises(ValidationError, match="comes before start"):
        get_evaluator("level").params_model.model_validate(
            {**claim.params, "start": "2026-05-01", "on": "2026-04-01"})
    thesis = _example("rates-and-gold")
    early = thesis.claim("gold-holds-4000").model_copy(
        update={"params": {**claim.params, "on": date(2026, 1, 30)}})
    result = evaluate_claim(early, EvalContext(thesis=thesis, as_of=AS_OF, hub=imported_hub))
    assert result.verdict is Verdict.INSUFFICIENT_DATA and result.error is None
    (gap,) = result.evidence.missing
    assert "before the window starts (2026-03-02)" in gap.what and "`on`" in gap.how


def test_a_date_on_a_weekend_is_reached_by_the_next_session(imported_hub: object) -> None:
    """2026-05-31 is a Sunday: the last price on or before it (Friday 05-29) decides, and
    the Monday after shows the data reached the date — final, not pending."""
    result = _run(_example("rates-and-gold"), "gold-holds-4000", imported_hub,
                  on="2026-05-31")
    gold = _gold()
    assert result.verdict is Verdict.SUPPORTED
    assert fig(result, "reading_date") == "2026-05-29"
    assert fig(result, "reading") == float(gold["2026-05-29"])


def test_watch_readings_are_not_counted_in_stability(imported_hub: object) -> None:
    """The watch item's what-if readings (the verdict just past each line) must not count
    as the claim's decisions: 26.05 above a line with a 100 band keeps its verdict across
    the whole ±20 band, so stability stays 100 % while the watch list reads the lines."""
    from narrowgate.evaluate.runner import evaluate_claim

    thesis = _example("rates-and-gold")
    ctx = EvalContext(thesis=thesis, as_of=date(2026, 5, 1), hub=imported_hub)
    result = evaluate_claim(thesis.claim("gold-holds-4000"), ctx)
    assert result.verdict is Verdict.PENDING and result.evidence.watch
    assert result.stability == 100.0
