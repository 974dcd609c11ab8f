"""capex-chain decided on the real SEC facts (GOOGL, NVDA, AAPL) and the bundled fallback."""

from __future__ import annotations

from typing import Any

import pytest

from narrowgate.evaluate.runner import evaluate_claim
from narrowgate.evaluate.verdict import Verdict
from tests.conftest import eval_context


@pytest.fixture(scope="module")
def result(imported_store_path):  # type: ignore[no-untyped-def]
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    ctx = eval_context(DataHub(Store(imported_store_path), offline=True))
    return evaluate_claim(ctx.thesis.claim("capex-chain"), ctx)


def test_verdict_is_mixed_and_says_why(result) -> None:  # type: ignore[no-untyped-def]
    """GOOGL, META and AMZN show the lag and the squeeze; MSFT's D&A (incl. 'other') grew
    faster than its capex in FY2025, so the pattern is not universal: mixed."""
    assert result.error is None
    assert result.verdict is Verdict.MIXED
    figs: dict[str, Any] = {f.key: f.value for f in result.evidence.figures}
    assert figs["lag_and_squeeze"] == "3 of 4"
    assert figs["GOOGL_capex_2025"] == pytest.approx(91.447, abs=1e-3)
    assert figs["GOOGL_d_and_a_2025"] == pytest.approx(21.136, abs=1e-3)
    assert figs["MSFT_growth_gap"] < 0 < figs["GOOGL_growth_gap"]


def test_out_of_sample_bound_met(result) -> None:  # type: ignore[no-untyped-def]
    figs: dict[str, Any] = {f.key: f.value for f in result.evidence.figures}
    for ticker in ("GOOGL", "NVDA"):
        assert figs[f"{ticker}_oos_worst_1y"] <= 10.0
    assert figs["AAPL_oos_worst_1y"] <= figs["AAPL_oos_bound"] == 20.0
    assert figs["GOOGL_oos_2025_h1"] == pytest.approx(-5.8, abs=0.05)


def test_projections_and_fallback_marks(result) -> None:  # type: ignore[no-untyped-def]
    figs = {f.key: f for f in result.evidence.figures}
    # GOOGL guide-mid 2026: capex 180 against OCF 164.713 × 1.10 (base scenario)
    assert figs["GOOGL_guide-mid_fcf_2026"].value == pytest.approx(164.713 * 1.1 - 180, abs=0.01)
    assert figs["GOOGL_revised-mid_gap_2028"].value > figs["GOOGL_guide-mid_gap_2028"].value
    for ticker in ("MSFT", "META", "AMZN"):
        assert "[fallback]" in figs[f"{ticker}_capex_2025"].label.en
        used = [d for d in result.evidence.data if d.instrument == f"sec:{ticker}"
                and d.source.startswith("fallback")]
        assert used and all(d.fallback for d in used)
    assert figs["META_capex_2025"].value == pytest.approx(72.215)  # incl. finance leases
    google = [d for d in result.evidence.data if d.instrument == "sec:GOOGL" and not d.fallback]
    assert google and "Depreciation" in (google[0].note or "")
    # Microsoft: the calendar-2026 revision lands on its fiscal 2027
    assert figs["MSFT_revised-mid_fcf_2026"].value == figs["MSFT_guide-mid_fcf_2026"].value
    assert figs["MSFT_revised-mid_fcf_2027"].value < figs["MSFT_guide-mid_fcf_2027"].value
    assert any("Jun-2027" in n.en for n in result.evidence.notes)


def test_charts_use_fiscal_years(result) -> None:  # type: ignore[no-untyped-def]
    charts = result.evidence.charts
    assert charts and all(not c.x_is_date for c in charts)
    googl = next(c for c in charts if c.title.en.startswith("GOOGL"))
    capex = next(s for s in googl.series if s.name == "capex (reported)")
    assert capex.kind == "bar" and capex.y[capex.x.index(2025)] == pytest.approx(91.447)
    assert any("Cumulative" in c.title.en for c in charts)


