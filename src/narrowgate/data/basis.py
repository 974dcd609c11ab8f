"""Price basis: which stored column of which source can serve a requested basis.

A close is one of three things, and two files of the same ETF can hold different ones:
- ``raw``: as traded that day (no later split or dividend changes it);
- ``split``: divided by every later split, dividends not reinvested (Yahoo's "Close");
- ``total``: dividends reinvested as well (Yahoo's "Adj Close", back-adjusted files).
A read names its basis; a source whose column cannot serve it is not used for it. The
table below maps the adjustment a source declares (the import catalog's words, or none
for a live fetch) to the basis of its ``close`` and ``adj_close`` columns. Instruments
that pay no income (crypto, currencies, metal futures) serve every basis with any close.
This module stays light (no pandas): the CLI imports it to describe sources. It also
chooses which stored sources serve a read (`common_basis`, `eligible_sources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from narrowgate.errors import DataNotFound

if TYPE_CHECKING:
    from narrowgate.data.store import Coverage

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


#: adjustment phrases whose closes are levels as published (no later event rescales them)
_AS_PUBLISHED = ("price index", "index (H-codes are total-return)", "front-month futures",
                 "none")


def as_published(instrument: str, adjustment: str | None) -> bool:
    """Whether a source's closes are levels as published — an index level, an unadjusted
    futures or crypto close — that two sources must agree on without a factor (so a gap
    between them may be joined unscaled; adjusted closes need a measured factor)."""
    if instrument.partition(":")[0] in NO_INCOME_MARKETS:
        return True
    return adjustment is not None and adjustment.startswith(_AS_PUBLISHED)


def column_for(instrument: str, adjustment: str | None, basis: Basis) -> Column | None:
    """Which column of a source serves ``basis`` (adj_close preferred for total), or None."""
    close, adj = column_bases(instrument, adjustment)
    if basis in adj:
        return "adj_close"
    if basis in close:
        return "close"
    return None


def eligible_sources(inst: str, covs: Sequence[Coverage], basis: Basis) -> list[Coverage]:
    """Sources of ``inst`` that serve ``basis``, newest last date first (then most rows,
    then name: deterministic). Raises DataNotFound naming the sources and their bases."""
    mine = [c for c in covs if c.instrument == inst]
    eligible = [c for c in mine if column_for(inst, c.adjustment, basis) is not None]
    if not eligible:
        held = "; ".join(
            f"{c.source} serves {', '.join(sorted(set().union(*column_bases(inst, c.adjustment))))}"
            for c in mine)
        raise DataNotFound(f"no stored source of {inst} serves the '{basis}' price basis "
                           f"({held})", "ask for a basis these sources serve, or add a source "
                           "that serves it")
    return newest_first(eligible)


def newest_first(covs: Iterable[Coverage]) -> list[Coverage]:
    """Sources in splice order: the newest last date first, then most rows, then name
    (deterministic)."""
    return sorted(covs, key=lambda c: (c.last, c.rows, c.source), reverse=True)


def common_basis(insts: Sequence[str], covs: Sequence[Coverage], start: date | None = None
                 ) -> dict[str, Basis]:
    """One basis for a read, so returns within it are comparable: ``total`` if its sources
    cover every instrument from ``start`` to the newest stored date (7 days' slack), else
    ``split`` if that does; otherwise whichever of the two gives the longer common window
    (total on a tie). An instrument that serves neither gets its best (total, split, raw),
    stated in its provenance."""
    slack = timedelta(days=7)
    by_inst: dict[str, list[Coverage]] = {i: [] for i in insts}
    for c in covs:
        if c.instrument in by_inst:
            by_inst[c.instrument].append(c)

    def span(inst: str, basis: Basis) -> tuple[date, date] | None:
        mine = [c for c in by_inst[inst] if column_for(inst, c.adjustment, basis)]
        if not mine:
            return None
        return min(c.first for c in mine), max(c.last for c in mine)

    def window(basis: Basis) -> tuple[bool, int]:
        """(covers everything, days of the common window); days −1 if one lacks it."""
        firsts, lasts, complete = [], [], True
        for inst in insts:
            got = span(inst, basis)
            if got is None or not by_inst[inst]:
                return False, -1
            newest = max(c.last for c in by_inst[inst])
            oldest = min(c.first for c in by_inst[inst])
            oldest = max(oldest, start) if start else oldest
            complete &= got[0] <= oldest + slack and got[1] >= newest - slack
            firsts.append(max(got[0], start) if start else got[0])
            lasts.append(got[1])
        return complete, (min(lasts) - max(firsts)).days

    total, split = window("total"), window("split")
    if total[0] or (not split[0] and total[1] >= split[1] and total[1] >= 0):
        return dict.fromkeys(insts, "total")
    if split[0] or split[1] >= 0:
        return dict.fromkeys(insts, "split")
    return {i: next((b for b in ("total", "split", "raw") if span(i, b)), "split")
            for i in insts}
