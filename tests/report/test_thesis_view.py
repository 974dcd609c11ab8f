"""The thesis-level view (issue #13 item 7, issue #16 item 2): facts, mechanisms and calls
apart in the bottom line; each chain link with its verdict and deciding figure; the combined
book of every trade against the thesis's benchmark, in the scoreboard's foot and as the
thick line of the rebased chart. Figures are checked against the scorecard (and its JSON)
and, for the benchmark, against the raw closes in the shared data.
"""

from __future__ import annotations

import json
import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from narrowgate.errors import ThesisError
from narrowgate.evaluate.book import Book
from narrowgate.evaluate.scorecard import Scorecard, load_scorecard
from narrowgate.evaluate.verdict import Verdict
from narrowgate.report.bottom_line import LINK_WORDS, bottom_line, chain, kind_split
from narrowgate.report.formatting import format_signed, format_value
from narrowgate.report.html import render_report_html
from narrowgate.report.trades import book_rows, trade_rows
from narrowgate.report.trades_chart import BOOK_LINE_WIDTH, trades_chart
from narrowgate.thesis.loader import load_thesis
from tests.conftest import require_shared

FOOT = re.compile(r'<tr class="book" data-book="([a-z_]+)">(.*?)</tr>', re.DOTALL)
CELL = re.compile(r'<td[^>]*data-key="([a-z_]+)"[^>]*>(.*?)</td>', re.DOTALL)


def _section(page: str, dom_id: str) -> str:
    start = page.index(f'id="{dom_id}"')
    return page[start:page.index("</section>", start)]


def _book(scorecard: Scorecard) -> Book:
    assert scorecard.book is not None
    return scorecard.book


def test_bottom_line_separates_facts_mechanisms_and_calls(bundled_scorecard: Scorecard
                                                          ) -> None:
    results = bundled_scorecard.results
    split = {words.en: counts for words, counts in kind_split(bundled_scorecard)}

    def tally(*kinds: str) -> dict[Verdict, int]:
        verdicts = [r.verdict for r in results
                    if r.kind in kinds and r.verdict is not Verdict.QUALITATIVE]
        return {v: verdicts.count(v) for v in Verdict if v in verdicts}

    assert split == {"facts": tally("fact"), "mechanisms": tally("mechanism"),
                     "calls": tally("forecast", "trade", "view")}
    # on today's data: 3 of 6 facts hold, none of 3 mechanisms, 1 of 13 calls
    assert split["facts"] == {Verdict.SUPPORTED: 3, Verdict.MIXED: 2,
                              Verdict.INSUFFICIENT_DATA: 1}
    first = bottom_line(bundled_scorecard, trade_rows(bundled_scorecard))[0]
    assert "By kind: facts: 3 of 6 hold (2 mixed, 1 insufficient data); mechanisms: 0 of 3 " \
           "hold (2 mixed, 1 insufficient data); calls: 1 of 13 hold (2 contradicted, " \
           "4 mixed, 6 pending)." in first.en
    assert "按类型:事实 6 项中 3 项成立(2 项部分成立、1 项数据不足)" in first.zh


def test_each_chain_link_has_a_verdict_and_its_deciding_figure(bundled_scorecard: Scorecard
                                                               ) -> None:
    links = {link.section.key: link for link in chain(bundled_scorecard.results,
                                                      bundled_scorecard.thesis.sections)}
    # positions: storage-npo holds, rotation-trade and if-vs-ic-im fail → partly held,
    # decided by the first failed claim's return after costs
    positions = links["positions"]
    assert positions.verdict is Verdict.MIXED
    assert positions.deciding_claim == "rotation-trade"
    assert positions.deciding is not None and positions.deciding.key == "since_return"
    rotation = {f.key: f for f in bundled_scorecard.claim("rotation-trade").evidence.figures}
    assert positions.deciding == rotation["since_return"]
    assert positions.deciding.value == -3.07
    assert links["buybacks"].verdict is Verdict.PENDING
    assert links["ai"].verdict is Verdict.INSUFFICIENT_DATA and links["ai"].deciding is None
    assert links["qualitative"].deciding is None
    page = render_report_html(bundled_scorecard, "en")
    strip = _section(page, "bottom-line")
    for link in links.values():
        assert f'class="link v-{link.verdict.value.replace(" ", "-")}" ' \
               f'data-link="{link.section.key}"' in strip
        assert LINK_WORDS[link.verdict].zh in strip and LINK_WORDS[link.verdict].en in strip
        if link.deciding is not None:
            assert f'href="#claim-{link.deciding_claim}" data-key="{link.deciding.key}"' in strip
    assert re.search(r'data-link="positions".*?data-key="since_return">.*?-3.07', strip,
                     re.DOTALL)


