"""The HTML report folder: complete, offline, escaped, bilingual, and replaced atomically."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import Chart, ChartSeries, Verdict
from narrowgate.report import html
from narrowgate.report.html import (
    ReportWriteError,
    chart_spec,
    embed_json,
    format_value,
    group_by_section,
    write_html_report,
)
from narrowgate.thesis.schema import LocalizedText

EXTERNAL = [
    re.compile(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", re.IGNORECASE),
    re.compile(r"""url\(\s*["']?\s*(https?:)?//""", re.IGNORECASE),
    re.compile(r"@import", re.IGNORECASE),
]
SPEC_BLOCK = re.compile(r'<script type="application/json" id="([^"]+)">(.*?)</script>', re.DOTALL)


def _render(scorecard: Scorecard, out: Path, lang: html.Lang = "en") -> str:
    index = write_html_report(scorecard, out, lang)
    assert index == out / "index.html"
    return index.read_text(encoding="utf-8")


def test_folder_is_complete_and_every_claim_appears(
    sample_scorecard: Scorecard, tmp_path: Path
) -> None:
    page = _render(sample_scorecard, tmp_path / "report")
    assets = tmp_path / "report" / "assets"
    assert (assets / "plotly.min.js").stat().st_size > 1_000_000
    assert (assets / "report.css").is_file() and (assets / "report.js").is_file()
    assert 'src="assets/plotly.min.js"' in page
    assert (tmp_path / "report" / "index.html").stat().st_mode & 0o044 == 0o044  # shareable
    assert assets.stat().st_mode & 0o055 == 0o055
    for result in sample_scorecard.results:
        assert f'id="claim-{result.claim_id}"' in page
        assert f'href="#claim-{result.claim_id}"' in page


def test_nothing_loads_from_the_network(sample_scorecard: Scorecard, tmp_path: Path) -> None:
    out = tmp_path / "report"
    _render(sample_scorecard, out)
    checked = [p for p in out.rglob("*") if p.suffix in (".html", ".css")]
    assert len(checked) == 2
    for path in checked:
        text = path.read_text(encoding="utf-8")
        for pattern in EXTERNAL:
            assert not pattern.search(text), f"{path.name}: {pattern.pattern}"
    # the thesis source URL is shown as text, never as a link
    assert (
        '<code class="url">https://example.com/article</code>' in (out / "index.html").read_text()
    )


def test_both_languages_are_in_the_page_and_lang_picks_the_first(
    sample_scorecard: Scorecard, tmp_path: Path
) -> None:
    zh_page = _render(sample_scorecard, tmp_path / "zh", "zh")
    en_page = _render(sample_scorecard, tmp_path / "en", "en")
    assert '<html lang="zh-CN" class="lang-zh"' in zh_page
    assert '<html lang="en" class="lang-en"' in en_page
    for page in (zh_page, en_page):
        assert "按席位收费的 SaaS 模式正在瓦解" in page
        assert "Per-seat SaaS pricing is breaking" in page
        assert "被否定" in page and "contradicted" in page  # verdict labels, both languages
        assert 'id="lang-switch"' in page


