"""The valuation kind beyond the bundled thesis: the memory-valuations example on the
recorded closes, a thesis's own figures file, and the params' one-line errors.

Hand checks (closes of 2026-04-24 in nasdaq100_2020_2026_growwanalysis: MU 496.72, SNDK
989.90; consensus EPS from the bundled dataset: MU FY2026 55.50 and FY2027 92.67 in the
sweetvaluelab snapshot, SNDK FY2026 39.45): MU 496.72 / 55.50 = 8.95x, SNDK 989.90 / 39.45
= 25.09x; at 12x MU's 2026 EPS alone justifies 666 ≥ 496.72, so it prices in 2026.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.kinds.valuation import ValuationParams
from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from narrowgate.thesis.schema import Thesis
from tests.conftest import REPO_ROOT, require_shared

EXAMPLE = REPO_ROOT / "docs" / "examples" / "memory-valuations.yaml"
AS_OF = date(2026, 11, 24)


def _figures(card: Any, claim_id: str) -> dict[str, Any]:
    result = next(r for r in card.results if r.claim_id == claim_id)
    return {f.key: f.value for f in result.evidence.figures}


def test_memory_example_verdicts_and_figures(imported_hub: Any) -> None:
    require_shared("prices/us/nasdaq100_2020_2026_growwanalysis/SNDK.csv")
    card = evaluate_thesis(load_thesis(str(EXAMPLE)), AS_OF, offline=True, hub=imported_hub)
    assert {r.claim_id: r.verdict for r in card.results} == {
        "memory-under-15x": Verdict.MIXED,
        "micron-cheaper-than-sandisk": Verdict.SUPPORTED,
        "micron-prices-in-the-peak": Verdict.SUPPORTED,
        "micron-mid-cycle": Verdict.CONTRADICTED,
    }
    under = _figures(card, "memory-under-15x")
    assert (under["price_us:MU"], under["price_us:SNDK"]) == (496.72, 989.9)
    assert under["forward_pe_us:MU_2026"] == round(496.72 / 55.50, 1) == 8.9
    assert under["forward_pe_us:SNDK_2026"] == round(989.90 / 39.45, 1) == 25.1
    assert under["forward_pe_us:MU_2027"] == round(496.72 / 92.67, 1)
    assert (under["names_backing"], under["names_with_forecast"]) == (1, 2)
    # no EPS growth after FY2026 and one year of forecasts: 12 × 39.45 never reaches 989.90
    assert under["priced_in_us:SNDK"] == "beyond 2056"
    pair = _figures(card, "micron-cheaper-than-sandisk")
    assert (pair["micron_median_forward_pe"], pair["sandisk_median_forward_pe"]) == (8.9, 25.1)
    assert pair["median_gap"] == round(989.90 / 39.45 - 496.72 / 55.50, 1) == 16.1
    assert pair["micron_against"] == "none"
    peak = _figures(card, "micron-prices-in-the-peak")
    assert peak["priced_in_us:MU"] == 2026 and peak["threshold"] == 2027
    assert (peak["priced_in_us:MU_at_10x"], peak["priced_in_us:MU_at_15x"]) == (2026, 2026)
    # on mid-cycle earnings (mean GAAP EPS FY2023–2025 = 0.983) MU is 505x: 12 × 0.983
    # grown at 5 %/yr and discounted at 10 %/yr never reaches 496.72 within 30 years
    mid = _figures(card, "micron-mid-cycle")
    assert mid["yardstick_us:MU"] == round(496.72 / ((-5.34 + 0.70 + 7.59) / 3), 2) == 505.14
    assert mid["priced_in_year_us:MU_base"] == "beyond 2056"
    assert (mid["grid_cells"], mid["grid_kept_pct"]) == (45, 100.0)


DATASET = """\
stocks:
  us:XYZ:
    name: Example Co
    currency: USD
    basis: per_share
    profit_unit: USD per share
    profits:
      - {year: 2025, value: 2.0, kind: reported, status: sourced, source: 10-K}
    forecasts:
      - {as_of: 2026-01-15, source: broker note, status: sourced, values: {2026: 2.5, 2027: 3.0}}
    prices:
      - {date: 2026-02-02, close: 60.0, status: sourced, source: exchange}