def test_book_holds_every_trade_against_the_benchmark(bundled_scorecard: Scorecard) -> None:
    book = _book(bundled_scorecard)
    rows = trade_rows(bundled_scorecard)
    assert len(book.trades) == len(rows) == 11
    assert book.weighting.value == "equal-weight" and book.benchmark == "us:SPY"
    assert book.weights == [round(1 / 11, 6)] * 11
    assert book.start == date(2026, 2, 6)  # the last close before publication (02-08)
    # the latest close of any trade: btc-cycle's Saturday close (weekend points count on
    # the next calendar date; the last one ends the book)
    assert book.end == date(2026, 10, 3)
    figures = {f.key: f.value for f in book.figures}
    # SPY from the newest source holding those days (newest data win on overlap), on its
    # own trading days from the last close before publication to the book's end
    spy = require_shared("prices/us/market_data_drrobanthony_2026h2/SPY.csv").read_text()
    close = {line.split(",")[0]: float(line.split(",")[4]) for line in spy.splitlines()[1:]}
    assert close["2026-02-06"] == 685.2676 and close["2026-10-02"] == 769.64
    assert figures["benchmark_return"] == round((769.64 / 685.2676 - 1) * 100, 2) == 12.31
    days = [close[d] for d in sorted(close) if "2026-02-06" <= d <= "2026-10-03"]
    daily = [b / a - 1 for a, b in pairwise(days)]
    mean = sum(daily) / len(daily)
    sd = (sum((r - mean) ** 2 for r in daily) / (len(daily) - 1)) ** 0.5
    assert figures["benchmark_volatility"] == round(sd * 252 ** 0.5 * 100, 2) == 13.28
    assert figures["benchmark_sharpe"] == round(mean / sd * 252 ** 0.5, 2) == 1.41
    assert book.benchmark_values[-1] == round(769.64 / 685.2676, 6)  # the chart's end
    # the book's return is its path's end; the excess is book minus benchmark, in pp
    assert figures["book_return"] == round((book.values[-1] - 1) * 100, 2) == 9.64
    assert figures["book_excess_return"] == round(9.64 - 12.31, 2) == -2.67
    assert figures["book_max_drawdown"] == -6.71 and figures["book_volatility"] == 11.78
    assert figures["book_sharpe"] == 1.22
    units = {f.key: f.unit for f in book.figures}
    assert units["book_volatility"] == "% a year (daily × √252)"
    assert units["book_sharpe"] == "annualised (daily × √252), risk-free 0"


