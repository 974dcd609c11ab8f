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
