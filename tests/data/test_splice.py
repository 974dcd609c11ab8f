"""The splice rule on hand-checkable series, the basis table, and real QQQ/GOOGL/BTC reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.data.basis import column_for
from narrowgate.data.hub import DataHub
from narrowgate.data.splice import SPLICE_TOLERANCE, splice
from tests.conftest import require_shared


def _s(start: str, values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"))


def test_newest_wins_and_older_extends_back_scaled_by_the_overlap_ratio() -> None:
    newest = _s("2026-01-03", [20.0, 22.0, 24.0])
    older = _s("2026-01-01", [5.0, 6.0, 10.0, 11.0])  # ratio 2 on 01-03 and 01-04
    out = splice([("new", newest), ("old", older)])
    assert out.values.tolist() == [10.0, 12.0, 20.0, 22.0, 24.0]
    assert [s.source for s in out.segments] == ["new", "old"]
    assert out.segments[1].factor == 2.0 and out.segments[1].overlap_days == 2
    assert out.warnings == []


def test_a_ratio_that_varies_on_the_overlap_is_reported() -> None:
    newest = _s("2026-01-03", [20.0, 22.0])
    older = _s("2026-01-01", [5.0, 6.0, 10.0, 10.0])  # ratios 2.0 and 2.2
    out = splice([("new", newest), ("old", older)])
    assert len(out.warnings) == 1 and "varies up to" in out.warnings[0]
    assert out.segments[1].spread > SPLICE_TOLERANCE


def test_no_common_day_joins_levels_as_published_and_reports_the_gap() -> None:
    parts = [("new", _s("2026-02-01", [3.0])), ("old", _s("2026-01-01", [1.0, 2.0]))]
    out = splice(parts, as_published=[True, True])
    assert out.values.tolist() == [1.0, 2.0, 3.0]
    assert out.segments[1].gap_days == 30  # 2026-01-02 … 2026-02-01
    assert "across a gap of 30 days (2026-01-02 … 2026-02-01)" in out.warnings[0]


def test_no_common_day_between_adjusted_closes_is_not_joined() -> None:
    """No factor can be measured, so the older adjusted file is left out and said so."""
    out = splice([("new", _s("2026-02-01", [3.0, 3.3])), ("old", _s("2026-01-01", [1.0]))])
    assert out.values.tolist() == [3.0, 3.3]
    assert [s.source for s in out.segments] == ["new"]
    assert out.warnings == ["old was not joined to new: no common day to measure the factor "
                            "between their adjusted closes (gap 2026-01-01 … 2026-02-01); the "
                            "series starts where the joined sources do"]


def test_a_series_is_never_rescaled_and_is_extended_both_ways() -> None:
    """A dated series (unscaled): the first source wins on its span; a longer-running copy
    extends it forwards and an older one backwards; disagreement is reported."""
    exact = _s("2026-01-03", [100.0, 101.0, 102.0])
    newer = _s("2026-01-04", [101.0, 102.4, 104.0, 105.0])  # 102.4 vs 102: 0.39 %
    older = _s("2026-01-01", [98.0, 99.0, 100.0])
    out = splice([("exact", exact), ("newer", newer), ("older", older)], scale=False)
    assert out.values.tolist() == [98.0, 99.0, 100.0, 101.0, 102.0, 104.0, 105.0]
    assert [(s.source, s.factor, str(s.first)) for s in out.segments] == [
        ("exact", 1.0, "2026-01-03"), ("newer", 1.0, "2026-01-06"),
        ("older", 1.0, "2026-01-01")]
    assert out.warnings == []  # within 0.5 %
    off = splice([("exact", exact), ("newer", newer * 1.02)], scale=False)
    assert off.values.tolist()[-1] == pytest.approx(107.1)  # as published, not rescaled
    assert "newer disagrees with exact after 2026-01-05" in off.warnings[0]


def test_basis_table() -> None:
    yahoo = "raw close in close, split+dividend adjusted in adj_close"
    assert column_for("us:GOOGL", yahoo, "total") == "adj_close"
    assert column_for("us:GOOGL", yahoo, "split") == "close"
    assert column_for("us:GOOGL", yahoo, "raw") is None
    split_only = "split-adjusted, not dividend-adjusted (Close as the source gives it)"
    assert column_for("us:QQQ", split_only, "total") is None
    assert column_for("crypto:BTC-USD", None, "total") == "close"  # pays no income
    assert column_for("cnidx:000300", "price index", "total") is None


@pytest.fixture
def hub(imported_hub: DataHub) -> DataHub:
    require_shared("prices/us/market_data_drrobanthony_2026h2/QQQ.csv")
    return imported_hub


def test_qqq_since_2026_reaches_the_newest_file_on_the_total_basis(hub: DataHub) -> None:
    wide = hub.closes(["us:QQQ"], date(2026, 1, 1))
    prov = wide.attrs["provenance"][0]
    assert prov.basis == "total" and prov.last == date(2026, 10, 6)
    assert prov.source == "market_data_drrobanthony_2026h2"
    # the 2026 H2 file's own 2-decimal raw close after the 09-21 ex-date, unscaled
    assert wide.loc["2026-10-06", "us:QQQ"] == pytest.approx(759.66)


def test_googl_total_basis_splices_three_files_and_keeps_their_returns(hub: DataHub) -> None:
    require_shared("prices/us/stocks_2000_2024_dieperdev/GOOGL.csv")
    wide = hub.closes(["us:GOOGL"], date(2019, 1, 1), basis="total")
    prov = wide.attrs["provenance"][0]
    assert prov.last == date(2026, 9, 25)
    assert prov.source.split(" + ")[0] == "market_data_drrobanthony"
    # before 2024 the values are the older Yahoo file's adj_close, scaled by one factor:
    # its returns are unchanged
    older = hub.bars("us:GOOGL", date(2020, 1, 2), date(2023, 12, 29),
                     source="nasdaq100_2020_2026_growwanalysis").frame["close"]
    spliced = wide["us:GOOGL"].loc["2020-01-02":"2023-12-29"]
    ratio = spliced / older.reindex(spliced.index)
    assert float(ratio.max() / ratio.min() - 1) < 1e-9


def test_split_and_total_are_never_mixed_in_one_read(hub: DataHub) -> None:
    # TLT has only a split-adjusted file, so SPY is read split-adjusted too
    wide = hub.closes(["us:SPY", "us:TLT"], date(2026, 1, 27))
    assert {p.basis for p in wide.attrs["provenance"]} == {"split"}


def test_a_basis_no_source_serves_is_named(hub: DataHub) -> None:
    from narrowgate.errors import DataNotFound

    with pytest.raises(DataNotFound, match="serves the 'total' price basis"):
        hub.closes(["us:TLT"], date(2026, 1, 1), basis="total")


def test_the_exchange_btc_series_is_its_own_instrument(hub: DataHub) -> None:
    yahoo = hub.closes(["crypto:BTC-USD"], date(2026, 9, 1)).attrs["provenance"][0]
    assert "market_data_drrobanthony_2026h2" not in yahoo.source
    assert yahoo.last == date(2026, 10, 3)
    exchange = hub.closes(["crypto:BTC-USD-EXCHANGE"], date(2026, 9, 1))
    assert exchange.attrs["provenance"][0].last == date(2026, 10, 7)


def test_the_splice_check_reports_qqq_split_against_total(hub: DataHub) -> None:
    """QQQ's split-adjusted file over its dividend back-adjusted 2026 file: never spliced
    together (different bases), but the check shows how far apart they are — the dividends
    paid between each row and 2026-10-06."""
    from narrowgate.data.splice import agreement

    require_shared("prices/us/etf_daily_kittycapital/QQQ.csv")
    newest = hub.bars("us:QQQ", source="market_data_drrobanthony_2026h2", adjust="raw")
    split = hub.bars("us:QQQ", source="etf_daily_kittycapital", adjust="raw")
    got = agreement(("total", newest.frame["close"]), ("split", split.frame["close"]))
    assert got.common_days == 160  # 2026-01-02 … 2026-08-21
    assert 1.001 < got.min_ratio <= got.median_ratio <= got.max_ratio < 1.0035
    same = hub.bars("us:QQQ", source="market_data_drrobanthony", adjust="raw")
    twin = agreement(("new", newest.frame["close"]), ("old", same.frame["close"]))
    assert twin.common_days == 184 and abs(twin.median_ratio - 1) < 1e-6


def test_data_sources_command_shows_the_check(imported_store_path: object,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from narrowgate.cli.data_cmd import app

    monkeypatch.setenv("NARROWGATE_HOME", str(Path(str(imported_store_path)).parent))
    result = CliRunner().invoke(app, ["sources", "us:QQQ"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "etf_daily_kittycapital" in result.output and "split / —" in result.output
    assert "1.00214" in result.output
