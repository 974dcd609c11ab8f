"""The server's pages: home (theses, latest verdict counts, flips), thesis, claim timeline.

The thesis page is the HTML report itself (``render_report_html``) over a recorded
scorecard, so a served thesis reads exactly like ``narrowgate run``'s report; its relative
``assets/`` links resolve to ``/theses/assets/…``, served from the installed package (the
report's CSS and JS, and the plotly.js it vendors): nothing comes from a CDN.
Home and claim pages are small jinja2 templates in one language at a time (``?lang=zh|en``,
with a link to the other). Handlers are plain functions run in Starlette's thread pool.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from narrowgate.data.store import Store
from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.verdict import VERDICT_LABELS, Verdict
from narrowgate.watch.compare import snapshot
from narrowgate.web.catalog import (
    AssetNotFound,
    claim_timeline,
    flips_since,
    latest_flips,
    list_theses,
    recorded_scorecard,
    thesis_entry,
    week_ago,
)
from narrowgate.web.json_api import run_number

Lang = Literal["zh", "en"]
WEB_ASSETS = ("web.css", "web.js")

WORDS: dict[str, dict[Lang, str]] = {
    "title": {"en": "narrowgate — living scorecards", "zh": "narrowgate — 持续更新的记分卡"},
    "theses": {"en": "Theses", "zh": "观点"},
    "thesis": {"en": "thesis", "zh": "观点"},
    "origin": {"en": "from", "zh": "来源"},
    "bundled": {"en": "bundled", "zh": "内置"},
    "library": {"en": "library", "zh": "观点库"},
    "history": {"en": "history only", "zh": "仅有历史"},
    "latest": {"en": "latest run", "zh": "最近一次运行"},
    "as_of": {"en": "as of", "zh": "评估日"},
    "runs": {"en": "runs", "zh": "运行次数"},
    "verdicts": {"en": "verdicts", "zh": "结论统计"},
    "flips": {"en": "flips since the previous run", "zh": "自上次运行以来的结论翻转"},
    "no_flips": {"en": "none", "zh": "无"},
    "recorded": {"en": "recorded", "zh": "记录于"},
    "week": {"en": "flips since last week (runs recorded in the last 7 days)",
             "zh": "上周以来的结论翻转(近 7 天记录的运行)"},
    "no_run": {"en": "no recorded run yet — `narrowgate run {id}` records one",
               "zh": "尚无运行记录 — `narrowgate run {id}` 会记录一次"},
    "open": {"en": "open the scorecard", "zh": "查看记分卡"},
    "other_lang": {"en": "中文", "zh": "English"},
    "claim": {"en": "claim", "zh": "论点"},
    "timeline": {"en": "Verdict across recorded runs", "zh": "各次运行中的结论"},
    "run": {"en": "run", "zh": "运行"},
    "verdict": {"en": "verdict", "zh": "结论"},
    "figure": {"en": "headline figure", "zh": "关键数字"},
    "summary": {"en": "summary", "zh": "摘要"},
    "back": {"en": "all theses", "zh": "全部观点"},
    "claims": {"en": "claims of the latest run", "zh": "最近一次运行的论点"},
    "api": {"en": "JSON API (OpenAPI)", "zh": "JSON 接口 (OpenAPI)"},
    "not_found": {"en": "Not found", "zh": "未找到"},
    "refresh": {"en": "Re-evaluate now", "zh": "立即重新评估"},
    "refreshing": {"en": "evaluating… (the page reloads when the run is recorded)",
                   "zh": "评估中……(记录完成后页面会刷新)"},
    "refresh_failed": {"en": "refresh failed", "zh": "刷新失败"},
}


def page_lang(request: Request) -> Lang:
    """``?lang=zh|en``; anything else (or nothing) is English."""
    return "zh" if request.query_params.get("lang") == "zh" else "en"


@cache
def _templates() -> object:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("narrowgate.web", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["verdict_labels"] = VERDICT_LABELS
    env.globals["verdicts"] = list(Verdict)
    return env


def render(name: str, lang: Lang, status: int = 200, **values: object) -> HTMLResponse:
    """A template in ``lang``, with ``w(key)`` for the words above."""
    import jinja2

    env = _templates()
    assert isinstance(env, jinja2.Environment)
    words = {key: texts[lang] for key, texts in WORDS.items()}
    def verdict_word(value: str | None) -> str:
        """A verdict value in the page's language ("—" for a claim absent from a run)."""
        try:
            return VERDICT_LABELS[Verdict(value)].get(lang) if value else "—"
        except ValueError:
            return str(value)

    html = env.get_template(name).render(lang=lang, other="en" if lang == "zh" else "zh",
                                         w=words, verdict_word=verdict_word, **values)
    return HTMLResponse(html, status_code=status)


def home(request: Request) -> Response:
    store = Store()
    since = week_ago()
    rows = [(entry, latest_flips(store, entry), flips_since(store, entry, since))
            for entry in list_theses(store)]
    return render("home.html.j2", page_lang(request), rows=rows)


def thesis(request: Request) -> Response:
    """The report over the latest recorded scorecard (or ``?run=``)."""
    from narrowgate.report.html import render_report_html

    store = Store()
    entry = thesis_entry(store, request.path_params["thesis_id"])
    _, card = recorded_scorecard(store, entry, run_number(request))
    return HTMLResponse(render_report_html(card, page_lang(request)))


def claim(request: Request) -> Response:
    """One claim's verdict and headline figure in every recorded run of its thesis."""
    store = Store()
    entry = thesis_entry(store, request.path_params["thesis_id"])
    claim_id = request.path_params["claim_id"]
    points = claim_timeline(store, entry, claim_id)
    _, latest = recorded_scorecard(store, entry)
    rows = [(p, snapshot(p.result)) for p in points]
    return render("claim.html.j2", page_lang(request), entry=entry, claim_id=claim_id,
                  statement=points[-1].result.statement, rows=rows,
                  claims=[r.claim_id for r in latest.results])


def error_page(request: Request, exc: NarrowgateError, status: int) -> HTMLResponse:
    """A narrowgate error as a small page in the request's language."""
    return render("error.html.j2", page_lang(request), status=status, status_code=status,
                  message=exc.message, hint=exc.hint)


def report_asset(request: Request) -> Response:
    """The report's assets from the package: its CSS and JS and the vendored plotly.js."""
    from narrowgate.report.html import PLOTLY_JS, STATIC_FILES, plotly_js_path

    name = request.path_params["name"]
    if name == PLOTLY_JS:
        return FileResponse(plotly_js_path(), media_type="text/javascript")
    if name in STATIC_FILES:
        return _package_file("narrowgate.report", name)
    raise AssetNotFound(f"no report asset {name!r}", None)


def web_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name in WEB_ASSETS:
        return _package_file("narrowgate.web", name)
    raise AssetNotFound(f"no asset {name!r}", None)


def _package_file(package: str, name: str) -> Response:
    """A file of ``package/static`` with the media type its suffix names."""
    types = {".css": "text/css", ".js": "text/javascript"}
    source = resources.files(package) / "static" / name
    media = types.get(Path(name).suffix, "application/octet-stream")
    return Response(source.read_bytes(), media_type=media,
                    headers={"cache-control": "max-age=3600"})
