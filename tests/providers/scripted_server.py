"""A small threaded HTTP server on 127.0.0.1 that plays scripted answers.

Providers are exercised end-to-end (real httpx, real sockets) against it: recorded bodies
for the happy path, and 403/429/5xx, slow answers, garbage and empty bodies for the faults.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Answer:
    """One scripted response."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Hit:
    path: str
    query: str
    user_agent: str
    at: float


class ScriptedServer:
    """Routes by path; each route answers its scripted list in order, repeating the last."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Answer]] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with server.lock:
                    server.hits.append(
                        Hit(parts.path, parts.query, self.headers.get("User-Agent", ""),
                            time.monotonic())
                    )
                    script = server.routes.get(parts.path)
                    answer = (script.pop(0) if len(script) > 1 else script[0]) if script else \
                        Answer(404, "not found")
                if answer.delay:
                    time.sleep(answer.delay)
                body = answer.body.encode() if isinstance(answer.body, str) else answer.body
                try:
                    self.send_response(answer.status)
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def route(self, path: str, *answers: Answer) -> str:
        """Script ``path``; returns its full URL."""
        self.routes[path] = list(answers)
        return self.url + path

    def hits_on(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path == path]
