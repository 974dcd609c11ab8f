"""The example theses in docs/examples run offline on the recorded data with generic kinds
only, and every claim that is not qualitative by nature gets a data-backed verdict."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.evaluate.runner import evaluate_thesis
from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.loader import load_thesis
from tests.conftest import REPO_ROOT, require_shared

EXAMPLES = sorted((REPO_ROOT / "docs" / "examples").glob("*.yaml"))
AS_OF = date(2026, 11, 24)


def _figures(card: object, claim_id: str) -> dict[str, object]:
    result = next(r for r in card.results if r.claim_id == claim_id)  # type: ignore[attr-defined]
    return {f.key: f.value for f in result.evidence.figures}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_runs_and_decides_its_testable_claims(path: Path,
                                                           imported_hub: object) -> None:
    card = evaluate_thesis(load_thesis(str(path)), AS_OF, offline=True, hub=imported_hub)
    for result in card.results:
        assert result.error is None, (result.claim_id, result.error)
        if result.kind == "qualitative":
            assert result.verdict is Verdict.QUALITATIVE
        else:
            assert result.verdict not in (Verdict.INSUFFICIENT_DATA, Verdict.QUALITATIVE), (
                result.claim_id, result.summary.en)


def test_us_soft_landing_verdicts_and_figures(imported_hub: object) -> None:
    require_shared("prices/us/market_data_drrobanthony_2026h2/IWM.csv")
    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "us-soft-landing.yaml"))
    card = evaluate_thesis(thesis, AS_OF, offline=True, hub=imported_hub)
    verdicts = {r.claim_id: r.verdict for r in card.results}
    assert verdicts == {"core-inflation-cools": Verdict.CONTRADICTED,
                        "sp500-record-in-august": Verdict.SUPPORTED,
                        "small-caps-catch-up": Verdict.CONTRADICTED,
                        "out-of-tech": Verdict.CONTRADICTED,
                        "dip-then-higher": Verdict.SUPPORTED,
                        "midterm-year-dip": Verdict.MIXED,
                        "ten-year-below-4": Verdict.CONTRADICTED,
                        "spy-above-700-in-july": Verdict.SUPPORTED,
                        "dollar-and-gold": Verdict.QUALITATIVE}
    cpi = _figures(card, "core-inflation-cools")
    # core CPI y/y at the horizon's last observation: May 2026 over May 2025
    assert cpi["fred_cpilfesl_reading"] == round((336.121 / 326.893 - 1) * 100, 3)
    record = _figures(card, "sp500-record-in-august")
    assert (record["close"], record["prior_record"]) == (777.88, 773.26)
    assert record["prior_record_date"] == "2026-08-07"
    rel = _figures(card, "small-caps-catch-up")
    # total-return files of 2026 H2, from the last close before publication (02-27)
    iwm, spy = (281.34 / 259.6486 - 1) * 100, (779.09 / 680.6735 - 1) * 100
    assert rel["basket_return"] == pytest.approx(round(iwm, 1))
    assert rel["benchmark_return"] == pytest.approx(round(spy, 1))
    dip = _figures(card, "dip-then-higher")
    # from the last close before publication (02-27) to the horizon (07-31); the pull-back
    # is the largest fall from a running peak within 60 days of 02-27
    spy_file = require_shared("prices/us/market_data_drrobanthony_2026h2/SPY.csv")
    closes = pd.read_csv(spy_file, index_col="date", parse_dates=True)["close"]
    assert dip["index_return"] == round((745.1796 / 680.6735 - 1) * 100, 1)
    within = closes.loc["2026-02-27":"2026-04-28"]
    assert dip["short_term_pullback"] == round((1 - (within / within.cummax()).min()) * 100, 1)
    assert dip["drawdown_peak_trough"] == "2026-03-02 → 2026-03-30"
    # election cycle: SPY (split-adjusted file) 685.99 on 02-27, low 631.97 on 03-30, 757.67
    # on the entry date 08-03: the knife fell (≥ 5%) but waiting cost money → mixed
    cyc = _figures(card, "midterm-year-dip")
    assert (cyc["baseline_close"], cyc["entry_close"]) == (686, 758)
    assert cyc["fall_after_publication"] == round((631.97 / 685.99 - 1) * 100, 1)
    assert cyc["waiting_gain"] == round((685.99 / 757.67 - 1) * 100, 1)
    assert cyc["days_since_event_at_publication"] == (date(2026, 3, 2) - date(2024, 11, 5)).days


def test_china_hk_liquidity_verdicts_and_figures(imported_hub: object) -> None:
    require_shared("prices/cn/csi_indices_ai_theme_monitor/margin.csv")
    require_shared("prices/hk/hstech_marketor_2026h2/hstech.csv")
    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "china-hk-liquidity.yaml"))
    card = evaluate_thesis(thesis, AS_OF, offline=True, hub=imported_hub)
    verdicts = {r.claim_id: r.verdict for r in card.results}
    assert verdicts == {"small-over-large-futures": Verdict.MIXED,
                        "futures-terms": Verdict.SUPPORTED,
                        "exchanges-tighten-silver": Verdict.SUPPORTED,
                        "margin-debt-expands": Verdict.SUPPORTED,
                        "hk-tech-leads": Verdict.SUPPORTED,
                        "rally-is-rerating": Verdict.CONTRADICTED,
                        "policy-put": Verdict.QUALITATIVE}
    margin = _figures(card, "margin-debt-expands")
    # the balance on the horizon against the last value before publication (02-27)
    assert margin["cnmargin_fin_balance_reading"] == pytest.approx(29970.51, abs=0.005)
    assert margin["cnmargin_fin_balance_expected"] == pytest.approx(26518.397, abs=0.0005)
    hk = _figures(card, "hk-tech-leads")
    hstech, hsi = (4472.22998 / 5137.83984 - 1) * 100, (22881.01953125 / 26630.5390625 - 1) * 100
    assert (hk["basket_return"], hk["benchmark_return"]) == (round(hstech, 1), round(hsi, 1))
    assert hk["window"] == "2026-02-27 → 2026-06-30"  # the horizon ends the window
    # CSI All Share 6375.69 at P/E 20.06 (03-02) → 6551.62 at 19.34 (06-30): earnings rose,
    # the multiple fell — the opposite of a re-rating
    silver = _figures(card, "exchanges-tighten-silver")
    assert (silver["leverage_before"], silver["leverage_after"]) == (5.26, 5.0)  # 100/19, 100/20
    assert silver["logged_changes"] == 5 and silver["events_studied"] == 3
    split = _figures(card, "rally-is-rerating")
    assert split["after_eps_cnidx:000985"] == round(
        math.log((6551.62 / 19.34) / (6375.69 / 20.06)), 4)
    assert split["after_multiple_cnidx:000985"] == round(math.log(19.34 / 20.06), 4)


def _month_end(values: pd.Series) -> pd.Series:
    return values.sort_index().groupby(values.index.to_period("M")).last()


def test_rates_and_gold_correlation_in_points_with_sign(imported_hub: object) -> None:
    """Gold's monthly % change against the monthly change of the 10-year real yield in
    percentage points (the yield was below zero in 2020–21, so a % change would mean
    nothing), linked only with the negative sign the claim states."""
    gold_file = require_shared("commodities/lbma_gold_silver_finance_terminal/gold.csv")
    tips_file = require_shared("fred/series_macro_charts/DFII10.csv")
    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml"))
    card = evaluate_thesis(thesis, AS_OF, offline=True, hub=imported_hub)
    result = next(r for r in card.results if r.claim_id == "gold-moves-with-real-yields")
    assert result.verdict is Verdict.SUPPORTED
    fig = _figures(card, "gold-moves-with-real-yields")
    gold = pd.read_csv(gold_file, index_col=0, parse_dates=True).iloc[:, 0].dropna()
    tips = pd.read_csv(tips_file, index_col=0, parse_dates=True)["DFII10"].dropna()
    gold, tips = gold.loc["2016-01-04":], tips.loc["2016-01-04":]
    both = pd.concat([_month_end(gold).pct_change(), _month_end(tips).diff()], axis=1,
                     sort=True).dropna()
    assert fig["corr_fred:DFII10"] == pytest.approx(round(both.iloc[:, 0].corr(both.iloc[:, 1]),
                                                          3), abs=0.0015)
    slope = both.iloc[:, 0].cov(both.iloc[:, 1]) / both.iloc[:, 1].var()
    assert fig["beta_fred:DFII10"] == pytest.approx(round(slope, 3), abs=0.0015)
    assert fig["corr_fred:DFII10"] < -0.3 and fig["linked_drivers"] == "1 of 1"


def test_rates_and_gold_pace_of_money_growth(imported_hub: object) -> None:
    """M2's change per month from the first value after publication (April) to the last
    before the horizon (June), against 2024-01 to 2025-12; months are 365.25/12 days."""
    m2_file = require_shared("fred/series_macro_charts/M2SL.csv")
    m2 = pd.read_csv(m2_file, index_col=0, parse_dates=True)["M2SL"].dropna()
    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml"))
    card = evaluate_thesis(thesis, AS_OF, offline=True, hub=imported_hub)
    result = next(r for r in card.results if r.claim_id == "money-growth-picks-up")
    assert result.verdict is Verdict.SUPPORTED
    fig = _figures(card, "money-growth-picks-up")
    month = 365.25 / 12

    def per_month(a: str, b: str) -> float:
        days = (pd.Timestamp(b) - pd.Timestamp(a)).days
        return float(m2[b] - m2[a]) / (days / month)

    after, before = per_month("2026-04-01", "2026-06-01"), per_month("2024-01-01", "2025-12-01")
    assert fig["pace_after"] == round(after, 2) and fig["pace_reference"] == round(before, 2)
    assert fig["pace_ratio"] == round(after / before, 3)
    assert fig["window_after"] == "2026-04-01 → 2026-06-01"
