"""earnings-up-pe-down (the decomposition kind): CSI AI-hardware indices split into EPS and P/E."""

from __future__ import annotations

import math
from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.conftest import eval_context
from tests.evaluate.conftest import fig, params_of, run


def test_after_the_price_date_two_of_three_indices_fit(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("earnings-up-pe-down"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.MIXED
    f: dict[str, Any] = {x.key: x.value for x in result.evidence.figures}
    # 931160 from the file: 15,301.24 / 46.36 on 2026-02-06 → 20,436.63 / 50.06 on 2026-08-21
    e0, e1 = 15301.24 / 46.36, 20436.63 / 50.06
    assert f["after_eps_cnidx:931160"] == round(math.log(e1 / e0), 4)
    assert f["after_multiple_cnidx:931160"] == round(math.log(50.06 / 46.36), 4)
    assert f["after_pe_cnidx:930713"] == "50.66 → 48.42"
    assert f["after_multiple_cnidx:H30184"] < 0 < f["after_eps_cnidx:H30184"]
    # since the rally: the two terms reproduce the price change 4,358.56 → 15,301.24
    total = f["history_eps_cnidx:931160"] + f["history_multiple_cnidx:931160"]
    assert total == pytest.approx(math.log(15301.24 / 4358.56), abs=2e-4)
    assert f["history_multiple_cnidx:931160"] == round(math.log(46.36 / 18.79), 4)
    # issue 13: a P/E change within ±2% is noise. H30184's 90.95 → 90.29 (−0.7%) is flat,
    # no longer "down": 2 → 1 instruments fit, one flat; the verdict stays mixed
    assert f["indices_backing"] == 1
    assert f["indices_flat"] == 1 and abs(90.29 / 90.95 - 1) < 0.02
    assert len(result.evidence.charts) == 3
    assert str(result.evidence.data[0].end) == "2026-08-21"


def test_thresholds_come_from_the_params(imported_hub: Any, thesis: Thesis) -> None:
    params = params_of(thesis, "earnings-up-pe-down")
    params["supported_share"] = 0.6
    params["pe_flat_band_pct"] = 0  # without the noise band 2 of 3 fit (≥ 0.6)
    a = run(thesis, "earnings-up-pe-down", params=params, hub=imported_hub)
    assert a.verdict is Verdict.SUPPORTED
    params["pe_flat_band_pct"] = 2  # with it 1 of 3 fits and one is flat: mixed
    a = run(thesis, "earnings-up-pe-down", params=params, hub=imported_hub)
    assert a.verdict is Verdict.MIXED and fig(a, "indices_flat") == 1
    params["instruments"] = ["cnidx:931160"]
    a = run(thesis, "earnings-up-pe-down", params=params, hub=imported_hub)
    assert a.verdict is Verdict.CONTRADICTED and fig(a, "indices_backing") == 0
