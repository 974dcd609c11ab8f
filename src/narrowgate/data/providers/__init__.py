"""Provider registry: which live source serves which market.

The hub asks :func:`provider_for` (or :func:`get_provider` by market) and never imports a
vendor module itself. Provider modules, and the heavy libraries they use, are imported only
when a provider is first asked for, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from narrowgate.data.catalog import EXCHANGE_BTC
from narrowgate.errors import DataNotFound
from narrowgate.instruments import MARKETS

if TYPE_CHECKING:
    from narrowgate.data.providers.base import Provider

#: market → provider name, read from the one market table (``instruments.MARKETS``) so
#: the two cannot drift; markets without a provider arrive by import only.
MARKET_PROVIDERS: dict[str, str] = {
    code: market.provider for code, market in MARKETS.items() if market.provider is not None}

#: instruments whose market's usual provider does not serve them: another provider
#: (Yahoo's HSTECH history is thin), or None for an import-only series (an exchange's
#: BTC/USD file is not Yahoo's BTC-USD).
INSTRUMENT_PROVIDERS: dict[str, str | None] = {
    "hkidx:HSTECH": "akshare", EXCHANGE_BTC: None}

_CLASSES: dict[str, tuple[str, str]] = {
    "yahoo": ("narrowgate.data.providers.yahoo", "YahooProvider"),
    "akshare": ("narrowgate.data.providers.akshare", "AkshareProvider"),
    "sec": ("narrowgate.data.providers.sec", "SecProvider"),
    "fred": ("narrowgate.data.providers.fred", "FredProvider"),
}


def provider_named(name: str) -> Provider:
    """A new provider instance by provider name (yahoo, akshare, sec, fred)."""
    if name not in _CLASSES:
        raise DataNotFound(f"no provider named {name!r}; known: {', '.join(sorted(_CLASSES))}")
    module, cls = _CLASSES[name]
    provider: Provider = getattr(importlib.import_module(module), cls)()
    return provider


def get_provider(market: str) -> Provider:
    """The provider serving a market (``us``, ``cn``, ``sec``, …)."""
    key = market.strip().lower()
    if key not in MARKET_PROVIDERS:
        raise DataNotFound(
            f"no data provider for market {market!r}",
            f"known markets: {', '.join(sorted(MARKET_PROVIDERS))}",
        )
    return provider_named(MARKET_PROVIDERS[key])


def provider_for(instrument: str) -> Provider:
    """The provider serving one instrument id (``market:symbol``), exceptions included."""
    market, sep, symbol = instrument.partition(":")
    if not sep or not symbol:
        raise DataNotFound(f"instrument id {instrument!r} is not market:symbol, e.g. us:MSFT")
    key = f"{market.lower()}:{symbol}"
    overrides = {k.upper(): v for k, v in INSTRUMENT_PROVIDERS.items()}
    if key.upper() in overrides:
        name = overrides[key.upper()]
        if name is None:
            raise DataNotFound(f"no live provider serves {key}: it arrives by import only")
        return provider_named(name)
    return get_provider(market)


__all__ = ["INSTRUMENT_PROVIDERS", "MARKET_PROVIDERS", "get_provider", "provider_for",
           "provider_named"]
