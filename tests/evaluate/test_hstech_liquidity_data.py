"""hstech-liquidity (the correlation kind) on the real HSTECH files, WALCL and the dollar."""

from __future__ import annotations

import pandas as pd
import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context, require_shared


def _month_end_changes(values: pd.Series) -> pd.Series:
    monthly = values.sort_index().resample("ME").last().dropna()
    return monthly.pct_change().dropna()


def test_dollar_link_but_no_balance_sheet_link(imported_hub: object) -> None:
    ctx = eval_context(imported_hub)
    result = evaluate_claim(ctx.thesis.claim("hstech-liquidity"), ctx)
    assert result.error is None
    assert result.verdict is Verdict.MIXED
    figures = {f.key: f.value for f in result.evidence.figures}
    # independent reading of the raw files
    raw = pd.read_csv(require_shared("prices/hk/hstech_investing_indexquery/"
                                     "HSTECH_daily_investing_cn.csv"),
                      encoding="utf-8-sig", thousands=",")
    hstech = pd.Series(raw["收盘"].astype(float).to_numpy(), index=pd.to_datetime(raw["日期"]))
    # the 2026 file extends it (a gap from 2024-11-14 to 2025-12-31, reported by the splice)
    new = pd.read_csv(require_shared("prices/hk/hstech_marketor_2026h2/hstech.csv"),
                      index_col="date", parse_dates=True)["close"]
    hstech = pd.concat([hstech.sort_index(), new]).loc["2016-01-04":]
    dollar = pd.read_csv(require_shared("fred/series_macro_charts/DTWEXBGS.csv"),
                         index_col=0, parse_dates=True)["DTWEXBGS"].dropna()
    both = pd.concat([_month_end_changes(hstech), _month_end_changes(dollar)], axis=1,
                     sort=True).dropna()
    expected = both.iloc[:, 0].corr(both.iloc[:, 1])
    assert figures["corr_fred:DTWEXBGS"] == pytest.approx(round(expected, 3), abs=0.002)
    slope = both.iloc[:, 0].cov(both.iloc[:, 1]) / both.iloc[:, 1].var()
    assert figures["beta_fred:DTWEXBGS"] == pytest.approx(round(slope, 3), abs=0.01)
    assert figures["linked_drivers"] == "1 of 2"
    assert figures["corr_fred:DTWEXBGS"] < -0.3 < 0.3 > abs(figures["corr_fred:WALCL"])
    assert figures["target_data_end"] == "2026-08-28"
    # the 2026 HSTECH file replaces the HSI stand-in: only the days after it are missing
    assert "stand_in_return_since_publication" not in figures
    gap = next(m for m in result.evidence.missing if m.what.startswith("hkidx:HSTECH obs"))
    assert gap.dates == "2026-08-29 to 2026-11-24"
    assert gap.fetch == ["hkidx:HSTECH"]
    assert any("EPS" in m.what for m in result.evidence.missing)
    assert "hkidx:HSTECH" in result.summary.en
    assert all(len(s.x) <= 400 for c in result.evidence.charts for s in c.series)
