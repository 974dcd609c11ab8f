"""The valuation panel (issue #13 item 2): profit paths best / base / worst, forecasts dated
after the price date, sector yardsticks, PEG, the realised-return rule for 'limited upside',
and the sensitivity grid feeding the claim's stability.

Real-data cases run the bundled claims on the imported store; hand-checked cases use a
one-stock figures file of the bundled dataset's shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.core.stability import claim_stability, recording
from narrowgate.evaluate.kinds.valuation import ValuationParams
from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.models.valuation import mid_cycle_profit, peg_ratio
from narrowgate.thesis.schema import Thesis
from tests.conftest import eval_context
from tests.evaluate.conftest import params_of, run


def _figs(result: Any) -> dict[str, Any]:
    return {x.key: x.value for x in result.evidence.figures}


# --- the bundled claims on real data ------------------------------------------------------


def test_priced_in_panel_on_the_best_path(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("ai-hw-priced-in"), ctx)
    assert result.error is None and result.verdict is Verdict.MIXED
    f = _figs(result)
    value = f["value_cn:300308"]  # 5,998.5亿 (539.92 × 11.11亿)
    # best path (10jqka range maximum, 2025-12-08): 377.60亿 × 25 already covers it in 2026
    assert value <= 377.60 * 25 and f["priced_in_year_cn:300308_best"] == 2026
    assert f["priced_in_year_cn:300308_base"] == 2029  # the consensus, as before
    # worst path (range minimum 127.89亿 in 2027, +15%/yr after): 2043 falls short, 2044 covers
    assert (127.89 * 1.15**16 * 25 / 1.1**17 < value
            <= 127.89 * 1.15**17 * 25 / 1.1**18)
    assert f["priced_in_year_cn:300308_worst"] == 2044
    # 300394 has no sourced best case: its base path stands in, and says so
    assert f["priced_in_year_cn:300394_best"] == 2037
    label = next(x.label.en for x in result.evidence.figures
                 if x.key == "priced_in_year_cn:300394_best")
    assert "base path stands in" in label
    assert str(f["priced_in_year_cn:300502_best"]).startswith("not used")
    # 300394's value rests on a recorded close 16 days before the price date: said so
    assert f["price_off_date_cn:300394"] == "recorded close of 2026-01-21, 16 days before " \
        "2026-02-06"
    assert (f["verdict_best"], f["verdict_base"], f["verdict_worst"]) == ("mixed",) * 3
    assert f["decides_on"] == "best" and f["forecasts_after_price_date"] == 0
    # the realised return since 2026-02-06 breaks the 20% 'limited upside' the params allow
    assert (f["return_since_cn:300308"], f["return_since_cn:300502"]) == (60.4, 54.1)
    assert f["upside_breaches"] == "cn:300308 +60.4%, cn:300502 +54.1%"
    assert "cannot be 'supported'" in result.summary.en
    # PEG: 2026 forward P/E (value / 187.62) over consensus growth 2025→2027 in %/yr
    growth = ((245.25 / 108.0) ** 0.5 - 1) * 100
    assert f["peg_cn:300308"] == round(value / 187.62 / growth, 2) == 0.63
    assert f["implied_minus_forecast_cn:300308"] == round(56.3 - 50.7, 1)
    # every one of the 5 × 5 × 3 grid cells keeps 'mixed': stability 100%
    assert (f["grid_cells"], f["grid_kept_pct"], result.stability) == (75, 100.0, 100.0)
    assert f["grid_flip"].startswith("none")
    assert any(c.title.en.startswith("Sensitivity") for c in result.evidence.charts)


def test_without_the_upside_rule_the_base_path_holds(imported_hub: Any, thesis: Thesis) -> None:
    params = params_of(thesis, "ai-hw-priced-in")
    params["max_upside_pct"] = None
    a = run(thesis, "ai-hw-priced-in", params=params, hub=imported_hub)
    f = _figs(a)
    assert (f["verdict_best"], f["verdict_base"]) == ("mixed", "supported")
    assert a.verdict is Verdict.MIXED  # the best path decides
    params["decide_on"] = "base"
    assert run(thesis, "ai-hw-priced-in", params=params,
               hub=imported_hub).verdict is Verdict.SUPPORTED


def test_us_panel_yardsticks_and_late_forecasts(imported_hub: Any) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("us-hw-cheaper"), ctx)
    # contradicted on MU alone, held back to mixed: 1 of 4 US names decides
    assert result.error is None and result.verdict is Verdict.MIXED
    f = _figs(result)
    # MU on mid-cycle earnings: mean GAAP EPS of FY2023–2025 = (−5.34 + 0.70 + 7.59) / 3
    mid = (-5.34 + 0.70 + 7.59) / 3
    assert f["yardstick_us:MU"] == round(394.69 / mid, 2) == 401.38
    assert f["priced_in_year_us:MU_base"] == "beyond 2056"
    assert str(f["yardstick_us:SNDK"]).startswith("gap: no sourced mid-cycle input")
    # LUMN, a loss maker: EV $25.0B (2026-02-17) / 2025 revenue $12.40B, P/E not meaningful
    assert f["yardstick_us:LUMN"] == round(25.0 / 12.40, 2) == 2.02
    assert str(f["trailing_pe_us:LUMN"]).startswith("not meaningful: a loss of -1.75")
    assert str(f["priced_in_year_us:LUMN_base"]).startswith("not used: valued on ev-sales")
    # MU's (2026-02-17) and LITE's (2026-02-20) consensus are dated after 2026-02-06
    assert f["forecasts_after_price_date"] == 2
    assert f["forecasts_undated"] == "us:SNDK"  # "about Feb–Mar 2026": cannot be checked
    assert str(f["priced_in_year_us:LITE_base"]).startswith(
        "not used: forecasts as of 2026-02-20")
    assert result.stability == 100.0


def test_late_forecasts_can_be_used(imported_hub: Any, thesis: Thesis) -> None:
    params = params_of(thesis, "us-hw-cheaper")
    params["forecasts_after_price_date"] = "use"
    a = run(thesis, "us-hw-cheaper", params=params, hub=imported_hub)
    f = _figs(a)
    # LITE decides now (2054); US median of MU 2057 and LITE 2054 = 2055.5
    assert f["priced_in_year_us:LITE_base"] == 2054
    assert f["us_median_year"] == 2055.5 and a.verdict is Verdict.CONTRADICTED


# --- hand-checked cases on a figures file ------------------------------------------------

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
      - {as_of: AS_OF, source: broker note, status: sourced, values: {2026: 2.5, 2027: 3.0}}
    prices:
      - {date: 2026-02-02, close: 60.0, status: sourced, source: exchange}
"""


