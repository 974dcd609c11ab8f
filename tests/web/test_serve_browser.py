"""`narrowgate serve` for real: the command started on a free loopback port, its API over
HTTP, and its pages in headless Chromium (no console errors, nothing fetched from anywhere
but the server). Marked and skipped like tests/report/test_browser.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.report.test_browser import browser  # noqa: F401  (the fixture)
from tests.web.conftest import BUNDLED, EARLY, LATE, USER

FLIPPED = "earnings-up-pe-down"


@pytest.fixture(scope="module")
def server(served_home: Path) -> Iterator[str]:
    """``narrowgate serve --port 0 --offline`` on the recorded home; yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "narrowgate", "serve", "--port", "0", "--offline"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "NARROWGATE_HOME": str(served_home)})
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, first
        base = f"http://127.0.0.1:{match.group(1)}"
        for _ in range(300):  # the socket listens already; uvicorn answers once started
            assert process.poll() is None, process.stderr.read()
            try:
                httpx.get(base + "/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_served_api_answers_over_http(server: str) -> None:
    theses = httpx.get(server + "/api/theses", timeout=30).json()["theses"]
    assert [t["id"] for t in theses] == [BUNDLED, USER]
    history = httpx.get(f"{server}/api/theses/{BUNDLED}/history", timeout=30).json()
    assert [r["as_of"] for r in history["runs"]] == [EARLY, LATE]
    missing = httpx.get(f"{server}/api/theses/nope/history", timeout=30)
    assert missing.status_code == 404 and "no thesis 'nope'" in missing.json()["error"]


@pytest.mark.browser
def test_pages_render_in_chromium_offline(server: str, browser: Any) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))

    page.goto(server + "/?lang=zh", wait_until="load")
    assert page.locator("section.thesis").count() == 2
    assert page.locator(f"#thesis-{USER} .none").is_visible()
    assert page.locator(f"#thesis-{BUNDLED} ul.flips.week li").count() == 2  # last week's
    page.click(f"a[href^='/theses/{BUNDLED}/claims/{FLIPPED}']")
    page.wait_for_load_state("load")
    rows = page.locator("table.timeline tbody tr")
    assert rows.count() == 2
    assert EARLY in rows.nth(0).inner_text() and LATE in rows.nth(1).inner_text()
    page.click("header.bar a.lang")  # the same page in English
    page.wait_for_load_state("load")
    assert page.locator("h2").first.inner_text() == "Verdict across recorded runs"

    page.goto(f"{server}/theses/{BUNDLED}", wait_until="load")
    charts = page.locator(".chart[data-spec]")
    assert charts.count() >= 1
    charts.first.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('.chart.js-plotly-plot svg.main-svg')"
                           ".length >= 1", timeout=15_000)
    assert page.title().startswith("The narrow gate of AI")

    # the user's thesis, never run: its refresh button runs it in the server's worker
    page.goto(server + "/", wait_until="load")
    section = page.locator(f"#thesis-{USER}")
    assert section.locator(".none").is_visible()
    with page.expect_navigation(timeout=180_000):  # the page reloads once it is recorded
        section.locator("button[data-refresh]").click()
    assert page.locator(f"#thesis-{USER} a.open").count() == 1
    assert page.locator("section.thesis .counts").count() == 2  # side by side, both run
    page.close()

    assert errors == []
    foreign = [u for u in requests if not u.startswith((server + "/", "data:", "blob:"))]
    assert foreign == []
    assert f"{server}/theses/assets/plotly.min.js" in requests
