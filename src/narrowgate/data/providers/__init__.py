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


#: entry-point group through which other packages add providers (see CONTRIBUTING.md)
PROVIDERS_ENTRY_POINTS = "narrowgate.providers"


def _plugin_class(name: str) -> type[Provider] | None:
    """A provider class another package registers under ``name`` (entry points are only
    scanned when a name is not built in, so the usual path stays cheap)."""
    from importlib.metadata import entry_points

    for point in entry_points(group=PROVIDERS_ENTRY_POINTS, name=name):
        try:
            loaded: type[Provider] = point.load()
        except Exception as exc:  # a third party's import error: one line, never a traceback
            raise DataNotFound(f"provider plugin {name!r} ({point.value}) failed to load: "
                               f"{type(exc).__name__}: {exc}",
                               "fix or uninstall the package that provides it") from None
        return loaded
    return None


def provider_named(name: str) -> Provider:
    """A new provider instance by provider name (yahoo, akshare, sec, fred, or a plugin's)."""
    if name not in _CLASSES:
        plugin = _plugin_class(name)
        if plugin is not None:
            return plugin()
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
    """The provider serving one instrument id (``market:symbol``), exceptions included,
    asked for reachability before its first fetch of a run (``data/reachability.py``)."""
    from narrowgate.data.reachability import ReachableProvider

    return ReachableProvider(_serving(instrument))


def _serving(instrument: str) -> Provider:
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
