"""Quarterly capex-chain inputs and trailing-twelve-month sums, on real SEC facts (GOOGL)
and on constructed quarters (gaps, zero capex)."""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import pytest

from narrowgate.data.fallback import load_hyperscaler_cashflows
from narrowgate.models.capex import InvalidCapex, MissingFinancials
from narrowgate.models.capex_ttm import (
    QUARTER_COLUMNS,
    trailing_sum,
    ttm_from_facts,
    ttm_from_fallback,
    ttm_from_quarterly,
    ttm_series,
)
from tests.conftest import require_shared


@cache
def _googl_facts() -> pd.DataFrame:
    from narrowgate.data.providers.sec import normalise_companyfacts

    path = require_shared("sec/companyfacts/CIK0001652044.json")
    return normalise_companyfacts(json.loads(path.read_text()))


def _raw(facts: pd.DataFrame, concept: str, start: str, end: str) -> float:
    """The latest-filed value of one tag over one exact period, USD bn (read raw)."""
    rows = facts[(facts["concept"] == concept) & (facts["start"] == pd.Timestamp(start))
                 & (facts["end"] == pd.Timestamp(end))]
    return float(rows.sort_values("filed")["value"].iloc[-1]) / 1e9


def test_googl_ttm_through_q1_2026_is_annual_minus_q1_plus_q1() -> None:
    facts = _googl_facts()
    trailing, quarterly = ttm_from_facts("GOOGL", facts)
    assert trailing.end == pd.Timestamp("2026-03-31")
    assert trailing.label == "TTM to 2026-03-31"
    assert not trailing.fallback
    expected = {}
    for field, tag in (("capex", "PaymentsToAcquirePropertyPlantAndEquipment"),
                       ("operating_cash_flow", "NetCashProvidedByUsedInOperatingActivities")):
        expected[field] = (_raw(facts, tag, "2025-01-01", "2025-12-31")
                           - _raw(facts, tag, "2025-01-01", "2025-03-31")
                           + _raw(facts, tag, "2026-01-01", "2026-03-31"))
        assert trailing.values[field] == pytest.approx(expected[field], abs=1e-9)
    assert trailing.values["capex"] == pytest.approx(109.924, abs=1e-9)  # 91.447 − 17.197 + 35.674
    assert trailing.fcf == pytest.approx(expected["operating_cash_flow"] - expected["capex"])
    assert trailing.fcf == pytest.approx(64.429, abs=1e-9)
    assert trailing.quarters == tuple(pd.Timestamp(d) for d in (
        "2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"))
    assert set(trailing.values) >= {"depreciation_amortization", "buybacks", "dividends",
                                    "net_income"}
    assert list(quarterly.columns) == list(QUARTER_COLUMNS)


def test_googl_ttm_at_fiscal_year_end_equals_the_annual_figure() -> None:
    _, quarterly = ttm_from_facts("GOOGL", _googl_facts())
    capex = ttm_series(quarterly, "capex")
    assert capex[pd.Timestamp("2025-12-31")] == pytest.approx(91.447, abs=1e-9)
    assert capex[pd.Timestamp("2024-12-31")] == pytest.approx(52.535, abs=1e-9)


def _quarters(values: dict[str, list[float]], ends: list[str]) -> pd.DataFrame:
    rows = []
    for field, vals in values.items():
        for end, v in zip(ends, vals, strict=True):
            e = pd.Timestamp(end)
            rows.append({"field": field, "fiscal_year": e.year, "fiscal_period": "Q",
                         "start": e - pd.Timedelta(days=90), "end": e, "value_usd_bn": v,
                         "tag": "us-gaap:X", "filed": e + pd.Timedelta(days=30),
                         "how": "reported", "note": ""})
    return pd.DataFrame(rows, columns=list(QUARTER_COLUMNS))


ENDS = ["2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]


def test_a_gap_gives_no_ttm_never_a_partial_sum() -> None:
    gap = ["2024-12-31", "2025-03-31", "2025-09-30", "2025-12-31"]  # Q2-2025 missing
    frame = _quarters({"capex": [1.0, 2.0, 3.0, 4.0]}, gap)
    assert trailing_sum(frame, pd.Timestamp("2025-12-31")) is None
    with pytest.raises(MissingFinancials, match="four consecutive quarters"):
        ttm_from_quarterly("X", frame)
    full = _quarters({"capex": [1.0, 2.0, 3.0, 4.0, 5.0],
                      "operating_cash_flow": [9.0, 9.0, 9.0, 9.0, 9.0]}, ENDS)
    ocf_short = full[~((full["field"] == "operating_cash_flow")
                       & (full["end"] == pd.Timestamp("2025-06-30")))]
    trailing = ttm_from_quarterly("X", ocf_short)
    assert trailing.values == {"capex": 14.0}
    assert trailing.fcf is None
    assert any("TTM operating_cash_flow" in n for n in trailing.notes)


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_zero_or_negative_quarterly_capex_is_an_error(bad: float) -> None:
    frame = _quarters({"capex": [1.0, 2.0, bad, 4.0, 5.0]}, ENDS)
    with pytest.raises(InvalidCapex, match=r"quarterly capex .*\(ending 2025-06-30\) is"):
        ttm_from_quarterly("X", frame)


def test_fallback_ttm_amazon_marked_and_googl_has_none() -> None:
    table = load_hyperscaler_cashflows()
    amzn = ttm_from_fallback("AMZN", table)
    assert amzn is not None and amzn.fallback
    assert amzn.fcf == pytest.approx(1.2)
    assert amzn.end == pd.Timestamp("2026-03-31")
    assert "Amazon definition" in amzn.definition
    assert amzn.get("capex") is None  # not recorded: absent, not zero
    assert ttm_from_fallback("GOOGL", table) is None  # only Q1 rows, no TTM recorded
