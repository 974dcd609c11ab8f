"""Price basis: which stored column of which source can serve a requested basis.

A close is one of three things, and two files of the same ETF can hold different ones:
- ``raw``: as traded that day (no later split or dividend changes it);
- ``split``: divided by every later split, dividends not reinvested (Yahoo's "Close");
- ``total``: dividends reinvested as well (Yahoo's "Adj Close", back-adjusted files).
A read names its basis; a source whose column cannot serve it is not used for it. The
table below maps the adjustment a source declares (the import catalog's words, or none
for a live fetch) to the basis of its ``close`` and ``adj_close`` columns. Instruments
that pay no income (crypto, currencies, metal futures) serve every basis with any close.
This module stays light (no pandas): the CLI imports it to describe sources.
"""

from __future__ import annotations

from typing import Literal

Basis = Literal["raw", "split", "total"]
Column = Literal["close", "adj_close"]
BASES: tuple[Basis, ...] = ("raw", "split", "total")

#: markets whose instruments pay no dividends: price return is total return
NO_INCOME_MARKETS = frozenset({"crypto", "fx", "cmx"})

# adjustment phrase (start of the catalog's text) → basis of (close, adj_close)
_PhraseRow = tuple[str, frozenset[Basis], frozenset[Basis]]
_PHRASES: tuple[_PhraseRow, ...] = (
    ("split-adjusted, not dividend-adjusted", frozenset({"split"}), frozenset()),
    ("raw close in close, split+dividend adjusted in adj_close", frozenset({"split"}),
     frozenset({"total"})),
    ("split+dividend adjusted in close", frozenset({"total"}), frozenset()),
    ("dividend back-adjusted", frozenset({"total"}), frozenset()),
    ("forward-adjusted", frozenset({"total"}), frozenset()),
    ("unknown (likely forward-adjusted)", frozenset({"total"}), frozenset()),
    ("price index", frozenset({"raw", "split"}), frozenset()),
    ("index (H-codes are total-return)", frozenset({"raw", "split"}), frozenset()),
    ("front-month futures", frozenset({"raw", "split"}), frozenset()),
    ("none", frozenset(BASES), frozenset()),
)
_ALL: frozenset[Basis] = frozenset(BASES)
_NONE: frozenset[Basis] = frozenset()
# a live fetch declares no adjustment: Yahoo-style close (split) and adj_close (total)
_DEFAULT_COLUMNS: tuple[frozenset[Basis], frozenset[Basis]] = (frozenset({"split"}),
                                                               frozenset({"total"}))


def column_bases(instrument: str, adjustment: str | None
                 ) -> tuple[frozenset[Basis], frozenset[Basis]]:
    """The bases the source's ``close`` and ``adj_close`` columns serve."""
    market = instrument.partition(":")[0]
    if market in NO_INCOME_MARKETS:
        return _ALL, _NONE
    if adjustment is None:
        return _DEFAULT_COLUMNS
    for phrase, close, adj in _PHRASES:
        if adjustment.startswith(phrase):
            return close, adj
    return _DEFAULT_COLUMNS


def column_for(instrument: str, adjustment: str | None, basis: Basis) -> Column | None:
    """Which column of a source serves ``basis`` (adj_close preferred for total), or None."""
    close, adj = column_bases(instrument, adjustment)
    if basis in adj:
        return "adj_close"
    if basis in close:
        return "close"
    return None
