"""Every address narrowgate calls over HTTP can be pointed at a test server on 127.0.0.1
(issue #14 item 6): each has a ``NARROWGATE_<PROVIDER>_BASE`` variable, documented in
docs/data.md, and the providers really call the address it names."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import REPO_ROOT
from tests.providers.scripted_server import Answer, ScriptedServer

PROVIDERS = REPO_ROOT / "src" / "narrowgate" / "data" / "providers"


def _documented() -> dict[str, str]:
    """The variables of docs/data.md's provider-address table and their defaults."""
    text = (REPO_ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    section = text[text.index("## Provider addresses"):].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(NARROWGATE_\w+_BASE)` \| `(https://[^`]+)` \|", section,
                           flags=re.M))


def test_every_address_in_the_providers_has_a_documented_override() -> None:
    documented = _documented()
    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted(PROVIDERS.glob("*.py")))
    used = set(re.findall(r"\"(NARROWGATE_\w+_BASE)\"", source))
    assert used == set(documented), (used, set(documented))
    hosts = set(re.findall(r"\"(https://[\w.-]+)", source))  # every address in the code
    assert hosts <= set(documented.values()), hosts - set(documented.values())


def test_the_variables_point_each_provider_at_the_server(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.data.providers.fred import FredProvider
    from narrowgate.data.providers.sec import SecProvider
    from narrowgate.data.providers.yahoo import YahooProvider

    for name in ("YAHOO", "FRED", "SEC"):
        monkeypatch.setenv(f"NARROWGATE_{name}_BASE", server.url)
    assert YahooProvider().base_url == FredProvider().base_url == SecProvider().base_url \
        == server.url


def test_the_sec_ticker_file_comes_from_its_override(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.data.providers.http import HttpSource
    from narrowgate.data.providers.sec import resolve_cik

    tickers = {"0": {"cik_str": 1234567, "ticker": "ZZTOP", "title": "A test company"}}
    url = server.route("/files/company_tickers.json", Answer(200, json.dumps(tickers)))
    monkeypatch.setenv("NARROWGATE_SEC_WWW_BASE", server.url)
    assert resolve_cik("zztop", HttpSource("sec", rate_per_second=0)) == 1234567
    assert [hit.path for hit in server.hits] == ["/files/company_tickers.json"]
    assert url.startswith("http://127.0.0.1:")


def test_live_llm_prices_come_from_the_openrouter_override(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.data.providers.openrouter import fetch_models, models_url

    body = {"data": [{"id": "openai/gpt-test", "name": "OpenAI: GPT Test", "created": 0,
                      "context_length": 1000,
                      "pricing": {"prompt": "0.000001", "completion": "0.000002"}}]}
    server.route("/api/v1/models", Answer(200, json.dumps(body)))
    monkeypatch.setenv("NARROWGATE_OPENROUTER_BASE", server.url + "/")
    assert models_url() == f"{server.url}/api/v1/models"
    frame = fetch_models(models_url())
    assert frame["model_id"].tolist() == ["openai/gpt-test"]
    assert frame["input_usd_per_m"].tolist() == [pytest.approx(1.0)]


def test_data_md_names_the_sources_that_take_no_address() -> None:
    text = (REPO_ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    section = text[text.index("## Provider addresses"):].split("\n## ", 1)[0]
    assert "akshare" in section and "yfinance" in section
