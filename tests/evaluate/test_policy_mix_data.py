"""warsh-policy (kind policy-mix) decided on the real FEDFUNDS and WALCL, with QQQ/DIA/BTC
regime history."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


def test_no_cut_and_a_growing_balance_sheet_so_far(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("warsh-policy"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING  # horizon 2026-12-31
    figures = {f.key: f.value for f in result.evidence.figures}
    assert figures["interim_verdict"] == "contradicted"
    # FEDFUNDS.csv 2026-02-01 3.64 → 2026-06-01 3.63 (last row)
    assert figures["rate_change"] == pytest.approx(-0.01, abs=1e-9)
    # WALCL.csv 2026-02-04 6,605,909 → 2026-09-02 6,737,204 (the 2026 H2 FRED file extends
    # the exact series past its 2026-07-22 end: 2.14 % before)
    assert figures["balance_sheet_change"] == pytest.approx(
        round((6_737_204 / 6_605_909 - 1) * 100, 2), abs=0.005)
    for regime in ("shrinking", "growing"):
        spread = figures[f"long_minus_short_{regime}"]
        assert spread == pytest.approx(
            figures[f"us:QQQ_{regime}"] - figures[f"us:DIA_{regime}"], abs=0.11)
        assert isinstance(figures[f"crypto:BTC-USD_{regime}"], float)
    used = {d.instrument for d in result.evidence.data}
    assert {"fred:WALCL", "fred:FEDFUNDS", "us:QQQ", "us:DIA", "crypto:BTC-USD"} <= used
    whats = " ".join(m.what for m in result.evidence.missing)
    assert "fred:FEDFUNDS" in whats and "P/E" in whats
    assert all(len(s.x) <= 400 for c in result.evidence.charts for s in c.series)
    assert result.summary.zh.startswith("期限 2026-12-31 未到")
    # either a cut or a shrinking balance sheet alone would make the reading mixed
    params = ctx.thesis.claim("warsh-policy").params
    rate, assets = result.evidence.watch
    assert rate.current == figures["rate_change"]
    assert rate.threshold == params["series"][0]["at_most"] == -0.25
    assert (rate.flips_to, rate.observed) == (Verdict.MIXED, date(2026, 6, 1))
    assert assets.current == figures["balance_sheet_change"]
    assert assets.threshold == params["series"][1]["at_most"] == 0
    assert (assets.flips_to, assets.observed) == (Verdict.MIXED, date(2026, 9, 2))


def test_after_the_horizon_short_data_keep_the_reading_interim(imported_hub: object) -> None:
    """No cut, no shrinkage reads "contradicted", but past the horizon with FEDFUNDS and
    WALCL ending in mid-2026 the coverage gate keeps it pending (it was final before)."""
    ctx = eval_context(imported_hub, as_of="2027-01-05")
    result = evaluate_claim(ctx.thesis.claim("warsh-policy"), ctx)
    assert result.verdict is Verdict.PENDING
    assert "So far: contradicted" in result.summary.en


def test_duration_part_from_dividend_yields(imported_hub: object) -> None:
    """QQQ vs DIA dividend-yield durations at the baseline 2026-02-06, from the raw
    (etf_daily_kittycapital) and dividend back-adjusted (market_data_drrobanthony) files."""
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("warsh-policy")
    result = evaluate_claim(claim, ctx)
    assert result.error is None
    figures = {f.key: f.value for f in result.evidence.figures}
    growth = claim.params["duration"]["dividend_growth"]
    # trailing 12 months: QQQ 4 ex-dates summing 2.7949 on a 609.65 close; DIA 12 ex-dates
    # summing 6.8968 on 501.03 (tests/models/test_dividends.py derives them independently)
    expected = {"us:QQQ": (2.7949, 609.65), "us:DIA": (6.8968, 501.03)}
    # DGS10.csv 2026-02-06 4.22 → 2026-07-28 4.61 (its last row)
    assert figures["yield_change"] == pytest.approx(0.39, abs=1e-9)
    # total returns on the adjusted file's closes, 2026-02-06 → 2026-07-28
    actual = {"us:QQQ": 674.7869 / 607.5807 - 1, "us:DIA": 525.2429 / 495.7896 - 1}
    durations = {}
    labels = {f.key: f.label.en for f in result.evidence.figures}
    for inst, (dividends, price) in expected.items():
        y, g = dividends / price, growth[inst]
        durations[inst] = 1 / (y * (1 + g))  # Gordon: 1/(r − g), r = y(1+g) + g
        assert figures[f"dividends_ttm_{inst}"] == pytest.approx(dividends, abs=1e-4)
        assert figures[f"dividend_yield_{inst}"] == pytest.approx(y * 100, abs=1e-3)
        assert figures[f"discount_rate_{inst}"] == pytest.approx((y * (1 + g) + g) * 100,
                                                                 abs=0.01)
        assert figures[f"return_{inst}"] == pytest.approx(actual[inst] * 100, abs=0.05)
        if durations[inst] > 100:
            # issue 13 (sanity bounds): QQQ's ~204-year duration is beyond the 100-year
            # bound, so it and every figure computed from it are "not meaningful" (no value,
            # the reason in the label); they used to read 203.9 years and −79.5%
            for key in ("duration", "rate_up", "rate_down", "rate_linear", "rate_implied"):
                assert figures[f"{key}_{inst}"] is None
                assert "not meaningful" in labels[f"{key}_{inst}"]
            assert f"computed {durations[inst]:.1f} years" in labels[f"duration_{inst}"]
            continue
        assert figures[f"duration_{inst}"] == pytest.approx(durations[inst], abs=0.1)
        assert figures[f"rate_up_{inst}"] == pytest.approx(
            (1 / (1 + 0.005 * durations[inst]) - 1) * 100, abs=0.1)
        assert figures[f"rate_linear_{inst}"] == pytest.approx(durations[inst] * 0.5, abs=0.1)
        assert figures[f"rate_implied_{inst}"] == pytest.approx(
            -durations[inst] * 0.39, abs=0.1)
    # the measured figures: QQQ 0.458% → ~204 years (not meaningful), DIA 1.377% → ~69 years
    assert figures["dividend_yield_us:QQQ"] == pytest.approx(0.458, abs=1e-9)
    assert figures["dividend_yield_us:DIA"] == pytest.approx(1.377, abs=1e-9)
    assert "computed 203.9 years" in labels["duration_us:QQQ"]
    assert figures["duration_us:DIA"] == pytest.approx(69.2, abs=1e-9)
    assert figures["rate_down_us:DIA"] == pytest.approx(
        (1 / (1 - 0.005 * durations["us:DIA"]) - 1) * 100, abs=0.1)
    # the gaps are computed from QQQ's duration: not meaningful either (was 134.7 years)
    assert figures["duration_gap"] is None and figures["rate_up_gap"] is None
    assert figures["return_gap"] == pytest.approx(
        (actual["us:QQQ"] - actual["us:DIA"]) * 100, abs=0.1)
    # DIA's duration is meaningful: the model said it falls; it rose (context only)
    assert figures["rate_implied_us:DIA"] < 0 < figures["return_gap"]
    sources = {(d.instrument, d.source) for d in result.evidence.data}
    for inst in ("us:QQQ", "us:DIA"):
        assert (inst, "import: market_data_drrobanthony") in sources
        assert (inst, "import: etf_daily_kittycapital") in sources
    assert ("fred:DGS10", "import: series_macro_charts") in sources
    chart = result.evidence.charts[-1]
    assert [s.name for s in chart.series][:2] == ["+50 bp (exact)", "−50 bp (exact)"]
    assert chart.series[0].y[0] is None and chart.series[1].y[0] is None  # QQQ: not drawn
    notes = " ".join(n.en for n in result.evidence.notes)
    assert "buybacks" in notes and "equity risk premium is held fixed" in notes
    whats = " ".join(m.what for m in result.evidence.missing)
    assert "fred:DGS10" in whats and "sourced P/E" in whats
    # issue 13: was "duration ~204 years, implied −80%"; now said to be not meaningful
    assert "duration not meaningful (computed ~204 years, beyond 100" in result.summary.en
    assert "implied -80%" not in result.summary.en


def test_sourced_pes_add_the_pe_view(imported_hub: object) -> None:
    """With P/Es in the params (made-up test inputs, labelled so) the P/E view appears and
    its MissingData goes; the verdict does not move."""
    ctx = eval_context(imported_hub)
    claim = ctx.thesis.claim("warsh-policy")
    pes = [
        {"instrument": "us:QQQ", "pe": 30.0, "growth": 0.10, "years": 10,
         "terminal_growth": 0.03, "source": "test input, not a market figure"},
        {"instrument": "us:DIA", "pe": 20.0, "growth": 0.05, "years": 10,
         "terminal_growth": 0.03, "source": "test input, not a market figure"},
    ]
    duration = {**claim.params["duration"], "sourced_pe": pes}
    changed = claim.model_copy(update={"params": {**claim.params, "duration": duration}})
    result = evaluate_claim(changed, ctx)
    assert result.error is None
    assert result.verdict is Verdict.PENDING
    figures = {f.key: f.value for f in result.evidence.figures}
    assert figures["pe_duration_us:QQQ"] > figures["pe_duration_us:DIA"] > 0
    assert "sourced P/E" not in " ".join(m.what for m in result.evidence.missing)


def test_dividend_growth_is_required_for_both_funds() -> None:
    from pydantic import ValidationError

    from narrowgate.evaluate.kinds.policy_mix import PolicyMixParams
    from narrowgate.thesis.loader import load_thesis

    params = dict(load_thesis(None).claim("warsh-policy").params)
    params["duration"] = {**params["duration"], "dividend_growth": {"us:QQQ": 0.07}}
    with pytest.raises(ValidationError, match="dividend_growth needs"):
        PolicyMixParams.model_validate(params)
