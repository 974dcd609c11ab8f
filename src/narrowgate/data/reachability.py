"""Is a provider reachable? One quick HTTP question per provider and run, through the proxy.

Why: a provider that cannot be reached would otherwise cost its whole retry budget (about
45 s for Yahoo, FRED, SEC) before the run falls back on the store, and one dead source must
not stop the others: a run that finds Yahoo down but FRED up still fetches FRED. So before a
provider's first fetch of a run, its address is asked once (an HTTP ``HEAD``, answered in a
few seconds or not at all) and the answer is kept for the run.

How: through httpx with ``trust_env`` on, exactly as the real fetches go, so
``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` and ``NO_PROXY`` apply the same way. Any HTTP
answer, even 404 or 405, means the host is there; a refused or silent connection, a DNS
failure, or a proxy that refuses the tunnel means it is not, said in one line that names the
address and, behind a proxy, the proxy and the variable that set it. The address asked is
the provider's own ``base_url`` (so ``NARROWGATE_<PROVIDER>_BASE`` overrides hold) or, for a
source reached through a client library (akshare), the hosts that library calls; akshare
counts as reachable when any of its hosts answers. A provider with no known address (a
plug-in) is not asked.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from narrowgate.errors import ProviderError

if TYPE_CHECKING:
    from narrowgate.data.providers.base import FetchResult, Provider, Query

#: seconds one probe may take (connect plus the answer's headers)
PROBE_TIMEOUT_S = 3.0
#: seconds a cached answer holds in a long-lived process (serve, watch) between runs
ANSWER_TTL_S = 300.0
#: hosts of sources reached through a client library that takes no address (akshare calls
#: eastmoney for A-shares, CSI for indices, sina for futures and Hong Kong indices)
LIBRARY_HOSTS: dict[str, tuple[str, ...]] = {
    "akshare": ("https://push2his.eastmoney.com", "https://www.csindex.com.cn",
                "https://stock2.finance.sina.com.cn", "https://finance.sina.com.cn"),
}


@dataclass(frozen=True)
class Reach:
    """One provider's answer: ``ok`` or the one line saying why not (address, proxy)."""

    provider: str
    ok: bool
    line: str = ""


def proxy_in_effect(url: str) -> tuple[str, str] | None:
    """(proxy URL, the variable that set it) that httpx's ``trust_env`` would use for
    ``url``, or None (no proxy, or ``NO_PROXY`` covers the host). Only names the proxy in a
    message; the probe itself leaves the routing to httpx."""
    import urllib.request

    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if _no_proxy_covers((parts.hostname or "").lower(), proxies.get("no", "")):
        return None
    for scheme in (parts.scheme, "all"):
        proxy = proxies.get(scheme)
        if proxy:
            named = next((k for k in (f"{scheme.upper()}_PROXY", f"{scheme}_proxy")
                          if os.environ.get(k)), f"{scheme.upper()}_PROXY")
            return (proxy if "://" in proxy else f"http://{proxy}"), named
    return None


def _no_proxy_covers(host: str, no_proxy: str) -> bool:
    """``NO_PROXY`` as curl and httpx read it: ``*``, a host or address, or a domain
    (``example.com`` and ``.example.com`` both cover ``www.example.com``)."""
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        entry = entry.split("://")[-1].strip("[]")
        if entry == "*" or (entry and (host == entry.lstrip(".")
                                       or host.endswith("." + entry.lstrip(".")))):
            return True
    return False


