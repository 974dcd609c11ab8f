"""DataNeed: one piece of data someone needs, in narrowgate's terms.

One type for the three places that say "what data": an evaluator declaring its needs
(so a run can plan fetches up front), the hub planning what the store can answer, and a
provider's query (shape the query → fetch → normalise). Light: no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from narrowgate.instruments import DataKind

#: the library's advice for data to fetch; front ends name the command (report/commands.py)
FETCH_OR_IMPORT = "fetch it from its live source, or import recorded files"


@dataclass(frozen=True)
class DataNeed:
    """An instrument's data of one kind over [start, end] (None: open), and why."""

    instrument: str
    kind: DataKind = "bars"
    start: date | None = None
    end: date | None = None
    why: str = ""
