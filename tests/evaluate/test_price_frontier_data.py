"""token-economics (kind price-frontier): price side from the recorded list prices, the
optional price–quality path, and live OpenRouter prices through a loopback server.

Hand checks use FACTS.md 3f prices and a 75% input share: blended = 0.75·in + 0.25·out.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.kinds.price_table import PriceFrontierParams
from narrowgate.evaluate.registry import EvalContext, get_evaluator
from narrowgate.evaluate.verdict import Assessment, Verdict
from narrowgate.models.price_table import (
    blended,
    price_tier_frontier,
    provider_ladders,
    tiers_price_ordered,
)
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import AS_OF, fig, params_of, run

# The price–tier frontier at 2026-11-24, cheapest first (hand-checked):
# small  DeepSeek V4-Flash      0.75·0.14 + 0.25·0.28  = 0.175  (cheapest of all)
# mid    Gemini 3.8 Flash       0.75·0.75 + 0.25·3.75  = 1.5    (promo to 2026-12-31)
# flag.  Gemini 2.5 Pro, GPT-5  0.75·1.25 + 0.25·10    = 3.4375 (a tie: both stay)
# pro    Claude Fable 5         0.75·10   + 0.25·50    = 20     (GPT-5 Pro 41.25)
FRONTIER_AS_OF = ["DeepSeek V4-Flash", "Google Gemini 3.8 Flash", "Google Gemini 2.5 Pro",
                  "OpenAI GPT-5", "Anthropic Claude Fable 5"]


def _params(thesis: Thesis, raw: dict[str, Any] | None = None) -> PriceFrontierParams:
    return PriceFrontierParams.model_validate(raw or thesis.claim("token-economics").params)


def _names(models: list[Any]) -> list[str]:
    return [m.name for m in models]


def test_price_figures_and_honest_verdict(thesis: Thesis) -> None:
    a = run(thesis, "token-economics")
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert fig(a, "cheapest_output") == 0.28  # DeepSeek V4-Flash
    assert fig(a, "dearest_output") == 180  # GPT-5.5 Pro
    assert fig(a, "output_price_span") == pytest.approx(642.9)  # 180 / 0.28
    assert fig(a, "providers_tiers_ordered") == "4/4"
    assert fig(a, "price_tier_frontier") == ", ".join(FRONTIER_AS_OF)
    assert ", ".join(FRONTIER_AS_OF) in a.summary.en
    whats = " | ".join(m.what for m in a.evidence.missing)
    assert "quality score" in whats and "tokens per second" in whats and "usage share" in whats
    hows = " | ".join(m.how for m in a.evidence.missing)
    assert "`quality:" in hows and "`speed:" in hows and "`usage_share:" in hows
    notes = " ".join(n.en for n in a.evidence.notes)
    assert "V4-Pro" in notes  # promotion expired by as-of
    assert "Gemini 2.5 Flash" in notes  # unverified output
    assert "Gemini 3.8 Flash is on the frontier at a promotional price" in notes
    assert "No data layer in this call" in notes  # a bare context never fetches


def test_blended_prices_and_ladders(thesis: Thesis) -> None:
    a = run(thesis, "token-economics")
    assert fig(a, "blended_openai_gpt-5.4") == pytest.approx(5.625)
    assert fig(a, "blended_openai_gpt-5.5-pro") == pytest.approx(67.5)
    assert fig(a, "blended_deepseek_v4-flash") == pytest.approx(0.175)
    assert fig(a, "blended_anthropic_claude-opus-4.5-4.7") == pytest.approx(10.0)
    ladders = provider_ladders(_params(thesis), AS_OF)
    multiples = {p: {t: round(m, 4) for t, (_, m) in steps.items()} for p, steps in ladders.items()}
    assert multiples == {
        # OpenAI entries: nano 0.4625, mini 1.6875, GPT-5 3.4375, GPT-5 Pro 41.25
        "OpenAI": {"mid": round(1.6875 / 0.4625, 4), "flagship": round(3.4375 / 1.6875, 4),
                   "pro": 12.0},
        # Anthropic: Haiku 2, Sonnet 6, Opus 10, Fable 20
        "Anthropic": {"mid": 3.0, "flagship": round(10 / 6, 4), "pro": 2.0},
        # Google: no small tier with an output price; 3.8 Flash 1.5, 2.5 Pro 3.4375
        "Google": {"flagship": round(3.4375 / 1.5, 4)},
        "DeepSeek": {},  # V4-Pro's promotion has expired: one tier left
    }
    assert fig(a, "ladder_openai_pro") == 12.0
    assert ladders["OpenAI"]["flagship"][0].product == "GPT-5"


def test_frontier_moves_with_promotions(thesis: Thesis) -> None:
    params = _params(thesis)
    assert _names(price_tier_frontier(params, AS_OF)) == FRONTIER_AS_OF
    # While DeepSeek's V4-Pro promotion ran (0.54375 blended, flagship) it beat every
    # flagship and mid model; only V4-Flash and the pro tier's cheapest survive.
    assert _names(price_tier_frontier(params, date(2026, 3, 1))) == [
        "DeepSeek V4-Flash", "DeepSeek V4-Pro", "Anthropic Claude Fable 5"]
    # After Gemini 3.8 Flash's promotion the cheapest mid model is GPT-5.4 mini (1.6875).
    after = _names(price_tier_frontier(params, date(2027, 1, 15)))
    assert "OpenAI GPT-5.4 mini" in after and "Google Gemini 3.8 Flash" not in after


def test_scatter_chart_per_provider(thesis: Thesis) -> None:
    chart = run(thesis, "token-economics").evidence.charts[0]
    assert chart.x_is_date is False and chart.x_label.startswith("log10 blended")
    kinds = {s.name: s.kind for s in chart.series}
    assert kinds == {"Anthropic": "scatter", "DeepSeek": "scatter", "Google": "scatter",
                     "OpenAI": "scatter", "frontier": "line"}
    frontier = next(s for s in chart.series if s.name == "frontier")
    assert frontier.y == [1.0, 2.0, 3.0, 3.0, 4.0]
    assert frontier.x[0] == pytest.approx(-0.7570, abs=1e-4)  # log10(0.175)


def test_blended_price_and_ordering(thesis: Thesis) -> None:
    params = _params(thesis)
    gpt54 = next(p for p in params.products if p.product == "GPT-5.4")
    assert blended(gpt54, 0.75) == pytest.approx(0.75 * 2.5 + 0.25 * 15)
    flash = next(p for p in params.products if p.product == "Gemini 2.5 Flash")
    assert blended(flash, 0.75) is None
    assert tiers_price_ordered(params, AS_OF) == {
        "Anthropic": True, "DeepSeek": True, "Google": True, "OpenAI": True}


# --- the optional price–quality path ------------------------------------------------------

SRC = {"title": "constructed for this test, not a real benchmark", "date": "2026-11-01"}
# model -> (quality on one made-up benchmark, tokens/s); blended prices as above.
QUALITY = {"V4-Flash": (1300, 60), "Gemini 3.8 Flash": (1350, 200), "GPT-5": (1380, 80),
           "Claude Sonnet 4.5-4.6": (1400, 70), "Claude Opus 4.5-4.7": (1440, 50),
           "GPT-5.5 Pro": (1460, 20), "Gemini 2.5 Pro": (1200, None), "GPT-5.4": (1250, None)}


def _with_quality(thesis: Thesis, usage: dict[str, float]) -> dict[str, Any]:
    raw = params_of(thesis, "token-economics")
    for p in raw["products"]:
        if p["product"] in QUALITY:
            q, speed = QUALITY[p["product"]]
            p["quality"] = {"value": q, "benchmark": "test-arena Elo", "source": SRC}
            if speed is not None:
                p["speed"] = {"value": speed, "source": SRC}
        if p["product"] in usage:
            p["usage_share"] = {"value": usage[p["product"]], "source": SRC}
    return raw


def test_quality_path_supported_when_usage_follows_the_frontier(thesis: Thesis) -> None:
    raw = _with_quality(thesis, {"V4-Flash": 0.30, "Gemini 3.8 Flash": 0.20,
                                 "Claude Sonnet 4.5-4.6": 0.15, "GPT-5.5 Pro": 0.01})
    a = run(thesis, "token-economics", params=raw)
    assert a.verdict is Verdict.SUPPORTED
    # Frontier: every model whose quality beats all cheaper ones. Gemini 2.5 Pro (1200 at
    # 3.4375) and GPT-5.4 (1250 at 5.625) fall below GPT-5 (1380 at 3.4375).
    assert fig(a, "quality_frontier") == (
        "DeepSeek V4-Flash, Google Gemini 3.8 Flash, OpenAI GPT-5, "
        "Anthropic Claude Sonnet 4.5-4.6, Anthropic Claude Opus 4.5-4.7, OpenAI GPT-5.5 Pro")
    assert fig(a, "top_used_near_frontier") == 1.0
    assert fig(a, "strongest_product") == "OpenAI GPT-5.5 Pro"
    assert fig(a, "most_used_product") == "DeepSeek V4-Flash"
    assert fig(a, "quality_price_rho") > 0.3
    assert fig(a, "quality_speed_rho") == pytest.approx(-0.657, abs=1e-3)  # 1 − 6·58/210
    assert fig(a, "check_stronger_is_slower") == "pass"
    assert not a.evidence.missing
    assert [w.threshold for w in a.evidence.watch] == [0.67, 0.3]
    assert len(a.evidence.charts) == 2
    assert any(d.instrument == "product:DeepSeek:V4-Flash:usage" for d in a.evidence.data)


def test_quality_path_contradicted_when_strong_and_dear_leads(thesis: Thesis) -> None:
    raw = _with_quality(thesis, {"GPT-5.5 Pro": 0.4, "Gemini 2.5 Pro": 0.3, "GPT-5.4": 0.2})
    a = run(thesis, "token-economics", params=raw)
    assert a.verdict is Verdict.CONTRADICTED
    assert fig(a, "top_used_near_frontier") == pytest.approx(0.333)  # only GPT-5.5 Pro
    assert fig(a, "most_used_product") == fig(a, "strongest_product") == "OpenAI GPT-5.5 Pro"


def test_too_few_quality_figures_stay_insufficient(thesis: Thesis) -> None:
    raw = _with_quality(thesis, {"V4-Flash": 0.3, "GPT-5": 0.2, "GPT-5.5 Pro": 0.1})
    raw["min_products_with_quality"] = 9  # only 8 models are scored, 6 with a speed
    a = run(thesis, "token-economics", params=raw)
    assert a.verdict is Verdict.INSUFFICIENT_DATA
    assert [m.what.split(" ")[0] for m in a.evidence.missing] == ["quality", "speed"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quality", {"value": 1, "benchmark": "", "source": SRC}, "at least 1 character"),
        ("quality", {"value": 1, "benchmark": "b", "source": SRC, "url": "x"}, "Extra inputs"),
        ("quality", {"value": -1, "benchmark": "b", "source": SRC}, "greater than or equal"),
        ("speed", {"value": 0, "source": SRC}, "greater than 0"),
        ("speed", {"value": 10}, "source"),
        ("usage_share", {"value": 1.5, "source": SRC}, "less than or equal to 1"),
        ("live_ids", ["gpt-5.4"], "vendor/model"),
    ],
)
def test_bad_new_fields_are_rejected(thesis: Thesis, field: str, value: Any,
                                     message: str) -> None:
    raw = params_of(thesis, "token-economics")
    raw["products"][0][field] = value
    with pytest.raises(ValidationError, match=message):
        _params(thesis, raw)


def test_incomparable_quality_and_overfull_usage_are_rejected(thesis: Thesis) -> None:
    raw = _with_quality(thesis, {})
    raw["products"][0]["quality"]["benchmark"] = "another benchmark"
    with pytest.raises(ValidationError, match="share one benchmark"):
        _params(thesis, raw)
    raw = _with_quality(thesis, {"V4-Flash": 0.6, "GPT-5": 0.5})
    with pytest.raises(ValidationError, match=r"add up to 1\.1"):
        _params(thesis, raw)


# --- live prices ---------------------------------------------------------------------------

# CONSTRUCTED from OpenRouter's documented GET /api/v1/models schema (data[].id, name,
# created, context_length, pricing.prompt/completion in USD per token as strings); not a
# recorded response. Ids follow the documented vendor/model-slug form; prices are made up
# where they differ from FACTS.md 3f, to show the difference.
LIVE_BODY = {"data": [
    {"id": "openai/gpt-5.4", "name": "OpenAI: GPT-5.4", "created": 1767225600,
     "context_length": 400000, "pricing": {"prompt": "0.0000025", "completion": "0.000015"}},
    {"id": "openai/gpt-5.4-mini-2026-03", "name": "OpenAI: GPT-5.4 mini", "created": 1767225600,
     "context_length": 400000, "pricing": {"prompt": "0.00000075", "completion": "0.0000045"}},
    {"id": "anthropic/claude-opus-4.7", "name": "Anthropic: Claude Opus 4.7",
     "context_length": 200000, "pricing": {"prompt": "0.000006", "completion": "0.00003"}},
    {"id": "deepseek/deepseek-v4-flash", "name": "DeepSeek: V4 Flash",
     "context_length": 128000, "pricing": {"prompt": "0.00000014", "completion": "0.00000028"}},
    {"id": "google/gemini-2.5-flash", "name": "Google: Gemini 2.5 Flash",
     "pricing": {"prompt": "0.0000003", "completion": "0.0000025"}},
    {"id": "openrouter/auto", "name": "Auto Router", "pricing": {"prompt": "-1",
                                                                  "completion": "-1"}},
]}


class _Handler(BaseHTTPRequestHandler):
    body = b""
    status = 200
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"body": json.dumps(LIVE_BODY).encode()})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/api/v1/models", handler
    httpd.shutdown()


def _run_ctx(thesis: Thesis, offline: bool, url: str, as_of: date | None = None
             ) -> Assessment:
    """A context whose view reads live prices from ``url`` (a loopback server) and the
    test's own store (empty at first). ``as_of`` defaults to today: a live list fetched
    today is only served to a run that looks at today."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView

    day = as_of or date.today()
    claim = thesis.claim("token-economics")
    evaluator = get_evaluator(claim.test)
    view = DataView(DataHub(Store(), offline=True), day, llm_prices_url=url,
                    live=not offline)
    ctx = EvalContext(thesis=thesis, as_of=day, offline=offline, hub=view)
    return evaluator.evaluate(claim, _params(thesis), ctx)


