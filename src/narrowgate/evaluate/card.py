"""Scorecards in a notebook: a table of claims and a compact HTML card.

Why here and not in report/: these are views of the result type itself (``Scorecard``,
``ClaimResult``) that Jupyter calls through ``_repr_html_`` and ``to_frame()``; the full
report (charts, sections, both languages side by side) stays in :mod:`narrowgate.report`.
Every string is escaped: claim text comes from a user's YAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from narrowgate.evaluate.verdict import VERDICT_LABELS, ClaimResult, Figure, Verdict

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.evaluate.scorecard import Lang, Scorecard

#: verdict colours of the report (text on white meets WCAG AA)
VERDICT_COLOURS = {Verdict.SUPPORTED: "#1a7f37", Verdict.CONTRADICTED: "#c62828",
                   Verdict.MIXED: "#8a5a00", Verdict.PENDING: "#4a5568",
                   Verdict.INSUFFICIENT_DATA: "#6b46c1", Verdict.QUALITATIVE: "#2b6cb0"}

COLUMNS = {"en": ("kind", "test", "verdict", "headline", "value", "unit", "data_end",
                  "stale", "stability_pct"),
           "zh": ("类型", "检验", "结论", "关键数字", "数值", "单位", "数据截至", "数据过期",
                  "稳定度(%)")}


HEADLINE_FIGURES = 3  # "the two or three figures that decide it"


def headline_figures(figures: list[Figure]) -> list[Figure]:
    """The few figures a card shows up front: decisive ones first, at most
    ``HEADLINE_FIGURES`` (or the first ones when none is marked); the rest sit behind a fold
    so a reader sees what decides the claim before the detail."""
    decisive = [f for f in figures if f.decisive]
    return (decisive or figures)[:HEADLINE_FIGURES]


def headline(result: ClaimResult) -> Figure | None:
    """The figure a reader sees first: the first of :func:`headline_figures`."""
    shown = headline_figures(result.evidence.figures)
    return shown[0] if shown else None


def results_frame(results: Sequence[ClaimResult], lang: Lang) -> pd.DataFrame:
    """One row per claim (index: claim id) with the headline figure, data age and the
    stability of the verdict (% of a ±20% threshold band keeping it; None: not measured)."""
    import pandas as pd

    rows = []
    for result in results:
        figure = headline(result)
        rows.append((result.kind, result.test, VERDICT_LABELS[result.verdict].get(lang),
                     figure.label.get(lang) if figure else None,
                     figure.value if figure else None, figure.unit if figure else None,
                     result.evidence.newest_data(),
                     any(item.stale for item in result.evidence.data), result.stability))
    frame = pd.DataFrame(rows, columns=list(COLUMNS[lang]),
                         index=pd.Index([r.claim_id for r in results], name="claim"))
    return frame


def _value(figure: Figure) -> str:
    value = figure.value
    text = f"{value:,.4g}" if isinstance(value, float) else str(value)
    return f"{text} {figure.unit}".strip()


def claim_html(result: ClaimResult, lang: Lang) -> str:
    """One claim as a line: verdict chip, id, the summary and the headline figure."""
    colour = VERDICT_COLOURS[result.verdict]
    figure = headline(result)
    shown = (f"<br><small>{escape(figure.label.get(lang))}: {escape(_value(figure))}"
             "</small>" if figure else "")
    return (f'<div style="margin:4px 0"><span style="background:{colour};color:#fff;'
            f'padding:1px 6px;border-radius:3px">{escape(VERDICT_LABELS[result.verdict].get(lang))}'
            f"</span> <b>{escape(result.claim_id)}</b> — "
            f"{escape(result.summary.get(lang))}{shown}</div>")


def scorecard_html(card: Scorecard, lang: Lang) -> str:
    """The whole scorecard as a compact card: title, as-of, tally, one line per claim."""
    tally = " · ".join(f"{escape(VERDICT_LABELS[Verdict(k)].get(lang))} {n}"
                       for k, n in card.counts.items() if n)
    as_of = "截至" if lang == "zh" else "as of"
    return (f"<div><h4 style='margin:0'>{escape(card.thesis.title.get(lang))}</h4>"
            f"<p style='margin:2px 0'>{as_of} {card.as_of} · {tally}</p>"
            + "".join(claim_html(result, lang) for result in card.results) + "</div>")
