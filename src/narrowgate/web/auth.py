"""Bearer-token access to every route, pages and assets included, when a token is set.

Why a cookie too: a browser opening ``/?token=T`` cannot add an ``Authorization`` header to
the stylesheet, script and chart requests the page then makes, so a request that proves the
token by query gets an HttpOnly, SameSite=Strict cookie holding it, and later requests may
show the cookie instead. Tokens are compared in constant time. Without a token (loopback
only, enforced by the CLI) every request passes.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from html import escape
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "narrowgate_token"
REFUSED = ("a token is required: send 'Authorization: Bearer <token>' or open the page "
           "with ?token=<token>")
REFUSED_ZH = "需要令牌:请发送 'Authorization: Bearer <令牌>',或以 ?token=<令牌> 打开页面"


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


class TokenAuth:
    """ASGI middleware: refuse (401) an HTTP request that shows no valid token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        bearer = headers.get("authorization", "")
        by_header = bearer[7:].strip() if bearer.lower().startswith("bearer ") else None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        by_query = query.get("token", [None])[-1]
        cookie = SimpleCookie(headers.get("cookie", ""))
        by_cookie = cookie[COOKIE].value if COOKIE in cookie else None
        if _same(by_header, self.token) or _same(by_cookie, self.token):
            await self.app(scope, receive, send)
        elif _same(by_query, self.token):
            await self.app(scope, receive, self._setting_cookie(send))
        else:
            await self._refuse(scope, send)

    def _setting_cookie(self, send: Send) -> Send:
        """``send`` that adds the token cookie to the response's headers."""
        value = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", value.encode("latin-1"))]
            await send(message)

        return sending

    async def _refuse(self, scope: Scope, send: Send) -> None:
        """401 with one bilingual line: JSON for the API, a small page for a browser."""
        path: str = scope.get("path", "")
        if path.startswith("/api/") or path == "/openapi.json":
            body = json.dumps({"error": REFUSED, "error_zh": REFUSED_ZH,
                               "status": 401}).encode()
            kind = b"application/json"
        else:
            body = ("<!doctype html><html><head><meta charset='utf-8'><title>401</title>"
                    f"</head><body><p>{escape(REFUSED_ZH)}</p><p>{escape(REFUSED)}</p>"
                    "</body></html>").encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 401,
                    "headers": [(b"content-type", kind),
                                (b"www-authenticate", b'Bearer realm="narrowgate"'),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
