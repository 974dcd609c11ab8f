"""OpenRouter's public model list (https://openrouter.ai/api/v1/models): live LLM prices.

The endpoint needs no key. Its documented body is ``{"data": [{"id", "name", "created",
"context_length", "pricing": {"prompt", "completion", ...}}]}`` with prices in USD per
token as decimal strings; we normalise to USD per 1M tokens.

Matching a recorded model to a live row (``candidate_ids`` / ``match_live``): OpenRouter
ids are ``vendor/model-slug`` in lower case (``openai/gpt-5.4-mini``). A recorded model
matches a live row when one of its candidate ids equals the row's id, or when the row's
display name (without its ``"Vendor: "`` prefix) slugs to the same text under the same
vendor. Candidates: the explicit ids a user records (used alone when given), else
``vendor/slug(model)`` plus ``vendor/vendor-slug(model)`` for DeepSeek (its ids repeat it),
and one id per version of a recorded range (``Claude Opus 4.5-4.7`` → 4.5, 4.6, 4.7).
Exact matches only: a guessed fuzzy match would put another model's price beside ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from narrowgate.errors import ProviderError
from narrowgate.naming import slug

if TYPE_CHECKING:
    import pandas as pd

OPENROUTER_BASE = "https://openrouter.ai"
OPENROUTER_MODELS_URL = f"{OPENROUTER_BASE}/api/v1/models"
#: the name its snapshots carry in the store's ``price_lists`` table
PRICE_LIST = "openrouter"


def models_url() -> str:
    """The model list's address: ``NARROWGATE_OPENROUTER_BASE`` (scheme and host, e.g. a
    test server on 127.0.0.1) replaces ``https://openrouter.ai`` when it is set."""
    import os

    base = os.environ.get("NARROWGATE_OPENROUTER_BASE", OPENROUTER_BASE).rstrip("/")
    return f"{base}/api/v1/models"

PRICE_COLUMNS = (
    "model_id",
    "name",
    "provider",
    "input_usd_per_m",
    "output_usd_per_m",
    "context_length",
    "created",
)
VENDOR_PREFIX = {"OpenAI": "openai", "Anthropic": "anthropic", "Google": "google",
                 "DeepSeek": "deepseek"}
VENDOR_REPEATED = frozenset({"deepseek"})  # vendors whose model slugs start with their name
_RANGE = re.compile(r"^(?P<head>.*?)(?P<major>\d+)\.(?P<lo>\d+)-(?P=major)\.(?P<hi>\d+)$")


def normalise_models(payload: Any, request: str = OPENROUTER_MODELS_URL) -> pd.DataFrame:
    """One row per model with a numeric prompt and completion price; others are skipped."""
    import pandas as pd

    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ProviderError(f"openrouter: unexpected body from {request} (no 'data' list)")
    rows = []
    for item in payload["data"]:
        pricing = item.get("pricing") or {}
        try:
            prompt = float(pricing["prompt"]) * 1e6
            completion = float(pricing["completion"]) * 1e6
        except (KeyError, TypeError, ValueError):
            continue
        if prompt < 0 or completion < 0:  # OpenRouter marks router meta-models with -1
            continue
        model_id = str(item.get("id", ""))
        created = item.get("created")
        rows.append(
            {
                "model_id": model_id,
                "name": str(item.get("name", model_id)),
                "provider": model_id.split("/", 1)[0] if "/" in model_id else "",
                "input_usd_per_m": prompt,
                "output_usd_per_m": completion,
                "context_length": item.get("context_length"),
                "created": datetime.fromtimestamp(created, UTC).date()
                if isinstance(created, int | float)
                else None,
            }
        )
    if not rows:
        raise ProviderError(f"openrouter: no priced models in the body from {request}")
    return pd.DataFrame(rows, columns=list(PRICE_COLUMNS))


def fetch_models(base_url: str = OPENROUTER_MODELS_URL, timeout_s: float = 10.0) -> pd.DataFrame:
    """Fetch and normalise the live list; failures become one-line ProviderErrors."""
    import httpx

    try:
        response = httpx.get(base_url, timeout=timeout_s, headers={"Accept": "application/json"})
        response.raise_for_status()
        payload = response.json()
    except httpx.HTTPStatusError as exc:
        raise ProviderError(
            f"openrouter: HTTP {exc.response.status_code} from {base_url}"
        ) from None
    except httpx.HTTPError as exc:
        raise ProviderError(f"openrouter: {type(exc).__name__} for {base_url}") from None
    except ValueError:
        raise ProviderError(f"openrouter: body from {base_url} is not JSON") from None
    return normalise_models(payload, base_url)


def candidate_ids(provider: str, model: str, explicit: Sequence[str] = ()) -> list[str]:
    """The OpenRouter ids a recorded (provider, model) may appear under; see the module
    docstring for the rule. Explicit ids win because a user who wrote them knows."""
    if explicit:
        return [i.lower() for i in explicit]
    vendor = VENDOR_PREFIX.get(provider, slug(provider))
    names = [model]
    found = _RANGE.match(model)
    if found and int(found["lo"]) < int(found["hi"]):
        names = [f"{found['head']}{found['major']}.{minor}"
                 for minor in range(int(found["lo"]), int(found["hi"]) + 1)]
    out: list[str] = []
    for name in names:
        tail = slug(name)
        out.append(f"{vendor}/{tail}")
        if vendor in VENDOR_REPEATED and not tail.startswith(vendor):
            out.append(f"{vendor}/{vendor}-{tail}")
    return list(dict.fromkeys(out))


def match_live(
    rows: Iterable[Mapping[Any, Any]], provider: str, model: str, explicit: Sequence[str] = ()
) -> list[Mapping[Any, Any]]:
    """Live rows (``normalise_models`` records) that are the recorded model, by exact id
    or by exact display-name slug under the same vendor; in the order of ``rows``."""
    ids = set(candidate_ids(provider, model, explicit))
    vendor = VENDOR_PREFIX.get(provider, slug(provider))
    names = {i.split("/", 1)[1] for i in ids if i.startswith(vendor + "/")}
    matched = []
    for row in rows:
        row_id = str(row.get("model_id", "")).lower()
        display = str(row.get("name", "")).split(": ", 1)[-1]
        if row_id in ids or (
            not explicit and row.get("provider") == vendor and slug(display) in names
        ):
            matched.append(row)
    return matched


@dataclass(frozen=True)
class LiveMatch:
    """One price list (this run's fetch, or a stored snapshot) matched against recorded
    models: per recorded model, the rows that are it.

    ``stored_as_of``: set when the list is a stored snapshot of that day rather than this
    run's fetch (``url`` is then the request that fetched it)."""

    url: str
    fetched_at: datetime
    rows: int = 0
    matches: list[list[Mapping[Any, Any]]] = field(default_factory=list)  # per recorded model
    stored_as_of: date | None = None


def matched(frame: pd.DataFrame, recorded: Sequence[tuple[str, str, Sequence[str]]], *,
            url: str, fetched_at: datetime, stored_as_of: date | None = None) -> LiveMatch:
    """Match each recorded (provider, model, explicit ids) against one price list (the
    ``normalise_models`` columns)."""
    rows = frame.to_dict("records")
    return LiveMatch(url=url, fetched_at=fetched_at, rows=len(rows),
                     matches=[match_live(rows, p, m, ids) for p, m, ids in recorded],
                     stored_as_of=stored_as_of)
