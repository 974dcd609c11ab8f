"""The positions six claims imply, back-tested beside them on the real imported closes.

Each card gains the engine's figures (prefixed, never decisive), four charts per trade (the
fourth its P&L attribution) and notes; its verdict, summary and own figures stay exactly as
without the trade.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.hubdata import read_closes
from narrowgate.evaluate.implied_trade import ImpliedTrade, held_plan, implied_trade
from narrowgate.evaluate.registry import get_evaluator
from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.trade_backtest import run_trade
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import LocalizedText
from tests.conftest import eval_context
from tests.evaluate.conftest import params_of, run

# claim → (bundled verdict at 2026-11-24, figure prefixes of its trades)
CLAIMS = {
    "storage-npo": (Verdict.SUPPORTED, ["trade_", "trade_vs_nasdaq_"]),
    "gold-over-silver": (Verdict.PENDING, ["trade_"]),
    "software-selloff": (Verdict.SUPPORTED, ["trade_"]),
    "dow-record": (Verdict.SUPPORTED, ["trade_"]),
    "a-share-view": (Verdict.PENDING, ["trade_", "trade_export_basket_"]),
    "btc-cycle": (Verdict.MIXED, ["trade_", "trade_at_window_"]),
}


def _figures(result: Any) -> dict[str, Any]:
    return {f.key: f.value for f in result.evidence.figures}


def _held_return(closes: pd.DataFrame, weights: dict[str, float], fee: float,
                 borrow_per_year: float) -> float:
    """Bought once at the first row and held, on the initial capital: Σ w·(P_T/P_0 − 1),
    less the entry fee on the gross, less borrow on each short's market value at the
    previous close, accrued ACT/365 between rows (cash earns nothing)."""
    rel = closes / closes.iloc[0]
    pnl = sum(w * (rel[a].iloc[-1] - 1) for a, w in weights.items())
    years = closes.index.to_series().diff().dt.days.iloc[1:].to_numpy() / 365
    shorts = sum(-w * rel[a].iloc[:-1].to_numpy() for a, w in weights.items() if w < 0)
    borrow = borrow_per_year * float((shorts * years).sum())
    return float(pnl - fee * sum(abs(w) for w in weights.values()) - borrow)


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_trade_evidence_is_added_and_the_verdict_is_untouched(
        imported_hub: object, claim_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = eval_context(imported_hub)
    verdict, prefixes = CLAIMS[claim_id]
    result = evaluate_claim(ctx.thesis.claim(claim_id), ctx)
    assert result.error is None and result.verdict is verdict
    monkeypatch.setattr("narrowgate.evaluate.implied_trade.implied_trade",
                        lambda *a, **k: ImpliedTrade())
    bare = evaluate_claim(ctx.thesis.claim(claim_id), ctx)
    assert bare.verdict is verdict and bare.summary == result.summary
    own = [f for f in result.evidence.figures if not f.key.startswith("trade_")]
    assert own == bare.evidence.figures and result.evidence.watch == bare.evidence.watch
    trade = [f for f in result.evidence.figures if f.key.startswith("trade_")]
    assert trade and not any(f.decisive for f in trade)
    figures = _figures(result)
    for prefix in prefixes:
        assert isinstance(figures[f"{prefix}since_return"], float)
        assert isinstance(figures[f"{prefix}percentile"], float)
    added = result.evidence.charts[len(bare.evidence.charts):]
    assert len(added) == 4 * len(prefixes)
    assert all(len(s.x) <= 401 for c in added for s in c.series)
    since = "the selloff" if claim_id == "software-selloff" else "publication"
    assert [c.title.en.split(": ")[1] for c in added[:4]] == [
        f"equity since {since} (start = 1)", f"drawdown since {since}",
        "rolling 6-month return over history",
        f"P&L attribution since {since} (Σ = total)"]
    for prefix in prefixes:  # the attribution sums to the headline (both % of capital)
        terms = [v for k, v in figures.items() if k.startswith(f"{prefix}pnl_")
                 and k != f"{prefix}pnl_total" and isinstance(v, float)]
        assert sum(terms) == pytest.approx(figures[f"{prefix}pnl_total"], abs=1e-9)
        assert figures[f"{prefix}pnl_total"] == pytest.approx(
            figures[f"{prefix}since_return"], abs=0.005)
        assert isinstance(figures[f"{prefix}plain_spread"], float)
    assert any("Return definition:" in n.en and "basis" in n.en and "收益口径" in n.zh
               for n in result.evidence.notes)
    assert any("P&L attribution (% of initial capital)" in n.en for n in result.evidence.notes)
    implied = [n for n in result.evidence.notes if "the position the claim implies" in n.en]
    assert len(implied) == len(prefixes) and all("论点隐含的头寸" in n.zh for n in implied)
    assert any("One window cannot separate skill from luck" in n.en
               for n in result.evidence.notes)
    tagged = [d for d in result.evidence.data if (d.note or "").startswith("implied trade")]
    assert tagged and result.evidence.data[: len(bare.evidence.data)] == bare.evidence.data


def test_gold_over_silver_is_the_equal_notional_arithmetic(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("gold-over-silver"), ctx)
    f = _figures(result)
    # the closes the evaluator read: LBMA spot from the peak look-back (params) to as-of
    read, _ = read_closes(ctx, ["lbma:GOLD", "lbma:SILVER"], date(2025, 1, 2), ctx.as_of)
    window = read.dropna().loc["2026-02-06":]
    assert (f["trade_window_start"], f["trade_window_end"]) == ("2026-02-06", "2026-08-19")
    assert f["trade_window_days"] == len(window) - 1
    expected = _held_return(window, {"lbma:GOLD": 0.5, "lbma:SILVER": -0.5},
                            fee=5e-4, borrow_per_year=50e-4)  # ImpliedTradeParams defaults
    assert f["trade_since_return"] == pytest.approx(expected * 100, abs=0.005)
    claim = ctx.thesis.claim("gold-over-silver")
    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    plan = held_plan(ctx, params.implied_trade, long=["lbma:GOLD"], short=["lbma:SILVER"],
                     currency="USD", match_from=date(2025, 1, 2))
    exact = run_trade(plan, date(2026, 2, 7)).report.total_return
    assert exact == pytest.approx(expected, rel=0, abs=1e-12)
    # gold 4948 → 4460.7, silver 74.94 → 63.355: half of the spread, about +5.4%
    spread = 0.5 * ((4460.7 / 4948 - 1) - (63.355 / 74.94 - 1))
    assert expected == pytest.approx(spread - 5e-4, abs=0.002)  # borrow: a few bp
    assert f["trade_leg_return_lbma:GOLD"] == pytest.approx((4460.7 / 4948 - 1) * 100, abs=0.01)
    assert f["trade_costs_paid"] == pytest.approx(500.0)  # 5 bp of 1,000,000 gross
    assert f["trade_history_start"] == "1990-01-02"


def test_storage_trades_are_the_equal_weight_basket_arithmetic(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("storage-npo"), ctx)
    f = _figures(result)
    storage, ai_hw = ["us:MU", "us:SNDK", "us:WDC"], ["us:NVDA", "us:SMH"]
    # the closes the evaluator read: every member and QQQ from 10 days before the start
    read, _ = read_closes(ctx, [*storage, *ai_hw, "us:QQQ"], date(2026, 1, 27), ctx.as_of)
    vs_ai = read[storage + ai_hw].dropna().loc["2026-02-06":]
    weights = {**{i: 0.5 / 3 for i in storage}, **{i: -0.25 for i in ai_hw}}
    expected = _held_return(vs_ai, weights, fee=5e-4, borrow_per_year=50e-4)
    assert (f["trade_window_start"], f["trade_window_end"]) == ("2026-02-06", "2026-04-24")
    assert f["trade_since_return"] == pytest.approx(expected * 100, abs=0.005)
    # and it is the claim's own edge, halved, less costs: same closes, same window
    assert expected == pytest.approx(0.5 * f["excess_vs_ai_hardware"] / 100 - 5e-4, abs=0.002)
    vs_qqq = read[[*storage, "us:QQQ"]].dropna().loc["2026-02-06":]
    expected = _held_return(vs_qqq, {**{i: 0.5 / 3 for i in storage}, "us:QQQ": -0.5},
                            fee=5e-4, borrow_per_year=50e-4)
    assert f["trade_vs_nasdaq_since_return"] == pytest.approx(expected * 100, abs=0.005)
    assert f["trade_history_start"] == "2025-02-13"  # SNDK's first close (spun off)


def test_software_trade_runs_from_the_selloff_start(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("software-selloff"), ctx)
    labels = {f.key: f.label for f in result.evidence.figures}
    assert _figures(result)["trade_window_start"] == "2026-01-27"
    assert "since the selloff" in labels["trade_since_return"].en
    assert "抛售开始以来" in labels["trade_since_return"].zh
    assert _figures(result)["trade_leg_return_us:IGV"] < 0  # short leg: software fell


def test_long_only_trades_name_their_legs(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    dow = evaluate_claim(ctx.thesis.claim("dow-record"), ctx)
    assert any("long us:DIA 99.95% of equity" in n.en for n in dow.evidence.notes)
    a_share = _figures(evaluate_claim(ctx.thesis.claim("a-share-view"), ctx))
    legs = {k for k in a_share if k.startswith("trade_export_basket_leg_return_")}
    # 300394's stored closes end 2026-01-08, before publication: left out
    assert legs == {"trade_export_basket_leg_return_cn:300308",
                    "trade_export_basket_leg_return_cn:300502"}


def test_btc_entry_window_trade_is_pending_until_the_data_reach_it(
        imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2026-08-21")  # before the 2026 H2 closes
    result = evaluate_claim(ctx.thesis.claim("btc-cycle"), ctx)
    f = _figures(result)
    assert f["trade_window_start"] == "2026-02-07" and f["trade_window_end"] == "2026-08-21"
    assert not any(k.startswith("trade_at_window_") for k in f)
    (pending,) = [n for n in result.evidence.notes if "on/after 2026-10-01" in n.en]
    assert "pending" in pending.en and "2026-08-21" in pending.en and "待观察" in pending.zh
    params = params_of(ctx.thesis, "btc-cycle")
    params["entry_date"] = "2026-06-30"  # inside the data: bought at that close instead
    a = run(ctx.thesis, "btc-cycle", params=params, hub=imported_hub)
    g = {x.key: x.value for x in a.evidence.figures}
    assert g["trade_at_window_window_start"] == "2026-06-30"
    assert g["trade_at_window_since_return"] > g["trade_since_return"]  # bought at the low


def test_no_close_after_entry_gives_a_note_not_an_error(imported_hub: object) -> None:
    ctx = eval_context(imported_hub, as_of="2026-02-07")  # Saturday after the 02-06 close
    result = evaluate_claim(ctx.thesis.claim("dow-record"), ctx)
    assert result.error is None and result.verdict is Verdict.SUPPORTED
    assert not any(f.key.startswith("trade_") for f in result.evidence.figures)
    assert len(result.evidence.charts) == 1
    (note,) = [n for n in result.evidence.notes if "not back-tested yet" in n.en]
    assert "no price after 2026-02-06" in note.en and "暂无法回测" in note.zh


def test_a_plan_that_cannot_be_read_gives_a_note(imported_hub: object) -> None:
    def missing() -> Any:
        raise DataNotFound("no closes for us:NOPE", "pull it")

    out = implied_trade(missing, name=LocalizedText(zh="测试", en="test"),
                        published=date(2026, 2, 8))
    assert (out.figures, out.charts, out.data) == ([], [], [])
    (note,) = out.notes
    assert "no closes for us:NOPE" in note.en and "no closes for us:NOPE" in note.zh
