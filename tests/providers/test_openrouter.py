"""OpenRouter model-list provider.

The body below is CONSTRUCTED from OpenRouter's documented schema of GET /api/v1/models
(``data[].id/name/created/context_length/pricing.prompt/completion``, prices in USD per
token as strings); it is not a recorded response. Prices are FACTS.md 3f list prices.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pandas as pd
import pytest

from narrowgate.data.providers.openrouter import (
    candidate_ids,
    fetch_models,
    match_live,
    matched,
    normalise_models,
)
from narrowgate.errors import ProviderError
from narrowgate.models.tokens import blended_price, pareto_frontier

CONSTRUCTED_BODY = {
    "data": [
        {
            "id": "openai/gpt-5.4",
            "name": "GPT-5.4",
            "created": 1767225600,
            "context_length": 400000,
            "pricing": {"prompt": "0.0000025", "completion": "0.000015"},
        },
        {
            "id": "anthropic/claude-opus-4.7",
            "name": "Claude Opus 4.7",
            "created": 1767225600,
            "context_length": 200000,
            "pricing": {"prompt": "0.000005", "completion": "0.000025"},
        },
        {
            "id": "deepseek/deepseek-v4-flash",
            "name": "DeepSeek V4 Flash",
            "created": 1767225600,
            "context_length": 128000,
            "pricing": {"prompt": "0.00000014", "completion": "0.00000028"},
        },
        {
            "id": "openrouter/auto",
            "name": "Auto Router",
            "pricing": {"prompt": "-1", "completion": "-1"},
        },
        {"id": "broken/model", "name": "no pricing"},
    ]
}


class _Handler(BaseHTTPRequestHandler):
    body = b""
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[tuple[HTTPServer, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, handler
    httpd.shutdown()


def test_normalise_converts_per_token_strings_to_usd_per_million() -> None:
    frame = normalise_models(CONSTRUCTED_BODY)
    assert list(frame["model_id"]) == [
        "openai/gpt-5.4",
        "anthropic/claude-opus-4.7",
        "deepseek/deepseek-v4-flash",
    ]
    opus = frame.set_index("model_id").loc["anthropic/claude-opus-4.7"]
    assert opus["input_usd_per_m"] == pytest.approx(5.0)
    assert opus["output_usd_per_m"] == pytest.approx(25.0)
    assert opus["provider"] == "anthropic"


def test_fetch_through_a_loopback_server(server: tuple[HTTPServer, type[_Handler]]) -> None:
    httpd, handler = server
    handler.body = json.dumps(CONSTRUCTED_BODY).encode()
    url = f"http://127.0.0.1:{httpd.server_port}/api/v1/models"
    assert len(fetch_models(url)) == 3
    handler.status = 503
    with pytest.raises(ProviderError, match=r"openrouter: HTTP 503 from http://127\.0\.0\.1"):
        fetch_models(url)
    handler.status, handler.body = 200, b"<html>not json"
    with pytest.raises(ProviderError, match="is not JSON"):
        fetch_models(url)


def test_garbage_bodies_are_provider_errors() -> None:
    with pytest.raises(ProviderError, match="no 'data' list"):
        normalise_models([1, 2])
    with pytest.raises(ProviderError, match="no priced models"):
        normalise_models({"data": [{"id": "x/y"}]})


def test_pareto_frontier_and_blended_price() -> None:
    assert blended_price(5.0, 25.0) == pytest.approx(0.75 * 5 + 0.25 * 25)
    offers = pd.DataFrame(
        {"price": [1.0, 2.0, 3.0, 2.0], "quality": [50.0, 70.0, 60.0, 70.0]},
        index=["cheap", "good", "dominated", "good-twin"],
    )
    frontier = pareto_frontier(offers, minimise=["price"], maximise=["quality"])
    assert frontier.to_dict() == {
        "cheap": True,
        "good": True,
        "dominated": False,
        "good-twin": True,
    }


def test_candidate_ids_follow_the_documented_rule() -> None:
    assert candidate_ids("OpenAI", "GPT-5.4 mini") == ["openai/gpt-5.4-mini"]
    assert candidate_ids("Anthropic", "Claude Opus 4.5-4.7") == [
        "anthropic/claude-opus-4.5", "anthropic/claude-opus-4.6", "anthropic/claude-opus-4.7"]
    assert candidate_ids("DeepSeek", "V4-Flash") == ["deepseek/v4-flash",
                                                     "deepseek/deepseek-v4-flash"]
    assert candidate_ids("Google", "Gemini 3.1 Pro Preview") == ["google/gemini-3.1-pro-preview"]
    assert candidate_ids("OpenAI", "GPT-5", ["OpenAI/GPT-5-2025-08-07"]) == [
        "openai/gpt-5-2025-08-07"]


def test_match_live_is_exact_by_id_or_display_name() -> None:
    rows = normalise_models(CONSTRUCTED_BODY).to_dict("records")
    assert [r["model_id"] for r in match_live(rows, "Anthropic", "Claude Opus 4.5-4.7")] == [
        "anthropic/claude-opus-4.7"]
    assert [r["model_id"] for r in match_live(rows, "DeepSeek", "V4-Flash")] == [
        "deepseek/deepseek-v4-flash"]  # by id and by the name "DeepSeek V4 Flash" alike
    assert match_live(rows, "OpenAI", "GPT-5") == []  # no prefix or fuzzy matching
    assert match_live(rows, "OpenAI", "GPT-5.4", ["openai/gpt-5.4-pinned"]) == []


def test_a_fetched_list_is_matched_per_recorded_model(
    server: tuple[HTTPServer, type[_Handler]],
) -> None:
    """A fetch failure is the view's one-line note (test_price_frontier_data asserts it);
    a list that came is matched model by model, unmatched ones empty."""
    httpd, handler = server
    url = f"http://127.0.0.1:{httpd.server_port}/api/v1/models"
    handler.body = json.dumps(CONSTRUCTED_BODY).encode()
    live = matched(fetch_models(url), [("OpenAI", "GPT-5.4", []), ("Google", "Gemini 9", [])],
                   url=url, fetched_at=datetime.now(UTC))
    assert live.rows == 3 and live.stored_as_of is None
    assert [[r["model_id"] for r in m] for m in live.matches] == [["openai/gpt-5.4"], []]
    handler.status = 500
    with pytest.raises(ProviderError, match=f"openrouter: HTTP 500 from {url}"):
        fetch_models(url)
