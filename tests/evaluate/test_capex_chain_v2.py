"""capex-chain version 2: links weighted across companies, cash measures per company and
the long-duration link — hand-checkable cases, then the real SEC facts and prices."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.capex_chain import CapexChainParams
from narrowgate.evaluate.kinds.capex_chain_links import (
    LinkResult,
    chain_verdict_v2,
    weighted_link,
)
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from narrowgate.models.capex_cash import CashReading, catch_up_years
from narrowgate.thesis.loader import load_thesis
from tests.conftest import eval_context


def _params(**update: Any) -> CapexChainParams:
    raw = copy.deepcopy(load_thesis(None).claim("capex-chain").params)
    raw.update(update)
    return CapexChainParams.model_validate(raw)


def _reading(ticker: str, squeeze: bool | None) -> CashReading:
    return CashReading(ticker, 2021, 2025, 0.3, 0.5, 0.4, 2.0, 10.0, 5.0, "FCF − dividends",
                       squeeze, True, True)


# ---------------------------------------------------------------- by hand


def test_weighted_link_names_the_dissenters_with_their_weight() -> None:
    params = _params()
    reads = {"A": _reading("A", True), "B": _reading("B", False), "C": _reading("C", None)}
    votes = {"A": 3.0, "B": 1.0, "C": 100.0}  # C is not measured: its weight does not count
    result = weighted_link("squeeze", reads, votes, params, min_measured=2)
    assert result.share == pytest.approx(3 / 4)
    assert result.verdict is Verdict.SUPPORTED  # 0.75 >= 0.67
    assert result.dissenters == {"B": pytest.approx(1 / 4)}
    flipped = weighted_link("squeeze", reads, {"A": 1.0, "B": 3.0, "C": 1.0}, params, 2)
    assert flipped.verdict is Verdict.CONTRADICTED  # 0.25 <= 0.33
    even = weighted_link("squeeze", reads, {"A": 1.0, "B": 1.0, "C": 1.0}, params, 2)
    assert even.verdict is Verdict.MIXED and even.share == 0.5
    assert weighted_link("squeeze", reads, votes, params, 3).verdict is \
        Verdict.INSUFFICIENT_DATA


def test_chain_verdict_from_links() -> None:
    s, c, m = Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.MIXED

    def links(*verdicts: Verdict) -> list[LinkResult]:
        names = ("lag", "squeeze", "payout", "duration")
        return [LinkResult(n, v) for n, v in zip(names, verdicts, strict=False)]  # type: ignore[arg-type]

    assert chain_verdict_v2(links(s, s, s, s), [True], 3, 3) is s
    assert chain_verdict_v2(links(s, s, s, s), [False], 3, 3) is m  # model misses its bound
    assert chain_verdict_v2(links(s, s, s, s), [True], 2, 3) is m  # too few for support
    assert chain_verdict_v2(links(s, s, m, c), [True], 4, 3) is m
    assert chain_verdict_v2(links(c, c, s, s), [True], 4, 3) is c  # the core fails
    assert chain_verdict_v2(links(s, c, c, c), [True], 4, 3) is c  # most links fail
    assert chain_verdict_v2(links(Verdict.INSUFFICIENT_DATA, s), [True], 4, 3) is \
        Verdict.INSUFFICIENT_DATA


def test_catch_up_years() -> None:
    assert catch_up_years(100.0, 50.0, 0.10) == pytest.approx(math.log(2) / math.log(1.1))
    assert catch_up_years(100.0, 120.0, 0.10) == 0.0
    assert catch_up_years(100.0, 50.0, 0.0) is None  # never: not meaningful
    assert catch_up_years(100.0, 0.0, 0.10) is None


@pytest.mark.parametrize(("update", "message"), [
    ({"links": ["lag", "duration"], "duration_link": None}, "needs duration_link"),
    ({"link_contradict_share": 0.7}, "below link_support_share"),
    ({"weight": "revenue"}, "weight"),
    ({"fallback_weight": 1.5}, "fallback_weight"),
])
def test_bad_link_params_are_rejected(update: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _params(**update)


def test_default_links_follow_the_duration_param() -> None:
    assert _params(links=None).tested_links() == ["lag", "squeeze", "payout", "duration"]
    assert _params(links=None, duration_link=None).tested_links() == ["lag", "squeeze",
                                                                      "payout"]


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def result(imported_store_path):  # type: ignore[no-untyped-def]
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    ctx = eval_context(DataHub(Store(imported_store_path), offline=True))
    return evaluate_claim(ctx.thesis.claim("capex-chain"), ctx)


def _figs(result: Any) -> dict[str, Any]:
    return {f.key: f.value for f in result.evidence.figures}


def test_cash_measures_of_alphabet_from_its_sec_facts(result: Any) -> None:
    figs = _figs(result)
    # Alphabet 10-K FY2025: capex 91.447, OCF 164.713, D&A (Depreciation) 21.136 (USD bn)
    assert figs["GOOGL_capex_to_ocf_2025"] == round(91.447 / 164.713, 3)
    assert figs["GOOGL_d_and_a_to_capex_2025"] == round(21.136 / 91.447, 3)
    # ProceedsFromDebtNetOfIssuanceCosts 64.564 − RepaymentsOfDebtAndCapitalLeaseObligations
    # 32.427; CashCashEquivalentsAndShortTermInvestments 126.843 − LongTermDebt 49.085
    assert figs["GOOGL_net_debt_issuance_2025"] == round(64.564 - 32.427, 3)
    assert figs["GOOGL_net_cash_2025"] == round(126.843 - 49.085, 3)
    # ConstructionInProgressGross is reported to FY2024 only: the latest reported year
    assert figs["GOOGL_construction_in_progress_2024"] == 50.597
    assert figs["GOOGL_cip_to_capex_2024"] == round(50.597 / 52.535, 3)
    assert figs["GOOGL_capex_incl_leases_2025"] == round(91.447 + 1.988, 3)
    assert "GOOGL_construction_in_progress_2025" not in figs  # not reported: no figure


def test_missing_concepts_are_gaps_not_zeros(result: Any) -> None:
    figs = _figs(result)
    assert not any(k.startswith("NVDA_construction_in_progress") for k in figs)
    assert any("NVDA" in n.en and "construction_in_progress: not reported" in n.en
               for n in result.evidence.notes)
    assert "ORCL_d_and_a_to_capex_2025" not in figs  # FACTS.md 3a has no Oracle D&A
    assert any("ORCL" in n.en and "D&A/capex: no D&A" in n.en for n in result.evidence.notes)


def test_weights_by_capex_with_fallback_weighted_down(result: Any) -> None:
    figs = _figs(result)
    capex = {"MSFT": 64.551, "GOOGL": 91.447, "META": 72.215, "AMZN": 131.819,
             "ORCL": 21.215}
    votes = {t: v * (1.0 if t == "GOOGL" else 0.5) for t, v in capex.items()}
    total = sum(votes.values())
    for ticker, vote in votes.items():
        assert figs[f"{ticker}_weight"] == round(vote / total * 100, 1)
    # the payout link: GOOGL's FCF rose (dividends only reported from 2024): its dissent
    assert figs["link_payout_dissenters"] == f"GOOGL {votes['GOOGL'] / total:.0%}"
    assert figs["link_payout"] == round((total - votes["GOOGL"]) / total * 100, 1)


def test_links_and_the_chain_verdict(result: Any) -> None:
    """Lag and squeeze hold everywhere measured, payout is mixed (GOOGL against) and the
    Nasdaq-100 fund beat the Dow fund since publication: the chain stays mixed (v1: mixed)."""
    figs = _figs(result)
    labels = {f.key: f.label.en for f in result.evidence.figures}
    assert result.verdict is Verdict.MIXED
    assert figs["link_lag"] == figs["link_squeeze"] == 100.0
    assert "— supported" in labels["link_lag"] and "— mixed" in labels["link_payout"]
    assert "— contradicted" in labels["link_duration"]
    assert figs["link_duration"] == pytest.approx(
        figs["duration_long_return"] - figs["duration_short_return"], abs=0.01)
    assert figs["duration_start"] == "2026-02-06"  # last close on or before 2026-02-08
    assert "against: GOOGL" in result.summary.en


def test_duration_returns_match_the_stored_closes(result: Any, imported_hub: Any) -> None:
    from datetime import date

    figs = _figs(result)
    closes = imported_hub.closes(["us:QQQ", "us:DIA"], date(2026, 2, 6),
                                 date.fromisoformat(figs["duration_end"]), "total")
    closes = closes.dropna()
    first, last = closes.iloc[0], closes.iloc[-1]
    assert figs["duration_long_return"] == round((last["us:QQQ"] / first["us:QQQ"] - 1) * 100, 2)
    assert figs["duration_short_return"] == round((last["us:DIA"] / first["us:DIA"] - 1) * 100,
                                                  2)
    chart = next(c for c in result.evidence.charts if "Long vs short" in c.title.en)
    assert not chart.x_is_date and chart.series[0].x[0] == 0 and chart.series[0].y[0] == 1.0


def test_one_chart_per_link(result: Any) -> None:
    titles = [c.title.en for c in result.evidence.charts]
    for start in ("D&A / capex", "Capex / operating cash flow", "Payout capacity",
                  "Long vs short duration"):
        assert any(t.startswith(start) for t in titles), start
    for chart in result.evidence.charts:
        assert chart.title.zh and chart.title.zh != chart.title.en


def test_stability_comes_from_the_link_lines(result: Any) -> None:
    """The weakest link decision is payout: weighted share 0.613 between the lines 0.67
    and 0.33 (scale 0.34); shifting both lines by −0.068 and −0.0612 (2 of 21 shifts of
    ±20% of the scale) makes it supported, so 19 of 21 keep the verdict."""
    assert result.stability == round(19 / 21 * 100, 1)


def test_before_publication_the_duration_link_is_pending(imported_store_path) -> None:  # type: ignore[no-untyped-def]
    """Replayed at 2025-06-30 the duration window (from publication) has not opened: the
    link is pending and the chain cannot be supported on the other links alone."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    ctx = eval_context(DataHub(Store(imported_store_path), offline=True), "2025-06-30")
    early = evaluate_claim(ctx.thesis.claim("capex-chain"), ctx)
    labels = {f.key: f.label.en for f in early.evidence.figures}
    assert early.error is None and "— pending" in labels["link_duration"]
    assert "duration_long_return" not in labels
    assert early.verdict is not Verdict.SUPPORTED
