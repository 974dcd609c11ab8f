"""token-economics: the price ladder from the recorded list prices."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.evaluate.token_economics import (
    TokenEconomicsParams,
    blended_usd_per_mtok,
    tier_frontier,
    tiers_price_ordered,
)
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import fig, run


def _params(thesis: Thesis) -> TokenEconomicsParams:
    return TokenEconomicsParams.model_validate(thesis.claim("token-economics").params)


def test_price_figures(thesis: Thesis) -> None:
    a = run(thesis, "token-economics")
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert fig(a, "cheapest_output") == 0.28  # DeepSeek V4-Flash
    assert fig(a, "dearest_output") == 180  # GPT-5.5 Pro
    assert fig(a, "output_price_span") == pytest.approx(642.9)  # 180 / 0.28
    assert fig(a, "providers_tiers_ordered") == "4/4"
    whats = " ".join(m.what for m in a.evidence.missing)
    assert "quality" in whats and "speed" in whats and "usage" in whats
    assert any("V4-Pro" in n.en for n in a.evidence.notes)  # promotion expired by as-of
    assert any("Gemini 2.5 Flash" in n.en for n in a.evidence.notes)  # unverified output


def test_promotion_counts_while_valid(thesis: Thesis) -> None:
    params = _params(thesis)
    before = tier_frontier(params, date(2026, 3, 1))["flagship"][0]
    after = tier_frontier(params, date(2026, 11, 24))["flagship"][0]
    assert (before.model, before.output_usd_per_mtok) == ("V4-Pro", 0.87)
    assert after.output_usd_per_mtok == 10  # GPT-5 or Gemini 2.5 Pro


def test_blended_price_and_ordering(thesis: Thesis) -> None:
    params = _params(thesis)
    gpt54 = next(p for p in params.prices if p.model == "GPT-5.4")
    assert blended_usd_per_mtok(gpt54, 0.75) == pytest.approx(0.75 * 2.5 + 0.25 * 15)
    flash = next(p for p in params.prices if p.model == "Gemini 2.5 Flash")
    assert blended_usd_per_mtok(flash, 0.75) is None
    assert tiers_price_ordered(params, date(2026, 11, 24)) == {
        "Anthropic": True, "DeepSeek": True, "Google": True, "OpenAI": True}
