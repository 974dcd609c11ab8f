"""Which instrument, layout and source each known data file holds.

Files are matched by their parent folder name and file name (not the full path), so a
user may import ``../shared/data`` or any sub-folder of it. The source label is the
folder name, except where one folder mixes repositories (noted per entry). Files that are
deliberately not imported carry a ``skip`` reason so an import report can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

Layout = Literal[
    "ohlc_csv",  # header-named OHLC(V) columns in any order; also date,close
    "value_csv",  # date,value / as_of,value,status / date,<SERIES_ID> / date,close
    "investing_cn",  # investing.com Chinese export (BOM, quoted, commas, M/B volumes)
    "margin_csv",  # A-share margin totals: one file, four series
    "dashboard_json",  # {dates, values} or {dates, series:{...}} dashboards
    "companyfacts_json",  # SEC XBRL companyfacts API body
]

_SPLIT_ONLY = "split-adjusted, not dividend-adjusted (Close as the source gives it)"
_YAHOO_BOTH = "raw close in close, split+dividend adjusted in adj_close"
_FORWARD = "forward-adjusted (qfq) as of the source's fetch date"
_BACK_ADJUSTED = ("dividend back-adjusted up to the latest ex-date, raw after it "
                  "(mixed within the file)")
#: an exchange's BTC/USD spot series: a different instrument from Yahoo's crypto:BTC-USD.
EXCHANGE_BTC = "crypto:BTC-USD-EXCHANGE"


@dataclass(frozen=True)
class CatalogEntry:
    """How to read the files matching ``folder``/``pattern``.

    ``instrument`` is a template over the file stem: ``{stem}`` or ``{STEM}`` (upper).
    ``ids`` overrides the template for particular stems. ``options`` names per-file
    quirk handlers understood by the layout readers (see importers/csv_layouts.py).
    ``columns`` names the columns of a file that has no header row (its first line is
    data, so it must not be read as a header).
    """

    folder: str
    pattern: str
    layout: Layout | None
    instrument: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    adjustment: str | None = None
    options: frozenset[str] = frozenset()
    skip: str | None = None
    columns: tuple[str, ...] | None = None  # names for a file without a header row

    def instrument_for(self, stem: str) -> str:
        if stem in self.ids:
            return self.ids[stem]
        return self.instrument.format(stem=stem, STEM=stem.upper())

    def source_for(self, path: Path) -> str:
        return self.source or path.parent.name


_KITTY_OLD = "btc_asset_correlation_kittycapital"  # the *_from2014 files' own repository

ENTRIES: tuple[CatalogEntry, ...] = (
    # -- US prices --------------------------------------------------------------------
    CatalogEntry("etf_daily_kittycapital", "BTC_USD.csv", "ohlc_csv", "crypto:BTC-USD",
                 adjustment="none (spot)", options=frozenset({"btc_placeholders"})),
    CatalogEntry("etf_daily_kittycapital", "BTC_from2014.csv", "ohlc_csv", "crypto:BTC-USD",
                 source=_KITTY_OLD, adjustment="none (spot)"),
    CatalogEntry("etf_daily_kittycapital", "DXY_from2014.csv", "ohlc_csv", "fx:DXY",
                 source=_KITTY_OLD, adjustment="none (index)",
                 options=frozenset({"zero_volume_missing"})),
    CatalogEntry("etf_daily_kittycapital", "IGV_from2014.csv", "ohlc_csv", "us:IGV",
                 source=_KITTY_OLD, adjustment=_SPLIT_ONLY),
    CatalogEntry("etf_daily_kittycapital", "*.csv", "ohlc_csv", "us:{STEM}",
                 adjustment=_SPLIT_ONLY),
    CatalogEntry("us", "SMH_adjusted_jonsflow.csv", "ohlc_csv", "us:SMH",
                 adjustment="split+dividend adjusted in close (no raw close)"),
    CatalogEntry("nasdaq100_2020_2026_growwanalysis", "*.csv", "ohlc_csv", "us:{STEM}",
                 adjustment=_YAHOO_BOTH),
    CatalogEntry("stocks_2000_2024_dieperdev", "*.csv", "ohlc_csv", "us:{STEM}",
                 adjustment=_YAHOO_BOTH),
    CatalogEntry("alpaca_2020_2025_spooky", "*.csv", "ohlc_csv", "us:{STEM}",
                 adjustment=_YAHOO_BOTH, options=frozenset({"drop_volume"})),
    CatalogEntry("market_data_drrobanthony", "*.csv", "ohlc_csv", "us:{STEM}",
                 adjustment=_BACK_ADJUSTED),
    # 2026 H2 extensions. The same repository's BTC file is an exchange BTC/USD series,
    # not Yahoo's BTC-USD (closes differ by ~0.02 %): it gets its own id, never a splice.
    CatalogEntry("market_data_drrobanthony_2026h2", "BTC.csv", "ohlc_csv",
                 EXCHANGE_BTC, adjustment="none (spot, one exchange; UTC days)"),
    CatalogEntry("market_data_drrobanthony_2026h2", "*.csv", "ohlc_csv", "us:{STEM}",
                 adjustment=_BACK_ADJUSTED),
    # Yahoo chart closes without a header: BTC-USD, ^NDX and ^GSPC (the same index levels
    # FRED publishes as NASDAQ100 and SP500, so they extend those series), GC=F.
    CatalogEntry("edge_data_ifxquantbot_2026h2", "ndx.csv", "value_csv", "fred:NASDAQ100",
                 columns=("date", "value")),
    CatalogEntry("edge_data_ifxquantbot_2026h2", "spx.csv", "value_csv", "fred:SP500",
                 columns=("date", "value")),
    CatalogEntry("edge_data_ifxquantbot_2026h2", "*.csv", "ohlc_csv",
                 ids={"btc": "crypto:BTC-USD", "gold": "cmx:GC"},
                 adjustment="none (Yahoo chart close)", columns=("date", "close")),
    CatalogEntry("index_levels_fred_finance_terminal", "*.csv", "value_csv",
                 ids={"nasdaq100": "fred:NASDAQ100", "sp500": "fred:SP500",
                      "vix": "fred:VIXCLS"}),
    CatalogEntry("index_levels_all_weather", "sp500_idx.csv", "value_csv", "fred:SP500"),
    # -- China and Hong Kong ----------------------------------------------------------
    CatalogEntry("csi_indices_ai_theme_monitor", "margin.csv", "margin_csv"),
    CatalogEntry("csi_indices_ai_theme_monitor", "*.csv", "ohlc_csv", "cnidx:{STEM}",
                 adjustment="price index", options=frozenset({"artifact_first_row"})),
    CatalogEntry("csi500_csi1000_zechenhehuo", "*.csv", "ohlc_csv",
                 ids={"sh000905": "cnidx:000905", "sh000852": "cnidx:000852",
                      "h00905": "cnidx:H00905", "h00852": "cnidx:H00852"},
                 adjustment="index (H-codes are total-return)"),
    CatalogEntry("a_shares_quant_weight_system", "index_000300_full.csv", "ohlc_csv",
                 "cnidx:000300", adjustment="price index"),
    CatalogEntry("a_shares_quant_weight_system", "*.csv", "ohlc_csv", "cn:{stem}",
                 adjustment=_FORWARD),
    CatalogEntry("2019_2025_reinahuang", "*.csv", "ohlc_csv", "cn:{stem}",
                 adjustment="unknown (likely forward-adjusted); volume in lots"),
    CatalogEntry("2025_2026_ljinkai", "*.csv", "ohlc_csv", "cn:{stem}",
                 adjustment="unknown (likely forward-adjusted); volume in lots"),
    CatalogEntry("csi_indices_marketor_2026h2", "*.csv", "ohlc_csv",
                 ids={"csi300": "cnidx:000300", "csi500": "cnidx:000905",
                      "csi1000": "cnidx:000852"}, adjustment="price index"),
    CatalogEntry("hstech_marketor_2026h2", "hstech.csv", "ohlc_csv", "hkidx:HSTECH",
                 adjustment="price index"),
    CatalogEntry("bull_bear_monitor_laimanto", "*.csv", "ohlc_csv", "hkidx:{STEM}",
                 adjustment="price index", options=frozenset({"flat_zero_volume"})),
    CatalogEntry("hstech_investing_indexquery", "*.csv", "investing_cn", "hkidx:HSTECH",
                 adjustment="price index; OHL back-filled before 2020-07-27 set to NaN"),
    # -- metals -----------------------------------------------------------------------
    CatalogEntry("lbma_gold_silver_finance_terminal", "*.csv", "value_csv", "lbma:{STEM}"),
    CatalogEntry("gc_si_futures_cot_positioning_sentiment", "*.csv", "ohlc_csv",
                 ids={"gold": "cmx:GC", "silver": "cmx:SI"},
                 adjustment="front-month futures, unadjusted rolls"),
    # -- macro ------------------------------------------------------------------------
    CatalogEntry("series_macro_charts", "*.csv", "value_csv", "fred:{STEM}"),
    CatalogEntry("cot_report_sphynxkatt0_2026h2", "*.csv", "value_csv", "fred:{STEM}"),
    CatalogEntry("macro_dashboard_kittycapital", "yield_curve.json", None,
                 skip="a yield-curve snapshot, not a time series"),
    CatalogEntry("macro_dashboard_kittycapital", "*.json", "dashboard_json"),
    # -- SEC --------------------------------------------------------------------------
    CatalogEntry("companyfacts", "CIK*.json", "companyfacts_json"),
    CatalogEntry("submissions", "*.json", None, skip="a filing index, not facts"),
    # -- never data -------------------------------------------------------------------
    CatalogEntry("*", "*.md", None, skip="documentation"),
    CatalogEntry("yahoo_chart_v8", "*", None, skip="recorded API response (provider tests)"),
    CatalogEntry("eastmoney_kline", "*", None, skip="recorded API response (provider tests)"),
)

# Tickers of the companyfacts files we know; others import as sec:CIK##########.
SEC_TICKERS = {"0001652044": "GOOGL", "0001045810": "NVDA", "0000320193": "AAPL",
               "0000789019": "MSFT"}


def match(path: Path) -> CatalogEntry | None:
    """The first entry matching this file's folder and name, or None (unknown file)."""
    for entry in ENTRIES:
        if fnmatch(path.parent.name, entry.folder) and fnmatch(path.name, entry.pattern):
            return entry
    return None
