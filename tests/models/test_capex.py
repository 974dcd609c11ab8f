"""Capex chain: inputs, depreciation-lag model, out-of-sample check, projections, pattern.

Real data: SEC companyfacts of GOOGL, NVDA, AAPL in ../shared/data/sec (read in place);
the bundled FACTS.md 3a / 3b fallback tables for MSFT, META, AMZN, ORCL.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.data.fallback import load_hyperscaler_cashflows, load_useful_lives
from narrowgate.data.providers.base import FACTS_COLUMNS
from narrowgate.errors import DataNotFound
from narrowgate.models.capex import (
    CompanyFinancials,
    FiscalYearChange,
    InvalidCapex,
    MissingFinancials,
    financials_from_facts,
    financials_from_fallback,
)
from narrowgate.models.capex_pattern import PatternThresholds, capex_chain_pattern
from narrowgate.models.capex_projection import (
    guidance_scenarios,
    life_sensitivity,
    project_capex_chain,
)
from narrowgate.models.depreciation import (
    DepreciationModel,
    LifeSchedule,
    depreciation_matrix,
    depreciation_schedule,
    life_schedule_from_table,
    unit_depreciation,
)
from narrowgate.models.depreciation_fit import fit_financials, out_of_sample_financials
from tests.conftest import require_shared

CIK = {"GOOGL": "0001652044", "NVDA": "0001045810", "AAPL": "0000320193"}


@cache
def _sec_financials(ticker: str) -> CompanyFinancials:
    from narrowgate.data.providers.sec import normalise_companyfacts

    path = require_shared(f"sec/companyfacts/CIK{CIK[ticker]}.json")
    facts = normalise_companyfacts(json.loads(path.read_text()))
    return financials_from_facts(ticker, facts)


def _sec_life(ticker: str) -> LifeSchedule | None:
    """FACTS.md 3b life for GOOGL; NVDA and AAPL state none there, so it is fitted."""
    return life_schedule_from_table(ticker, load_useful_lives()) if ticker == "GOOGL" else None


# ---------------------------------------------------------------- depreciation schedule


def test_hand_checked_schedule_lag_one_year() -> None:
    capex = pd.Series({2020: 100.0})
    dep = depreciation_schedule(capex, life=5, lag_years=1, years=range(2019, 2028))
    assert dep.to_dict() == pytest.approx(
        {2019: 0, 2020: 0, 2021: 20, 2022: 20, 2023: 20, 2024: 20, 2025: 20, 2026: 0, 2027: 0}
    )


def test_half_year_convention_is_lag_one_half() -> None:
    dep = depreciation_schedule(pd.Series({2020: 100.0}), life=5, lag_years=0.5)
    assert dep.loc[2020:2025].tolist() == pytest.approx([10, 20, 20, 20, 20, 10])


def test_life_extension_is_prospective() -> None:
    """4 → 6 years at 2022: 25 a year for two years, then the 50 left over 6 − 2 = 4 years."""
    life = LifeSchedule(4.0, ((2022.0, 6.0),))
    dep = depreciation_schedule(pd.Series({2020: 100.0}), life, lag_years=0)
    assert dep.loc[2020:2026].tolist() == pytest.approx([25, 25, 12.5, 12.5, 12.5, 12.5, 0])


def test_life_cut_below_age_writes_off_the_rest() -> None:
    life = LifeSchedule(6.0, ((2023.0, 2.0),))
    dep = depreciation_schedule(pd.Series({2020: 60.0}), life, lag_years=0)
    assert dep.loc[2020:2024].tolist() == pytest.approx([10, 10, 10, 30, 0])


lives = st.sampled_from([1.0, 2.0, 3.0, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 25.0])
lags = st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 2.0])


@settings(max_examples=60, deadline=None)
@given(
    capex=st.lists(st.floats(0.0, 500.0), min_size=1, max_size=8),
    life=lives, new_life=lives, change_at=st.floats(2000.0, 2012.0), lag=lags,
)
def test_total_depreciation_equals_capex(
    capex: list[float], life: float, new_life: float, change_at: float, lag: float
) -> None:
    series = pd.Series(capex, index=range(2000, 2000 + len(capex)))
    schedule = LifeSchedule(life, ((round(change_at, 2), new_life),))
    dep = depreciation_schedule(series, schedule, lag, years=range(1999, 2060))
    assert dep.sum() == pytest.approx(sum(capex), rel=1e-9, abs=1e-9)
    assert (dep >= -1e-12).all()


@settings(max_examples=60, deadline=None)
@given(short=lives, longer=lives, lag=lags, amount=st.floats(1.0, 1000.0))
def test_longer_life_never_raises_first_year_charge(
    short: float, longer: float, lag: float, amount: float
) -> None:
    short, longer = sorted((short, longer))
    capex = pd.Series({2020: amount})
    first = int(np.floor(2020 + lag))
    a = depreciation_schedule(capex, short, lag, years=[first]).iloc[0]
    b = depreciation_schedule(capex, longer, lag, years=[first]).iloc[0]
    assert b <= a + 1e-9


def _model(share: float, lag: float) -> DepreciationModel:
    return DepreciationModel(share, lag, LifeSchedule(4.0, ((2023.0, 6.0),)), 0.1, 2015)


@settings(max_examples=40, deadline=None)
@given(share=st.floats(0, 1), lag=lags, extra=st.floats(0.0, 300.0), year=st.integers(2026, 2028))
def test_more_capex_never_lowers_projected_d_and_a(
    share: float, lag: float, extra: float, year: int
) -> None:
    history = pd.Series(np.linspace(10, 90, 11), index=range(2015, 2026))
    future = pd.Series({2026: 150.0, 2027: 160.0, 2028: 170.0})
    more = future.copy()
    more[year] += extra
    model = _model(share, lag)
    base = model.predict(pd.concat([history, future]), range(2026, 2032))
    bigger = model.predict(pd.concat([history, more]), range(2026, 2032))
    assert (bigger.to_numpy() >= base.to_numpy() - 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(share=st.floats(0, 1), lag=lags)
def test_zero_capex_only_runs_off(share: float, lag: float) -> None:
    history = pd.Series(np.linspace(10, 90, 11), index=range(2015, 2026))
    zeros = pd.Series(0.0, index=range(2026, 2060))
    dep = _model(share, lag).predict(pd.concat([history, zeros]), range(2028, 2060))
    assert (np.diff(dep.to_numpy()) <= 1e-9).all()


# ---------------------------------------------------------------- inputs from SEC facts


def test_known_sec_figures_exactly() -> None:
    googl = _sec_financials("GOOGL")
    assert googl.value("capex", 2025) == pytest.approx(91.447, abs=1e-9)
    assert googl.value("capex", 2024) == pytest.approx(52.535, abs=1e-9)
    assert googl.observation("depreciation_amortization", 2025).source == "sec:us-gaap:Depreciation"
    nvda = _sec_financials("NVDA")
    capex = nvda.observation("capex", 2026)
    assert capex.source == "sec:us-gaap:PaymentsToAcquireProductiveAssets"
    assert capex.value_usd_bn == pytest.approx(6.042)
    assert not googl.uses_fallback


def test_missing_year_raises_never_zero() -> None:
    with pytest.raises(MissingFinancials, match="no depreciation_amortization for fiscal 2015"):
        _sec_financials("GOOGL").value("depreciation_amortization", 2015)


def _facts(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """Synthetic 10-K facts: (tag, start, end, value USD)."""
    records = []
    for i, (tag, start, end, value) in enumerate(rows):
        records.append({
            "concept": tag, "taxonomy": "us-gaap", "unit": "USD", "start": pd.Timestamp(start),
            "end": pd.Timestamp(end), "fy": pd.Timestamp(end).year, "fp": "FY", "form": "10-K",
            "filed": pd.Timestamp(end) + pd.Timedelta(days=40), "accession": f"a{i}",
            "value": value,
        })
    frame = pd.DataFrame(records, columns=list(FACTS_COLUMNS))
    frame["fy"] = frame["fy"].astype("Int64")
    return frame


def _basic(capex_2024: float, end_2024: str = "2024-12-31", start_2024: str = "2024-01-01"):
    rows = []
    for tag, v in (("NetCashProvidedByUsedInOperatingActivities", 50e9), ("Depreciation", 5e9),
                   ("NetIncomeLoss", 30e9)):
        rows += [(tag, "2023-01-01", "2023-12-31", v), (tag, start_2024, end_2024, v)]
    rows += [("PaymentsToAcquirePropertyPlantAndEquipment", "2023-01-01", "2023-12-31", 10e9),
             ("PaymentsToAcquirePropertyPlantAndEquipment", start_2024, end_2024, capex_2024)]
    return _facts(rows)


def test_zero_or_negative_capex_is_an_error() -> None:
    assert financials_from_facts("X", _basic(12e9)).value("capex", 2024) == pytest.approx(12)
    for bad in (0.0, -3e9):
        with pytest.raises(InvalidCapex, match="capex for fiscal 2024"):
            financials_from_facts("X", _basic(bad))


def test_fiscal_year_change_is_an_error() -> None:
    with pytest.raises(FiscalYearChange, match="fiscal year end moved"):
        financials_from_facts("X", _basic(12e9, end_2024="2025-06-30", start_2024="2024-07-01"))


def test_missing_required_concept_is_an_error() -> None:
    facts = _basic(12e9)
    with pytest.raises(DataNotFound, match="depreciation_amortization"):
        financials_from_facts("X", facts[facts["concept"] != "Depreciation"])


# ---------------------------------------------------------------- fallback dataset


def test_fallback_keeps_every_unverified_mark() -> None:
    table = load_hyperscaler_cashflows()
    unverified = table[table["unverified"]]
    keys = set(zip(unverified["ticker"], unverified["fiscal_year"], unverified["period"],
                   unverified["field"], strict=True))
    assert {
        ("GOOGL", 2026, "Q1", "buybacks"), ("META", 2024, "FY", "buybacks"),
        ("ORCL", 2024, "FY", "depreciation_amortization"), ("ORCL", 2024, "FY", "dividends"),
        ("ORCL", 2025, "FY", "depreciation_amortization"), ("ORCL", 2025, "FY", "dividends"),
    } <= keys
    assert table[table["value_usd_bn"].isna()]["unverified"].all()
    assert table["source"].str.len().gt(0).all()
    lives_table = load_useful_lives()
    assert lives_table[lives_table["basis"] == "assumed"]["unverified"].all()


def test_fallback_financials_flagged_and_consistent() -> None:
    table = load_hyperscaler_cashflows()
    meta = financials_from_fallback("META", table)
    assert meta.uses_fallback
    assert meta.sources() == ["fallback:FACTS.md 3a"]
    assert meta.observation("buybacks", 2024).unverified
    fcf = table[(table["ticker"] == "META") & (table["field"] == "free_cash_flow")]
    for year, reported in zip(fcf["fiscal_year"], fcf["value_usd_bn"], strict=True):
        computed = meta.value("operating_cash_flow", year) - meta.capex(True)[year]
        assert computed == pytest.approx(reported, abs=0.01)
    msft = financials_from_fallback("MSFT", table)
    assert msft.value("operating_cash_flow", 2025) - msft.value("capex", 2025) == pytest.approx(
        71.61, abs=0.01)
    oracle = financials_from_fallback("ORCL", table)
    with pytest.raises(MissingFinancials):
        oracle.value("depreciation_amortization", 2025)
    with pytest.raises(DataNotFound):
        financials_from_fallback("TSLA", table)


def test_fallback_matches_sec_where_both_exist() -> None:
    table = load_hyperscaler_cashflows()
    googl_fb, googl = financials_from_fallback("GOOGL", table), _sec_financials("GOOGL")
    for field in ("capex", "operating_cash_flow", "depreciation_amortization", "buybacks",
                  "dividends"):
        for year in (2024, 2025):
            assert googl_fb.value(field, year) == pytest.approx(googl.value(field, year), abs=5e-4)
    aapl_fb, aapl = financials_from_fallback("AAPL", table), _sec_financials("AAPL")
    for year in range(2021, 2026):
        assert aapl_fb.value("buybacks", year) == pytest.approx(aapl.value("buybacks", year),
                                                                 abs=0.01)


# ---------------------------------------------------------------- fit and out of sample


@pytest.mark.parametrize("ticker", ["GOOGL", "NVDA"])
def test_one_year_ahead_within_ten_percent(ticker: str) -> None:
    """GOOGL (fitted on depreciation of P&E 2021–2025, FACTS.md 3b lives) and NVDA (P&E
    depreciation FY2022–2026; capex has a gap FY2013–2021 in the file, so only the last
    run of capex is used and earlier assets enter as the opening stock) are predicted one
    year ahead within 10% in every out-of-sample year (measured: GOOGL −4.0%, −5.8%;
    NVDA +6.2%, −8.0%); two years ahead within 10% too (GOOGL −6.6%, NVDA +5.3%)."""
    fin = _sec_financials(ticker)
    oos = out_of_sample_financials(fin, _sec_life(ticker))
    assert (oos["target"] == "depreciation").all()
    one = oos[oos["horizon"] == 1]
    assert len(one) >= 2
    assert one["pct_error"].abs().max() <= 0.10
    assert oos[oos["horizon"] == 2]["pct_error"].abs().max() <= 0.10


def test_apple_one_year_ahead_honest_bound() -> None:
    """Apple misses the 10% aim: measured one-year-ahead errors FY2020–2025 are +17.8%,
    −2.9%, +4.7%, −0.3%, +10.5%, +16.5% (mean |error| 8.8%). Why: Apple's depreciation of
    P&E fell from 11.3 (FY2019) to 8.0 (FY2025) while cash capex stayed at 7–13 a year, so
    the mix of what it buys (land, buildings, construction in progress versus equipment)
    shifted; a single fitted mix cannot follow it, and Apple states no useful life in
    FACTS.md 3b, so the life is fitted too. The bound asserted is the measured one: 20%
    one year ahead, 10% on average."""
    oos = out_of_sample_financials(_sec_financials("AAPL"), None)
    one = oos[oos["horizon"] == 1]
    assert one["pct_error"].abs().max() <= 0.20
    assert one["pct_error"].abs().mean() <= 0.10


def test_in_sample_fit_error_reported() -> None:
    fit = fit_financials(_sec_financials("GOOGL"), _sec_life("GOOGL"))
    assert fit.years == (2021, 2022, 2023, 2024, 2025)
    assert fit.identified
    assert fit.mape < 0.10
    assert fit.rmse_usd_bn < 1.5
    assert 0 <= fit.model.short_share <= 1


@pytest.mark.parametrize("ticker", ["MSFT", "META", "AMZN"])
def test_fallback_companies_fit_but_are_not_identified(ticker: str) -> None:
    """Two years of D&A against three parameters: the fit runs (so projections can use it)
    but its error says nothing about predictive skill, and no out-of-sample check is
    possible. The fit says so in ``identified`` and its notes."""
    fin = financials_from_fallback(ticker, load_hyperscaler_cashflows())
    fit = fit_financials(fin, life_schedule_from_table(ticker, load_useful_lives()),
                         include_finance_leases=ticker == "META")
    assert fit.target == "depreciation_amortization"
    assert len(fit.years) == 2 and not fit.identified
    assert any("not identified" in n for n in fit.notes)
    assert out_of_sample_financials(fin, None).empty


# ---------------------------------------------------------------- projection and pattern


def test_projection_arithmetic_and_scenarios() -> None:
    fin = _sec_financials("GOOGL")
    fit = fit_financials(fin, _sec_life("GOOGL"))
    scenarios = guidance_scenarios(2026, 175, 185, revised_low_usd_bn=180,
                                   revised_high_usd_bn=190, growth_after=0.1)
    assert [s.name for s in scenarios][:3] == ["guide-low", "guide-mid", "guide-high"]
    frame = project_capex_chain(fin, fit, scenarios, {"flat": 0.0, "up": 0.15})
    assert len(frame) == 6 * 2 * 3
    assert np.allclose(frame["fcf"], frame["operating_cash_flow"] - frame["capex"])
    assert np.allclose(frame["buyback_capacity"], frame["fcf"] - frame["dividends"])
    mid = frame[(frame["capex_scenario"] == "guide-mid") & (frame["ocf_scenario"] == "flat")]
    assert mid["capex"].tolist() == pytest.approx([180, 198, 217.8])
    first = mid.iloc[0]
    assert first["delta_d_and_a"] == pytest.approx(first["d_and_a"] - 21.136)
    assert mid["cumulative_gap"].iloc[-1] == pytest.approx((mid["capex"] - mid["d_and_a"]).sum())
    by = frame[frame["ocf_scenario"] == "flat"].pivot(
        index="fiscal_year", columns="capex_scenario", values="d_and_a")
    assert (by["guide-high"] >= by["guide-mid"]).all()
    assert (by["guide-mid"] >= by["guide-low"]).all()


def test_life_sensitivity_grid() -> None:
    fin = _sec_financials("GOOGL")
    table = life_sensitivity(fin, fit_financials(fin, _sec_life("GOOGL")))
    assert len(table) == 4 * 4 * 3
    assert set(table["short_life_years"]) == {4.0, 5.0, 6.0, 7.0}


def test_measured_pattern_googl() -> None:
    pattern = capex_chain_pattern(_sec_financials("GOOGL"), 2021, 2025)
    assert pattern.capex_cagr == pytest.approx((91.447 / 24.640) ** 0.25 - 1)
    assert pattern.capex_growth_gap is not None and pattern.capex_growth_gap > 0
    assert pattern.fcf_to_net_income[2025] == pytest.approx((164.713 - 91.447) / 132.170)
    assert pattern.buybacks_to_fcf[2025] == pytest.approx(45.709 / (164.713 - 91.447))
    checks = pattern.checks(PatternThresholds(0.0, 0.0, 0.5))
    assert checks["capex_outgrows_d_and_a"] and checks["fcf_conversion_falls"]
    strict = pattern.checks(PatternThresholds(1.0, -1.0, 2.0))
    assert strict == {"capex_outgrows_d_and_a": False, "fcf_conversion_falls": False,
                      "net_income_rises": True, "buybacks_absorb_fcf": False}


def test_measured_pattern_names_what_is_missing() -> None:
    meta = financials_from_fallback("META", load_hyperscaler_cashflows())
    pattern = capex_chain_pattern(meta, include_finance_leases=True)
    assert pattern.fallback
    assert pattern.fcf_to_net_income == {}
    assert "net_income FY2025" in pattern.missing
    assert pattern.checks(PatternThresholds(0.0, 0.0, 0.5))["fcf_conversion_falls"] is None


# ---------------------------------------------------------------- restatements


def _restated_facts() -> pd.DataFrame:
    """FY2023 capex first filed as 10.0 bn (10-K of 2024-02-09), restated to 11.0 bn as the
    comparative in the FY2024 10-K (filed 2025-02-09)."""
    facts = _basic(12e9)
    capex = facts[(facts["concept"] == "PaymentsToAcquirePropertyPlantAndEquipment")
                  & (facts["end"] == pd.Timestamp("2024-12-31"))].iloc[0]
    restated = capex.copy()
    restated["start"], restated["end"] = pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-31")
    restated["value"] = 11e9
    return pd.concat([facts, restated.to_frame().T], ignore_index=True).astype(facts.dtypes)


def test_restatement_latest_filing_wins_and_is_named() -> None:
    facts = _restated_facts()
    fin = financials_from_facts("X", facts)
    obs = fin.observation("capex", 2023)
    assert obs.value_usd_bn == pytest.approx(11.0)  # the later filing
    assert obs.restated_from == pytest.approx((10.0,))  # history kept
    assert "RESTATED" in obs.note and "10.000" in obs.note
    assert any("capex FY2023: RESTATED" in n for n in fin.notes)
    # the original stays in the facts frame
    assert (facts["value"] == 10e9).sum() == 1
    # an identical re-filing (a plain comparative) is not a restatement
    assert not any("RESTATED" in n for n in financials_from_facts("X", _basic(12e9)).notes)


def test_restatement_of_real_googl_capex_is_named() -> None:
    """Alphabet restated FY2014 capex (10.959 → 11.014 bn in the 2016 10-K): the reader
    uses the later value and the notes say so."""
    googl = _sec_financials("GOOGL")
    assert googl.value("capex", 2014) == pytest.approx(11.014, abs=1e-3)
    assert googl.observation("capex", 2014).restated_from == pytest.approx((10.959,), abs=1e-3)
    assert not googl.observation("capex", 2025).restated_from


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 30),
    base=st.floats(1.0, 9.0),
    changes=st.lists(st.tuples(st.floats(1988.0, 2030.0), st.floats(0.5, 9.0)), max_size=3),
    lag=st.floats(0.0, 1.5),
)
def test_depreciation_matrix_is_unit_depreciation_column_by_column(
        n: int, base: float, changes: list[tuple[float, float]], lag: float) -> None:
    """The vectorised matrix equals one unit_depreciation per vintage bit for bit, life
    changes and their write-offs included (the fit relies on it being the same model)."""
    life = LifeSchedule(base, tuple(sorted(changes)), "test")
    vintages = np.arange(1990, 1990 + n)
    years = np.arange(1985, 2050)
    matrix = depreciation_matrix(vintages, life, lag, years)
    assert matrix.shape == (len(years), n)
    for k, v in enumerate(vintages):
        assert np.array_equal(matrix[:, k], unit_depreciation(float(v) + lag, life, years))