"""


def _params(dataset: str, **extra: Any) -> dict[str, Any]:
    return {"price_date": "2026-02-02", "fair_pe_x": 20, "fair_pe_basis": "test",
            "dataset": dataset, "threshold": 2030, "direction": "at_least",
            "groups": [{"key": "xyz", "label": {"zh": "例", "en": "Example"},
                        "stocks": [{"instrument": "us:XYZ",
                                    "fallback_price_date": "2026-02-02"}]}], **extra}


def _run(thesis: Thesis, params: dict[str, Any]) -> Any:
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView

    evaluator = get_evaluator("valuation")
    claim = thesis.claims[0]
    ctx = EvalContext(thesis=thesis, as_of=AS_OF, offline=True,
                      hub=DataView(DataHub(Store(), offline=True), AS_OF))
    return evaluator.evaluate(claim, evaluator.params_model.model_validate(params), ctx)


def test_a_thesis_brings_its_own_figures(thesis: Thesis, tmp_path: Path) -> None:
    file = tmp_path / "my_valuations.yaml"
    file.write_text(DATASET, encoding="utf-8")
    a = _run(thesis, _params(str(file)))
    f = {x.key: x.value for x in a.evidence.figures}
    # 20x, 10 %/yr, +15 %/yr after 2027: 2029 justifies 3·1.15²·20/1.1³ = 59.6 < 60 and
    # 2030 justifies 3·1.15³·20/1.1⁴ = 62.3 ≥ 60
    assert 3 * 1.15**2 * 20 / 1.1**3 < 60 <= 3 * 1.15**3 * 20 / 1.1**4
    assert f["priced_in_us:XYZ"] == 2030 and f["forward_pe_us:XYZ_2026"] == 24.0
    assert a.verdict is Verdict.SUPPORTED
    assert any(d.source.startswith(f"{file}: ") for d in a.evidence.data)
    at_most = _run(thesis, _params(str(file), direction="at_most", threshold=2029))
    assert at_most.verdict is Verdict.CONTRADICTED


def test_a_missing_figures_file_is_named(thesis: Thesis, tmp_path: Path) -> None:
    with pytest.raises(DataNotFound, match=r"nowhere\.yaml cannot be read"):
        _run(thesis, _params(str(tmp_path / "nowhere.yaml")))


@pytest.mark.parametrize(("edit", "message"), [
    ({"threshold": None}, "one group needs a threshold"),
    ({"threshold": 2027.5}, "is a calendar year"),
    ({"measure": "forward_pe", "threshold": -3}, "multiple above 0"),
    ({"direction": "below"}, "direction"),
])
def test_bad_params_fail_in_one_line(edit: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ValuationParams.model_validate(_params("bundled", **edit))


def test_two_groups_take_no_threshold() -> None:
    params = _params("bundled")
    params["groups"] = [*params["groups"], {**params["groups"][0], "key": "other"}]
    with pytest.raises(ValidationError, match="threshold applies to one group"):
        ValuationParams.model_validate(params)
    params["threshold"] = None
    assert len(ValuationParams.model_validate(params).groups) == 2
    params["groups"][1]["key"] = "xyz"
    with pytest.raises(ValidationError, match="group keys must differ"):
        ValuationParams.model_validate(params)


def test_before_the_price_date_it_is_pending(thesis: Thesis) -> None:
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView

    evaluator = get_evaluator("valuation")
    day = date(2026, 1, 30)
    ctx = EvalContext(thesis=thesis, as_of=day, offline=True,
                      hub=DataView(DataHub(Store(), offline=True), day))
    a = evaluator.evaluate(thesis.claims[0], ValuationParams.model_validate(
        _params("bundled")), ctx)
    assert a.verdict is Verdict.PENDING and "after as-of 2026-01-30" in a.summary.en
