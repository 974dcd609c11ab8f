"""The bundled report in headless Chromium at phone (390 px) and desktop (1440 px) widths,
in Chinese and English: the bottom line and the trade scoreboard are there, nothing scrolls
sideways, the console stays clean and nothing but file:// is requested — also after every
chart toolbar button is clicked. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report.html import write_html_report
from narrowgate.report.trades import trade_rows
from tests.report.test_browser import REPO_ROOT, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

LOCAL = ("file:", "data:", "blob:")
#: toolbar buttons that save a file instead of acting on the chart
SAVING = ("toImage", "downloadJson")


@pytest.fixture(scope="module")
def bundled_report(bundled_scorecard: Scorecard, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bundled-report")
    return {lang: write_html_report(bundled_scorecard, out / lang, lang)
            for lang in ("zh", "en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [390, 1440])
def test_first_screen_and_scoreboard_fit_the_screen(
    browser: Any, bundled_report: dict[str, Path], bundled_scorecard: Scorecard,  # noqa: F811
    width: int, lang: str,
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(bundled_report[lang].as_uri(), wait_until="load")

    bottom = page.locator("#bottom-line")
    assert bottom.is_visible()
    assert bottom.locator(f".sentences .l-{lang}").first.is_visible()
    assert page.locator("#trades").is_visible()
    rows = page.locator("#trades tbody tr")
    assert rows.count() == len(trade_rows(bundled_scorecard)) == 11
    # the bottom line starts on the first screen
    assert bottom.bounding_box()["y"] < 900

    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{width}px {lang}: the page scrolls sideways by {overflow}px"

    chart = page.locator(".chart[data-spec]").first
    chart.scroll_into_view_if_needed()
    page.wait_for_selector(".chart.js-plotly-plot .modebar", state="attached", timeout=15_000)
    drawn = page.locator(".chart.js-plotly-plot").first
    drawn.hover()
    buttons = drawn.locator(".modebar-btn")
    names = [buttons.nth(n).get_attribute("data-attr") or buttons.nth(n).get_attribute(
        "data-title") or "" for n in range(buttons.count())]
    assert buttons.count() >= 3
    assert not any("Cloud" in name or "Share" in name for name in names), names
    for n in range(buttons.count()):
        title = buttons.nth(n).get_attribute("data-title") or ""
        if any(word in title for word in ("download", "PNG", "JSON")) or title in SAVING:
            continue
        drawn.hover()
        buttons.nth(n).click()
    page.wait_for_timeout(300)

    shot = REPO_ROOT / "test-artifacts" / f"report-{width}-{lang}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    page.close()

    assert errors == []
    assert [url for url in requests if not url.startswith(LOCAL)] == []
