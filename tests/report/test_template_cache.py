"""The report template's bytecode cache: a page from cached code is the page a fresh compile
gives, and the options that shape the compiled code name the cache's files."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.report import html
from narrowgate.report.template_cache import template_bytecode_cache

CACHE = "narrowgate.report.template_cache.template_bytecode_cache"


def test_lexer_options_name_the_cache_files() -> None:
    trimmed = template_bytecode_cache({"trim_blocks": True, "lstrip_blocks": True})
    untrimmed = template_bytecode_cache({"trim_blocks": False, "lstrip_blocks": True})
    assert isinstance(trimmed, jinja2.FileSystemBytecodeCache)
    assert isinstance(untrimmed, jinja2.FileSystemBytecodeCache)
    assert trimmed.pattern != untrimmed.pattern
    assert trimmed.pattern.startswith("narrowgate-") and trimmed.pattern.endswith("-%s.cache")
    again = template_bytecode_cache({"lstrip_blocks": True, "trim_blocks": True})
    assert isinstance(again, jinja2.FileSystemBytecodeCache)
    assert again.pattern == trimmed.pattern  # the order of the options does not matter


def test_page_from_cached_code_is_the_compiled_page(
        sample_scorecard: Scorecard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = jinja2.FileSystemBytecodeCache(str(tmp_path), "narrowgate-test-%s.cache")
    monkeypatch.setattr(CACHE, lambda options: cache)
    first = html.render_report_html(sample_scorecard, "en")  # compiles, writes the cache
    [written] = tmp_path.glob("narrowgate-test-*.cache")
    stamp = written.stat().st_mtime_ns
    second = html.render_report_html(sample_scorecard, "zh")  # loads the compiled code
    assert written.stat().st_mtime_ns == stamp  # read, not compiled and written again
    monkeypatch.setattr(CACHE, lambda options: None)  # no cache: every call compiles
    assert first == html.render_report_html(sample_scorecard, "en")
    assert second == html.render_report_html(sample_scorecard, "zh")
