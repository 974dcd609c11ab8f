"""Fixtures of the provider tests: the scripted HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.providers.scripted_server import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    scripted.thread.start()
    try:
        yield scripted
    finally:
        scripted.httpd.shutdown()
        scripted.httpd.server_close()
