"""The HTML report: ``index.html`` plus ``assets/``, a folder that opens offline from disk.

Why a folder and not one file: plotly.js (its basic bundle, vendored: 1.2 MB) kept beside
the page leaves ``index.html`` small, and nothing is ever fetched from the network (no CDN,
no web fonts).
Both languages are in the page; a switch toggles a class on ``<html>`` and the ``lang``
argument only picks the initial one. Every piece of thesis text goes through jinja2
autoescaping, and chart specs are embedded as JSON with ``<``, ``>`` and ``&`` escaped so
no string can close the ``<script>`` block that carries it.

The CLI writes ``scorecard.json`` into the same folder, so the report never replaces the
folder as a whole: the page is rendered in memory first (a failure writes nothing), the
``assets/`` folder is staged and swapped in by rename, and ``index.html`` is written last
with :func:`write_atomic`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.card import headline_figures
from narrowgate.evaluate.chart_spec import chart_spec, panel_spec
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import VERDICT_LABELS, Chart, ClaimResult, Figure, Verdict
from narrowgate.report.bottom_line import (
    STALE_AFTER_DAYS,
    VERDICT_MEANINGS,
    bottom_line,
    chain,
    data_age,
)
from narrowgate.report.card_view import (
    OPEN_CHARTS,
    InstrumentRow,
    chart_groups,
    provenance_rows,
    shows_test,
    so_far,
)
from narrowgate.report.commands import how_text
from narrowgate.report.formatting import format_signed, format_value, format_when
from narrowgate.report.scorecard import write_atomic
from narrowgate.report.timeline_strip import TimelineStrip, timeline_strip
from narrowgate.report.trades import TradeRow, book_note, book_rows, trade_rows
from narrowgate.report.trades_chart import thicken_book, trades_chart
from narrowgate.report.watch import watch_cards
from narrowgate.report.words import zh_note, zh_test, zh_words
from narrowgate.thesis.schema import LocalizedText, Section

if TYPE_CHECKING:
    from markupsafe import Markup

Lang = Literal["zh", "en"]

GENERATOR = "narrowgate-html-report"
ASSETS = "assets"
PLOTLY_JS = "plotly.min.js"
STATIC_FILES = ("report.css", "report.js")
READABLE_FILE = 0o644
READABLE_DIR = 0o755
#: the scoreboard chart's height in CSS px (its legend sits above the plot)
TRADES_CHART_HEIGHT = 520


class ReportWriteError(NarrowgateError):
    """The report cannot be written where asked (foreign files in the way, plotly missing)."""

    exit_code = 7


OTHER_SECTION = Section(key="other", title=LocalizedText(zh="其他", en="Other"))

KIND_LABELS: dict[str, LocalizedText] = {
    "fact": LocalizedText(zh="事实", en="fact"),
    "mechanism": LocalizedText(zh="机制", en="mechanism"),
    "forecast": LocalizedText(zh="预测", en="forecast"),
    "trade": LocalizedText(zh="交易", en="trade"),
    "view": LocalizedText(zh="观点", en="view"),
    "qualitative": LocalizedText(zh="定性", en="qualitative"),
}


@dataclass(frozen=True)
class ChartView:
    """A chart ready for the template: its DOM id and its Plotly spec as safe JSON."""

    dom_id: str
    chart: Chart
    spec_json: Markup


@dataclass(frozen=True)
class CardView:
    """One claim's card: the result plus what the template should not compute itself."""

    result: ClaimResult
    figures: list[Figure]
    charts: list[ChartView]
    stale: bool
    fallback: bool
    more_figures: list[Figure] = field(default_factory=list)
    #: charts beyond the first OPEN_CHARTS, drawn only when their fold is opened
    folded_charts: list[ChartView] = field(default_factory=list)
    #: the newest market or filing date the verdict rests on
    data_date: date | None = None
    #: a pending verdict's reading so far
    so_far: Verdict | None = None
    provenance: list[InstrumentRow] = field(default_factory=list)
    show_test: bool = True
    #: the verdict at each month end since publication (None: no timeline)
    timeline: TimelineStrip | None = None


@dataclass
class SectionView:
    section: Section
    cards: list[CardView] = field(default_factory=list)