def test_thesis_text_is_escaped_everywhere(
    sample_scorecard: Scorecard, tmp_path: Path, injection: str
) -> None:
    page = _render(sample_scorecard, tmp_path / "report")
    assert injection not in page
    assert "<script>alert" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(" in page
    assert "evaluator raised &lt;KeyError&gt;" in page
    # every executable <script> is one of ours; the rest are inert JSON blocks
    scripts = re.findall(r"<script\b[^>]*>", page)
    executable = [s for s in scripts if 'type="application/json"' not in s]
    assert executable == [
        '<script src="assets/plotly.min.js" defer>',
        '<script src="assets/report.js" defer>',
    ]


def test_chart_specs_are_valid_json_with_the_axes_asked_for(
    sample_scorecard: Scorecard, tmp_path: Path
) -> None:
    page = _render(sample_scorecard, tmp_path / "report")
    specs = {dom_id: json.loads(body) for dom_id, body in SPEC_BLOCK.findall(page)}
    assert len(specs) == 2
    for dom_id in specs:
        assert f'data-spec="{dom_id}"' in page
    dated = next(s for s in specs.values() if s["layout"]["xaxis"].get("type") == "date")
    assert dated["layout"]["yaxis2"]["overlaying"] == "y"
    assert dated["data"][1]["yaxis"] == "y2"
    assert dated["data"][1]["y"][5] is None  # NaN became a gap, not invalid JSON
    bars = next(s for s in specs.values() if s["data"][0]["type"] == "bar")
    assert "type" not in bars["layout"]["xaxis"]


def test_embed_json_cannot_close_its_script_block(injection: str) -> None:
    text = str(embed_json({"name": injection, "amp": "a & b"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": injection, "amp": "a & b"}


def test_chart_spec_rounds_and_keeps_series_kinds() -> None:
    chart = Chart(
        title=LocalizedText(zh="图", en="chart"),
        series=[
            ChartSeries(name="a", x=[1, 2], y=[1.23456789012, float("inf")], kind="scatter"),
            ChartSeries(name="b", x=[1, 2], y=[3.0, 4.0], kind="line"),
        ],
        x_is_date=False,
    )
    spec = chart_spec(chart)
    assert spec["data"][0]["mode"] == "markers"
    assert spec["data"][0]["y"] == [1.23457, None]
    assert spec["data"][1]["mode"] == "lines"
    assert "yaxis2" not in spec["layout"]


def test_cards_follow_the_argument_chain_and_unknown_ids_go_last(
    sample_scorecard: Scorecard,
) -> None:
    sections = group_by_section(sample_scorecard.results, sample_scorecard.thesis.sections)
    keys = [view.section.key for view in sections]
    assert keys == ["capex", "valuation", "positions", "macro", "qualitative", "other"]
    assert [c.result.claim_id for c in sections[-1].cards] == ["made-up-claim"]
    capex_card = sections[0].cards[0]
    assert capex_card.figures[0].decisive  # decisive figures first


def test_summary_counts_every_verdict(sample_scorecard: Scorecard, tmp_path: Path) -> None:
    page = _render(sample_scorecard, tmp_path / "report")
    counts = sample_scorecard.counts
    for verdict in Verdict:
        slug = verdict.value.replace(" ", "-")
        chip = re.search(rf'<li class="chip v-{slug}[^"]*"><span class="count">(\d+)</span>', page)
        assert chip is not None and int(chip.group(1)) == counts[verdict.value]


def test_evidence_details_are_shown(sample_scorecard: Scorecard, tmp_path: Path) -> None:
    page = _render(sample_scorecard, tmp_path / "report")
    assert "narrowgate data fetch cnfut:IF --start 2016-01-01" in page
    assert "2016-01-01 → 2026-02-08" in page
    assert '<details class="provenance">' in page
    assert "stale data" in page and "fallback source" in page
    assert "2026-02-09 08:30+00:00" in page  # fetched time
    assert "-12.35" in page and "USD bn" in page
    assert "2026-01-28" in page  # newest data date in the header


def test_second_render_replaces_the_folder_completely(
    sample_scorecard: Scorecard, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    _render(sample_scorecard, out, "zh")
    (out / "scorecard.json").write_text("{}")  # the CLI writes beside the report
    (out / "assets" / "stale.js").write_text("old")
    page = _render(sample_scorecard, out, "en")
    assert '<html lang="en"' in page
    assert sorted(p.name for p in (out / "assets").iterdir()) == [
        "plotly.min.js",
        "report.css",
        "report.js",
    ]
    assert (out / "scorecard.json").read_text() == "{}"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no leftovers


def test_a_failed_render_leaves_the_previous_report_intact(
    sample_scorecard: Scorecard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report"
    before = _render(sample_scorecard, out)

    def broken_plotly() -> Path:
        raise ReportWriteError("plotly.js is missing")

    monkeypatch.setattr(html, "plotly_js_path", broken_plotly)
    with pytest.raises(ReportWriteError):
        write_html_report(sample_scorecard, out, "zh")
    assert (out / "index.html").read_text(encoding="utf-8") == before
    assert (out / "assets" / "plotly.min.js").is_file()


def test_refuses_to_overwrite_a_foreign_index(sample_scorecard: Scorecard, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>my website</h1>")
    with pytest.raises(ReportWriteError, match="not a narrowgate report"):
        write_html_report(sample_scorecard, tmp_path, "en")
    assert (tmp_path / "index.html").read_text() == "<h1>my website</h1>"
    assert not (tmp_path / "assets").exists()


def test_rejects_an_unknown_language(sample_scorecard: Scorecard, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        write_html_report(sample_scorecard, tmp_path, "fr")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (float("nan"), "—"),
        (670.0, "670"),
        (12345, "12,345"),
        (1234.567, "1,235"),
        (18.5, "18.5"),
        (6.6667, "6.67"),
        (0.012345, "0.0123"),
        ("n/a", "n/a"),
    ],
)
def test_format_value(value: float | int | str | None, text: str) -> None:
    assert format_value(value) == text


def test_what_to_watch_lists_each_indicator_with_its_distance(tmp_path: Path) -> None:
    from tests.report.conftest import build_scorecard

    html = write_html_report(build_scorecard(), tmp_path, "en").read_text(encoding="utf-8")
    assert 'id="what-to-watch"' in html
    assert "four-company guidance mid-point" in html and "四家指引中值合计" in html
    assert "26.5" in html  # 636.5 − 610.0
