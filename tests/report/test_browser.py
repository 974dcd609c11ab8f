"""The report in a real browser: headless Debian Chromium opened on file://, offline.

Needs the ``playwright`` Python package and ``/usr/bin/chromium`` (never a downloaded
browser). Without them the test is skipped, unless CI=true and NARROWGATE_REQUIRE_BROWSER=1,
where their absence fails the run.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report.html import write_html_report

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO_ROOT / "test-artifacts" / "report.png"


def _require_browser() -> None:
    """Skip (or, when CI demands a browser, fail) if playwright or Chromium is absent."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("python package 'playwright' (pip install playwright)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not missing:
        return
    reason = "browser test needs " + " and ".join(missing)
    required = os.environ.get("NARROWGATE_REQUIRE_BROWSER") == "1"
    if os.environ.get("CI", "").lower() == "true" and required:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_report_renders_offline_with_charts_and_language_switch(
    browser: Any, sample_scorecard: Scorecard, tmp_path: Path
) -> None:
    index = write_html_report(sample_scorecard, tmp_path / "report", "zh")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))

    page.goto(index.as_uri(), wait_until="load")

    charts = page.locator(".chart[data-spec]")
    assert charts.count() == 2
    for n in range(charts.count()):  # charts are drawn when they come into view
        charts.nth(n).scroll_into_view_if_needed()
    page.wait_for_function(
        "document.querySelectorAll('.chart.js-plotly-plot svg.main-svg').length >= "
        "document.querySelectorAll('.chart[data-spec]').length",
        timeout=15_000,
    )
    for n in range(charts.count()):
        chart = charts.nth(n)
        assert "js-plotly-plot" in (chart.get_attribute("class") or "")
        assert chart.locator("svg.main-svg").count() >= 1
        assert chart.locator(".scatterlayer .trace, .barlayer .trace").count() >= 1

    heading_zh = page.locator("h1 .l-zh")
    heading_en = page.locator("h1 .l-en")
    assert heading_zh.is_visible() and not heading_en.is_visible()
    page.click("#lang-switch")
    assert heading_en.is_visible() and not heading_zh.is_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.title().startswith("The narrow gate of AI")
    page.click("#lang-switch")
    assert heading_zh.is_visible() and page.title().startswith("AI的窄门")

    fold = page.locator("details.provenance table").first
    assert not fold.is_visible()  # folded on screen
    page.emulate_media(media="print")
    assert not page.locator("#lang-switch").is_visible()
    assert not fold.is_visible()  # and folded in print: detail is one click away on screen
    page.emulate_media(media="screen")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()

    assert errors == []
    offline = [url for url in requests if not url.startswith(("file:", "data:", "blob:"))]
    assert offline == []
    assert any(url.endswith("assets/plotly.min.js") for url in requests)
