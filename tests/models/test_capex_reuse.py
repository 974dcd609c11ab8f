"""Work the capex chain reuses within a run gives the figures it gave when rebuilt: the
history table built once per company and lease choice, the book value on numpy arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from narrowgate.data.fallback import load_hyperscaler_cashflows
from narrowgate.models.capex import financials_from_fallback
from narrowgate.models.depreciation import DepreciationModel, LifeSchedule


@pytest.mark.parametrize("leases", [False, True])
def test_history_is_built_once_and_handed_out_as_a_copy(leases: bool) -> None:
    fin = financials_from_fallback("MSFT", load_hyperscaler_cashflows())
    first = fin.history(leases)
    first.loc[:, "capex"] = -1.0  # a caller changing its frame changes nobody else's
    again = fin.history(leases)
    rebuilt = financials_from_fallback("MSFT", load_hyperscaler_cashflows()).history(leases)
    pd.testing.assert_frame_equal(again, rebuilt)
    assert (again["capex"] > 0).all()
    assert again is not fin.history(leases)


def test_history_cache_is_no_field_of_the_figures() -> None:
    table = load_hyperscaler_cashflows()
    fin, other = financials_from_fallback("MSFT", table), financials_from_fallback("MSFT", table)
    fin.history()
    assert fin == other  # equality still compares the figures only


def test_book_value_is_capex_paid_less_modelled_depreciation() -> None:
    """By the definition, on the pandas path: paid capex (pre-history included) minus
    every predicted year's D&A through the year; the same float, not only close."""
    capex = pd.Series([10.0, 12.5, 15.0, 21.0, 30.0, 44.0],
                      index=pd.Index(range(2019, 2025), name="fiscal_year"))
    model = DepreciationModel(0.6, 0.5, LifeSchedule(4.0, ((2022.0, 6.0),)), 0.1, 2019)
    for year in range(2019, 2025):
        paid = capex[capex.index <= year]
        vintages, amounts = model._vintages(paid)
        expected = float(amounts.sum()) - float(
            model.predict(paid, range(int(vintages.min()), year + 1)).sum())
        assert model.undepreciated(capex, year) == expected
    assert np.isfinite(model.undepreciated(capex, 2024))