def test_book_is_the_scoreboards_foot_and_the_charts_thick_line(bundled_scorecard: Scorecard,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "scorecard.json"
    path.write_text(json.dumps(bundled_scorecard.to_json_dict()))
    loaded = load_scorecard(path)
    assert loaded.book == bundled_scorecard.book  # the book round-trips through the file
    payload = json.loads(path.read_text())
    from_file = {f["key"]: f["value"] for f in payload["book"]["figures"]}
    for lang in ("en", "zh"):
        board = _section(render_report_html(loaded, lang), "trades")  # type: ignore[arg-type]
        foot = FOOT.findall(board)
        assert [key for key, _ in foot] == ["book_", "benchmark_"]
        for prefix, body in foot:
            cells = dict(CELL.findall(body))
            for name in ("return", "max_drawdown", "volatility", "sharpe"):
                assert cells[prefix + name].strip() == format_value(from_file[prefix + name])
            assert cells[prefix + "start"] == "2026-02-06"
            assert cells[prefix + "end"] == "2026-10-03"
        assert "combined book (equal weight, 11 trades)" in board
        assert "合并组合(等权,11 笔交易)" in board
        assert "benchmark us:SPY" in board and "基准 us:SPY" in board
        assert "equal weight: each trade gets the same capital at publication" in board
    charts = trades_chart(loaded, trade_rows(loaded))
    assert charts is not None
    en, zh = charts
    assert [s.name for s in en.series[-2:]] == ["benchmark us:SPY",
                                                "combined book (equal weight, 11 trades)"]
    assert zh.series[-1].name == "合并组合(等权,11 笔交易)"
    assert en.series[-1].y[-1] == pytest.approx(100 + from_file["book_return"], abs=0.006)
    assert en.series[-2].y[-1] == pytest.approx(100 + from_file["benchmark_return"], abs=0.006)
    page = render_report_html(loaded, "en")
    spec = page[page.index('id="chart-trades-spec">') + len('id="chart-trades-spec">'):]
    data = json.loads(spec[:spec.index("</script>")])["data"]
    assert data[-1]["line"] == {"width": BOOK_LINE_WIDTH}
    assert data[-2]["line"]["dash"] == "dash"  # the benchmark
    assert all("line" not in trace for trace in data[:-2])
    sentence = bottom_line(loaded, trade_rows(loaded))[1]
    assert f"held together (equal weight) they returned " \
           f"{format_signed(from_file['book_return'])}% against benchmark us:SPY at " \
           f"{format_signed(from_file['benchmark_return'])}% " \
           f"({format_signed(from_file['book_excess_return'])} pp)" in sentence.en
    assert book_rows(loaded)[0].age_days == (date(2026, 11, 24) - date(2026, 10, 3)).days


def test_a_thesis_without_a_benchmark_is_measured_against_cash(example_scorecard: Scorecard
                                                               ) -> None:
    book = _book(example_scorecard)
    assert book.benchmark is None and set(book.benchmark_values) == {1.0}
    figures = {f.key: f.value for f in book.figures}
    assert figures["benchmark_return"] == 0.0 and figures["benchmark_volatility"] == 0.0
    assert figures["book_excess_return"] == figures["book_return"]
    assert len(book.trades) == len(trade_rows(example_scorecard)) == 3
    board = _section(render_report_html(example_scorecard, "en"), "trades")
    assert "benchmark: cash" in board and "cash (= 100, no gain)" in board


def test_a_thesis_with_no_trade_has_no_book(sample_scorecard: Scorecard) -> None:
    assert sample_scorecard.book is None
    assert book_rows(sample_scorecard) == []


@pytest.mark.parametrize(("value", "says"), [
    ("xx:SPY", "unknown market 'xx'"),
    ("SPY", "a benchmark is an instrument id 'market:symbol' such as us:SPY"),
])
def test_a_bad_benchmark_is_one_line_naming_the_field(tmp_path: Path, value: str,
                                                      says: str) -> None:
    bundled = Path(__file__).parents[2] / "src/narrowgate/thesis/bundled/ai-narrow-gate.yaml"
    text = bundled.read_text(encoding="utf-8").replace("benchmark: us:SPY",
                                                       f"benchmark: {value}")
    path = tmp_path / "thesis.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThesisError) as caught:
        load_thesis(str(path))
    message = str(caught.value)
    assert "benchmark:" in message and says in message and "\n" not in message.strip()


@pytest.mark.parametrize("benchmark", ["cnidx:000300", "us:NOSUCH"])
def test_the_benchmark_is_the_one_the_thesis_names(imported_store_path: Path,
                                                   benchmark: str) -> None:
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.evaluate.runner import evaluate_thesis
    from tests.conftest import REPO_ROOT

    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "us-soft-landing.yaml"))
    thesis = thesis.model_copy(update={"benchmark": benchmark})
    hub = DataHub(Store(imported_store_path), offline=True)
    card = evaluate_thesis(thesis, date(2026, 11, 24), offline=True, hub=hub)
    book = _book(card)
    assert card.thesis.benchmark == book.benchmark == benchmark
    figures = {f.key: f.value for f in book.figures}
    said = [w for w in card.warnings if w.startswith(f"benchmark {benchmark}:")]
    if benchmark == "us:NOSUCH":  # not in the store: cash, and the run says so
        assert set(book.benchmark_values) == {1.0} and figures["benchmark_return"] == 0.0
        assert said and "compared with cash" in said[0]
        assert book_rows(card)[1].name.en == "benchmark: cash"
    else:  # CSI 300, rebased at its last close on or before publication
        assert said == [] and book.benchmark_values[0] == 1.0
        assert figures["benchmark_return"] == round((book.benchmark_values[-1] - 1) * 100, 2)
        assert book_rows(card)[1].name.en == "benchmark cnidx:000300"