def probe(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """None when ``url``'s host gives any HTTP answer within ``timeout_s`` seconds, else
    the problem in a few words ("connection refused", "no answer within 3 s")."""
    import httpx

    from narrowgate.data.providers.http import user_agent

    try:
        with httpx.Client(timeout=timeout_s, trust_env=True, follow_redirects=False,
                          headers={"User-Agent": user_agent()}) as client:
            client.head(url)
    except httpx.TimeoutException:
        return f"no answer within {timeout_s:g} s"
    except httpx.ProxyError as exc:
        return f"the proxy refused ({_short(exc)})"
    except httpx.HTTPError as exc:
        return _short(exc)
    except Exception as exc:  # a malformed proxy variable, sockets blocked by a sandbox
        return f"{type(exc).__name__}: {_short(exc)}"
    return None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return "host name not found"
    return text[:100]


def unreachable_line(provider: str, url: str, problem: str) -> str:
    """The one line for a provider that did not answer, naming the proxy if one was used."""
    via = proxy_in_effect(url)
    if via is None:
        return f"{provider}: no answer from {url} ({problem})"
    proxy, variable = via
    return (f"{provider}: no answer from {url} through proxy {proxy} (set by {variable}): "
            f"{problem} — check the proxy, or add the host to NO_PROXY")


def endpoints(provider: Provider) -> tuple[str, ...]:
    """The addresses that stand for a provider: its ``base_url`` (which its
    ``NARROWGATE_<PROVIDER>_BASE`` variable sets) or the hosts its client library calls."""
    base = getattr(provider, "base_url", None)
    if isinstance(base, str) and base:
        return (base.rstrip("/"),)
    return LIBRARY_HOSTS.get(provider.name, ())


class Reachability:
    """Answers per provider for one run: each provider is asked at most once (threads
    asking together wait for the one probe), then the answer is reused."""

    def __init__(self, timeout_s: float = PROBE_TIMEOUT_S, ttl_s: float = ANSWER_TTL_S) -> None:
        self.timeout_s = timeout_s
        self.ttl_s = ttl_s
        #: (provider, urls, proxy variables) → (valid until, monotonic s; the answer)
        self._answers: dict[tuple[str, tuple[str, ...], tuple[str, ...]],
                            tuple[float, Reach]] = {}
        self._lock = threading.Lock()

    def check(self, provider: str, urls: Sequence[str]) -> Reach:
        """The provider's answer: reachable when any of ``urls`` answers (no urls: assumed
        reachable, there is nothing to ask)."""
        if not urls:
            return Reach(provider, True)
        key = (provider, tuple(urls), _proxy_environment())
        with self._lock:  # one probe at a time; a thread asking meanwhile gets its answer
            held = self._answers.get(key)
            if held is not None and held[0] > time.monotonic():
                return held[1]
            reach = self._ask(provider, list(urls))
            self._answers[key] = (time.monotonic() + self.ttl_s, reach)
            return reach

    def _ask(self, provider: str, urls: list[str]) -> Reach:
        # a probe still running when the wait ends counts as no answer
        problems: list[str | None] = [f"no answer within {self.timeout_s:g} s"] * len(urls)

        def one(i: int) -> None:
            problems[i] = probe(urls[i], self.timeout_s)

        if len(urls) == 1:
            one(0)
        else:  # several hosts: asked together, so the wait is one timeout, not several
            workers = [threading.Thread(target=one, args=(i,), daemon=True)
                       for i in range(len(urls))]
            for worker in workers:
                worker.start()
            deadline = time.monotonic() + 2 * self.timeout_s + 1.0  # connect + answer
            for worker in workers:
                worker.join(max(0.0, deadline - time.monotonic()))
        if any(p is None for p in problems):
            return Reach(provider, True)
        problem = problems[0] or ""
        if len(urls) > 1:
            problem += f"; nor did its {len(urls) - 1} other host{'s' if len(urls) > 2 else ''}"
        return Reach(provider, False, unreachable_line(provider, urls[0], problem))

    def forget(self) -> None:
        """Drop every answer: the next run asks again."""
        with self._lock:
            self._answers.clear()


def _proxy_environment() -> tuple[str, ...]:
    return tuple(os.environ.get(k, "") for k in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
                                                 "http_proxy", "ALL_PROXY", "all_proxy",
                                                 "NO_PROXY", "no_proxy"))


#: the process's answers; :func:`new_run` forgets them when a run starts
RUN_REACHABILITY = Reachability()


def new_run() -> None:
    """A run starts: providers are asked afresh (a network that came back is used)."""
    RUN_REACHABILITY.forget()


def provider_reachable(name: str, urls: Sequence[str]) -> Reach:
    """Whether provider ``name`` answers at ``urls`` this run (for sources outside the
    provider registry, such as OpenRouter's price list: pass its base address)."""
    return RUN_REACHABILITY.check(name, urls)


class ReachableProvider:
    """A provider asked for reachability before its first fetch of a run; unreachable, it
    fails at once with one ProviderError line (the hub then warns once and uses the store)
    instead of spending its retries."""

    def __init__(self, provider: Provider, answers: Reachability | None = None) -> None:
        self.provider = provider
        self.name = provider.name
        self.kinds = provider.kinds
        self._answers = answers

    def fetch(self, query: Query) -> FetchResult:
        answers = self._answers if self._answers is not None else RUN_REACHABILITY
        reach = answers.check(self.name, endpoints(self.provider))
        if not reach.ok:
            raise ProviderError(reach.line)
        return self.provider.fetch(query)
