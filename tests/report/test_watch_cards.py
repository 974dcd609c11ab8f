"""What to watch, the claim cards and the scoreboard's chart, on the bundled thesis run
offline on the real shared data (and on the hand-built sample for the card rules)."""

from __future__ import annotations

import json
import re
import statistics
from datetime import date, timedelta
from html import unescape
from itertools import pairwise

from narrowgate.evaluate.book import equity_curves
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import Verdict
from narrowgate.report.card_view import OPEN_CHARTS, chart_groups, provenance_rows, so_far
from narrowgate.report.formatting import format_signed, format_value
from narrowgate.report.html import render_report_html
from narrowgate.report.trades import trade_rows
from narrowgate.report.trades_chart import trades_chart
from narrowgate.report.watch import (
    FILING_LAG_DAYS,
    QUARTER_DAYS,
    RECENT_STEPS,
    watch_cards,
)

CARD = re.compile(r'<li class="watch-card v-[^"]+" data-claim="([^"]+)">(.*?)</li>\n',
                  re.DOTALL)
KEYED = re.compile(r'data-key="([a-z]+)">([^<]*)<')


def _section(page: str, dom_id: str) -> str:
    start = page.index(f'id="{dom_id}"')
    return page[start:page.index("</section>", start)]


def test_every_watch_item_has_a_card_nearest_first(bundled_scorecard: Scorecard) -> None:
    cards = watch_cards(bundled_scorecard)
    items = [w for r in bundled_scorecard.results for w in r.evidence.watch]
    assert len(cards) == len(items) >= 10
    with_sigma = [c for c in cards if c.in_sigma is not None]
    assert len(with_sigma) >= 6
    # items with σ come first, in order of |distance| / σ
    assert cards[: len(with_sigma)] == with_sigma
    sigmas = [c.in_sigma for c in with_sigma]
    assert sigmas == sorted(sigmas)


def test_sigma_is_the_spread_of_the_indicators_own_recent_changes(
    bundled_scorecard: Scorecard,
) -> None:
    card = next(c for c in watch_cards(bundled_scorecard) if c.claim.claim_id == "rotation-trade")
    # the indicator is the trade's return since publication, % of initial capital: the
    # equity curve (× initial capital) less 1, × 100, read from the claim's own chart
    equity = [v for v in equity_curves(card.claim)[0].y if v is not None]
    assert round((equity[-1] - 1) * 100, 2) == card.item.current
    changes = [(b - a) * 100 for a, b in pairwise(equity)][-RECENT_STEPS:]
    assert card.move is not None and card.move.steps == RECENT_STEPS
    assert card.move.step_days == 1
    assert abs(card.move.sigma - statistics.stdev(changes)) < 1e-9
    assert abs(card.in_sigma - abs(card.item.distance) / statistics.stdev(changes)) < 1e-9
    assert card.age_days == (bundled_scorecard.as_of - card.item.observed).days


def test_next_data_and_horizon(bundled_scorecard: Scorecard) -> None:
    cards = watch_cards(bundled_scorecard)
    buybacks = next(c for c in cards if c.claim.claim_id == "capex-no-buyback"
                    and c.item.unit == "%")
    assert buybacks.move is None  # three quarterly bars: no σ
    observed = buybacks.item.observed
    filing, horizon = buybacks.events
    assert filing.when == observed + timedelta(days=QUARTER_DAYS + FILING_LAG_DAYS)
    assert "10-Q" in filing.what.en and filing.due is (filing.when <= bundled_scorecard.as_of)
    assert horizon.when == buybacks.claim.horizon == date(2026, 12, 31) and not horizon.due
    daily = next(c for c in cards if c.claim.claim_id == "rotation-trade")
    assert daily.events[0].when == daily.item.observed + timedelta(days=1)
    assert daily.events[0].due  # the store ends months before the as-of date


