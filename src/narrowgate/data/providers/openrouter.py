"""OpenRouter's public model list (https://openrouter.ai/api/v1/models): live LLM prices.

The endpoint needs no key. Its documented body is ``{"data": [{"id", "name", "created",
"context_length", "pricing": {"prompt", "completion", ...}}]}`` with prices in USD per
token as decimal strings; we normalise to USD per 1M tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from narrowgate.errors import ProviderError

if TYPE_CHECKING:
    import pandas as pd

OPENROUTER_MODELS_URL = "https://openrouter.ai/api/v1/models"
PRICE_COLUMNS = (
    "model_id",
    "name",
    "provider",
    "input_usd_per_m",
    "output_usd_per_m",
    "context_length",
    "created",
)


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