def write_html_report(scorecard: Scorecard, out_dir: Path, lang: Lang) -> Path:
    """Write ``out_dir/index.html`` and ``out_dir/assets/``; return the path of index.html.

    Refuses (``ReportWriteError``) to overwrite an ``index.html`` or ``assets/`` that this
    function did not write, so pointing ``--out`` at a website folder cannot destroy it.
    """
    page = render_report_html(scorecard, lang)
    plotly_js = plotly_js_path()
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    check_ours(index, out_dir / ASSETS)
    _replace_assets(out_dir, plotly_js)
    write_atomic(index, page)
    index.chmod(READABLE_FILE)  # mkstemp makes 0600; a report is meant to be shared
    return index


def render_report_html(scorecard: Scorecard, lang: Lang) -> str:
    """The page as a string; pure, so a template error happens before anything is written."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    import jinja2

    from narrowgate.report.template_cache import template_bytecode_cache

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("narrowgate.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # compiled once, loaded after (the options that shape the compiled code name it)
        bytecode_cache=template_bytecode_cache(
            {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}),
    )
    env.filters["number"] = format_value
    env.filters["when"] = format_when
    env.filters["how"] = lambda m: how_text(m).replace("`", "")  # a <code> cell: no markdown
    env.filters["signed"] = format_signed
    env.filters["code_spans"] = code_spans
    env.filters["zh_words"] = zh_words
    env.filters["zh_note"] = zh_note
    env.filters["zh_test"] = zh_test
    template = env.get_template("report.html.j2")
    trades = trade_rows(scorecard)
    return template.render(
        sc=scorecard,
        lang=lang,
        generator=GENERATOR,
        assets=ASSETS,
        sections=group_by_section(scorecard.results, scorecard.thesis.sections,
                                  scorecard.thesis.source.published),
        verdicts=list(Verdict),
        verdict_labels=VERDICT_LABELS,
        verdict_words={v.value: v for v in Verdict},  # string figures naming a verdict
        kind_labels=KIND_LABELS,
        counts=scorecard.counts,
        newest=scorecard.newest_data,
        slug=verdict_slug,
        watch=watch_cards(scorecard),
        trades=trades,
        trades_chart=_trades_chart_view(scorecard, trades),
        book_rows=book_rows(scorecard),
        book_note=book_note(scorecard.book) if scorecard.book else None,
        bottom_line=bottom_line(scorecard, trades),
        data_age=data_age(scorecard),
        stale_after=STALE_AFTER_DAYS,
        chain=chain(scorecard.results, scorecard.thesis.sections),
        meanings=VERDICT_MEANINGS,
    )


def code_spans(text: str) -> Markup:
    """A message that marks commands the markdown way (`narrowgate data pull x`) shown
    with those parts in ``<code>`` and no backticks; everything else escaped."""
    from markupsafe import Markup, escape

    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: not markup, show the text as it is
        return escape(text.replace("`", "'"))
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if odd else escape(part)
        for odd, part in ((n % 2 == 1, part) for n, part in enumerate(parts)))


def group_by_section(results: list[ClaimResult], sections: Sequence[Section],
                     published: date | None = None) -> list[SectionView]:
    """Cards in the order of the thesis's sections (its argument chain); claims without a
    section go to a final 'other'. Within a section the thesis file's order is kept.
    ``published`` (the thesis's date) is marked on every time-series chart."""
    views = {s.key: SectionView(s) for s in (*sections, OTHER_SECTION)}
    for index, result in enumerate(results):
        key = result.section if result.section in views else OTHER_SECTION.key
        views[key].cards.append(_card(index, result, published))
    return [view for view in views.values() if view.cards]


def _card(index: int, result: ClaimResult, published: date | None = None) -> CardView:
    evidence = result.evidence
    charts = [
        ChartView(dom_id=f"chart-{index}-{n}", chart=chart,
                  spec_json=embed_json(bilingual_chart_spec(chart, published, panels=panels)))
        for n, (chart, panels) in enumerate(chart_groups(evidence.charts))
    ]
    headline = headline_figures(evidence.figures)
    return CardView(
        result=result,
        figures=headline,
        more_figures=[f for f in evidence.figures if all(f is not h for h in headline)],
        charts=charts[:OPEN_CHARTS],
        folded_charts=charts[OPEN_CHARTS:],
        stale=any(item.stale for item in evidence.data),
        fallback=any(item.fallback for item in evidence.data),
        data_date=evidence.newest_data(),
        so_far=so_far(result),
        provenance=provenance_rows(evidence.data),
        show_test=shows_test(result),
        timeline=timeline_strip(result),
    )


def _trades_chart_view(scorecard: Scorecard, trades: Sequence[TradeRow]) -> ChartView | None:
    """The scoreboard's chart: every trade's equity rebased to 100 at publication."""
    charts = trades_chart(scorecard, trades)
    if charts is None:
        return None
    en, zh = charts
    published = scorecard.thesis.source.published
    spec = chart_spec(en, "en", published=published)
    spec["i18n"] = {"en": chart_texts(spec),
                    "zh": chart_texts(chart_spec(zh, "zh", published=published))}
    spec["layout"]["height"] = TRADES_CHART_HEIGHT  # room for a dozen legend entries
    thicken_book(spec, scorecard.book)
    return ChartView(dom_id="chart-trades", chart=en, spec_json=embed_json(spec))


def bilingual_chart_spec(chart: Chart, published: date | None, *,
                         panels: bool = False) -> dict[str, Any]:
    """The English Plotly spec plus ``i18n``: each language's texts (trace names, axis
    titles, line labels), so report.js re-draws a chart in the other language without a
    second copy of the data points in the page. ``panels``: a stacked chart, drawn as two
    panels on one date axis (see ``panel_spec``)."""
    draw = panel_spec if panels else chart_spec
    spec = draw(chart, "en", published=published)
    zh = draw(chart, "zh", published=published, words=zh_words)
    spec["i18n"] = {"en": chart_texts(spec), "zh": chart_texts(zh)}
    return spec


def chart_texts(spec: dict[str, Any]) -> dict[str, Any]:
    """The words of a Plotly spec that differ by language (see report.js ``localize``)."""
    layout = spec["layout"]
    return {
        "names": [trace["name"] for trace in spec["data"]],
        "axes": {axis: layout[axis]["title"]["text"]
                 for axis in ("xaxis", "yaxis", "yaxis2") if axis in layout},
        "marks": [note["text"] for note in layout.get("annotations", [])],
    }


def verdict_slug(verdict: Verdict) -> str:
    """CSS-safe name of a verdict ('insufficient data' → 'insufficient-data')."""
    return verdict.value.replace(" ", "-")


def embed_json(payload: Any) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc.: still the same JSON to ``JSON.parse``,
    but no ``</script>`` or ``<!--`` in any string can end or confuse the script block.
    """
    from markupsafe import Markup

    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def plotly_js_path() -> Path:
    """plotly.js as narrowgate ships it: the basic bundle (scatter, bar, pie traces: the
    report draws scatter and bar only), vendored from npm with its license by
    ``scripts/vendor_plotly.sh`` into ``report/vendor/`` (1.2 MB instead of plotly's full
    4.8 MB, and no Python plotly in the core install)."""
    candidate = Path(__file__).with_name("vendor") / PLOTLY_JS
    if candidate.is_file():
        return candidate
    raise ReportWriteError(
        f"plotly.js is missing from this narrowgate install ({candidate})",
        "reinstall narrowgate; from a source checkout run scripts/vendor_plotly.sh",
    )


def check_ours(index: Path, assets: Path) -> None:
    """Raise if index.html or assets/ exist but were not written by this module."""
    if index.exists():
        with index.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4000)
        if f'content="{GENERATOR}' not in head:
            raise ReportWriteError(
                f"{index} exists and is not a narrowgate report; not overwriting it",
                "choose another --out folder",
            )
    ours = (assets / "report.js").is_file()
    if assets.exists() and not ours and (not assets.is_dir() or any(assets.iterdir())):
        raise ReportWriteError(
            f"{assets} exists and is not a narrowgate report's assets; not replacing it",
            "choose another --out folder",
        )


def _replace_assets(out_dir: Path, plotly_js: Path) -> None:
    """Stage a complete assets/ folder next to the old one, then swap it in by rename."""
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{ASSETS}.new-"))
    trash: Path | None = None
    try:
        staging.chmod(READABLE_DIR)  # mkdtemp makes 0700
        shutil.copyfile(plotly_js, staging / PLOTLY_JS)
        static = resources.files("narrowgate.report") / "static"
        for name in STATIC_FILES:
            (staging / name).write_bytes((static / name).read_bytes())
        target = out_dir / ASSETS
        if target.exists():
            trash = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{ASSETS}.old-"))
            os.replace(target, trash / ASSETS)
        try:
            os.replace(staging, target)
        except OSError:
            if trash is not None:
                os.replace(trash / ASSETS, target)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
