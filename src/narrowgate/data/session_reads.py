"""Reads of one store session, kept so each set of sources is queried once per session.

Why: a bundled ``narrowgate run`` made 107 store queries, each 3–15 ms of mostly fixed
cost (parse, plan, hand the result to pandas) however few rows it returns, yet only 64
distinct sets of (instrument, source) picks: several claims read the same sources, and
one claim reads them over several windows (the week before publication, since
publication, the whole history). Here the first request for a set of picks reads its
whole history once; every later window of it is cut from that frame with the same
inclusive bounds the SQL applies (``start <= date <= end``, missing dates excluded), so a
caller sees exactly what the query would have returned. An empty cut asks the store
itself (the query's own empty frame keeps its dtypes). Requests whose row order the SQL
leaves open (ties) are kept whole, window and all, instead of cut.

Correct under ``as_of`` because the bounds are applied as before: the whole history sits
only in this cache, never in a result. Correct across writes because a session holds the
store's shared lock (no other process writes) and this process's writes end the session,
which drops this cache (:meth:`SessionReads.clear`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

Read = Callable[[date | None, date | None], "pd.DataFrame"]


class SessionReads:
    """Whole-history frames by request (picks, kind, columns — never dates)."""

    def __init__(self) -> None:
        self._whole: dict[Hashable, pd.DataFrame] = {}

    def clear(self) -> None:
        """Forget every frame (the session ended or this process is about to write)."""
        self._whole.clear()

    def rows(self, request: Hashable, read: Read, date_column: str, start: date | None,
             end: date | None, *, cut: bool) -> pd.DataFrame:
        """Long rows (a fresh 0..n-1 index) whose ``date_column`` lies in [start, end].

        ``cut`` only where the query's row order is fully fixed by its ORDER BY (one pick
        per instrument, one row per date): where rows tie (several facts on one period
        end, two sources of one instrument) DuckDB may order them differently from one
        query to the next, so such a request is kept as asked, window included.
        """
        if not cut:
            return self._get((request, start, end), lambda _lo, _hi: read(start, end)).copy()
        whole = self._get(request, read)
        if start is None and end is None:
            return whole.copy()
        keep = _inside(whole[date_column], start, end)
        if not keep.any():
            return read(start, end)
        return whole.loc[keep.to_numpy()].reset_index(drop=True)

    def closes(self, request: Hashable, read: Read, start: date | None,
               end: date | None) -> pd.DataFrame:
        """A wide date-indexed frame cut to the index rows in [start, end]."""
        import pandas as pd

        whole = self._get(request, read)
        if start is None and end is None:
            return whole.copy()
        keep = _inside(pd.Series(whole.index, index=whole.index), start, end)
        if not keep.any():
            return read(start, end)
        return whole.loc[keep.to_numpy()].copy()

    def _get(self, request: Hashable, read: Read) -> pd.DataFrame:
        whole = self._whole.get(request)
        if whole is None:
            whole = self._whole[request] = read(None, None)
        return whole


def _inside(dates: pd.Series, start: date | None, end: date | None) -> pd.Series:
    """True where a date is within the inclusive bounds; a missing date is never inside
    (as SQL's NULL comparisons)."""
    import pandas as pd

    keep = dates.notna()
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    if end is not None:
        keep &= dates <= pd.Timestamp(end)
    return keep