def test_as_of_replays_what_was_filed(imported_store_path) -> None:  # type: ignore[no-untyped-def]
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    ctx = eval_context(DataHub(Store(imported_store_path), offline=True), "2025-06-30")
    result = evaluate_claim(ctx.thesis.claim("capex-chain"), ctx)
    figs = {f.key for f in result.evidence.figures}
    assert "GOOGL_capex_2024" in figs and "GOOGL_capex_2025" not in figs


def test_empty_store_falls_back_and_names_what_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Offline with an empty store: every figure from the fallback, controls missing."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    ctx = eval_context(DataHub(Store(tmp_path / "empty.duckdb"), offline=True))
    result = evaluate_claim(ctx.thesis.claim("capex-chain"), ctx)
    assert result.error is None
    assert all(d.fallback for d in result.evidence.data)
    whats = " ".join(m.what for m in result.evidence.missing)
    assert "sec:NVDA" in whats and "sec:AAPL" in whats


def test_ttm_figures_sec_and_recorded_fallback(result) -> None:  # type: ignore[no-untyped-def]
    """GOOGL's TTM to Q1-2026 from its 10-Qs; Amazon's recorded TTM FCF (FACTS.md 3a,
    Amazon's definition) shown as a fallback figure."""
    figs = {f.key: f for f in result.evidence.figures}
    assert figs["GOOGL_ttm_capex"].value == pytest.approx(91.447 - 17.197 + 35.674, abs=1e-3)
    assert figs["GOOGL_ttm_fcf"].value == pytest.approx(64.429, abs=1e-3)
    assert "TTM to 2026-03-31" in figs["GOOGL_ttm_fcf"].label.en
    amzn = figs["AMZN_ttm_fcf"]
    assert amzn.value == pytest.approx(1.2)
    assert "[fallback]" in amzn.label.en and "Amazon definition" in amzn.label.en
    assert "AMZN_ttm_capex" not in figs  # not recorded: absent, never zero
    assert "AMZN 1.2" in result.summary.en and "FALLBACK" in result.summary.en


def test_life_sensitivity_figures_and_chart(result) -> None:  # type: ignore[no-untyped-def]
    figs: dict[str, Any] = {f.key: f.value for f in result.evidence.figures}
    drags = [figs[f"GOOGL_life{life}_drag_2027"] for life in (4, 5, 6, 7)]
    assert all(d > 0 for d in drags)
    assert drags == sorted(drags, reverse=True)  # a longer life spreads the charge thinner
    chart = next(c for c in result.evidence.charts if "server life" in c.title.en)
    assert not chart.x_is_date
    googl = next(s for s in chart.series if s.name.startswith("GOOGL"))
    assert googl.x == [4.0, 5.0, 6.0, 7.0]
    assert googl.y == pytest.approx(drags, abs=0.01)


# ---------------------------------------------------------------- bad input (constructed)


class _FakeHub:
    """Serves constructed SEC facts for some tickers; the rest have no SEC data."""

    def __init__(self, frames: dict[str, Any]) -> None:
        self.frames = frames

    def facts(self, instrument: str, concepts: list[str] | None = None) -> Any:
        from datetime import datetime

        from narrowgate.data.hub import FactsResult, Provenance
        from narrowgate.errors import DataNotFound

        ticker = instrument.partition(":")[2]
        if ticker not in self.frames:
            raise DataNotFound(f"{instrument}: not in the store")
        frame = self.frames[ticker]
        prov = Provenance(instrument, "constructed", None, None, len(frame),
                          datetime(2026, 1, 1), "test", False)
        return FactsResult(instrument, frame, [prov])


