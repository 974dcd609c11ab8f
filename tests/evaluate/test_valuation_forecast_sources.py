"""Forecast sources of the valuation inputs: provider → CSV → bundled, offline-safe, cited.

An empty store and no network: prices are the dataset's recorded closes
(fallback_price_date), the provider is a stand-in given to the run's DataView. Hand check
for 300308 (the 10jqka consensus of
2025-12-08 whichever way it arrives): value 539.01 × 11.11亿 = 5,988.4亿; at 25×, 10 %/yr,
+15 %/yr after 2027: 2028 justifies 245.25·1.15·25/1.1² = 5,827.6 < 5,988.4 and 2029
justifies 245.25·1.15²·25/1.1³ = 6,092.0 ≥ 5,988.4, so the priced-in year is 2029.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from narrowgate.data.forecast_csv import ForecastCsvError
from narrowgate.data.providers.forecasts import ForecastFetch, tidy_forecasts
from narrowgate.errors import ProviderError
from narrowgate.evaluate.kinds.valuation import ValuationSettings, ValuedStock
from narrowgate.evaluate.kinds.valuation_inputs import value_stocks
from narrowgate.evaluate.registry import EvalContext
from narrowgate.thesis.schema import Thesis

DAY = date(2026, 2, 6)
SETTINGS = ValuationSettings(price_date=DAY, fair_pe_x=25, fair_pe_basis="test")
CONSENSUS = {2025: 102.44, 2026: 187.62, 2027: 245.25}
CSV_300308 = "".join(f"cn:300308,{y},net_profit,{v},CNY 1e8,2025-12-08,10jqka consensus\n"
                     for y, v in CONSENSUS.items())
HEADER = "instrument,year,measure,value,unit,as_of,source\n"


class StandIn:
    """A ForecastProvider stand-in: answers cn:300308 (in 元, to exercise the unit), or
    fails; counts calls so a test can prove the offline rule."""

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.calls = fail, 0

    def fetch(self, instrument: str, measure: str) -> ForecastFetch:
        self.calls += 1
        if self.fail:
            raise ProviderError("akshare: stock_profit_forecast_ths failed after 3 attempts")
        at = datetime(2026, 3, 2, tzinfo=UTC)
        frame = tidy_forecasts([{
            "instrument": instrument, "year": y, "measure": measure, "value": v * 1e8,
            "unit": "CNY", "n_analysts": 30, "as_of": at.date(), "fetched_at": at,
            "source": "akshare.stock_profit_forecast_ths(symbol='300308')"}
            for y, v in CONSENSUS.items()])
        return ForecastFetch(frame, "akshare", "akshare.stock_profit_forecast_ths(...)", at)


def stock(instrument: str) -> ValuedStock:
    return ValuedStock(instrument=instrument, fallback_price_date=DAY)


def ctx_for(thesis: Thesis, *, offline: bool = False, order: str | None = None,
            source: Any = None) -> EvalContext:
    """A context over an empty offline store whose view may call ``source`` (the stand-in)
    unless the run is offline."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView

    day = date(2026, 11, 24)
    view = DataView(DataHub(Store(), offline=True), day, forecast_source=source,
                    live=not offline)
    return EvalContext(thesis=thesis, as_of=day, offline=offline, hub=view,
                       forecast_order=order)


def test_default_is_the_bundled_dataset(thesis: Thesis) -> None:
    stand_in = StandIn()
    (v,), data = value_stocks([stock("cn:300308")], SETTINGS,
                              ctx_for(thesis, source=stand_in))
    assert stand_in.calls == 0
    assert v.path is not None and v.path.source.kind == "facts"
    assert v.priced_in is not None and v.priced_in.year == 2029
    assert v.priced_in.message.endswith("as of 2025-12-08")
    assert any("forecast snapshot" in (d.note or "") for d in data)


def test_csv_forecasts_cited_with_file_and_date(thesis: Thesis, tmp_path: Path) -> None:
    file = tmp_path / "consensus.csv"
    file.write_text(HEADER + CSV_300308, encoding="utf-8")
    (v,), data = value_stocks([stock("cn:300308")], SETTINGS,
                              ctx_for(thesis, order=f"csv:{file}"))
    assert v.path is not None and v.path.source.kind == "csv"
    assert (v.path.source.name, v.path.source.as_of) == ("10jqka consensus", date(2025, 12, 8))
    assert v.path.kinds[2025] == "preliminary"  # the 业绩预告 midpoint wins over the forecast
    assert v.priced_in is not None and v.priced_in.year == 2029
    assert "csv: 10jqka consensus" in v.priced_in.message
    used = [d for d in data if d.source == f"csv: {file}"]
    assert len(used) == 1 and used[0].end == date(2025, 12, 8) and used[0].rows == 3
    assert not [n for n in v.notes if "forecast" in n.en]  # none skipped, none look ahead


