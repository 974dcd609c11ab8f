"""SEC EDGAR XBRL companyfacts: every reported fact of a company, restatements included.

Three steps: :func:`companyfacts_url` shapes the query (ticker → CIK → URL),
:meth:`SecProvider.fetch_companyfacts` fetches the JSON, :func:`normalise_companyfacts`
turns it into the standard facts frame. The normaliser keeps every row (a period reported
again in a later filing is a restatement or a comparative; :mod:`narrowgate.data.concepts`
decides which one wins), so it can be tested on the recorded files in ../shared/data/sec.

SEC's fair-access rules: at most 10 requests per second and a User-Agent naming the
requester: ``NARROWGATE_USER_AGENT`` ("Your Name you@example.com"); without a contact the
provider refuses to call SEC at all (one line saying how to set it), and the contact is
sent to SEC only.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from narrowgate.data.providers.base import FACTS_COLUMNS, DataKind, FetchResult, Query
from narrowgate.data.providers.http import HttpSource, RetryPolicy, contact_user_agent
from narrowgate.errors import DataNotFound, ProviderError

if TYPE_CHECKING:
    import pandas as pd

SEC_BASE = "https://data.sec.gov"
SEC_WWW_BASE = "https://www.sec.gov"
SEC_TICKER_FILE = f"{SEC_WWW_BASE}/files/company_tickers.json"


def ticker_file_url() -> str:
    """The ticker → CIK file, on www.sec.gov rather than data.sec.gov (``NARROWGATE_SEC_BASE``),
    so it has its own override: ``NARROWGATE_SEC_WWW_BASE`` (scheme and host)."""
    base = os.environ.get("NARROWGATE_SEC_WWW_BASE", SEC_WWW_BASE).rstrip("/")
    return f"{base}/files/company_tickers.json"


#: The companies narrowgate's bundled theses use; other tickers need the SEC ticker file.
TICKER_CIK: dict[str, int] = {
    "MSFT": 789019,
    "GOOGL": 1652044,
    "GOOG": 1652044,
    "META": 1326801,
    "AMZN": 1018724,
    "ORCL": 1341439,
    "NVDA": 1045810,
    "AAPL": 320193,
    "MU": 723125,
}


def resolve_cik(symbol: str, source: HttpSource | None = None) -> int:
    """CIK of a ticker (or a CIK given as digits); the ticker file is asked only if allowed.

    ``source`` None means offline: an unknown ticker is DataNotFound naming the fix.
    """
    ticker = symbol.strip().upper()
    if ticker.isdigit():
        return int(ticker)
    if ticker in TICKER_CIK:
        return TICKER_CIK[ticker]
    if source is not None:
        table, request = source.get_json(ticker_file_url())
        try:
            for row in table.values():
                if str(row["ticker"]).upper() == ticker:
                    return int(row["cik_str"])
        except (AttributeError, KeyError, TypeError, ValueError):
            raise ProviderError(f"sec: unexpected layout of the ticker file {request}") from None
    raise DataNotFound(
        f"sec: no CIK known for ticker {ticker!r}",
        "use the CIK itself, e.g. sec:0000789019",
    )


def companyfacts_url(cik: int, base: str = SEC_BASE) -> str:
    """Step 1: the companyfacts URL (CIK zero-padded to 10 digits, as EDGAR requires)."""
    return f"{base.rstrip('/')}/api/xbrl/companyfacts/CIK{cik:010d}.json"


def normalise_companyfacts(payload: dict[str, Any]) -> pd.DataFrame:
    """Step 3: companyfacts JSON → facts frame, one row per reported fact; only rows without
    a readable period end (YYYY-MM-DD) or a finite value are dropped.

    Layout read: ``facts[taxonomy][concept]["units"][unit] = [{start?, end, val, accn, fy,
    fp, form, filed, frame?}]``. ``start`` is absent for instants (balance-sheet values) and
    becomes NaT. ``fy``/``fp`` describe the *filing*, not the period (a FY2025 10-K carries
    FY2023 comparatives with fy=2025).
    """
    import numpy as np
    import pandas as pd

    facts = payload.get("facts") if isinstance(payload, dict) else None
    if not isinstance(facts, dict):
        raise ProviderError("sec: companyfacts payload has no 'facts' object")
    columns: dict[str, list[Any]] = {name: [] for name in FACTS_COLUMNS}
    for taxonomy, concepts in facts.items():
        for concept, body in (concepts if isinstance(concepts, dict) else {}).items():
            units = body.get("units") if isinstance(body, dict) else None
            for unit, rows in (units if isinstance(units, dict) else {}).items():
                # a row that is not an object (null, a number) carries no fact
                for row in (r for r in (rows if isinstance(rows, list) else [])
                            if isinstance(r, dict)):
                    columns["concept"].append(concept)
                    columns["taxonomy"].append(taxonomy)
                    columns["unit"].append(unit)
                    columns["start"].append(row.get("start"))
                    columns["end"].append(row.get("end"))
                    columns["fy"].append(row.get("fy"))
                    columns["fp"].append(row.get("fp"))
                    columns["form"].append(row.get("form"))
                    columns["filed"].append(row.get("filed"))
                    columns["accession"].append(row.get("accn"))
                    columns["value"].append(row.get("val"))
    frame = pd.DataFrame(columns)
    if frame.empty:
        name = payload.get("entityName", "this company")
        raise DataNotFound(f"sec: companyfacts for {name} hold no facts")
    for column in ("start", "end", "filed"):
        parsed = pd.to_datetime(frame[column], format="%Y-%m-%d", errors="coerce")
        # a date no nanosecond timestamp holds (1677, 9999) is as unreadable as a typo
        sane = (parsed >= pd.Timestamp("1800-01-01")) & (parsed <= pd.Timestamp("2200-12-31"))
        frame[column] = parsed.where(sane).astype("datetime64[ns]")
    frame["fy"] = pd.to_numeric(frame["fy"], errors="coerce").astype("Int64")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    # a fact without a readable period end or a finite value is no fact: storing it would
    # poison every later read of the company (and a payload of only such rows is refused)
    usable = frame["end"].notna() & np.isfinite(frame["value"].to_numpy())
    if not usable.any():
        name = payload.get("entityName", "this company")
        raise DataNotFound(f"sec: companyfacts for {name} hold no fact with a readable end "
                           "date and value")
    return frame[usable].reset_index(drop=True)


class SecProvider:
    """Fundamentals (``sec:TICKER``) from EDGAR companyfacts; see the module docstring."""

    name = "sec"
    kinds: tuple[DataKind, ...] = ("facts",)

    def __init__(
        self,
        base_url: str | None = None,
        *,
        retry: RetryPolicy | None = None,
        rate_per_second: float = 10.0,
        use_ticker_file: bool = True,
    ) -> None:
        self.base_url = base_url or os.environ.get("NARROWGATE_SEC_BASE", SEC_BASE)
        self.source = HttpSource(self.name, rate_per_second=rate_per_second, retry=retry)
        self.use_ticker_file = use_ticker_file

    def shape_query(self, query: Query) -> str:
        """Step 1: the URL for ``sec:SYMBOL``."""
        market, _, symbol = query.instrument.partition(":")
        if market != "sec" or not symbol or query.kind != "facts":
            raise DataNotFound(
                f"sec: cannot serve {query.kind} for {query.instrument!r}",
                "the SEC provider serves kind 'facts' for ids like sec:MSFT",
            )
        cik = resolve_cik(symbol, self.source if self.use_ticker_file else None)
        return companyfacts_url(cik, self.base_url)

    def fetch_companyfacts(self, url: str) -> tuple[dict[str, Any], str]:
        """Step 2: the raw JSON and the URL that was asked."""
        payload, request = self.source.get_json(url)
        if not isinstance(payload, dict):
            raise ProviderError(f"sec: GET {request} returned JSON that is not an object")
        return payload, request

    def fetch(self, query: Query) -> FetchResult:
        self.source.headers["User-Agent"] = contact_user_agent(self.name)
        url = self.shape_query(query)
        payload, request = self.fetch_companyfacts(url)
        frame = normalise_companyfacts(payload)
        return FetchResult(
            frame=frame,
            provider=self.name,
            request=request,
            fetched_at=datetime.now(UTC),
            kind="facts",
            notes=[f"{payload.get('entityName', '')} CIK {payload.get('cik', '')}".strip()],
        )