def test_live_prices_through_a_loopback_server(
    thesis: Thesis, server: tuple[str, type[_Handler]]
) -> None:
    url, handler = server
    a = _run_ctx(thesis, offline=False, url=url)
    assert handler.hits == 1
    # 5 of the 18 non-retired recorded models match: GPT-5.4 and Opus by id, GPT-5.4 mini
    # by display name, V4-Flash by DeepSeek's vendor-repeating id, Gemini 2.5 Flash by id.
    assert fig(a, "live_matched") == "5/18"
    assert fig(a, "live_blended_openai-gpt-5.4") == pytest.approx(5.625)
    assert fig(a, "live_blended_openai-gpt-5.4-mini-2026-03") == pytest.approx(1.6875)
    opus = next(f for f in a.evidence.figures if f.key == "live_blended_anthropic-claude-opus-4.7")
    assert opus.value == pytest.approx(0.75 * 6 + 0.25 * 30) and "+20% vs list" in opus.unit
    assert fig(a, "live_blended_google-gemini-2.5-flash") == pytest.approx(0.85)
    live = next(d for d in a.evidence.data if d.instrument == "openrouter:models")
    assert live.source == url and live.fetched_at is not None and live.rows == 5
    assert any(s.name == "OpenRouter live" and len(s.x) == 5 for s in a.evidence.charts[0].series)
    assert a.verdict is Verdict.INSUFFICIENT_DATA  # live prices are not quality figures


