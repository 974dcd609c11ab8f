"""Provider registry: market → provider, and a cheap import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from narrowgate.data.providers import get_provider, provider_for
from narrowgate.errors import DataNotFound


@pytest.mark.parametrize(
    ("market", "name"),
    [("us", "yahoo"), ("crypto", "yahoo"), ("hk", "yahoo"), ("hkidx", "yahoo"),
     ("cn", "akshare"), ("cnidx", "akshare"), ("cnfut", "akshare"), ("sec", "sec"),
     ("fred", "fred"), ("US", "yahoo")],
)
def test_market_to_provider(market: str, name: str) -> None:
    assert get_provider(market).name == name


def test_instrument_overrides() -> None:
    assert provider_for("hkidx:HSTECH").name == "akshare"
    assert provider_for("hkidx:HSI").name == "yahoo"
    assert provider_for("sec:MSFT").name == "sec"


def test_unknown_market_names_it() -> None:
    with pytest.raises(DataNotFound, match="market 'lse'"):
        get_provider("lse")
    with pytest.raises(DataNotFound, match="market:symbol"):
        provider_for("MSFT")


def test_import_is_cheap() -> None:
    code = (
        "import sys, narrowgate.data.providers as p; p.MARKET_PROVIDERS; "
        "print(sorted(m for m in ('pandas', 'httpx', 'yfinance', 'akshare') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_market_table_and_the_provider_registry_cannot_drift() -> None:
    """One table (instruments.MARKETS) says which provider serves a market; the registry
    and each provider's own list of markets agree with it."""
    from narrowgate.data.providers import _CLASSES, MARKET_PROVIDERS
    from narrowgate.data.providers.yahoo import YAHOO_MARKETS
    from narrowgate.instruments import MARKETS

    for code, market in MARKETS.items():
        assert MARKET_PROVIDERS.get(code) == market.provider, code
        if market.provider is not None:
            assert market.provider in _CLASSES, code
    assert set(YAHOO_MARKETS) == {c for c, m in MARKETS.items() if m.provider == "yahoo"}


def test_import_only_markets_and_instruments_say_so() -> None:
    with pytest.raises(DataNotFound, match="no data provider for market 'cnmargin'"):
        provider_for("cnmargin:FIN_BALANCE")
    with pytest.raises(DataNotFound, match="arrives by import only"):
        provider_for("crypto:BTC-USD-EXCHANGE")
    assert provider_for("crypto:BTC-USD").name == "yahoo"
