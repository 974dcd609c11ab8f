"""`narrowgate serve`: the web app and JSON API over the store (docs/living.md "Serve").

Loopback by default. Any other address needs ``--token`` (bearer auth on every route), so
a scorecard server is never opened to a network by accident; the start line says which.
Starlette and uvicorn come with the ``serve`` extra and are imported only here.
"""

from __future__ import annotations

import socket
import sys
from typing import Annotated

import typer

from narrowgate.hosts import is_loopback

#: exit code of bad usage (README): a missing extra or a refused host
USAGE = 2


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(USAGE)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind; default loopback only. "
                                      "Another address requires --token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                      help="TCP port (0: any free port).")] = 8000,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="NARROWGATE_TOKEN",
        help="Require 'Authorization: Bearer TOKEN' (or ?token=TOKEN) on every route.")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Refreshes evaluate on the store as it is, never fetching.")] = False,
) -> None:
    """Serve the theses, their recorded scorecards and a JSON API — 启动网页与 JSON 接口。"""
    import importlib.util

    missing = [m for m in ("starlette", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        _fail(f"error: narrowgate serve needs {' and '.join(missing)}: install "
              "narrowgate[serve] (pip install 'narrowgate[serve]') — "
              "需要安装 narrowgate[serve]")
    if not is_loopback(host) and not token:
        _fail(f"error: --host {host} is not a loopback address: add --token TOKEN (every "
              "request must then show it) or bind 127.0.0.1 — 非本机地址需要 --token")
    import uvicorn

    from narrowgate.web.app import create_app

    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    guard = ("token required on every route (Authorization: Bearer, or ?token= in a browser)"
             " — 每个请求都需要令牌" if token else "no token (loopback only) — 仅本机访问,无需令牌")
    typer.echo(f"narrowgate serve on http://{shown}:{bound}/ — {guard}", err=True)
    config = uvicorn.Config(create_app(token, offline=offline), log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])
    sys.stderr.flush()


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a port in use or a foreign address is one clear line (and
    ``--port 0`` can say which port it got) before the server starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError as exc:  # port in use, address not on this machine, bad name
        sock.close()
        _fail(f"error: cannot listen on {host}:{port}: {exc.strerror or exc} — choose "
              "another --port or --host")
    return sock
