"""Hub policy (store first, offline, degraded provider) and the `data` CLI."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from narrowgate.cli.data_cmd import app
from narrowgate.data.hub import DataHub, Need
from narrowgate.data.providers.base import FetchResult, Query
from narrowgate.data.store import Store
from narrowgate.errors import DataNotFound, ProviderError
from narrowgate.instruments import InstrumentError, parse_instrument
from tests.conftest import require_shared


class FakeProvider:
    """A provider that answers from memory, or fails like an unreachable network."""

    name = "fake"
    kinds = ("bars",)

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[Query] = []

    def fetch(self, query: Query) -> FetchResult:
        self.calls.append(query)
        if self.fail:
            raise ProviderError("fake: connection refused")
        frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
                              "open": [1.0, 2.0], "high": [1.0, 2.0], "low": [1.0, 2.0],
                              "close": [1.0, 2.0], "adj_close": [0.5, 1.0],
                              "volume": [10.0, 20.0]})
        return FetchResult(frame, "fake", f"fake {query.instrument}", datetime.now(), "bars")


def test_instrument_ids() -> None:
    assert str(parse_instrument("US:QQQ")) == "us:QQQ"
    assert parse_instrument("cnfut:IM").future is not None
    assert parse_instrument("cnfut:IM").future.min_margin == 0.15  # type: ignore[union-attr]
    with pytest.raises(InstrumentError, match=r"unknown market 'xx' in 'xx:FOO'.*use one of"):
        parse_instrument("xx:FOO")


def test_offline_miss_names_the_command() -> None:
    hub = DataHub(Store(), offline=True)
    with pytest.raises(DataNotFound) as err:
        hub.bars("us:QQQ", date(2020, 1, 1), date(2020, 12, 31))
    message = str(err.value)
    assert "us:QQQ" in message and "2020-01-01" in message
    assert err.value.fetch == ("us:QQQ",)
    assert "narrowgate" not in message and "shared/data" not in message
    from narrowgate.report.commands import fetch_commands

    assert fetch_commands(err.value.fetch) == ("`narrowgate data pull us:QQQ` or "
                                               "`narrowgate data import DIR` (recorded files)")


def test_miss_fetches_then_serves_from_store() -> None:
    provider = FakeProvider()
    hub = DataHub(Store(), provider_for=lambda _i: provider)
    bars = hub.bars("us:FAKE")
    assert bars.frame["close"].tolist() == [0.5, 1.0]  # adjusted by adj_close/close
    assert hub.bars("us:FAKE", adjust="raw").frame["close"].tolist() == [1.0, 2.0]
    assert len(provider.calls) == 1  # second read came from the store


def test_unreachable_provider_warns_once_and_marks_stale() -> None:
    store = Store()
    DataHub(store, provider_for=lambda _i: FakeProvider()).bars("us:FAKE")
    later = lambda: datetime.now() + timedelta(days=3)  # noqa: E731
    hub = DataHub(store, provider_for=lambda _i: FakeProvider(fail=True), clock=later)
    first = hub.bars("us:FAKE")
    hub.bars("us:FAKE")
    assert first.provenance[0].stale
    assert len(hub.warnings) == 1 and "unreachable" in hub.warnings[0]
    with pytest.raises(DataNotFound, match="fake is unreachable"):
        hub.bars("us:OTHER")


def test_plan_reports_present_and_missing() -> None:
    hub = DataHub(Store(), provider_for=lambda _i: FakeProvider())
    hub.bars("us:FAKE")
    plan = hub.plan([Need("us:FAKE", "bars", date(2024, 1, 2), date(2024, 1, 3)),
                     Need("us:NONE", "bars")])
    assert [i.need.instrument for i in plan.present] == ["us:FAKE"]
    assert [i.need.instrument for i in plan.missing] == ["us:NONE"]


def test_cli_import_show_check_flags_bad_row(tmp_path: Path) -> None:
    csv = tmp_path / "mine.csv"
    csv.write_text("date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n"
                   "2024-01-03,10,11,9,-1,100\n2024-01-04,10,11,9,10.2,100\n"
                   "2024-01-04,10,11,9,10.2,100\n")
    runner = CliRunner()
    # the import refuses the negative close (nothing stored); `data check FILE` lists it
    result = runner.invoke(app, ["import", str(csv), "--id", "us:MINE"])
    from narrowgate.data.importers import ImportFailed

    assert isinstance(result.exception, ImportFailed) and result.exception.exit_code == 7
    assert "mine.csv:3: column 'close' holds '-1.0': zero or negative" in str(result.exception)
    result = runner.invoke(app, ["check", str(csv)])
    assert "duplicate date" in result.output and "non-positive" in result.output


def test_cli_export_csv(tmp_path: Path) -> None:
    require_shared("prices/us/etf_daily_kittycapital/QQQ.csv")
    from tests.conftest import SHARED_DATA

    runner = CliRunner()
    src = SHARED_DATA / "prices" / "us" / "etf_daily_kittycapital" / "QQQ.csv"
    assert runner.invoke(app, ["import", str(src)]).exit_code == 0
    out = tmp_path / "qqq.csv"
    result = runner.invoke(app, ["export", "us:QQQ", "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2026-08-21" in out.read_text()


def test_split_like_jump_flagged() -> None:
    from narrowgate.data.importers.quality import check_bars

    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", "2024-01-03"]),
                          "open": [100.0, 50.0], "high": [100.0, 50.0], "low": [100.0, 50.0],
                          "close": [100.0, 50.2], "adj_close": [float("nan")] * 2})
    found = check_bars("t", frame, None)
    assert [f.check for f in found] == ["split-like jump"]


def test_check_a_zero_close_after_a_negative_one_lists_both(tmp_path: Path) -> None:
    csv = tmp_path / "z.csv"
    csv.write_text("date,close\n2024-01-02,10\n2024-01-03,-1\n2024-01-04,0\n2024-01-05,10\n")
    result = CliRunner().invoke(app, ["check", str(csv)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.count("non-positive price") == 2


def test_ls_json_and_an_uncut_piped_table(tmp_path: Path) -> None:
    import json

    csv = tmp_path / "mine.csv"
    csv.write_text("date,close\n2024-01-02,10\n2024-01-03,11\n")
    runner = CliRunner()
    source = "a_source_label_long_enough_to_be_cut_at_eighty_columns"
    assert runner.invoke(app, ["import", str(csv), "--id", "us:MINE", "--source",
                               source]).exit_code == 0
    payload = json.loads(runner.invoke(app, ["ls", "--json"]).output)
    (row,) = payload["rows"]
    assert (row["instrument"], row["source"], row["rows"]) == ("us:MINE", source, 2)
    assert (row["first"], row["last"]) == ("2024-01-02", "2024-01-03")
    table = runner.invoke(app, ["ls"]).output  # not a TTY: the full width, no ellipsis
    assert source in table and "…" not in table
