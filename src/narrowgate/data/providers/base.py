"""The one protocol every data source implements, and the standard frames it returns.

Each provider works in three typed steps (shape the query → fetch the raw payload →
normalise into a standard frame). The hub only ever sees the standard frames below; it
never knows a vendor's column names.

Standard frames (pandas, one row per observation):
- bars:   date (datetime64[ns], exchange-local calendar day), open, high, low, close,
          adj_close, volume (float64; NaN where the source has none), optional pe.
- series: date, value (float64); units are documented per series id.
- facts:  concept, taxonomy, unit, start (date or NaT), end, fy, fp, form, filed,
          accession, value — one row per reported fact, restatements kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeAlias

from narrowgate.data.need import DataNeed
from narrowgate.instruments import DataKind

if TYPE_CHECKING:
    import pandas as pd

BARS_COLUMNS = ("date", "open", "high", "low", "close", "adj_close", "volume")
SERIES_COLUMNS = ("date", "value")
FACTS_COLUMNS = (
    "concept", "taxonomy", "unit", "start", "end", "fy", "fp", "form", "filed", "accession",
    "value",
)


#: Step 1: what the caller wants, in narrowgate's terms — the one DataNeed type.
Query: TypeAlias = DataNeed


@dataclass
class FetchResult:
    """Step 3's output plus the provenance the store records for every row."""

    frame: pd.DataFrame
    provider: str
    request: str
    fetched_at: datetime
    kind: DataKind
    notes: list[str] = field(default_factory=list)


class Provider(Protocol):
    """A live source. ``fetch`` raises ProviderError (network, HTTP, garbage) or
    DataNotFound (the source answered, but has nothing for this query)."""

    name: str
    kinds: tuple[DataKind, ...]

    def fetch(self, query: Query) -> FetchResult: ...
