"""us-hw-cheaper (the valuation kind, two groups): US peers and A-share leaders side by side,
same method and date."""

from __future__ import annotations

from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.conftest import eval_context
from tests.evaluate.conftest import params_of, run


def test_us_group_prices_in_earlier(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("us-hw-cheaper"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.SUPPORTED
    f: dict[str, Any] = {x.key: x.value for x in result.evidence.figures}
    # MU 394.69 and SNDK 597.95 on 2026-02-06 (store); 25 × FY26 EPS already covers them
    assert f["price_us:MU"] == pytest.approx(394.69, abs=0.005)
    assert f["forward_pe_us:MU_2026"] == round(394.69 / 33.78, 1)
    assert f["forward_pe_us:SNDK_2026"] == round(597.95 / 39.45, 1)
    assert f["priced_in_us:MU"] == f["priced_in_us:SNDK"] == 2026
    # LITE at the recorded 667.77 (2026-02-20): 112.6x FY26, priced in only by 2054
    assert f["forward_pe_us:LITE_2026"] == round(667.77 / 5.93, 1)
    assert f["priced_in_us:LITE"] == 2054 and f["us_against"] == "us:LITE"
    assert str(f["priced_in_us:LUMN"]).startswith("not computable")
    # medians: US (2026, 2026, 2054) → 2026; A-share (2029, 2037) → 2033
    assert (f["us_median_year"], f["cn_median_year"], f["median_gap"]) == (2026, 2033, 7)
    assert {m.what.split(" ")[0] for m in result.evidence.missing} == {"us:LUMN", "cn:300502"}
    chart = result.evidence.charts[0]
    assert chart.series[0].x[:4] == ["us:MU", "us:SNDK", "us:LITE", "us:LUMN"]
    assert chart.series[0].kind == "bar"


def test_margin_comes_from_the_params(imported_hub: Any, thesis: Thesis) -> None:
    params = params_of(thesis, "us-hw-cheaper")
    params["looser_by"] = 8
    a = run(thesis, "us-hw-cheaper", params=params, hub=imported_hub)
    assert a.verdict is Verdict.CONTRADICTED
