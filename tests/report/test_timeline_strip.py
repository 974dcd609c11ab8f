"""Each claim card's timeline strip: a cell per month end in the verdict's colour, the
deciding figure as a small line, the flips in both languages; the bottom line counts them."""

from __future__ import annotations

import re
from datetime import date

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import TimelineEntry, Verdict
from narrowgate.report.bottom_line import bottom_line
from narrowgate.report.html import render_report_html
from narrowgate.report.timeline_strip import figure_line, flip_count
from narrowgate.report.trades import trade_rows


def _entry(day: str, verdict: Verdict, value: float | None) -> TimelineEntry:
    return TimelineEntry(as_of=date.fromisoformat(day), verdict=verdict, value=value, unit="%")


def test_flips_count_each_change_of_verdict() -> None:
    line = [_entry("2026-02-28", Verdict.CONTRADICTED, -1.0),
            _entry("2026-03-31", Verdict.SUPPORTED, 1.0),
            _entry("2026-04-30", Verdict.SUPPORTED, 2.0),
            _entry("2026-05-31", Verdict.CONTRADICTED, -3.0)]
    assert flip_count(line) == 2
    assert flip_count(line[1:3]) == 0


def test_the_figure_line_spans_its_own_range_and_breaks_at_gaps() -> None:
    svg = str(figure_line([0.0, 10.0, None, 5.0, 5.0]))
    runs = re.findall(r'<polyline points="([^"]+)"/>', svg)
    # 12 px cells, 2 px gaps: points at the cells' centres; 10 is the top (y 2), 0 the
    # bottom (y 20 of 22 px)
    assert runs == ["6.0,20.0 20.0,2.0", "48.0,11.0 62.0,11.0"]
    assert 'width="68"' in svg
    assert figure_line([1.0, None]) is None


def _card(page: str, claim: str) -> str:
    start = page.index(f'id="claim-{claim}"')
    return page[start:page.index("</article>", start)]


def test_the_futures_trade_card_shows_its_month_ends(bundled_scorecard: Scorecard) -> None:
    result = bundled_scorecard.claim("if-vs-ic-im")
    line = result.timeline
    assert [e.as_of.isoformat() for e in line][:3] == ["2026-02-28", "2026-03-31",
                                                       "2026-04-30"]
    assert line[-1].as_of == bundled_scorecard.as_of and line[-1].verdict is result.verdict
    for lang in ("en", "zh"):
        card = _card(render_report_html(bundled_scorecard, lang), "if-vs-ic-im")
        cells = re.findall(r'<li class="(v-[a-z-]+)[^"]*" title="([^"]+)"', card)
        assert [c for c, _ in cells] == [f"v-{e.verdict.value.replace(' ', '-')}"
                                         for e in line]
        colour, july = next(cell for cell in cells if cell[1].startswith("2026-07-31"))
        assert colour == "v-supported"
        value = next(e.value for e in line if e.as_of == date(2026, 7, 31))
        assert f"{value:,.4g}" in july
        assert '<svg class="tl-line"' in card
        assert "2 flips; contradicted since 2026-08-31" in card
        assert "结论变化 2 次;自 2026-08-31 起为被否定" in card


def test_qualitative_claims_have_no_strip_and_the_bottom_line_counts_flips(
        bundled_scorecard: Scorecard) -> None:
    page = render_report_html(bundled_scorecard, "en")
    assert 'class="timeline"' not in _card(page, "saas-pricing")
    assert bundled_scorecard.claim("saas-pricing").timeline == []
    lines = [r.timeline for r in bundled_scorecard.results if r.timeline]
    moved = sum(1 for line in lines if flip_count(line))
    flips = sum(flip_count(line) for line in lines)
    first = bottom_line(bundled_scorecard, trade_rows(bundled_scorecard))[0]
    assert first.en.endswith(f"Replayed at each month end since publication, {moved} of "
                             f"{len(lines)} claims changed verdict ({flips} flips).")
    assert f"{len(lines)} 项中 {moved} 项的结论曾改变(共 {flips} 次)" in first.zh
