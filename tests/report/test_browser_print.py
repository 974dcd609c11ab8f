"""The bundled report printed and read in headless Chromium: the A4 PDF page count, folds
closed in print, the scoreboard's rebased chart drawn, the watch cards stacked on a phone
and side by side on a desktop. PDFs and screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report.html import write_html_report
from narrowgate.report.watch import watch_cards
from tests.report.test_browser import REPO_ROOT, browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

#: issue 16: "the bundled report prints in at most 25 A4 pages" (68 before this change)
MAX_PAGES = 25
PAGE = re.compile(rb"/Type\s*/Page(?!s)")
ARTIFACTS = REPO_ROOT / "test-artifacts"
#: A4 (210 mm) less the report's 10 mm print margins, at 96 CSS px per inch
A4_WIDTH_PX = round((210 - 2 * 10) / 25.4 * 96)


@pytest.fixture(scope="module")
def printed_report(bundled_scorecard: Scorecard, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("printed-report")
    return {lang: write_html_report(bundled_scorecard, out / lang, lang)
            for lang in ("zh", "en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bundled_report_prints_in_at_most_25_a4_pages(
    browser: Any, printed_report: dict[str, Path], lang: str,  # noqa: F811
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(printed_report[lang].as_uri(), wait_until="load")
    page.evaluate("window.__printed = 0; window.addEventListener('afterprint', function () {"
                  " window.__printed = document.querySelectorAll("
                  "'.chart.js-plotly-plot').length; })")
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"report-{lang}.pdf").write_bytes(pdf)
    pages = len(PAGE.findall(pdf))
    assert 0 < pages <= MAX_PAGES, f"{lang}: {pages} A4 pages"
    # the charts that print (open ones and the scoreboard's) were drawn for the page;
    # folded ones were not, and every fold is still closed afterwards
    open_charts = page.evaluate(
        "document.querySelectorAll('.charts-open .chart, .trades-chart .chart').length")
    assert page.evaluate("window.__printed") == open_charts
    assert page.evaluate("document.querySelectorAll('details[open]').length") == 0
    assert page.locator(".more-charts .chart.js-plotly-plot").count() == 0
    page.close()
    assert errors == []

    # the scoreboard's ten columns fit an A4 page's width (about 700 CSS px) in print
    narrow = browser.new_page(viewport={"width": A4_WIDTH_PX, "height": 1000})
    narrow.goto(printed_report[lang].as_uri(), wait_until="load")
    narrow.emulate_media(media="print")
    table, box = narrow.evaluate("[document.querySelector('.trade-table').scrollWidth,"
                                 " document.querySelector('#trades .table-scroll').clientWidth]")
    narrow.close()
    assert table <= box, f"{lang}: the scoreboard is {table}px wide in a {box}px page"


@pytest.mark.parametrize("width", [390, 1440])
def test_watch_cards_stack_on_a_phone_and_the_trades_chart_draws(
    browser: Any, printed_report: dict[str, Path], bundled_scorecard: Scorecard,  # noqa: F811
    width: int,
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(printed_report["en"].as_uri(), wait_until="load")
    cards = page.locator("#what-to-watch .watch-card")
    assert cards.count() == len(watch_cards(bundled_scorecard))
    boxes = [cards.nth(n).bounding_box() for n in range(min(cards.count(), 3))]
    list_width = page.locator("#what-to-watch .watch-cards").bounding_box()["width"]
    if width == 390:  # one card a row, as wide as the list
        assert all(b["width"] >= 0.95 * list_width for b in boxes)
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    else:  # several side by side
        assert boxes[0]["y"] == boxes[1]["y"]
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    cards.first.screenshot(path=str(ARTIFACTS / f"watch-card-{width}.png"))

    chart = page.locator("#trades #chart-trades")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("#chart-trades.js-plotly-plot svg.main-svg", timeout=15_000)
    # one line per trade plus the benchmark (us:SPY; cash at 100 before the thesis named
    # one) and the combined book
    rows = page.locator("#trades tbody tr").count()
    assert chart.locator(".scatterlayer .trace").count() == rows + 2
    page.locator("#trades").screenshot(path=str(ARTIFACTS / f"trades-{width}.png"))

    # a folded chart is drawn when its fold opens
    fold = page.locator("details.more-charts").first
    fold.scroll_into_view_if_needed()
    fold.locator("summary").click()
    page.wait_for_function(
        "document.querySelector('details.more-charts[open] .chart.js-plotly-plot') !== null",
        timeout=15_000)
    page.close()
