"""Reachability per provider, through the proxy variables (issue #15 item 5): the real
Yahoo and FRED providers, addressed by their ``NARROWGATE_<PROVIDER>_BASE`` variables at
127.0.0.1, behind the default registry's gate. One down does not stop the other; a proxy
that refuses is named in the one line; ``NO_PROXY`` keeps loopback off the proxy."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from narrowgate.data.hub import DataHub
from narrowgate.data.reachability import Reachability, endpoints, new_run, provider_reachable
from narrowgate.data.store import Store
from tests.conftest import require_shared
from tests.providers.scripted_server import Answer, ScriptedServer

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy", "NO_PROXY", "no_proxy")


def refused_url() -> str:
    """A loopback URL that refuses connections (bound, then closed: nothing listens)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the proxy variables it means; the run's answers start empty."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    new_run()


def walcl_server(server: ScriptedServer) -> None:
    body = require_shared("fred/series_macro_charts/WALCL.csv").read_bytes()
    server.route("/graph/fredgraph.csv", Answer(200, body))


def test_yahoo_down_fred_up_still_fetches_fred(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    walcl_server(server)
    down = refused_url()
    monkeypatch.setenv("NARROWGATE_FRED_BASE", server.url)
    monkeypatch.setenv("NARROWGATE_YAHOO_BASE", down)
    hub = DataHub(Store(tmp_path / "store.duckdb"))

    failure = hub.refresh("us:QQQ", "bars")
    assert failure == "yahoo unreachable" and not failure.not_found
    assert hub.refresh("fred:WALCL", "series") is None
    walcl = hub.series("fred:WALCL")
    assert walcl.provenance[0].provider == "fred" and len(walcl.frame) > 900
    # FRED was fetched once; Yahoo never got a request past the probe
    assert [hit.path for hit in server.hits] == ["/graph/fredgraph.csv"]
    assert hub.warnings == [f"yahoo unreachable (yahoo: no answer from {down} (connection "
                            "refused)); using stored data, marked stale"]
    # asked once per run: the next Yahoo instrument is skipped without another probe
    assert hub.refresh("us:DIA", "bars") == "yahoo is unreachable"
    log = hub.store.fetch_log()
    assert {(row.provider, row.instrument, row.status) for row in log} == {
        ("yahoo", "us:QQQ", "error"), ("fred", "fred:WALCL", "ok")}


def test_a_refusing_proxy_is_named_in_one_line(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    walcl_server(server)
    proxy = refused_url()
    monkeypatch.setenv("NARROWGATE_FRED_BASE", server.url)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    hub = DataHub(Store(tmp_path / "store.duckdb"))

    assert hub.refresh("fred:WALCL", "series") == "fred unreachable"
    (warning,) = hub.warnings
    assert "\n" not in warning
    assert warning == (f"fred unreachable (fred: no answer from {server.url} through proxy "
                       f"{proxy} (set by HTTP_PROXY): connection refused — check the proxy, "
                       "or add the host to NO_PROXY); using stored data, marked stale")
    assert server.hits == []  # the request went to the proxy, as the real fetch would


def test_no_proxy_keeps_loopback_off_the_proxy(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    walcl_server(server)
    monkeypatch.setenv("NARROWGATE_FRED_BASE", server.url)
    monkeypatch.setenv("HTTP_PROXY", refused_url())
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    hub = DataHub(Store(tmp_path / "store.duckdb"))

    assert hub.refresh("fred:WALCL", "series") is None
    assert hub.warnings == [] and [hit.path for hit in server.hits] == ["/graph/fredgraph.csv"]


def test_any_http_answer_counts_and_answers_are_kept_per_run(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 404 or 501 is a host that is there; a changed proxy setting is asked again."""
    answers = Reachability(timeout_s=2.0)
    assert answers.check("fred", [server.url]).ok  # HEAD: the test server answers 501
    assert answers.check("fred", [server.url + "/nothing-here"]).ok
    proxy = refused_url()
    monkeypatch.setenv("HTTP_PROXY", proxy)
    behind = answers.check("fred", [server.url])
    assert not behind.ok and f"through proxy {proxy} (set by HTTP_PROXY)" in behind.line
    monkeypatch.delenv("HTTP_PROXY")
    assert answers.check("fred", [server.url]).ok


def test_several_hosts_answer_for_their_provider_when_any_does(server: ScriptedServer) -> None:
    down = refused_url()
    answers = Reachability(timeout_s=2.0)
    assert answers.check("akshare", [down, server.url]).ok
    both_down = answers.check("akshare", [down, refused_url()])
    assert not both_down.ok
    assert both_down.line == (f"akshare: no answer from {down} (connection refused; nor did "
                              "its 1 other host)")


def test_the_addresses_asked_are_the_providers_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.data.providers import provider_named

    monkeypatch.setenv("NARROWGATE_SEC_BASE", "http://127.0.0.1:9/")
    assert endpoints(provider_named("sec")) == ("http://127.0.0.1:9",)
    monkeypatch.delenv("NARROWGATE_YAHOO_BASE", raising=False)
    assert endpoints(provider_named("yahoo")) == ("https://query2.finance.yahoo.com",)
    assert len(endpoints(provider_named("akshare"))) == 4  # eastmoney, CSI, two sina hosts


def test_sources_outside_the_registry_ask_by_address(server: ScriptedServer) -> None:
    """OpenRouter's price list is fetched by the data view, not a registry provider."""
    assert provider_reachable("openrouter", [server.url]).ok
    down = provider_reachable("openrouter", [refused_url()])
    assert not down.ok and down.line.startswith("openrouter: no answer from http://127.0.0.1:")
