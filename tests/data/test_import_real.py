"""Import all of ../shared/data into a temp store and check values against the files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from narrowgate.data.hub import DataHub
from narrowgate.data.importers import import_path
from narrowgate.data.store import Store
from tests.conftest import SHARED_DATA, require_shared


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One store with everything imported, shared by this module's read-only tests."""
    if not SHARED_DATA.exists():
        pytest.skip(f"shared data missing: {SHARED_DATA}")
    st = Store(tmp_path_factory.mktemp("imported") / "store.duckdb")
    report = import_path(st, SHARED_DATA)
    assert not report.unknown, report.unknown
    return st


@pytest.fixture
def hub(store: Store) -> DataHub:
    return DataHub(store, offline=True)


def test_qqq_close_from_kittycapital(hub: DataHub) -> None:
    require_shared("prices/us/etf_daily_kittycapital/QQQ.csv")
    bars = hub.bars("us:QQQ", source="etf_daily_kittycapital", adjust="raw")
    assert bars.frame.loc["2026-02-06", "close"] == pytest.approx(609.6500244140625)
    assert bars.frame.loc["2026-02-06", "high"] == pytest.approx(611.4099731445312)
    assert bars.provenance[0].request.endswith("QQQ.csv")


def test_csi500_close_before_high_layout(hub: DataHub) -> None:
    require_shared("prices/cn/csi500_csi1000_zechenhehuo/sh000905.csv")
    frame = hub.bars("cnidx:000905").frame
    assert frame.loc["2026-07-31", "close"] == pytest.approx(7493.9850)
    assert frame.loc["2026-07-31", "high"] == pytest.approx(7638.7805)


def test_csi_theme_pe_and_artifact_row_dropped(hub: DataHub) -> None:
    require_shared("prices/cn/csi_indices_ai_theme_monitor/931160.csv")
    frame = hub.bars("cnidx:931160").frame
    assert frame.loc["2020-01-02", "pe"] == pytest.approx(32.21)
    assert str(frame.index[0].date()) == "2018-12-28"  # the 2015-01-01 copy is gone


def test_hstech_commas_and_volume_suffix(hub: DataHub) -> None:
    require_shared("prices/hk/hstech_investing_indexquery/HSTECH_daily_investing_cn.csv")
    frame = hub.bars("hkidx:HSTECH").frame
    assert frame.loc["2024-11-13", "close"] == pytest.approx(4443.01)
    assert frame.loc["2024-11-13", "volume"] == pytest.approx(940.97e6)
    assert frame.loc["2024-11-12", "volume"] == pytest.approx(1.57e9)
    assert frame.index.is_monotonic_increasing
    assert str(frame.index[0].date()) == "2015-01-02"


def test_two_digit_year_gold_dates(hub: DataHub) -> None:
    require_shared("commodities/gc_si_futures_cot_positioning_sentiment/gold.csv")
    frame = hub.bars("cmx:GC").frame
    assert str(frame.index[0].date()) == "1975-06-16"
    assert str(frame.index[-1].date()) == "2025-11-14"
    assert frame.loc["2025-11-14", "close"] == pytest.approx(4090.5)


def test_btc_placeholders_dropped_with_note(hub: DataHub, store: Store) -> None:
    require_shared("prices/us/etf_daily_kittycapital/BTC_USD.csv")
    frame = hub.bars("crypto:BTC-USD", source="etf_daily_kittycapital").frame
    assert frame.index[0].date() == date(2014, 9, 17)
    notes = [r[9] for r in store.fetch_log(500) if str(r[2]).endswith("BTC_USD.csv")]
    assert any("placeholder" in n for n in notes)


def test_newest_first_file_sorted(hub: DataHub) -> None:
    require_shared("prices/cn/a_shares_quant_weight_system/300308.csv")
    frame = hub.bars("cn:300308", source="a_shares_quant_weight_system").frame
    assert frame.index.is_monotonic_increasing
    assert frame.loc["2026-08-10", "close"] == pytest.approx(864.58)


