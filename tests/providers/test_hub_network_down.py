"""Network down, end to end: the real Yahoo, FRED and SEC providers pointed at 127.0.0.1
(a port nobody listens on, or a server too slow to answer) behind a DataHub whose store
holds older data. Extends tests/data/test_hub_cli.py, which covers the same policy with an
in-memory provider."""

from __future__ import annotations

import socket
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.data.hub import DataHub
from narrowgate.data.providers.base import Provider
from narrowgate.data.providers.fred import FredProvider
from narrowgate.data.providers.http import RetryPolicy
from narrowgate.data.providers.sec import SecProvider
from narrowgate.data.providers.yahoo import YahooProvider
from narrowgate.data.store import Store, StoreWrite
from narrowgate.errors import DataNotFound
from tests.providers.scripted_server import Answer, ScriptedServer

OLD = datetime.now() - timedelta(days=90)  # every kind's freshness has lapsed


def refused_url() -> str:
    """A loopback URL that refuses connections (bound, then closed: nothing listens)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def stocked_store(path: Path) -> Store:
    store = Store(path)
    days = pd.to_datetime(["2024-01-02", "2024-01-03"])
    bars = pd.DataFrame({"date": days, "open": [1.0, 2.0], "high": [1.0, 2.0],
                         "low": [1.0, 2.0], "close": [1.0, 2.0], "adj_close": [1.0, 2.0],
                         "volume": [1.0, 1.0]})
    series = pd.DataFrame({"date": days, "value": [7.0, 8.0]})
    facts = pd.DataFrame({"concept": ["NetIncomeLoss"], "taxonomy": ["us-gaap"],
                          "unit": ["USD"], "start": [pd.Timestamp("2023-01-01")],
                          "end": [pd.Timestamp("2023-12-31")], "fy": [2023], "fp": ["FY"],
                          "form": ["10-K"], "filed": [pd.Timestamp("2024-02-01")],
                          "accession": ["0000-1"], "value": [1.0e9]})
    store.write([
        StoreWrite("bars", "us:AAA", "yahoo", bars, "yahoo", "old", OLD),
        StoreWrite("bars", "us:BBB", "yahoo", bars, "yahoo", "old", OLD),
        StoreWrite("series", "fred:WALCL", "fred", series, "fred", "old", OLD),
        StoreWrite("facts", "sec:MSFT", "sec", facts, "sec", "old", OLD),
    ])
    return store


def hub_against(base: str, store: Store, timeout: float = 0.3) -> DataHub:
    retry = RetryPolicy(attempts=2, backoff=0.01, timeout=timeout)
    providers: dict[str, Provider] = {
        "us": YahooProvider(base, retry=retry, rate_per_second=0, fallback=False),
        "fred": FredProvider(base, retry=retry, rate_per_second=0),
        "sec": SecProvider(base, retry=retry, rate_per_second=0, use_ticker_file=False),
    }
    return DataHub(store, provider_for=lambda inst: providers[inst.partition(":")[0]])


def assert_degraded_to_store(hub: DataHub) -> None:
    first = hub.bars("us:AAA")
    second = hub.bars("us:BBB")
    series = hub.series("fred:WALCL")
    facts = hub.facts("sec:MSFT")
    # the stored rows are served, each marked stale
    assert first.frame["close"].tolist() == [1.0, 2.0] and second.frame["close"].size == 2
    assert series.frame["value"].tolist() == [7.0, 8.0]
    assert facts.frame["value"].tolist() == [1.0e9]
    for result in (first, second, series, facts):
        assert result.provenance[0].stale and result.provenance[0].request == "old"
    # exactly one warning per provider, however many instruments it failed for
    assert sorted(w.split()[0] for w in hub.warnings) == ["fred", "sec", "yahoo"]
    assert all("unreachable" in w and "using stored data" in w for w in hub.warnings)
    # nothing stored and the provider down: DataNotFound naming the commands
    with pytest.raises(DataNotFound) as caught:
        hub.bars("us:NONE", date(2024, 1, 1), date(2024, 6, 30))
    message = str(caught.value)
    assert "us:NONE" in message and "yahoo is unreachable" in message
    assert caught.value.fetch == ("us:NONE",)  # the CLI names the command
    assert "narrowgate" not in message and "shared/data" not in message
    assert len(hub.warnings) == 3


def test_connection_refused(tmp_path: Path) -> None:
    store = stocked_store(tmp_path / "store.duckdb")
    before = store.row_counts()
    hub = hub_against(refused_url(), store)
    assert_degraded_to_store(hub)
    after = store.row_counts()
    # a failed fetch writes no data, only its line in the fetch log (status error): one per
    # provider tried (the others are skipped once their provider is known to be down)
    assert {k: v for k, v in after.items() if k != "fetch_log"} == \
        {k: v for k, v in before.items() if k != "fetch_log"}
    failed = store.fetch_log(limit=after["fetch_log"] - before["fetch_log"])
    assert sorted(row.provider for row in failed) == ["fred", "sec", "yahoo"]
    assert {row.status for row in failed} == {"error"}


def test_server_too_slow(tmp_path: Path, server: ScriptedServer) -> None:
    slow = Answer(200, "late", delay=1.0)
    for path in ("/v8/finance/chart/AAA", "/graph/fredgraph.csv",
                 "/api/xbrl/companyfacts/CIK0000789019.json"):
        server.route(path, slow)
    hub = hub_against(server.url, stocked_store(tmp_path / "store.duckdb"), timeout=0.2)
    assert_degraded_to_store(hub)
    # the failed provider is not asked again for the second instrument (one warning, fast)
    assert len(server.hits_on("/v8/finance/chart/AAA")) == 2  # two attempts, then given up
    assert server.hits_on("/v8/finance/chart/BBB") == []


def test_offline_hub_never_connects(tmp_path: Path, server: ScriptedServer) -> None:
    store = stocked_store(tmp_path / "store.duckdb")
    hub = DataHub(store, offline=True)
    assert hub.bars("us:AAA").provenance[0].stale
    assert hub.warnings == [] and server.hits == []
