"""price-frontier on a claim a user would write: docs/examples/api-price-ladders.yaml
decides on price_checks (thresholds in the thesis) from the recorded list prices
(FACTS.md 3f); and the params' one-line errors."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.price_table import PriceFrontierParams
from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "docs" / "examples" / "api-price-ladders.yaml"
AS_OF = date(2026, 11, 24)


def _figures(as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
    card = evaluate_thesis(load_thesis(str(EXAMPLE)), as_of, offline=True)
    out = {}
    for r in card.results:
        assert r.error is None
        out[r.claim_id] = {"verdict": r.verdict, "summary": r.summary.en,
                           **{f.key: f.value for f in r.evidence.figures}}
    return out


def test_top_tier_at_least_ten_times_the_cheapest_is_mixed() -> None:
    f = _figures()["top-tier-10x"]
    assert f["verdict"] is Verdict.MIXED
    # blended = 0.75·input + 0.25·output (USD per 1M tokens), each tier's cheapest product:
    # OpenAI  GPT-5 Pro 41.25 / GPT-5.4 nano 0.4625
    assert f["top_to_entry_openai"] == round(41.25 / 0.4625, 2) == 89.19
    # Anthropic  Fable 5 20 / Haiku 4.5 2
    assert f["top_to_entry_anthropic"] == 10.0
    # Google  no priced small tier; flagship 2.5 Pro 3.4375 / mid 3.8 Flash (promo) 1.5
    assert f["top_to_entry_google"] == round(3.4375 / 1.5, 2) == 2.29
    # DeepSeek: V4-Pro's promotion ended 2026-05-31, one priced tier left: not counted
    assert "top_to_entry_deepseek" not in f
    assert f["providers_passing"] == "2/3"
    assert f["providers_passing_share"] == 0.667
    assert "failing: Google. Not counted (one priced tier): DeepSeek." in f["summary"]
    # the price side is evidence as in any price-frontier claim
    assert f["output_price_span"] == pytest.approx(642.9)
    assert f["providers_tiers_ordered"] == "4/4"


def test_every_tier_dearer_than_the_one_below_is_supported() -> None:
    f = _figures()["dearer-every-tier"]
    assert f["verdict"] is Verdict.SUPPORTED
    assert f["providers_passing"] == "3/3"


def test_after_the_promotion_google_is_checked_on_list_prices() -> None:
    # From 2027 Gemini 3.8 Flash's promotion is over; Google's cheapest mid product is
    # 3.5 Flash (0.75·1.5 + 0.25·9 = 3.375) and 2.5 Pro (3.4375) is 1.02x of it.
    f = _figures(date(2027, 1, 15))["top-tier-10x"]
    assert f["top_to_entry_google"] == round(3.4375 / 3.375, 2)
    assert f["verdict"] is Verdict.MIXED


def _raw() -> dict[str, Any]:
    return copy.deepcopy(load_thesis(str(EXAMPLE)).claim("top-tier-10x").params)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("tiers",), ["small", "mid", "flagship"], "tier pro is not in tiers"),
        (("tiers",), ["small", "small", "mid", "flagship", "pro"], "tiers must differ"),
        (("price_checks",), None, "needs a price_checks block"),
        (("price_checks",), {"supported_share": 0.5}, "set min_top_to_entry_multiple"),
        (("price_checks",), {"tiers_ordered": True, "contradicted_share": 0.9,
                             "supported_share": 0.5}, "below supported_share"),
        (("price_checks", "min_top_to_entry_multiple"), 0.5, "greater than 1"),
        (("products", 0, "input_price"), -1, "greater than or equal to 0"),
        (("live_prices",), "bloomberg", "openrouter"),
    ],
)
def test_bad_params_fail_in_one_line(path: tuple[Any, ...], value: Any, message: str) -> None:
    raw = _raw()
    PriceFrontierParams.model_validate(raw)
    node: Any = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(ValidationError, match=message):
        PriceFrontierParams.model_validate(raw)


def test_a_horizon_holds_the_price_reading_back() -> None:
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.evaluate.runner import evaluate_claim

    thesis = load_thesis(str(EXAMPLE))
    claim = thesis.claim("top-tier-10x").model_copy(update={"horizon": date(2027, 6, 30)})
    result = evaluate_claim(claim, EvalContext(thesis=thesis, as_of=AS_OF, offline=True))
    assert result.verdict is Verdict.PENDING
    assert "So far: mixed" in result.summary.en