def _evaluate(thesis: Thesis, tmp_path: Path, as_of: str = "2026-01-15",
              **extra: Any) -> tuple[Any, float | None]:
    from datetime import date

    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView

    file = tmp_path / "xyz.yaml"
    file.write_text(DATASET.replace("AS_OF", as_of), encoding="utf-8")
    params = {"price_date": "2026-02-02", "fair_pe_x": 20, "fair_pe_basis": "test",
              "dataset": str(file), "threshold": 2030, "direction": "at_least",
              "groups": [{"key": "xyz", "label": {"zh": "例", "en": "Example"},
                          "stocks": [{"instrument": "us:XYZ",
                                      "fallback_price_date": "2026-02-02"}]}], **extra}
    evaluator = get_evaluator("valuation")
    day = date(2026, 11, 24)
    ctx = EvalContext(thesis=thesis, as_of=day, offline=True,
                      hub=DataView(DataHub(Store(tmp_path / "store.duckdb"), offline=True),
                                   day))
    with recording() as decisions:
        a = evaluator.evaluate(thesis.claims[0], evaluator.params_model.model_validate(params),
                               ctx)
    return a, claim_stability(decisions)


def test_grid_share_and_flip_by_hand(thesis: Thesis, tmp_path: Path) -> None:
    # 20x: 2030 is the priced-in year (3·1.15³·20/1.1⁴ = 62.3 ≥ 60) → supported;
    # 25x: 2027 already covers it (3.0·25/1.1 = 68.2 ≥ 60) → contradicted
    assert 3.0 * 25 / 1.1 >= 60 > 3 * 1.15**2 * 20 / 1.1**3
    a, stability = _evaluate(thesis, tmp_path, grid_multiples_x=[20, 25],
                             grid_discount_rates=[0.10], grid_growth_after=[0.15])
    f = _figs(a)
    assert a.verdict is Verdict.SUPPORTED
    assert (f["grid_cells"], f["grid_kept_pct"], stability) == (2, 50.0, 50.0)
    assert f["grid_flip"] == "25x, 10%/yr, growth 15%/yr → contradicted"


def test_a_forecast_after_the_price_date_does_not_decide(thesis: Thesis,
                                                          tmp_path: Path) -> None:
    a, stability = _evaluate(thesis, tmp_path, as_of="2026-03-01")
    f = _figs(a)
    assert a.verdict is Verdict.INSUFFICIENT_DATA and stability is None
    assert f["forecasts_after_price_date"] == 1
    assert f["priced_in_year_us:XYZ_base"].startswith("not used: forecasts as of 2026-03-01")
    assert f["priced_in_us:XYZ"] == 2030  # shown, not used
    used, _ = _evaluate(thesis, tmp_path, as_of="2026-03-01", forecasts_after_price_date="use")
    assert used.verdict is Verdict.SUPPORTED


@pytest.mark.parametrize(("stock", "message"), [
    ({"yardstick": "mid-cycle-earnings"}, r"mid-cycle-earnings needs mid_cycle_years"),
    ({"paths": {"base": 1}}, r"the base path is `forecast`"),
    ({"yardstick": "ev-ebitda"}, r"yardstick"),
])
def test_bad_panel_params_fail_in_one_line(stock: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ValuationParams.model_validate({
            "price_date": "2026-02-06", "fair_pe_x": 25, "fair_pe_basis": "t",
            "threshold": 2027, "groups": [{"key": "g", "label": {"zh": "组", "en": "g"},
                                           "stocks": [{"instrument": "us:MU", **stock}]}]})
    with pytest.raises(ValidationError, match=r"grid multiples are above 0"):
        ValuationParams.model_validate({
            "price_date": "2026-02-06", "fair_pe_x": 25, "fair_pe_basis": "t",
            "threshold": 2027, "grid_multiples_x": [0, 25],
            "groups": [{"key": "g", "label": {"zh": "组", "en": "g"},
                        "stocks": [{"instrument": "us:MU"}]}]})


def test_panel_arithmetic() -> None:
    assert mid_cycle_profit({2023: -5.34, 2024: 0.70, 2025: 7.59}, 2023, 2025) == \
        pytest.approx(2.95 / 3)
    with pytest.raises(ValueError, match="no sourced profit for 2024"):
        mid_cycle_profit({2023: 1.0, 2025: 2.0}, 2023, 2025)
    assert peg_ratio(30.0, 0.5) == pytest.approx(0.6)
    assert peg_ratio(30.0, -0.1) is None and peg_ratio(None, 0.2) is None