def _facts(capex: dict[int, float], restated: dict[int, float] | None = None,
           fy_end: dict[int, str] | None = None) -> Any:
    """Annual 10-K facts (USD) for 2018–2024; ``restated`` re-files a year's capex in the
    next 10-K with another value; ``fy_end`` moves a year's end date."""
    import pandas as pd

    from narrowgate.data.providers.base import FACTS_COLUMNS

    rows = []
    for year in range(2018, 2025):
        end = pd.Timestamp(fy_end.get(year, f"{year}-12-31") if fy_end else f"{year}-12-31")
        start = end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
        filed = end + pd.Timedelta(days=40)
        for tag, value in (("PaymentsToAcquirePropertyPlantAndEquipment", capex[year]),
                           ("NetCashProvidedByUsedInOperatingActivities", 60e9),
                           ("Depreciation", 4e9 + 1e9 * (year - 2018)),
                           ("NetIncomeLoss", 40e9)):
            rows.append((tag, start, end, end.year, filed, f"a{year}", value))
        if restated and year - 1 in restated:
            prior = end - pd.DateOffset(years=1)
            rows.append(("PaymentsToAcquirePropertyPlantAndEquipment",
                         prior - pd.DateOffset(years=1) + pd.Timedelta(days=1), prior,
                         end.year, filed, f"a{year}", restated[year - 1]))
    frame = pd.DataFrame([{
        "concept": t, "taxonomy": "us-gaap", "unit": "USD", "start": s, "end": e, "fy": fy,
        "fp": "FY", "form": "10-K", "filed": f, "accession": a, "value": v,
    } for t, s, e, fy, f, a, v in rows], columns=list(FACTS_COLUMNS))
    frame["fy"] = frame["fy"].astype("Int64")
    return frame


CAPEX = {y: 10e9 * 1.2 ** (y - 2018) for y in range(2018, 2025)}


def _run(frames: dict[str, Any]) -> Any:
    ctx = eval_context(_FakeHub(frames))
    return evaluate_claim(ctx.thesis.claim("capex-chain"), ctx)


def test_restated_year_uses_the_later_filing_and_says_so() -> None:
    restated = _run({"GOOGL": _facts(CAPEX, restated={2022: 25e9})})
    assert restated.error is None
    figs = {f.key: f.value for f in restated.evidence.figures}
    assert "GOOGL_capex_2024" in figs
    googl_notes = " ".join(n.en for n in restated.evidence.notes if n.en.startswith("GOOGL"))
    assert "capex FY2022: RESTATED" in googl_notes and "25.000" in googl_notes
    chart = next(c for c in restated.evidence.charts if c.title.en.startswith("GOOGL"))
    capex = next(s for s in chart.series if s.name == "capex (reported)")
    assert capex.y[capex.x.index(2022)] == pytest.approx(25.0)  # the later filing's value
    plain = _run({"GOOGL": _facts(CAPEX)})
    assert "RESTATED" not in " ".join(n.en for n in plain.evidence.notes)


@pytest.mark.parametrize(("frames", "expected"), [
    ({"GOOGL": _facts({**CAPEX, 2023: 0.0})}, "capex for fiscal 2023 is 0.0"),
    ({"GOOGL": _facts({**CAPEX, 2023: -5e9})}, "capex for fiscal 2023 is -5.0"),
    ({"GOOGL": _facts(CAPEX, fy_end={2024: "2025-06-30"})}, "fiscal year end moved"),
], ids=["zero-capex", "negative-capex", "fiscal-year-change"])
def test_unusable_sec_facts_are_a_missing_entry_never_a_zero(
        frames: dict[str, Any], expected: str) -> None:
    result = _run(frames)
    assert result.error is None
    entries = [m.what for m in result.evidence.missing if m.what.startswith("sec:GOOGL")]
    assert len(entries) == 1 and expected in entries[0] and "\n" not in entries[0]
    assert not any(f.key.startswith("GOOGL_") for f in result.evidence.figures)


def test_no_sec_data_and_no_fallback_is_named() -> None:
    """NVDA and AAPL (controls) have neither SEC facts here nor fallback capex."""
    result = _run({})
    whats = {m.what.split(":")[1] for m in result.evidence.missing}
    assert {"NVDA", "AAPL"} <= whats
    for m in result.evidence.missing:
        assert "\n" not in m.what and (m.how or m.fetch)
