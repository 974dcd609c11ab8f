"""a-share-view (the path kind) on the real CSI 300, optical-module and sector-index closes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import SHARED_DATA, eval_context

CSI = Path("prices/cn/csi_indices_ai_theme_monitor")


def test_csi300_path_after_publication(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("a-share-view"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING  # long-term review 2027-02-08 not reached
    f = {x.key: x.value for x in result.evidence.figures}
    # CSI 300 4643.6 (2026-02-06) → 4618.9 (2026-08-21, where the file ends)
    # CSI 300 2026-02-06 4643.6 → 2026-09-17 4460.1 (csi_indices_marketor_2026h2)
    assert f["index_return"] == pytest.approx(round((4460.1 / 4643.6 - 1) * 100, 1))
    assert f["data_end"] == "2026-09-17"
    closes = pd.read_csv(SHARED_DATA / CSI / "000300.csv", parse_dates=["date"],
                         index_col="date")["close"].loc["2026-02-06":"2026-05-07"]
    pullback = (1 - (closes / closes.cummax()).min()) * 100
    assert f["short_term_pullback"] == pytest.approx(round(pullback, 1))
    assert f["digestion"] == ("yes" if pullback >= 5 else "no")
    # 300308 539.01 → 864.58, 300502 259.33 → 399.6 (2026-02-06 → 2026-08-10), equal weight
    basket = ((864.58 / 539.01 + 399.6 / 259.33) / 2 - 1) * 100
    assert f["export_basket_return"] == pytest.approx(round(basket, 1))
    index_to_aug10 = (4702.02 / 4643.6 - 1) * 100
    assert f["export_basket_vs_index"] == pytest.approx(round(basket - index_to_aug10, 1),
                                                        abs=0.05)
    assert f["export_index_return"] == pytest.approx(round((20436.63 / 15301.24 - 1) * 100, 1))
    # 300394 has no close after 2026-01-08 in the files: named, with the fetch command
    gap = next(m for m in result.evidence.missing if m.what.startswith("cn:300394"))
    assert gap.fetch == ["cn:300394"]
    assert {d.instrument for d in result.evidence.data} == {
        "cnidx:000300", "cn:300308", "cn:300502", "cnidx:931160"}
    assert "2026-09-17" in result.summary.zh and "cn:300394" in result.summary.en
    # the short term is over (no pull-back line); a return above the floor → supported
    (watch,) = result.evidence.watch
    assert watch.current == f["index_return"]
    assert watch.threshold == ctx.thesis.claim("a-share-view").params["min_return_pct"]
    assert watch.flips_to is Verdict.SUPPORTED and watch.instrument == "cnidx:000300"
    assert watch.observed is not None and watch.observed.isoformat() == "2026-09-17"


def test_after_the_review_short_data_is_pending_with_the_interim_reading(
        imported_hub: object) -> None:
    """Was "insufficient data"; the decision core's coverage gate keeps it pending with
    the interim reading until the closes reach the review date."""
    ctx = eval_context(imported_hub, as_of="2027-03-01")
    result = evaluate_claim(ctx.thesis.claim("a-share-view"), ctx)
    assert result.verdict is Verdict.PENDING
    # the CSI 300 2026 H2 file ends 09-17
    assert "has passed but the data only reach 2026-09-17" in result.summary.en
    assert "So far: " in result.summary.en
