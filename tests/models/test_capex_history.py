"""The capex history table of one company, by hand on two fiscal years."""

from __future__ import annotations

import pytest

from narrowgate.models.capex import CompanyFinancials, Observation


def _obs(by_year: dict[int, float]) -> dict[int, Observation]:
    return {y: Observation(v, "test") for y, v in by_year.items()}


FIN = CompanyFinancials("TEST", {
    "capex": _obs({2024: 50.0, 2025: 80.0}),
    "depreciation_amortization": _obs({2024: 30.0, 2025: 35.0}),
    "operating_cash_flow": _obs({2024: 100.0, 2025: 110.0}),
    "net_income": _obs({2024: 60.0, 2025: -5.0}),
    "buybacks": _obs({2024: 20.0}),
    "dividends": _obs({2024: 10.0, 2025: 10.0}),
    "finance_lease_principal": _obs({2025: 4.0}),
})


def test_history_derives_fcf_capacity_and_gap() -> None:
    h = FIN.history()
    assert list(h.index) == [2024, 2025]
    assert h.loc[2024, "fcf"] == pytest.approx(50.0)
    assert h.loc[2024, "fcf_to_net_income"] == pytest.approx(50.0 / 60.0)
    assert bool(h["fcf_to_net_income"].isna()[2025])  # no ratio on a loss
    assert bool(h["buybacks"].isna()[2025])  # not reported: NaN, never zero
    assert h.loc[2025, "buyback_capacity"] == pytest.approx(110 - 80 - 10)
    assert h.loc[2025, "gap"] == pytest.approx(80 - 35)


def test_history_with_finance_leases_counts_them_as_capex() -> None:
    h = FIN.history(include_finance_leases=True)
    assert h.loc[2025, "capex"] == pytest.approx(84.0)
    assert h.loc[2024, "capex"] == pytest.approx(50.0)
    assert h.loc[2025, "fcf"] == pytest.approx(110 - 84)
