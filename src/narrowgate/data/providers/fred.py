"""FRED macro series through the public graph CSV (no API key needed).

Three steps: :func:`fredgraph_url` shapes the query, :meth:`FredProvider.fetch_csv` fetches
the CSV text, :func:`normalise_fredgraph_csv` turns it into the standard series frame.
FRED writes ``.`` for a missing observation (holidays in daily series); those rows are
dropped rather than turned into zeros. Units are FRED's own per series (e.g. WALCL is USD
millions, DGS10 percent).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from narrowgate.data.providers.base import DataKind, FetchResult, Query
from narrowgate.data.providers.http import HttpSource, RetryPolicy
from narrowgate.errors import DataNotFound, ProviderError

if TYPE_CHECKING:
    import pandas as pd

FRED_BASE = "https://fred.stlouisfed.org"


def fredgraph_url(base: str = FRED_BASE) -> str:
    """Step 1: the graph-CSV endpoint; the series id and dates go in the query string."""
    return f"{base.rstrip('/')}/graph/fredgraph.csv"


def fredgraph_params(query: Query) -> dict[str, str]:
    """Step 1: query parameters for ``fred:SERIES`` (cosd/coed bound the dates)."""
    market, _, series = query.instrument.partition(":")
    if market != "fred" or not series or query.kind != "series":
        raise DataNotFound(
            f"fred: cannot serve {query.kind} for {query.instrument!r}",
            "the FRED provider serves kind 'series' for ids like fred:WALCL",
        )
    params = {"id": series.upper()}
    if query.start is not None:
        params["cosd"] = query.start.isoformat()
    if query.end is not None:
        params["coed"] = query.end.isoformat()
    return params


def normalise_fredgraph_csv(text: str, series: str | None = None) -> pd.DataFrame:
    """Step 3: ``DATE|observation_date,<ID>`` CSV → series frame (date, value float64).

    The first column is the date, the second the value; ``.`` and blanks are dropped.
    A body that is not such a CSV (an HTML error page) is a ProviderError.
    """
    import io

    import pandas as pd

    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError):
        raise ProviderError(f"fred: body for {series or 'series'} is not a CSV") from None
    if raw.shape[1] < 2 or raw.columns[0].strip().lower() not in {"date", "observation_date"}:
        head = " ".join(text[:60].split())
        raise ProviderError(f"fred: body for {series or 'series'} is not a FRED CSV: {head!r}")
    dates = pd.to_datetime(raw.iloc[:, 0], errors="coerce")
    values = pd.to_numeric(raw.iloc[:, 1].str.strip().replace({".": ""}), errors="coerce")
    frame = pd.DataFrame({"date": dates.astype("datetime64[ns]"), "value": values.astype(float)})
    frame = frame.dropna().sort_values("date").reset_index(drop=True)
    if frame.empty:
        raise DataNotFound(f"fred: no observations for {series or raw.columns[1]}")
    return frame


class FredProvider:
    """Macro series (``fred:ID``) from fred.stlouisfed.org; see the module docstring."""

    name = "fred"
    kinds: tuple[DataKind, ...] = ("series",)

    def __init__(
        self, base_url: str | None = None, *, retry: RetryPolicy | None = None,
        rate_per_second: float = 2.0,
    ) -> None:
        self.base_url = base_url or os.environ.get("NARROWGATE_FRED_BASE", FRED_BASE)
        self.source = HttpSource(self.name, rate_per_second=rate_per_second, retry=retry)

    def fetch_csv(self, params: dict[str, str]) -> tuple[str, str]:
        """Step 2: the CSV text and the request URL."""
        return self.source.get_text(fredgraph_url(self.base_url), params)

    def fetch(self, query: Query) -> FetchResult:
        params = fredgraph_params(query)
        text, request = self.fetch_csv(params)
        frame = normalise_fredgraph_csv(text, params["id"])
        return FetchResult(
            frame=frame, provider=self.name, request=request,
            fetched_at=datetime.now(UTC), kind="series",
        )