def test_watch_cards_print_the_figures_of_scorecard_json(bundled_scorecard: Scorecard) -> None:
    saved = json.loads(bundled_scorecard.model_dump_json())
    expected = sorted(
        (r["claim_id"], format_value(w["current"]), format_value(w["threshold"]),
         format_signed(w["threshold"] - w["current"]))
        for r in saved["results"] for w in r["evidence"]["watch"])
    page = render_report_html(bundled_scorecard, "en")
    section = _section(page, "what-to-watch")
    shown = []
    for claim_id, body in CARD.findall(section):
        keyed = dict(KEYED.findall(body))
        shown.append((claim_id, unescape(keyed["current"]), unescape(keyed["threshold"]),
                      unescape(keyed["distance"])))
    assert sorted(shown) == expected
    # the page order is the watch_cards order
    assert [c for c, *_ in (CARD.findall(section))] == [
        c.claim.claim_id for c in watch_cards(bundled_scorecard)]
    assert section.count("σ n/a") == sum(c.in_sigma is None for c in watch_cards(
        bundled_scorecard))


def test_cards_decide_at_a_glance(bundled_scorecard: Scorecard) -> None:
    page = render_report_html(bundled_scorecard, "en")
    for result in bundled_scorecard.results:
        card = page[page.index(f'id="claim-{result.claim_id}"'):]
        card = card[:card.index("</article>")]
        opened = card.split('<details class="more-charts">')[0]
        # equity + drawdown are one two-panel chart
        drawn = chart_groups(result.evidence.charts)
        assert len(drawn) == len(result.evidence.charts) - sum(p for _, p in drawn)
        assert opened.count('class="chart"') == min(OPEN_CHARTS, len(drawn))
        assert card.count('class="chart"') == len(drawn)
        if result.evidence.newest_data():
            assert f"data to</span> {result.evidence.newest_data()}" in card
        assert ('class="stability"' in card) is (result.stability is not None)
        # provenance: one row per instrument
        instruments = {d.instrument for d in result.evidence.data}
        assert len(provenance_rows(result.evidence.data)) == len(instruments)
        if instruments:
            fold = card[card.index('<details class="provenance">'):]
            assert fold.count("<tr>") == len(instruments) + 1  # + the header row
        # the test name is not a second copy of the kind
        if result.test == result.kind:
            assert '<span class="test">' not in card


def test_pending_cards_state_the_reading_so_far(bundled_scorecard: Scorecard) -> None:
    pending = [r for r in bundled_scorecard.results if r.verdict is Verdict.PENDING]
    assert pending
    page = render_report_html(bundled_scorecard, "en")
    for result in pending:
        reading = so_far(result)
        assert reading is not None, result.claim_id
        assert f"So far: {reading.value}." in result.summary.en
        card = page[page.index(f'id="claim-{result.claim_id}"'):]
        assert re.search(r'pending</span>[^·]*· <span class="l-zh"[^>]*>目前读数</span>'
                         r'<span class="l-en" lang="en">so far</span> <span class="l-zh"'
                         r'[^>]*>[^<]+</span><span class="l-en" lang="en">' + reading.value,
                         card[:2000]), result.claim_id
    decided = next(r for r in bundled_scorecard.results if r.verdict is Verdict.SUPPORTED)
    assert so_far(decided) is None


def test_trades_chart_rebases_every_trade_at_publication(bundled_scorecard: Scorecard) -> None:
    rows = trade_rows(bundled_scorecard)
    charts = trades_chart(bundled_scorecard, rows)
    assert charts is not None
    en, zh = charts
    # after the trades: the thesis's benchmark (us:SPY, was a flat cash line at 100 before
    # the thesis named one) and the combined book, both 100 at publication
    benchmark, book = en.series[-2:]
    assert benchmark.name == "benchmark us:SPY" and benchmark.y[0] == book.y[0] == 100.0
    assert len(en.series) - 2 == len(rows) == 11  # every trade has its curve
    published = bundled_scorecard.thesis.source.published.isoformat()
    # rotation-trade: entered on the last close before publication, so its curve starts
    # at 100 and ends at 100 × (1 + return after costs)
    n = [r.claim_id for r in rows].index("rotation-trade")
    curve = en.series[n]
    assert curve.y[0] == 100.0 and str(curve.x[0]) <= published
    assert abs(curve.y[-1] - (100 + rows[n].return_pct)) < 0.06
    assert [s.y for s in zh.series] == [s.y for s in en.series]
    page = render_report_html(bundled_scorecard, "zh")
    trades = _section(page, "trades")
    assert 'id="chart-trades"' in trades
    assert "发表日 = 100" in trades
