"""Faults of the shared HTTP client, against a real server on 127.0.0.1.

Delays are kept tiny through RetryPolicy parameters; nothing of the client is mocked.
"""

from __future__ import annotations

import itertools
import time

import pytest

from narrowgate.data.providers.http import HttpRefused, HttpSource, RateLimiter, RetryPolicy
from narrowgate.errors import DataNotFound, ProviderError
from tests.providers.scripted_server import Answer, ScriptedServer

FAST = RetryPolicy(attempts=3, backoff=0.05, max_backoff=0.5, timeout=0.3)


def source(policy: RetryPolicy = FAST) -> HttpSource:
    return HttpSource("testsrc", rate_per_second=0, retry=policy)


def assert_one_line_naming(error: BaseException, url: str) -> None:
    text = str(error)
    assert "\n" not in text
    assert text.startswith("testsrc:")
    assert url in text


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_retryable_status_is_retried_with_backoff_then_provider_error(
    server: ScriptedServer, status: int
) -> None:
    url = server.route("/x", Answer(status, "busy"))
    with pytest.raises(ProviderError) as caught:
        source().get(url)
    hits = server.hits_on("/x")
    assert len(hits) == FAST.attempts
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits)]
    assert gaps[0] >= 0.05 * 0.9 and gaps[1] >= 0.1 * 0.9  # 0.05 then 0.1: exponential
    assert_one_line_naming(caught.value, url)
    assert f"HTTP {status}" in str(caught.value) and "3 attempts" in str(caught.value)


def test_transient_failure_then_success(server: ScriptedServer) -> None:
    url = server.route("/x", Answer(429, "slow down"), Answer(503), Answer(200, '{"ok": 1}'))
    payload, request = source().get_json(url)
    assert payload == {"ok": 1} and request == url
    assert len(server.hits_on("/x")) == 3


def test_retry_after_is_honoured_up_to_the_cap(server: ScriptedServer) -> None:
    url = server.route("/x", Answer(429, headers={"Retry-After": "0.3"}), Answer(200, "{}"))
    source().get_json(url)
    first, second = server.hits_on("/x")
    assert second.at - first.at >= 0.25


def test_forbidden_is_not_retried(server: ScriptedServer) -> None:
    url = server.route("/x", Answer(403, "go away"))
    with pytest.raises(HttpRefused) as caught:
        source().get(url)
    assert len(server.hits_on("/x")) == 1
    assert caught.value.status == 403
    assert_one_line_naming(caught.value, url)
    assert "may block automated clients" in str(caught.value)


def test_not_found_is_data_not_found(server: ScriptedServer) -> None:
    url = server.route("/x", Answer(404, "nope"))
    with pytest.raises(DataNotFound, match="HTTP 404"):
        source().get(url)
    assert len(server.hits_on("/x")) == 1


def test_slow_answer_times_out_and_is_retried(server: ScriptedServer) -> None:
    url = server.route("/x", Answer(200, "{}", delay=1.0))
    policy = RetryPolicy(attempts=2, backoff=0.01, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        source(policy).get(url)
    assert time.monotonic() - started < 1.5
    assert len(server.hits_on("/x")) == 2
    assert "timed out" in str(caught.value)
    assert_one_line_naming(caught.value, url)


@pytest.mark.parametrize(
    "body", ["<html><body>Will be right back</body></html>", '{"chart": {"result": [', "\x00\x01"]
)
def test_garbage_body_is_provider_error_not_traceback(server: ScriptedServer, body: str) -> None:
    url = server.route("/x", Answer(200, body))
    with pytest.raises(ProviderError, match="not JSON") as caught:
        source().get_json(url)
    assert_one_line_naming(caught.value, url)
    assert len(server.hits_on("/x")) == 1


@pytest.mark.parametrize("body", ["", "   \n"])
def test_empty_body_is_provider_error(server: ScriptedServer, body: str) -> None:
    url = server.route("/x", Answer(200, body))
    with pytest.raises(ProviderError, match="empty body") as caught:
        source().get_json(url)
    assert_one_line_naming(caught.value, url)


def test_connection_refused_is_retried_then_provider_error(server: ScriptedServer) -> None:
    url = server.route("/x", Answer(200, "{}"))
    server.httpd.shutdown()
    server.httpd.server_close()
    with pytest.raises(ProviderError, match="connection error") as caught:
        source().get(url)
    assert_one_line_naming(caught.value, url)


def test_query_parameters_are_part_of_the_named_request(server: ScriptedServer) -> None:
    server.route("/x", Answer(500))
    with pytest.raises(ProviderError) as caught:
        source(RetryPolicy(attempts=1)).get(server.url + "/x", {"id": "WALCL"})
    assert f"{server.url}/x?id=WALCL" in str(caught.value)


def test_user_agent_is_declared_without_the_users_contact(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate import __version__

    url = server.route("/x", Answer(200, "{}"))
    monkeypatch.setenv("NARROWGATE_USER_AGENT", "narrowgate-tests ops@example.com")
    source().get_json(url)
    assert server.hits_on("/x")[-1].user_agent == f"narrowgate/{__version__}"


def test_rate_limiter_spaces_calls() -> None:
    limiter = RateLimiter(per_second=50)
    started = time.monotonic()
    for _ in range(6):
        limiter.wait()
    assert time.monotonic() - started >= 5 / 50 * 0.9


def test_redirect_loop_is_one_provider_error_without_retries(server: ScriptedServer) -> None:
    loop = server.route("/loop", Answer(302, "", {"Location": "/loop"}))
    with pytest.raises(ProviderError, match="redirects in a loop") as caught:
        source().get(loop)
    assert_one_line_naming(caught.value, loop)
    assert len(server.hits_on("/loop")) <= 21  # httpx's redirect limit, one request round


def test_damaged_gzip_is_a_provider_error_after_retries(server: ScriptedServer) -> None:
    url = server.route("/gz", Answer(200, b"\x1f\x8b\x08\x00not really gzip",
                                     {"Content-Encoding": "gzip"}))
    with pytest.raises(ProviderError, match="could not be decoded") as caught:
        source().get(url)
    assert_one_line_naming(caught.value, url)
    assert len(server.hits_on("/gz")) == FAST.attempts