def test_series_layouts(hub: DataHub) -> None:
    require_shared("fred/series_macro_charts/WALCL.csv")
    walcl = hub.series("fred:WALCL", source="series_macro_charts").frame
    assert walcl.loc["2026-07-22", "value"] == pytest.approx(6747378.0)
    dash = hub.series("fred:WALCL", source="macro_dashboard_kittycapital").frame
    assert dash.loc["2026-08-19", "value"] == pytest.approx(6.75e6)  # trillions → millions
    gold = hub.series("lbma:GOLD").frame
    assert gold.loc["2026-08-19", "value"] == pytest.approx(4460.7)


def test_source_choice_follows_requested_range(hub: DataHub) -> None:
    assert hub.bars("us:QQQ").provenance[0].source == "etf_daily_kittycapital"
    late = hub.bars("us:QQQ", start=date(2026, 9, 1))
    assert late.provenance[0].source == "market_data_drrobanthony_2026h2"


H2 = {  # 2026 H2 extension file → (instrument, rows, last date)
    "prices/us/market_data_drrobanthony_2026h2/QQQ.csv": ("us:QQQ", 191, "2026-10-06"),
    "prices/us/market_data_drrobanthony_2026h2/BTC.csv": ("crypto:BTC-USD-EXCHANGE", 280,
                                                          "2026-10-07"),
    "prices/us/edge_data_ifxquantbot_2026h2/btc.csv": ("crypto:BTC-USD", 275, "2026-10-03"),
    "prices/us/edge_data_ifxquantbot_2026h2/gold.csv": ("cmx:GC", 189, "2026-10-02"),
    "prices/us/edge_data_ifxquantbot_2026h2/ndx.csv": ("fred:NASDAQ100", 189, "2026-10-02"),
    "prices/cn/csi_indices_marketor_2026h2/csi1000.csv": ("cnidx:000852", 159, "2026-08-28"),
    "prices/hk/hstech_marketor_2026h2/hstech.csv": ("hkidx:HSTECH", 161, "2026-08-28"),
    "fred/cot_report_sphynxkatt0_2026h2/EFFR.csv": ("fred:EFFR", 171, "2026-09-03"),
}


@pytest.mark.parametrize("relative", list(H2))
def test_2026_h2_extensions_import_under_their_instruments(relative: str, store: Store) -> None:
    path = require_shared(relative)
    instrument, rows, last = H2[relative]
    covs = [c for c in store.coverage([instrument]) if c.source == path.parent.name]
    assert len(covs) == 1, covs
    assert covs[0].rows == rows and str(covs[0].last) == last


def test_headerless_close_file_keeps_its_first_row(hub: DataHub) -> None:
    require_shared("prices/us/edge_data_ifxquantbot_2026h2/gold.csv")
    frame = hub.bars("cmx:GC", source="edge_data_ifxquantbot_2026h2").frame
    assert frame.loc["2026-01-02", "close"] == pytest.approx(4329.60)  # line 1 is data
    spx = hub.series("fred:SP500", date(2026, 1, 1), source="edge_data_ifxquantbot_2026h2")
    assert spx.frame.loc["2026-01-02", "value"] == pytest.approx(6858.47)


def test_companyfacts_imported(hub: DataHub) -> None:
    require_shared("sec/companyfacts/CIK0001652044.json")
    facts = hub.facts("sec:GOOGL", ["PaymentsToAcquirePropertyPlantAndEquipment"]).frame
    annual = facts[(facts["form"] == "10-K") & (facts["fp"] == "FY")]
    assert (annual["value"] == 52.535e9).any()


def test_reimport_is_idempotent(store: Store) -> None:
    before = store.row_counts()
    import_path(store, SHARED_DATA / "prices" / "us" / "etf_daily_kittycapital")
    after = store.row_counts()
    assert {k: after[k] for k in ("bars", "series", "facts")} == {
        k: before[k] for k in ("bars", "series", "facts")}


def test_closes_wide(hub: DataHub) -> None:
    wide = hub.closes(["us:SPY", "hkidx:HSI"], date(2025, 1, 1), date(2025, 12, 31))
    assert list(wide.columns) == ["us:SPY", "hkidx:HSI"]
    assert len(wide.attrs["provenance"]) == 2
    assert wide["us:SPY"].count() > 200


def test_unknown_file_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "mystery.csv").write_text("a,b\n1,2\n")
    report = import_path(Store(tmp_path / "s.duckdb"), tmp_path)
    assert report.unknown == [tmp_path / "mystery.csv"]
