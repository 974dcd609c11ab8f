"""Markets Yahoo serves through a symbol map (fx:, cmx:, hk:, hkidx:): the id → symbol →
request shaping, and one live-path round trip on the recorded GC=F chart (127.0.0.1)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import pytest

from narrowgate.data.providers import provider_for
from narrowgate.data.providers.base import Query
from narrowgate.data.providers.http import RetryPolicy
from narrowgate.data.providers.yahoo import YahooProvider, chart_request, yahoo_symbol
from narrowgate.errors import DataNotFound
from tests.conftest import require_shared
from tests.providers.scripted_server import Answer, ScriptedServer

GOLD_CHART = "fixtures/yahoo_chart_v8/chart-GC_F-2020-01-01-to-2020-01-03.json"


@pytest.mark.parametrize(
    ("instrument", "symbol"),
    [
        ("fx:DXY", "DX-Y.NYB"),  # ICE dollar index, NYBOT listing
        ("fx:dxy", "DX-Y.NYB"),
        ("fx:EURUSD", "EURUSD=X"),
        ("cmx:GC", "GC=F"),  # COMEX gold, continuous front month
        ("cmx:SI", "SI=F"),  # COMEX silver
        ("cmx:HG", "HG=F"),
        ("hkidx:HSI", "^HSI"),
        ("hkidx:HSCEI", "^HSCE"),
        ("hk:0700", "0700.HK"),
        ("hk:700", "0700.HK"),
        ("hk:9988.HK", "9988.HK"),
    ],
)
def test_symbol_map(instrument: str, symbol: str) -> None:
    assert yahoo_symbol(instrument) == symbol


@pytest.mark.parametrize("instrument", ["fx:DXY", "cmx:GC", "cmx:SI", "hk:0700", "hkidx:HSI"])
def test_registry_sends_these_markets_to_yahoo(instrument: str) -> None:
    assert provider_for(instrument).name == "yahoo"


def test_chart_request_for_the_dollar_index() -> None:
    url, params = chart_request(yahoo_symbol("fx:DXY"), date(2020, 1, 2), date(2020, 1, 3),
                                "http://127.0.0.1:9")
    assert url == "http://127.0.0.1:9/v8/finance/chart/DX-Y.NYB"
    assert params["period1"] == 1577923200  # 2020-01-02 00:00 UTC
    assert params["period2"] == 1578096000  # exclusive: 2020-01-04 00:00 UTC
    assert params["interval"] == "1d" and params["events"] == "div,splits"


def test_gold_round_trip_on_the_recorded_chart(server: ScriptedServer) -> None:
    body = require_shared(GOLD_CHART).read_bytes()
    server.route("/v8/finance/chart/GC=F", Answer(200, body))
    provider = YahooProvider(server.url, retry=RetryPolicy(attempts=1), rate_per_second=0,
                             fallback=False)
    result = provider.fetch(Query("cmx:GC", "bars", date(2020, 1, 1), date(2020, 1, 3)))
    hit = server.hits_on("/v8/finance/chart/GC=F")[0]
    assert parse_qs(hit.query)["period1"] == ["1577836800"]
    assert result.request.startswith(f"{server.url}/v8/finance/chart/GC=F?")
    assert result.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-01-02"]
    assert 1400 < result.frame["close"].iloc[0] < 1700  # USD/oz, early January 2020


def test_hang_seng_request_shape(server: ScriptedServer) -> None:
    """No recorded HSI chart exists, so only the request is checked (the answer is a 404)."""
    provider = YahooProvider(server.url, retry=RetryPolicy(attempts=1), rate_per_second=0,
                             fallback=False)
    with pytest.raises(DataNotFound, match="HTTP 404"):
        provider.fetch(Query("hkidx:HSI", "bars", date(2020, 1, 1), date(2020, 1, 3)))
    assert [h.path for h in server.hits] == ["/v8/finance/chart/^HSI"]