def test_csv_gives_300502_a_path_the_dataset_lacks(thesis: Thesis, tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_text(HEADER + "cn:300502,2026,net_profit,160,CNY 1e8,2026-01-31,broker X\n"
                    "cn:300502,2027,net_profit,210,CNY 1e8,2026-01-31,broker X\n")
    (bundled,), _ = value_stocks([stock("cn:300502")], SETTINGS, ctx_for(thesis))
    assert bundled.priced_in is None and "unverified or empty" in bundled.no_forecast
    (v,), _ = value_stocks([stock("cn:300502")], SETTINGS,
                           ctx_for(thesis, order=f"csv:{file}"))
    assert v.path is not None and v.path.profits == {2024: 28.38, 2025: 96.5, 2026: 160.0,
                                                      2027: 210.0}
    assert v.priced_in is not None and v.priced_in.source.kind == "csv"


def test_us_eps_from_csv_uses_non_gaap_actuals(thesis: Thesis, tmp_path: Path) -> None:
    file = tmp_path / "mu.csv"
    file.write_text(HEADER + "us:MU,2026,eps,33.78,USD per share,2026-02-17,Zacks\n")
    (v,), _ = value_stocks([stock("us:MU")], SETTINGS,
                           ctx_for(thesis, order=f"csv:{file}"))
    assert v.path is not None and v.path.profits == {2024: 1.30, 2025: 8.29, 2026: 33.78}
    assert v.path.source.kind == "csv" and v.priced_in is not None
    assert any("after the price date 2026-02-06" in n.en for n in v.notes)  # look-ahead


def test_provider_converts_units_and_notes_the_look_ahead(thesis: Thesis) -> None:
    stand_in = StandIn()
    ctx = ctx_for(thesis, order="provider", source=stand_in)
    vals, data = value_stocks([stock("cn:300308"), stock("cn:300308")], SETTINGS, ctx)
    assert stand_in.calls == 1  # one fetch per run and stock, cached in the run's view
    v = vals[0]
    assert v.path is not None and v.path.source.kind == "provider"
    assert v.path.profits[2027] == pytest.approx(245.25)  # 元 → 亿
    assert v.path.source.as_of == date(2026, 3, 2)
    assert "analysts per year 2025: 30" in v.path.source.detail
    assert v.priced_in is not None and v.priced_in.year == 2029
    assert any(d.source.startswith("provider: akshare") and d.fetched_at for d in data)
    assert any("not what the market knew then" in n.en for n in v.notes)
    assert ctx.hub is not None and len(ctx.hub.fetched_forecasts()) == 1


def test_offline_never_calls_a_provider(thesis: Thesis) -> None:
    stand_in = StandIn()
    ctx = ctx_for(thesis, offline=True, order="provider", source=stand_in)
    (v,), _ = value_stocks([stock("cn:300308")], SETTINGS, ctx)
    assert stand_in.calls == 0
    assert v.path is not None and v.path.source.kind == "facts"
    assert any("provider: offline, so no provider was called" in n.en for n in v.notes)


def test_failures_fall_back_in_order(thesis: Thesis, tmp_path: Path) -> None:
    wrong_unit = tmp_path / "usd.csv"
    wrong_unit.write_text(HEADER + "cn:300308,2026,net_profit,26,USD 1e9,2025-12-08,x\n")
    ctx = ctx_for(thesis, order=f"provider,csv:{wrong_unit}", source=StandIn(fail=True))
    (v,), _ = value_stocks([stock("cn:300308")], SETTINGS, ctx)
    assert v.path is not None and v.path.source.kind == "facts"
    note = next(n.en for n in v.notes if "forecasts —" in n.en)
    assert "provider: akshare: stock_profit_forecast_ths failed" in note
    assert "cannot be converted" in note and note.endswith("as of 2025-12-08.")


def test_a_broken_csv_is_an_error_not_a_fallback(thesis: Thesis, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "cn:300308,2026,net_profit,lots,CNY 1e8,2025-12-08,x\n")
    with pytest.raises(ForecastCsvError, match=r"bad\.csv:2: value 'lots'"):
        value_stocks([stock("cn:300308")], SETTINGS,
                     ctx_for(thesis, order=f"csv:{bad}"))


def test_a_fetched_consensus_is_stored_and_serves_offline_runs(thesis: Thesis) -> None:
    """The provider's answer is kept as a dated snapshot with its fetch-log row; an offline
    run (and any later as-of) reads it without calling out, and an as-of before the
    snapshot's day does not see it."""
    from narrowgate.data.store import Store

    stand_in = StandIn()
    value_stocks([stock("cn:300308")], SETTINGS, ctx_for(thesis, order="provider",
                                                         source=stand_in))
    got = Store().forecast_snapshot("cn:300308", "net_profit", date(2026, 11, 24))
    assert got is not None
    origin, rows = got
    assert (origin.provider, origin.as_of) == ("akshare", date(2026, 3, 2))
    assert rows["value"].tolist() == pytest.approx([v * 1e8 for v in CONSENSUS.values()])
    assert Store().fetch_log(1)[0].kind == "forecasts"

    offline = StandIn()
    ctx = ctx_for(thesis, offline=True, order="provider", source=offline)
    (v,), data = value_stocks([stock("cn:300308")], SETTINGS, ctx)
    assert offline.calls == 0
    assert v.path is not None and v.path.source.kind == "provider"
    assert v.path.profits[2027] == pytest.approx(245.25) and v.priced_in is not None
    assert v.priced_in.year == 2029  # the same figures as the live run
    used = next(d for d in data if d.source.startswith("provider: "))
    assert "stored snapshot of 2026-03-02" in used.source
    assert Store().forecast_snapshot("cn:300308", "net_profit", date(2026, 3, 1)) is None


def test_data_ls_lists_the_stored_snapshots(thesis: Thesis) -> None:
    import json

    from typer.testing import CliRunner

    from narrowgate.cli.data_cmd import app

    value_stocks([stock("cn:300308")], SETTINGS, ctx_for(thesis, order="provider",
                                                         source=StandIn()))
    done = CliRunner().invoke(app, ["ls", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["snapshots"] == [
        {"table": "forecasts", "key": "cn:300308", "measure": "net_profit", "snapshots": 1,
         "first": "2026-03-02", "last": "2026-03-02"}]
    table = CliRunner().invoke(app, ["ls"], env={"COLUMNS": "160"})
    assert "snapshots (consensus forecasts, price lists)" in table.output
    assert "cn:300308" in table.output and "net_profit" in table.output
