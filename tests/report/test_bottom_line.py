"""The first screen (bottom line) and the trade scoreboard, from the scorecard's own figures.

Checked on the bundled thesis and on a user's thesis from docs/examples, both run offline
on the real shared data, and on the hand-built sample (no trades, every verdict).
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import Verdict
from narrowgate.report.bottom_line import (
    STALE_AFTER_DAYS,
    bottom_line,
    chain,
    closest_watch,
    data_age,
)
from narrowgate.report.formatting import format_value
from narrowgate.report.html import render_report_html, write_html_report
from narrowgate.report.trades import trade_rows
from narrowgate.report.watch import watch_cards

ROW = re.compile(r'<tr class="v-[^"]+" data-claim="([^"]+)" data-prefix="([^"]*)">(.*?)</tr>',
                 re.DOTALL)
CELL = re.compile(r'<td[^>]*data-key="([a-z_]+)"[^>]*>(.*?)</td>', re.DOTALL)


def _section(page: str, dom_id: str) -> str:
    start = page.index(f'id="{dom_id}"')
    return page[start:page.index("</section>", start)]


def test_bundled_trades_are_every_since_return_group(bundled_scorecard: Scorecard) -> None:
    rows = trade_rows(bundled_scorecard)
    groups = [(r.claim_id, f.key[: -len("since_return")]) for r in bundled_scorecard.results
              for f in r.evidence.figures if f.key.endswith("since_return")]
    assert [(t.claim_id, t.prefix) for t in rows] == groups
    assert len(rows) == 11
    assert {t.claim_id for t in rows} >= {"rotation-trade", "if-vs-ic-im", "storage-npo",
                                          "btc-cycle", "gold-over-silver", "a-share-view"}
    rotation = next(t for t in rows if t.claim_id == "rotation-trade")
    assert rotation.name.en == "long us:DIA, us:IWM / short us:QQQ, us:IGV"
    assert rotation.name.zh == "多 us:DIA、us:IWM / 空 us:QQQ、us:IGV"
    implied = next(t for t in rows if t.claim_id == "software-selloff")
    assert implied.name.en == "long us:SPY / short us:IGV"
    # the age is calendar days from the trade's last close to the as-of date
    assert implied.last is not None and implied.last.value == "2026-07-23"
    assert implied.age_days == (date(2026, 11, 24) - date(2026, 7, 23)).days == 124


def test_scoreboard_cells_equal_scorecard_json(bundled_scorecard: Scorecard,
                                               tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_html_report(bundled_scorecard, out, "en")
    (out / "scorecard.json").write_text(json.dumps(bundled_scorecard.to_json_dict()))
    payload = json.loads((out / "scorecard.json").read_text())
    figures = {(r["claim_id"], f["key"]): f["value"]
               for r in payload["results"] for f in r["evidence"]["figures"]}
    board = _section((out / "index.html").read_text(encoding="utf-8"), "trades")
    rows = ROW.findall(board)
    assert len(rows) == 11
    checked = 0
    for claim_id, prefix, body in rows:
        assert f'href="#claim-{claim_id}"' in body  # each row links to its claim card
        for key, cell in CELL.findall(body):
            if key == "age_days":
                continue
            value = figures.get((claim_id, prefix + key))
            assert unescape(cell.strip()) == format_value(value), (claim_id, prefix, key)
            checked += value is not None
    assert checked >= 11 * 7
    # one pinned row, from the file itself: the rotation trade's return after costs
    assert figures[("rotation-trade", "since_return")] == -3.07
    assert re.search(r'data-claim="rotation-trade".*?data-key="since_return">-3.07<', board,
                     re.DOTALL)


def test_bundled_bottom_line_answers_the_three_questions(bundled_scorecard: Scorecard) -> None:
    rows = trade_rows(bundled_scorecard)
    sentences = bottom_line(bundled_scorecard, rows)
    assert 3 <= len(sentences) <= 5
    en = " ".join(s.en for s in sentences)
    counts = bundled_scorecard.counts
    # issue #13 (valuation panel): ai-hw-priced-in supported → mixed (best-case path and
    # the realised return), us-hw-cheaper supported → mixed (mid-cycle earnings, late
    # forecasts excluded: contradicted on MU alone, 1 of 4 US names, held at mixed);
    # was 6 supported, 2 contradicted, 6 mixed
    assert counts == {"supported": 4, "contradicted": 2, "mixed": 8, "pending": 6,
                      "insufficient data": 2, "qualitative": 3}
    assert en.startswith("Of 25 claims: 4 supported, 2 contradicted, 8 mixed, 6 pending, "
                         "2 insufficient data, 3 qualitative; of the 14 the data decide, "
                         f"4 hold in full ({round(4 / 14 * 100)}%).")
    won = sum((t.return_pct or 0) > 0 for t in rows)
    assert f"{won} of the 11 trades the thesis holds or implies made money" in en
    best = max(rows, key=lambda t: t.return_pct or 0.0)
    assert f"best {best.name.en} ({best.claim_id}) +{format_value(best.return_pct)}%" in en
    claim_id, item = closest_watch(bundled_scorecard)[0]
    assert f"Closest to flipping: {item.label.en} ({claim_id}) at {format_value(item.current)}"\
           f" {item.unit} against a line of {format_value(item.threshold)} {item.unit}" in en
    # one rule with the what-to-watch cards (issue #13 item 7): closest = fewest typical
    # moves (σ) from the line, the first card; was software-selloff's IGV return (-15.7
    # against -10, the smallest distance as a share of the line, 0.36), whose σ is unknown
    # (no chart series matches it), so it now ranks after every item with a known σ;
    # first now: a-share-view's return since the start (-4 against 0, 2.9 σ)
    cards = watch_cards(bundled_scorecard)
    assert (claim_id, item) == (cards[0].claim.claim_id, cards[0].item)
    assert claim_id == "a-share-view" and item.current == -4.0 and item.threshold == 0.0
    first = cards[0].in_sigma
    assert first is not None and round(first, 1) == 2.9
    assert f"{format_value(round(first, 1))} typical moves (σ) away" in en
    assert all(c.in_sigma is None or first <= c.in_sigma for c in cards)
    age = data_age(bundled_scorecard)
    # 15 → 14: capex-chain's duration link reads QQQ/DIA closes to 2026-10-06 (49 days old)
    assert (age.old, age.dated) == (14, 21)
    assert f"{age.old} of {age.dated} verdicts rest on data more than {STALE_AFTER_DAYS}" in en
    assert all(s.zh and s.zh != s.en for s in sentences)


def test_chain_strip_follows_the_thesis_sections(bundled_scorecard: Scorecard) -> None:
    links = chain(bundled_scorecard.results, bundled_scorecard.thesis.sections)
    keys = [s.key for s in bundled_scorecard.thesis.sections]
    assert [link.section.key for link in links] == [k for k in keys if any(
        r.section == k for r in bundled_scorecard.results)]
    assert sum(len(link.claims) for link in links) == 25
    page = render_report_html(bundled_scorecard, "zh")
    top = _section(page, "bottom-line")
    for result in bundled_scorecard.results:
        assert f'class="pill v-{result.verdict.value.replace(" ", "-")}" ' \
               f'href="#claim-{result.claim_id}"' in top


def test_example_thesis_gets_a_bottom_line_and_scoreboard(example_scorecard: Scorecard) -> None:
    rows = trade_rows(example_scorecard)
    assert [(t.claim_id, t.prefix) for t in rows] == [
        ("out-of-tech", ""), ("midterm-year-dip", "trade_"),
        ("midterm-year-dip", "trade_at_window_")]
    assert rows[0].name.en == "long us:IWM, us:GLD / short us:QQQ"
    assert rows[1].name.en == "the S&P 500 ETF bought at publication"
    en = " ".join(s.en for s in bottom_line(example_scorecard, rows))
    # two `level` claims joined the example: spy-above-700 supported, ten-year-below-4
    # contradicted
    assert en.startswith("Of 9 claims: 3 supported, 4 contradicted, 1 mixed, 1 qualitative;")
    assert "of the 3 trades the thesis holds or implies" in en
    page = render_report_html(example_scorecard, "en")
    assert page.index('id="bottom-line"') < page.index('id="trades"') < page.index(
        'class="summary"')
    assert len(ROW.findall(_section(page, "trades"))) == 3


def test_a_thesis_without_trades_or_watch_items_still_reads(sample_scorecard: Scorecard) -> None:
    rows = trade_rows(sample_scorecard)
    sentences = bottom_line(sample_scorecard, rows)
    assert rows == []
    assert sentences[1].en == "The thesis holds no trade to score."
    page = render_report_html(sample_scorecard, "en")
    assert 'id="bottom-line"' in page and 'id="trades"' not in page
    legend = _section(page, "bottom-line")
    for verdict in Verdict:
        assert f'<li class="v-{verdict.value.replace(" ", "-")}' in legend
