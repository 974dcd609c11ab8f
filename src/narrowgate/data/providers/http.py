"""One polite HTTP client for every live provider: declared User-Agent, rate limit, retries.

Why one place: public sources (SEC, Yahoo, FRED) block clients that hammer them or hide who
they are. Every provider therefore goes through :class:`HttpSource`, which

- sends a declared User-Agent: ``narrowgate/VERSION`` to every source, and to SEC alone the
  user's own ``NARROWGATE_USER_AGENT`` (SEC requires a name and contact address, and that
  address is nobody else's business: it never goes to Yahoo or FRED),
- waits so that at most ``rate_per_second`` requests leave per provider (shared by threads),
- retries 429, 5xx, timeouts and connection errors a bounded number of times with exponential
  backoff (honouring ``Retry-After`` up to the cap),
- and then raises :class:`~narrowgate.errors.ProviderError` with one line naming the provider
  and the request URL. A 404 is :class:`~narrowgate.errors.DataNotFound`; other 4xx are
  :class:`HttpRefused` at once (retrying a 403 only annoys the source).

httpx is imported lazily so that importing the providers package stays cheap.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from narrowgate.errors import DataNotFound, ProviderError, ProviderNotSetUp

if TYPE_CHECKING:
    import httpx

USER_AGENT_VARIABLE = "NARROWGATE_USER_AGENT"


def user_agent() -> str:
    """The User-Agent every request declares: the program and its version, no contact."""
    from narrowgate import __version__

    return f"narrowgate/{__version__}"


def contact_user_agent(source: str) -> str:
    """The user's ``NARROWGATE_USER_AGENT`` ("Name you@example.com"), for a source that asks
    for a contact (SEC); without one the source is not called at all."""
    value = os.environ.get(USER_AGENT_VARIABLE, "").strip()
    if "@" not in value:
        raise ProviderNotSetUp(
            f"{source}: asks every client for a contact address in its User-Agent, and "
            f"{USER_AGENT_VARIABLE} {'has none' if value else 'is not set'}",
            f'set {USER_AGENT_VARIABLE}="Your Name you@example.com" (sent to {source} only)')
    return value


class HttpRefused(ProviderError):
    """The source answered with a 4xx other than 404/429: it refuses this client or request.

    Kept apart from other failures so a provider can choose a fallback path (Yahoo → yfinance).
    """

    def __init__(self, message: str, status: int, hint: str | None = None) -> None:
        self.status = status
        super().__init__(message, hint)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: ``attempts`` requests in all, waits of backoff·2^k capped at max_backoff,
    each request bounded by ``timeout`` seconds and all of them by ``deadline`` seconds (no
    retry starts that could not finish before it), so a dead source costs at most about
    ``deadline`` seconds, said in the message. Tests pass tiny values.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    timeout: float = 20.0
    deadline: float = 45.0

    def wait_before_retry(self, failed_attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``failed_attempt``-th (1-based) failure."""
        wait = self.backoff * (2 ** (failed_attempt - 1))
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_backoff)


class RateLimiter:
    """At most ``per_second`` calls to :meth:`wait` return per second, across threads."""

    def __init__(self, per_second: float) -> None:
        self.min_interval = 0.0 if per_second <= 0 else 1.0 / per_second
        self._lock = threading.Lock()
        self._next_free = 0.0

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_free)
            self._next_free = start + self.min_interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)


_LIMITERS: dict[str, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(provider: str, per_second: float) -> RateLimiter:
    """The process-wide limiter of one provider: a rate limit only holds if it is shared."""
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(provider)
        if limiter is None or limiter.min_interval != (0.0 if per_second <= 0 else 1 / per_second):
            limiter = RateLimiter(per_second)
            _LIMITERS[provider] = limiter
        return limiter


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class HttpSource:
    """GET with rate limit and bounded retries for one provider; see the module docstring."""

    def __init__(
        self,
        provider: str,
        *,
        rate_per_second: float = 5.0,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.provider = provider
        self.retry = retry or RetryPolicy()
        self.limiter = shared_limiter(provider, rate_per_second)
        self.headers = {"User-Agent": user_agent(), "Accept-Encoding": "gzip, deflate"}
        self.headers.update(headers or {})

    def get(self, url: str, params: Mapping[str, str | int] | None = None) -> httpx.Response:
        """The successful response, or DataNotFound (404), HttpRefused (4xx), ProviderError."""
        import httpx

        request_url = str(httpx.URL(url, params=dict(params or {})))
        last_problem = "no attempt made"
        started, made = time.monotonic(), 0
        with httpx.Client(
            headers=self.headers, timeout=self.retry.timeout, follow_redirects=True
        ) as client:
            for attempt in range(1, self.retry.attempts + 1):
                self.limiter.wait()
                retry_after: float | None = None
                try:
                    response = client.get(request_url)
                except httpx.TimeoutException:
                    last_problem = f"timed out after {self.retry.timeout:g}s"
                except httpx.TransportError as exc:
                    last_problem = f"connection error ({type(exc).__name__})"
                except httpx.TooManyRedirects:
                    # a loop answers the same way every time: retrying only waits
                    raise ProviderError(f"{self.provider}: GET {request_url} redirects in a "
                                        "loop", "the source's address may have moved; check "
                                        "its base URL setting") from None
                except httpx.DecodingError:
                    last_problem = "the answer could not be decoded (damaged compression)"
                except httpx.HTTPError as exc:  # any other client-side failure of httpx
                    last_problem = f"{type(exc).__name__}: {exc}"
                else:
                    status = response.status_code
                    if status < 400:
                        return response
                    if status == 404:
                        raise DataNotFound(f"{self.provider}: nothing at {request_url} (HTTP 404)")
                    if status == 429 or status >= 500:
                        last_problem = f"HTTP {status}"
                        retry_after = _retry_after_seconds(response)
                    else:
                        raise HttpRefused(
                            f"{self.provider}: GET {request_url} refused with HTTP {status}",
                            status,
                            "the source may block automated clients; try again later",
                        )
                made = attempt
                if attempt < self.retry.attempts:
                    wait = self.retry.wait_before_retry(attempt, retry_after)
                    if time.monotonic() - started + wait + self.retry.timeout > \
                            self.retry.deadline:
                        break  # the next try could not end before the deadline
                    time.sleep(wait)
        tries = f"{made} attempt{'s' if made != 1 else ''}"
        raise ProviderError(
            f"{self.provider}: GET {request_url} failed after {tries} within "
            f"{self.retry.deadline:g} s ({last_problem})")

    def get_text(self, url: str, params: Mapping[str, str | int] | None = None) -> tuple[str, str]:
        """(body text, request URL); an empty body is a ProviderError, never an empty frame."""
        response = self.get(url, params)
        text = response.text
        if not text.strip():
            request = response.request.url
            raise ProviderError(f"{self.provider}: GET {request} returned an empty body")
        return text, str(response.request.url)

    def get_json(self, url: str, params: Mapping[str, str | int] | None = None) -> tuple[Any, str]:
        """(decoded JSON, request URL); a body that is not JSON is a ProviderError."""
        text, request_url = self.get_text(url, params)
        return parse_json(text, self.provider, request_url), request_url


def parse_json(text: str, provider: str, request: str) -> Any:
    """Decode JSON or raise a one-line ProviderError quoting the start of the bad body."""
    try:
        return json.loads(text)
    except ValueError:
        raise ProviderError(
            f"{provider}: GET {request} returned a body that is not JSON: {_one_line(text, 60)!r}"
        ) from None