def test_live_failure_is_a_note(thesis: Thesis, server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    handler.status = 503
    a = _run_ctx(thesis, offline=False, url=url)
    assert any("Live OpenRouter prices not available: openrouter: HTTP 503" in n.en
               for n in a.evidence.notes)
    assert not any(d.instrument == "openrouter:models" for d in a.evidence.data)


def test_offline_run_does_not_fetch(thesis: Thesis, server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    a = _run_ctx(thesis, offline=True, url=url)
    assert handler.hits == 0
    assert any("Offline run: live OpenRouter prices were not fetched" in n.en
               for n in a.evidence.notes)


def test_a_fetched_list_is_stored_and_serves_offline_runs(
        thesis: Thesis, server: tuple[str, type[_Handler]]) -> None:
    """The live list is kept as a dated snapshot: an offline run reads it, labelled with
    its day, without calling the server; an as-of before that day does not see it."""
    from narrowgate.data.store import Store

    url, handler = server
    _run_ctx(thesis, offline=False, url=url)
    assert handler.hits == 1
    origin, frame = Store().price_list_snapshot("openrouter", date.today()) or (None, None)
    assert origin is not None and frame is not None and origin.request == url
    assert origin.as_of == date.today()
    assert len(frame) == len(LIVE_BODY["data"]) - 1  # the router meta-model is skipped
    a = _run_ctx(thesis, offline=True, url=url)
    assert handler.hits == 1  # offline: served from the store
    assert fig(a, "live_matched") == "5/18"
    gpt = next(f for f in a.evidence.figures if f.key == "live_blended_openai-gpt-5.4")
    assert gpt.value == pytest.approx(5.625) and f"stored {date.today()}" in gpt.label.en
    stored = next(d for d in a.evidence.data if d.instrument == "openrouter:models")
    assert stored.source == url and stored.note.startswith(f"stored {date.today()} prices")
    before = _run_ctx(thesis, offline=True, url=url, as_of=date.today() - timedelta(days=1))
    assert not any(f.key == "live_matched" for f in before.evidence.figures)
    assert any("store holds no earlier list" in n.en for n in before.evidence.notes)


def test_a_past_as_of_fetches_but_does_not_serve_todays_list(
        thesis: Thesis, server: tuple[str, type[_Handler]]) -> None:
    url, handler = server
    a = _run_ctx(thesis, offline=False, url=url, as_of=AS_OF)
    assert handler.hits == 1 and not any(f.key == "live_matched" for f in a.evidence.figures)
    assert any(f"after as-of {AS_OF}" in n.en for n in a.evidence.notes)


def test_an_unreachable_price_list_is_one_note_without_waiting(thesis: Thesis) -> None:
    """Nothing listens on the port: the reachability check says so in one line, and the
    fetch (8 s timeout) is not tried."""
    import socket

    from narrowgate.data import reachability

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reachability.new_run()
    a = _run_ctx(thesis, offline=False, url=f"http://127.0.0.1:{port}/api/v1/models")
    note = next(n.en for n in a.evidence.notes if "Live OpenRouter prices not available" in n.en)
    assert "openrouter" in note and f"127.0.0.1:{port}" in note
