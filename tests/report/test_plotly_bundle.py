"""The report's plotly.js is npm's basic bundle, vendored (issue #15 item 4, #16 item 7):
the file is the one scripts/vendor_plotly.sh recorded, its license ships beside it, the
package data take it, every trace type the bundled report uses is one the basic bundle
has, and every chart of the bundled report draws in headless Chromium."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report.html import PLOTLY_JS, plotly_js_path, write_html_report
from tests.conftest import REPO_ROOT
from tests.report.test_browser import browser  # noqa: F401  (the fixture)

VENDOR = REPO_ROOT / "src" / "narrowgate" / "report" / "vendor"
#: the trace types plotly.js-basic-dist-min registers (its README: scatter, bar, pie)
BASIC_TRACES = {"scatter", "bar", "pie"}
SPEC = re.compile(r'<script type="application/json" id="([\w-]+-spec)">(.*?)</script>', re.S)


def _record() -> dict[str, str]:
    lines = (VENDOR / "plotly.SOURCE").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def test_the_vendored_file_is_the_recorded_basic_bundle() -> None:
    record = _record()
    data = plotly_js_path().read_bytes()
    assert plotly_js_path() == VENDOR / PLOTLY_JS
    assert record["package"] == "plotly.js-basic-dist-min"
    assert hashlib.sha256(data).hexdigest() == record["plotly.min.js_sha256"]
    assert len(data) == int(record["plotly.min.js_bytes"]) < 1_500_000
    assert f"plotly.js (basic - minified) v{record['version']}".encode() in data[:200]
    license_text = (VENDOR / "plotly.LICENSE").read_text(encoding="utf-8")
    assert "MIT" in license_text or "Permission is hereby granted" in license_text


def test_the_package_data_and_the_core_install() -> None:
    """The wheel takes report/vendor/*; Python plotly is the ``plot`` extra, not core."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "report/vendor/*" in project["tool"]["setuptools"]["package-data"]["narrowgate"]
    core = project["project"]["dependencies"]
    assert not [d for d in core if d.lower().startswith("plotly")]
    assert project["project"]["optional-dependencies"]["plot"] == ["plotly>=5.22"]


def _specs(index: Path) -> dict[str, dict[str, Any]]:
    return {name: json.loads(body) for name, body in SPEC.findall(index.read_text("utf-8"))}


@pytest.fixture(scope="module")
def bundled_index(bundled_scorecard: Scorecard, tmp_path_factory: pytest.TempPathFactory
                  ) -> Path:
    return write_html_report(bundled_scorecard, tmp_path_factory.mktemp("bundle") / "r", "en")


def test_every_trace_of_the_bundled_report_is_in_the_basic_bundle(bundled_index: Path) -> None:
    specs = _specs(bundled_index)
    used = {trace.get("type", "scatter") for spec in specs.values() for trace in spec["data"]}
    assert len(specs) >= 40 and used <= BASIC_TRACES, used - BASIC_TRACES
    assert (bundled_index.parent / "assets" / PLOTLY_JS).read_bytes() == \
        plotly_js_path().read_bytes()


@pytest.mark.browser
def test_every_chart_of_the_bundled_report_draws(browser: Any, bundled_index: Path  # noqa: F811
                                                 ) -> None:
    expected = len(_specs(bundled_index))
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(bundled_index.as_uri(), wait_until="load")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    charts = page.locator(".chart[data-spec]")
    assert charts.count() == expected
    for n in range(expected):  # charts draw on first sight
        charts.nth(n).scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('.chart[data-spec]')].every(el => "
        "el.getAttribute('data-rendered') && el.querySelector('svg.main-svg'))",
        timeout=60_000)
    drawn = page.evaluate(
        "[...document.querySelectorAll('.chart[data-spec]')].filter(el => "
        "el.getAttribute('data-rendered') === 'en' && "
        "el.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length > 0).length")
    assert drawn == expected
    assert errors == []
    page.close()
