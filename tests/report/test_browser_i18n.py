"""The language switch in a real browser: charts re-drawn in the other language (axis
titles, line labels, Plotly's own locale) and the choice remembered on the next visit.

Headless Debian Chromium over file:// (see test_browser.py for what it needs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report.html import write_html_report
from tests.report.test_browser import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

DRAWN = ("document.querySelectorAll('.chart.js-plotly-plot svg.main-svg').length >= "
         "document.querySelectorAll('.chart[data-spec]').length")


def _chart_texts(page: Any, dom_id: str) -> list[str]:
    return page.evaluate(
        "id => Array.from(document.querySelectorAll('#' + id + ' .g-ytitle text, #' + id + "
        "' .annotation-text')).map(t => t.textContent)", dom_id)


def test_switch_redraws_charts_and_is_remembered(
    browser: Any, sample_scorecard: Scorecard, tmp_path: Path,  # noqa: F811
) -> None:
    index = write_html_report(sample_scorecard, tmp_path / "report", "zh")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(index.as_uri(), wait_until="load")
    page.evaluate("window.narrowgateReport.renderAllCharts()")
    page.wait_for_function(DRAWN, timeout=15_000)

    price = page.locator(".chart[data-spec]").nth(1).get_attribute("id") or ""
    zh = _chart_texts(page, price)
    assert "指数" in zh and "数据截止" in zh  # y title "index" and the data-end line
    ticks = page.evaluate(f"Array.from(document.querySelectorAll('#{price} .xtick text'))"
                          ".map(t => t.textContent).join(' ')")
    assert "月" in ticks  # Plotly's zh-CN locale: month names in Chinese
    assert page.get_attribute(f"#{price}", "aria-label", timeout=1000).startswith("软件")

    page.click("#lang-switch")
    page.wait_for_function(f"document.getElementById('{price}').dataset.rendered === 'en'")
    en = _chart_texts(page, price)
    assert "index" in en and "data end" in en and "指数" not in en
    assert "月" not in page.evaluate(f"Array.from(document.querySelectorAll('#{price} "
                                    ".xtick text')).map(t => t.textContent).join(' ')")
    assert (page.get_attribute(f"#{price}", "aria-label") or "").startswith("Software")

    page.reload(wait_until="load")  # the choice survives a new visit
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1 .l-en").is_visible()
    page.evaluate("window.narrowgateReport.renderAllCharts()")
    page.wait_for_function(DRAWN, timeout=15_000)
    assert "index" in _chart_texts(page, price)
    context.close()
    assert errors == []
